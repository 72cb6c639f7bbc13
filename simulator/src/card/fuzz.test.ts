import { fromHex } from '@cccd/emrtd/codec';
import { fuzzRuns } from '@cccd/emrtd/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import { testImage } from './testing/image.js';
import { appendixDSession } from './testing/sessions.js';

const swOf = (r: Uint8Array) => (r[r.length - 2]! << 8) | r[r.length - 1]!;

describe('malformed APDU fuzz', () => {
  it('answers random bytes with a status word and never throws (no session)', () => {
    const card = new SimulatedCard(testImage(), { extendedLength: true });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const r = card.process(bytes);
        expect(r.length).toBeGreaterThanOrEqual(2);
        expect(swOf(r)).not.toBe(0x6f00);
      }),
      { numRuns: fuzzRuns(10_000) },
    );
    expect(card.internalErrors).toBe(0);
  });

  it('answers structured garbage (valid headers, random bodies) for every INS the applet knows', () => {
    const card = new SimulatedCard(testImage(), { extendedLength: 2048 });
    const header = fc.record({
      cla: fc.constantFrom(0x00, 0x0c, 0x10, 0x1c, 0x80, 0xff),
      ins: fc.constantFrom(0xa4, 0xb0, 0xb1, 0x84, 0x82, 0x22, 0x86, 0x88, 0xca),
      p1: fc.constantFrom(0x00, 0x02, 0x04, 0x41, 0x81, 0x9c, 0xc1, 0xff),
      p2: fc.constantFrom(0x00, 0x0c, 0xa4, 0xa6, 0xff),
    });
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 120 }), fc.boolean(), (h, body, reset) => {
        if (reset) card.reset();
        const data = body.length ? Uint8Array.of(body.length, ...body) : new Uint8Array(0);
        const r = card.process(Uint8Array.of(h.cla, h.ins, h.p1, h.p2, ...data, 0));
        expect(r.length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: fuzzRuns(5_000) },
    );
    expect(card.internalErrors).toBe(0);
  });

  it('answers garbage inside an established SM session with SM errors or protected status words', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (body) => {
        const { card } = appendixDSession();
        const r = card.process(Uint8Array.of(0x0c, 0xb0, 0, 0, body.length, ...body, 0));
        expect([0x6987, 0x6988]).toContain(swOf(r));
        expect(card.secureMessagingActive).toBe(false);
        expect(card.internalErrors).toBe(0);
      }),
      { numRuns: fuzzRuns(300) },
    );
    expect(swOf(appendixDSession().card.process(fromHex('0CB00000')))).toBe(0x6987);
  });
});
