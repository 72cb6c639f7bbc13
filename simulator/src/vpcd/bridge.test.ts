import net from 'node:net';
import { fromHex, hex } from '@cccd/emrtd/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCard } from '../card/applet.js';
import { testImage } from '../card/testing/image.js';
import { readerPseudoApdu, VpcdBridge } from './bridge.js';

/** A stand-in for vpcd: listens like the driver does and speaks its framing, so the bridge is tested without pcscd. */
class FakeVpcd {
  private server = net.createServer();
  private socket: net.Socket | undefined;
  private buffer = Buffer.alloc(0);
  private waiters: Array<(frame: Buffer | null) => void> = [];
  private frames: Array<Buffer | null> = [];
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server.on('connection', (s) => {
      this.socket = s;
      s.on('data', (d) => {
        this.buffer = Buffer.concat([this.buffer, d]);
        while (this.buffer.length >= 2 && this.buffer.length >= 2 + this.buffer.readUInt16BE(0)) {
          const n = this.buffer.readUInt16BE(0);
          this.push(this.buffer.subarray(2, 2 + n));
          this.buffer = this.buffer.subarray(2 + n);
        }
      });
      s.on('close', () => this.push(null));
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private push(frame: Buffer | null): void {
    const w = this.waiters.shift();
    if (w) w(frame);
    else this.frames.push(frame);
  }

  /** Sends a frame and waits (bounded) for the card's reply; null when the card closed the link. */
  async request(payload: Uint8Array, timeoutMs = 1000): Promise<Buffer | null> {
    const h = Buffer.alloc(2);
    h.writeUInt16BE(payload.length);
    this.socket!.write(Buffer.concat([h, payload]));
    return this.next(timeoutMs);
  }

  send(payload: Uint8Array): void {
    const h = Buffer.alloc(2);
    h.writeUInt16BE(payload.length);
    this.socket!.write(Buffer.concat([h, payload]));
  }

  next(timeoutMs = 1000): Promise<Buffer | null> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (f: Buffer | null) => {
        clearTimeout(timer);
        resolve(f);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('no frame from the card'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async waitForConnection(): Promise<void> {
    for (let i = 0; i < 100 && !this.socket; i++) await new Promise((r) => setTimeout(r, 5));
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setUp(options: ConstructorParameters<typeof SimulatedCard>[1] = {}, reinsertAfterMs?: number) {
  const vpcd = new FakeVpcd();
  await vpcd.listen();
  const card = new SimulatedCard(testImage(), options);
  const bridge = new VpcdBridge(card, {
    port: vpcd.port,
    ...(reinsertAfterMs === undefined ? {} : { reinsertAfterMs }),
  });
  cleanups.push(async () => {
    await bridge.close();
    await vpcd.close();
  });
  await bridge.insert();
  await vpcd.waitForConnection();
  return { vpcd, card, bridge };
}

describe('VpcdBridge (against a fake vpcd)', () => {
  it('answers GET ATR, power control and APDUs with length-prefixed frames', async () => {
    const { vpcd, card } = await setUp();
    expect(hex((await vpcd.request(Uint8Array.of(0x04)))!)).toBe(hex(card.atr()));
    vpcd.send(Uint8Array.of(0x01));
    expect(hex((await vpcd.request(fromHex('00A4020C02011C')))!)).toBe('9000');
    expect(hex((await vpcd.request(fromHex('00A4000C023F00')))!)).toBe('6d00');
    vpcd.send(Uint8Array.of(0x02)); // reset: new activation
    vpcd.send(Uint8Array.of(0x00));
    expect(hex((await vpcd.request(fromHex('00B0000004')))!)).toBe('6986');
  });

  it('plays the reader for FF CA (UID, historical bytes), with 6Cxx for a short Le', async () => {
    const { vpcd, card } = await setUp();
    const uid = (await vpcd.request(fromHex('FFCA000000')))!;
    expect(hex(uid)).toBe(`${hex(card.uid())}9000`);
    expect(uid[0]).toBe(0x08);
    expect(hex((await vpcd.request(fromHex('FFCA010000')))!)).toBe(`${hex(card.historicalBytes())}9000`);
    expect(hex((await vpcd.request(fromHex('FFCA000002')))!)).toBe('6c04');
    expect(hex((await vpcd.request(fromHex('FFCA050000')))!)).toBe('6a81');
    expect(card.stats.exchanges).toBe(0); // the reader answered, not the chip
    expect(hex(readerPseudoApdu(card, fromHex('FF00')))).toBe('6700');
  });

  it('closes the link on tag loss and comes back as a fresh card when re-inserted', async () => {
    const { vpcd, card, bridge } = await setUp({ faults: ['tag-loss-after-apdus=1'] });
    const events: string[] = [];
    bridge.on('disconnected', (why) => events.push(why));
    expect(hex((await vpcd.request(fromHex('00A4040C07A0000002471001')))!)).toBe('9000');
    expect(await vpcd.request(fromHex('00A4020C020101'))).toBeNull();
    expect(bridge.connected).toBe(false);
    expect(events[0]).toMatch(/tag lost/);
    const second = new FakeVpcd();
    await second.listen();
    cleanups.push(() => second.close());
    const again = new VpcdBridge(card, { port: second.port });
    cleanups.push(() => again.close());
    await again.insert();
    await second.waitForConnection();
    expect(hex((await second.request(fromHex('00A4020C020101')))!)).toBe('6a82');
  });

  it('re-inserts by itself after a tag loss when reinsertAfterMs is set', async () => {
    const vpcd = new FakeVpcd();
    await vpcd.listen();
    const card = new SimulatedCard(testImage(), { faults: ['tag-loss-after-apdus=0'] });
    const bridge = new VpcdBridge(card, { port: vpcd.port, reinsertAfterMs: 10 });
    cleanups.push(async () => {
      await bridge.close();
      await vpcd.close();
    });
    const reconnected = new Promise<void>((r) => {
      let n = 0;
      bridge.on('connected', () => {
        if (++n === 2) r();
      });
    });
    await bridge.insert();
    await vpcd.waitForConnection();
    expect(await vpcd.request(fromHex('00A4040C07A0000002471001'))).toBeNull();
    await reconnected;
    expect(bridge.connected).toBe(true);
  });

  it('stays silent for a mute card until remove(), which closes the link', async () => {
    const { vpcd, bridge } = await setUp({ faults: ['mute-after=0'], muteCapMs: 5000 });
    await expect(vpcd.request(fromHex('00A4040C07A0000002471001'), 50)).rejects.toThrow(/no frame/);
    await bridge.remove();
    expect(await vpcd.next()).toBeNull();
  });

  it('rejects insert() with a transport error when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const bridge = new VpcdBridge(new SimulatedCard(testImage()), { port, connectTimeoutMs: 500 });
    await expect(bridge.insert()).rejects.toMatchObject({ code: 'transport' });
  });
});

describe('VpcdBridge when vpcd goes away', () => {
  it('re-inserts once vpcd listens again (pcscd restarted), when reinsertAfterMs is set', async () => {
    const vpcd = new FakeVpcd();
    await vpcd.listen();
    const port = vpcd.port;
    const card = new SimulatedCard(testImage());
    const bridge = new VpcdBridge(card, { port, reinsertAfterMs: 20 });
    cleanups.push(() => bridge.close());
    await bridge.insert();
    await vpcd.waitForConnection();
    const back = new Promise<void>((r) => bridge.once('connected', () => r()));
    await vpcd.close(); // the driver disappears…
    await new Promise((r) => setTimeout(r, 60)); // …a few failed attempts later…
    const restarted = new FakeVpcd();
    await restarted.listen(port); // …and comes back on the same port
    cleanups.push(() => restarted.close());
    await back;
    await restarted.waitForConnection();
    expect(bridge.connected).toBe(true);
  });
});
