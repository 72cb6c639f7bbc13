import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { nextEvent, recordCardEvents, removeAndSettle } from './test-support/events.js';
import { vpcdSlotsEmpty } from './test-support/presence.js';
import { VpcdTestCard, vpcdReaderName } from './test-support/vpcd-card.js';
import { PcscTransport } from './transport.js';

const OK = Uint8Array.of(0x90, 0x00);
const SELECT_EMRTD = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]);

let ctx: PcscContext;
const cards: VpcdTestCard[] = [];
beforeEach(async () => {
  // Each test counts events from empty slots: a card a previous file left behind would be seen leaving.
  await vpcdSlotsEmpty();
  ctx = new PcscContext();
});
afterEach(async () => {
  await Promise.all(cards.splice(0).map((c) => removeAndSettle(ctx, c)));
  await ctx.close();
});

function card(slot: 0 | 1, handler = (_: Uint8Array) => OK) {
  const c = new VpcdTestCard({ slot, handler });
  cards.push(c);
  return c;
}

describe('PcscContext through pcscd + vpcd', () => {
  it('lists both vpcd readers', async () => {
    const names = (await ctx.readers({ timeoutMs: 5000 })).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining([vpcdReaderName(0), vpcdReaderName(1)]));
  });

  it('emits card-inserted and card-removed exactly once across connect, transmit and disconnect', async () => {
    await ctx.readers({ timeoutMs: 5000 });
    const c = card(0);
    const seen = recordCardEvents(ctx, c.reader);
    const inserted = ctx.waitForCard(c.reader, { timeoutMs: 5000 });
    await c.insert();
    expect((await inserted).atr).toEqual(c.atr);
    // Connecting and disconnecting flip INUSE and power bits: raw status events the stream must swallow.
    const transport = await PcscTransport.open(ctx, c.reader, { extendedLength: false });
    expect(await transport.transmit(SELECT_EMRTD)).toEqual(OK);
    await transport.close();
    const removed = nextEvent(ctx, 'card-removed', (e) => e.reader === c.reader);
    c.remove();
    await removed;
    // A fresh insertion after the removal is one event again.
    const again = nextEvent(ctx, 'card-inserted', (e) => e.reader === c.reader);
    await c.insert();
    await again;
    expect(seen).toEqual(['inserted', 'removed', 'inserted']);
    expect(ctx.reader(c.reader)?.present).toBe(true);
  });

  it('serves two readers at once (vpcd slots 0 and 1)', async () => {
    const a = card(0, () => Uint8Array.of(0xaa, 0x90, 0x00));
    const b = card(1, () => Uint8Array.of(0xbb, 0x90, 0x00));
    await Promise.all([a.insert(), b.insert()]);
    await Promise.all([ctx.waitForCard(a.reader, { timeoutMs: 5000 }), ctx.waitForCard(b.reader, { timeoutMs: 5000 })]);
    const [ta, tb] = await Promise.all([
      PcscTransport.open(ctx, a.reader, { extendedLength: false }),
      PcscTransport.open(ctx, b.reader, { extendedLength: false }),
    ]);
    const [ra, rb] = await Promise.all([ta.transmit(SELECT_EMRTD), tb.transmit(SELECT_EMRTD)]);
    expect(ra).toEqual(Uint8Array.of(0xaa, 0x90, 0x00));
    expect(rb).toEqual(Uint8Array.of(0xbb, 0x90, 0x00));
    expect((await ctx.readers()).filter((r) => r.present).map((r) => r.name)).toEqual(
      expect.arrayContaining([a.reader, b.reader]),
    );
  });
});
