import { fromHex } from '@cccd/emrtd/codec';
import { fuzzRuns } from '@cccd/emrtd/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommandApdu, parseCommandApdu } from './apdu.js';

describe('command APDU decoding (ISO/IEC 7816-4 §5.1)', () => {
  it('decodes the seven cases', () => {
    const p = (h: string) => parseCommandApdu(fromHex(h));
    expect(p('00A40000')).toMatchObject({ ok: true, apdu: { ne: 0, extended: false, data: new Uint8Array(0) } });
    expect(p('00B0000000')).toMatchObject({ ok: true, apdu: { ne: 256, extended: false } });
    expect(p('00A4020C02011C')).toMatchObject({ ok: true, apdu: { ne: 0, data: fromHex('011C') } });
    expect(p('00A4020C02011C00')).toMatchObject({ ok: true, apdu: { ne: 256 } });
    expect(p('00B0000000 0800')).toMatchObject({ ok: true, apdu: { ne: 2048, extended: true } });
    expect(p('00B0000000 0000')).toMatchObject({ ok: true, apdu: { ne: 65536, extended: true } });
    expect(p('00A4020C000002011C')).toMatchObject({ ok: true, apdu: { ne: 0, extended: true } });
    expect(p('00A4020C000002011C0000')).toMatchObject({ ok: true, apdu: { ne: 65536, extended: true } });
    for (const bad of ['00A402', '00A4020C03011C', '00A4020C000003011C', '00A4020C00000000', '00B000000000']) {
      expect(p(bad)).toEqual({ ok: false, sw: 0x6700 });
    }
  });

  it('round-trips every encodable command', () => {
    const command = fc.record({
      cla: fc.integer({ min: 0, max: 255 }),
      ins: fc.integer({ min: 0, max: 255 }),
      p1: fc.integer({ min: 0, max: 255 }),
      p2: fc.integer({ min: 0, max: 255 }),
      data: fc.uint8Array({ maxLength: 300 }),
      ne: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65536 })),
    });
    fc.assert(
      fc.property(command, (c) => {
        const r = parseCommandApdu(encodeCommandApdu(c));
        expect(r.ok).toBe(true);
        if (r.ok) expect({ ...r.apdu, extended: undefined }).toEqual({ ...c, extended: undefined });
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
