/**
 * The test APDU link on its own, in Node (`ws`'s WebSocket has the browser's event interface): every failure is a
 * typed error within its deadline, and the card side's errors cross as status bytes. The browser test uses the
 * same two halves; a failing read there should be explained by one of these.
 */
import type { AddressInfo } from 'node:net';
import { CardRemoved, Timeout, type Transport } from '@cccd/emrtd';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_FRAME, REPLY } from './apdu-frames.js';
import { startApduServer } from './apdu-server.js';
import { WebSocketApduTransport } from './ws-apdu-transport.js';

const CAPS = { extendedLength: true };
const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x01, 0x01);
const Socket = WebSocket as unknown as new (url: string) => globalThis.WebSocket;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A raw peer that answers each command with `reply(command)` (undefined: stays silent). */
async function rawPeer(reply: (command: Buffer, socket: WebSocket) => Uint8Array | undefined): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (socket) =>
    socket.on('message', (data) => {
      const out = reply(data as Buffer, socket);
      if (out) socket.send(out);
    }),
  );
  await new Promise((resolve) => wss.once('listening', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

async function viaServer(transport: Partial<Transport>): Promise<WebSocketApduTransport> {
  const server = await startApduServer({ script: '', transportFor: () => transport as Transport });
  closers.push(server.close);
  const link = await WebSocketApduTransport.connect(server.apduUrl, CAPS, { WebSocket: Socket });
  closers.push(async () => link.close());
  return link;
}

describe('the test APDU link (page transport ↔ apdu-server)', () => {
  it('carries a command and its response, and counts the time spent waiting', async () => {
    const link = await viaServer({ transmit: async (c) => Uint8Array.of(c.length, 0x90, 0x00) });
    expect(await link.transmit(SELECT)).toEqual(Uint8Array.of(SELECT.length, 0x90, 0x00));
    expect(link.exchanges).toBe(1);
    expect(link.waitingMs).toBeGreaterThan(0);
  });

  it("the card side's tag loss and timeout arrive as CardRemoved and Timeout; anything else as a transport error", async () => {
    const lost = await viaServer({ transmit: () => Promise.reject(new CardRemoved({ step: 'transmit' })) });
    await expect(lost.transmit(SELECT)).rejects.toBeInstanceOf(CardRemoved);
    const slow = await viaServer({ transmit: () => Promise.reject(new Timeout('transmit', 5)) });
    await expect(slow.transmit(SELECT)).rejects.toBeInstanceOf(Timeout);
    const broken = await viaServer({ transmit: () => Promise.reject(new Error('boom')) });
    await expect(broken.transmit(SELECT)).rejects.toMatchObject({ code: 'transport', message: 'the card side failed' });
  });

  it('the card side takes binary frames up to MAX_FRAME and closes on anything else', async () => {
    const server = await startApduServer({
      script: '',
      transportFor: () => ({ transmit: async () => new Uint8Array(2) }),
    });
    closers.push(server.close);
    const closeCode = async (send: (s: WebSocket) => void) => {
      const s = new WebSocket(server.apduUrl);
      await new Promise((resolve) => s.once('open', resolve));
      const closed = new Promise<number>((resolve) => s.once('close', resolve));
      send(s);
      return closed;
    };
    expect(await closeCode((s) => s.send('00a4040c'))).toBe(1003);
    expect(await closeCode((s) => s.send(new Uint8Array(MAX_FRAME + 1)))).toBe(1009);
  });

  it('a silent peer is a Timeout within the deadline, and the link closes (no late reply reaches the next command)', async () => {
    const link = await WebSocketApduTransport.connect(await rawPeer(() => undefined), CAPS, { WebSocket: Socket });
    const t0 = performance.now();
    await expect(link.transmit(SELECT, { timeoutMs: 50 })).rejects.toBeInstanceOf(Timeout);
    expect(performance.now() - t0).toBeLessThan(2_000);
    await expect(link.transmit(SELECT)).rejects.toBeInstanceOf(CardRemoved);
  });

  it('a malformed or unknown reply is a transport error; a peer that hangs up is CardRemoved', async () => {
    const url = await rawPeer((command, socket) => {
      if (command[1] === 0xa4) return new Uint8Array(0); // empty frame
      if (command[1] === 0xb0) return Uint8Array.of(7, 0x90, 0x00); // unknown status byte
      if (command[1] === 0x88) return Uint8Array.of(REPLY.response, 0x90); // response shorter than SW1 SW2
      socket.close();
      return undefined;
    });
    const link = await WebSocketApduTransport.connect(url, CAPS, { WebSocket: Socket });
    await expect(link.transmit(SELECT)).rejects.toMatchObject({ code: 'transport' });
    await expect(link.transmit(Uint8Array.of(0, 0xb0, 0, 0, 0))).rejects.toMatchObject({ code: 'transport' });
    await expect(link.transmit(Uint8Array.of(0, 0x88, 0, 0, 0))).rejects.toMatchObject({ code: 'transport' });
    await expect(link.transmit(Uint8Array.of(0, 0x84, 0, 0, 8))).rejects.toBeInstanceOf(CardRemoved);
  });

  it('an abort is Cancelled; one exchange at a time; a port with no server fails to connect, typed', async () => {
    const link = await WebSocketApduTransport.connect(await rawPeer(() => undefined), CAPS, { WebSocket: Socket });
    const controller = new AbortController();
    const first = link.transmit(SELECT, { signal: controller.signal });
    await expect(link.transmit(SELECT)).rejects.toMatchObject({ code: 'transport', message: 'one exchange at a time' });
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    await expect(
      WebSocketApduTransport.connect('ws://127.0.0.1:1', CAPS, { WebSocket: Socket, timeoutMs: 2_000 }),
    ).rejects.toMatchObject({ code: 'transport', step: 'connect' });
  });
});
