import { Cancelled, CardRemoved, Timeout } from '@cccd/emrtd';
import { concat, fromHex, hex } from '@cccd/emrtd/codec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { PcscError } from './errors.js';
import { parseFeatures, scardCtlCode } from './features.js';
import { removeAndSettle } from './test-support/events.js';
import { vpcdSlotsEmpty } from './test-support/presence.js';
import { type ApduHandler, VpcdTestCard } from './test-support/vpcd-card.js';
import { PcscTransport, type PcscTransportOptions, SHORT_CAPABILITIES } from './transport.js';

const OK = Uint8Array.of(0x90, 0x00);
const SELECT_EMRTD = fromHex('00A4040C07A0000002471001');
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

let ctx: PcscContext;
let card: VpcdTestCard | undefined;
const transports: PcscTransport[] = [];
beforeEach(() => {
  ctx = new PcscContext();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  if (card) await removeAndSettle(ctx, card);
  card = undefined;
  await ctx.close();
});

/** Inserts a test card in slot 0 and opens a transport to it. */
async function connected(handler: ApduHandler, options: PcscTransportOptions = { extendedLength: true }) {
  await vpcdSlotsEmpty([0], { ctx });
  card = new VpcdTestCard({ handler });
  await card.insert();
  await ctx.waitForCard(card.reader, { timeoutMs: 5000 });
  const transport = await PcscTransport.open(ctx, card.reader, options);
  transports.push(transport);
  return { transport, card };
}

describe('PcscTransport through pcscd + vpcd', () => {
  it('round-trips short and extended APDUs, including a 4 KB response and a 4 KB command', async () => {
    const { transport, card } = await connected((apdu) => {
      if (apdu[1] === 0xb0) return concat(pattern(4096), OK);
      if (apdu[1] === 0xd6) return Uint8Array.of(apdu.length >> 8, apdu.length & 0xff, 0x90, 0x00);
      return OK;
    });
    expect(transport.protocol).toBe('T1');
    expect(transport.atr()).toEqual(card.atr);
    expect(transport.capabilities).toEqual({ maxCommandLength: 65544, maxResponseLength: 65538, extendedLength: true });
    expect(await transport.transmit(SELECT_EMRTD)).toEqual(OK);
    const read = await transport.transmit(fromHex('00B00000001000'));
    expect(read).toEqual(concat(pattern(4096), OK));
    const update = concat(fromHex('00D60000001000'), pattern(4096));
    expect(await transport.transmit(update)).toEqual(Uint8Array.of(0x10, 0x07, 0x90, 0x00));
    expect(card.received.map((a) => a.length)).toEqual([12, 7, 4103]);
  });

  it('follows 61xx with GET RESPONSE and re-sends with the exact Le after 6Cxx', async () => {
    const { transport, card } = await connected((apdu) => {
      const ins = apdu[1];
      if (ins === 0xa4) return Uint8Array.of(0x61, 0x20);
      if (ins === 0xc0 && apdu[4] === 0x20) return concat(pattern(0x20), Uint8Array.of(0x61, 0x05));
      if (ins === 0xc0 && apdu[4] === 0x05) return concat(pattern(5), OK);
      if (ins === 0xb0) return apdu[4] === 0x0f ? concat(pattern(15), OK) : Uint8Array.of(0x6c, 0x0f);
      return Uint8Array.of(0x6d, 0x00);
    });
    expect(await transport.transmit(fromHex('0CA4040C07A0000002471001'))).toEqual(
      concat(pattern(0x20), pattern(5), OK),
    );
    expect(await transport.transmit(fromHex('00B0000000'))).toEqual(concat(pattern(15), OK));
    expect(card.received.map(hex)).toEqual([
      '0ca4040c07a0000002471001',
      '00c0000020',
      '00c0000005',
      '00b0000000',
      '00b000000f',
    ]);
  });

  it('leaves 61xx alone when autoGetResponse is off', async () => {
    const { transport } = await connected(() => Uint8Array.of(0x61, 0x10), { autoGetResponse: false });
    expect(await transport.transmit(SELECT_EMRTD)).toEqual(Uint8Array.of(0x61, 0x10));
  });

  it('reports a card pulled mid-exchange as CardRemoved and reconnects after re-insertion', async () => {
    let pull = true;
    const { transport, card } = await connected((_apdu, c) => {
      if (!pull) return Uint8Array.of(0x01, 0x90, 0x00);
      c.remove();
      return undefined;
    });
    const error = await transport.transmit(SELECT_EMRTD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardRemoved);
    expect((error as CardRemoved).retriable).toBe(true);
    const reconnected = transport.reconnect({ timeoutMs: 8000 });
    pull = false;
    await card.insert();
    await reconnected;
    expect(await transport.transmit(SELECT_EMRTD)).toEqual(Uint8Array.of(0x01, 0x90, 0x00));
  });

  it('bounds a mute card: Cancelled on abort, Timeout within the budget, no second APDU queued', async () => {
    const { transport, card } = await connected(() => undefined);
    const controller = new AbortController();
    const aborted = transport.transmit(SELECT_EMRTD, { signal: controller.signal, timeoutMs: 10_000 });
    setTimeout(() => controller.abort(), 50);
    await expect(aborted).rejects.toBeInstanceOf(Cancelled);
    const started = Date.now();
    const error = await transport.transmit(SELECT_EMRTD, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Timeout);
    expect(Date.now() - started).toBeLessThan(1500);
    // The first APDU still blocks pcscd; the second waited for it instead of piling up in the thread pool.
    expect(card.received).toHaveLength(1);
    await removeAndSettle(ctx, card);
  });

  it('passes SCardControl through and derives extended-length support from the reader features', async () => {
    const { transport } = await connected(() => OK, { extendedLength: 'auto' });
    // Debian's vpcd 3.3 does not implement part-10 features; newer vpcd advertises dwMaxAPDUDataSize 0x10000.
    const features = await transport.control(scardCtlCode(3400)).then(parseFeatures, (e: unknown) => {
      expect(e).toBeInstanceOf(PcscError);
      expect((e as PcscError).reason).toBe('unsupported');
      return new Map<number, number>();
    });
    if (features.has(0x12)) expect(transport.capabilities.extendedLength).toBe(true);
    else expect(transport.capabilities).toEqual(SHORT_CAPABILITIES);
  });

  it('keeps one transport per reader and maps a sharing violation', async () => {
    const { card } = await connected(() => OK, { extendedLength: false, shareMode: 'exclusive' });
    await expect(PcscTransport.open(ctx, card.reader)).rejects.toMatchObject({ reason: 'reader-busy' });
    const other = new PcscContext();
    try {
      await expect(PcscTransport.open(other, card.reader, { extendedLength: false })).rejects.toMatchObject({
        reason: 'sharing-violation',
        pcscCode: 0x8010000b,
      });
    } finally {
      await other.close();
    }
  });

  it('fails open() on an empty reader with CardRemoved', async () => {
    await ctx.readers();
    const empty = (await ctx.readers()).find((r) => !r.present);
    expect(empty).toBeDefined();
    await expect(PcscTransport.open(ctx, empty!.name, { extendedLength: false })).rejects.toBeInstanceOf(CardRemoved);
  });
});
