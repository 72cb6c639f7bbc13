import { EventEmitter } from 'node:events';
import type { HostEvent, ReaderOp } from './host-protocol.js';
import { type NativeContext, type NativeReader, PROTOCOL, SHARE } from './native.js';

/** What the proxies need from the host process owner (host.ts). */
export interface HostLink {
  call(rid: number, connected: boolean, op: ReaderOp): Promise<Extract<HostEvent, { t: 'result' }>>;
  closeReader(rid: number): void;
  closeContext(gen: number): void;
}

/** NativeContext of one generation inside the host; mirrors pcsclite's glue (start() on the next tick). */
export class RemoteContext extends EventEmitter implements NativeContext {
  private round: ((err: unknown, readers?: Buffer) => void) | undefined;

  constructor(
    private readonly host: HostLink,
    private readonly gen: number,
  ) {
    super();
    process.nextTick(() => this.start(() => {}));
  }

  start(cb: (err: unknown, readers?: Buffer) => void): void {
    this.round = cb;
  }

  enumerated(): void {
    this.round?.(undefined, Buffer.alloc(0));
  }

  close(): void {
    this.host.closeContext(this.gen);
  }
}

export class RemoteReader extends EventEmitter implements NativeReader {
  connected = false;

  constructor(
    private readonly host: HostLink,
    private readonly rid: number,
    readonly name: string,
  ) {
    super();
  }

  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void) {
    const op = {
      op: 'connect' as const,
      shareMode: options.share_mode ?? SHARE.EXCLUSIVE,
      protocol: options.protocol ?? PROTOCOL.T0 | PROTOCOL.T1,
    };
    this.run(op, (err, value) => cb(err, typeof value === 'number' ? value : 0));
  }

  disconnect(disposition: number, cb: (err: unknown) => void) {
    this.run({ op: 'disconnect', disposition }, (err) => cb(err));
  }

  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, response: Buffer) => void) {
    this.run({ op: 'transmit', data: new Uint8Array(data), resLen, protocol }, (err, value) =>
      cb(err, toBuffer(value)),
    );
  }

  control(data: Buffer, code: number, resLen: number, cb: (err: unknown, response: Buffer) => void) {
    this.run({ op: 'control', data: new Uint8Array(data), code, resLen }, (err, value) => cb(err, toBuffer(value)));
  }

  close(): void {
    this.host.closeReader(this.rid);
  }

  private run(op: ReaderOp, cb: (err: unknown, value: number | Uint8Array | undefined) => void): void {
    void this.host.call(this.rid, this.connected, op).then((result) => {
      this.connected = result.connected;
      cb(result.error === undefined ? undefined : new Error(result.error), result.value);
    });
  }
}

const toBuffer = (value: number | Uint8Array | undefined) =>
  value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.alloc(0);
