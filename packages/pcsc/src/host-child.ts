/**
 * The PC/SC host process: the only place the pcsclite binding is loaded when @cccd/pcsc runs isolated (the
 * default). The binding's main thread locks a reader mutex that a running SCardTransmit holds, so a transmit that
 * never returns (pcscd killed mid-APDU, a wedged driver) freezes the thread that loaded it. Here that freezes only
 * this process; the parent notices the missing heartbeat and kills it.
 */
import type { HostEvent, HostRequest } from './host-protocol.js';
import { inProcessFactory, type NativeContext, type NativeReader, safely } from './native.js';

const contexts = new Map<number, NativeContext>();
const readers = new Map<number, NativeReader>();
let nextRid = 1;

const send = (event: HostEvent) => {
  if (process.connected) process.send?.(event);
};

const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

function establish(gen: number): void {
  let native: NativeContext;
  try {
    native = inProcessFactory();
  } catch (error) {
    send({ t: 'context-error', gen, message: text(error) });
    return;
  }
  contexts.set(gen, native);
  native.on('error', (error: unknown) => send({ t: 'context-error', gen, message: text(error) }));
  native.on('reader', (reader: NativeReader) => {
    const rid = nextRid++;
    readers.set(rid, reader);
    reader.on('error', (error: unknown) => send({ t: 'reader-error', rid, message: text(error) }));
    reader.on('end', () => {
      readers.delete(rid);
      send({ t: 'reader-end', rid });
    });
    reader.on('status', (s: { state: number; atr?: Buffer }) =>
      send(
        s.atr ? { t: 'status', rid, state: s.state, atr: new Uint8Array(s.atr) } : { t: 'status', rid, state: s.state },
      ),
    );
    send({ t: 'reader', gen, rid, name: reader.name });
  });
  // The binding calls start() on the next tick; its callback emits 'reader' for new names synchronously, so
  // 'enumerated' follows the round's readers.
  const start = native.start;
  if (typeof start === 'function') {
    native.start = (cb) =>
      start.call(native, (err, list) => {
        cb(err, list);
        if (!err) send({ t: 'enumerated', gen });
      });
  }
}

function call(request: Extract<HostRequest, { t: 'call' }>): void {
  const reader = readers.get(request.rid);
  const reply = (err: unknown, value?: number | Uint8Array) =>
    send({
      t: 'result',
      id: request.id,
      connected: reader?.connected ?? false,
      ...(err ? { error: text(err) } : value === undefined ? {} : { value }),
    });
  if (!reader) {
    // Its context was closed (service lost, generation dropped): what SCard* says for a stale handle.
    reply(new Error(`SCard ${request.op} error: Invalid handle.(0x80100003)`));
    return;
  }
  reader.connected = request.connected;
  try {
    switch (request.op) {
      case 'connect':
        reader.connect({ share_mode: request.shareMode, protocol: request.protocol }, (e, p) => reply(e, p));
        break;
      case 'disconnect':
        reader.disconnect(request.disposition, (e) => reply(e));
        break;
      case 'transmit':
        reader.transmit(Buffer.from(request.data), request.resLen, request.protocol, (e, r) =>
          reply(e, r && new Uint8Array(r)),
        );
        break;
      case 'control':
        reader.control(Buffer.from(request.data), request.code, request.resLen, (e, r) =>
          reply(e, r && new Uint8Array(r)),
        );
        break;
    }
  } catch (error) {
    reply(error);
  }
}

function exit(): void {
  for (const reader of readers.values()) safely(() => reader.close());
  for (const native of contexts.values()) safely(() => native.close());
  process.exit(0);
}

process.on('message', (request: HostRequest) => {
  switch (request.t) {
    case 'establish':
      establish(request.gen);
      break;
    case 'close-context': {
      const native = contexts.get(request.gen);
      contexts.delete(request.gen);
      if (native) safely(() => native.close());
      break;
    }
    case 'close-reader': {
      const reader = readers.get(request.rid);
      readers.delete(request.rid);
      if (reader) {
        reader.removeAllListeners('status');
        safely(() => reader.close());
      }
      break;
    }
    case 'call':
      call(request);
      break;
    case 'ping':
      send({ t: 'pong', seq: request.seq });
      break;
    case 'exit':
      exit();
      break;
  }
});
// The parent went away (exit, crash, SIGKILL): nothing here may outlive it.
process.on('disconnect', exit);
