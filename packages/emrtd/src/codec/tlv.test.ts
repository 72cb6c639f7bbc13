import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedData } from '../errors.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { fromHex, hex } from './bytes.js';
import { isConstructed, readTlv, readTlvs, tlv } from './tlv.js';

describe('TLV', () => {
  it('reads multi-byte tags and long lengths', () => {
    const t = readTlv(fromHex('5F1F820203' + '00'.repeat(0x203)));
    expect(t.tag).toBe(0x5f1f);
    expect(t.length).toBe(0x203);
    expect(t.headerLength).toBe(5);
    expect(isConstructed(0x7f49)).toBe(true);
    expect(isConstructed(0x5f1f)).toBe(false);
  });

  it('round-trips encode/decode', () => {
    const enc = tlv(0x7f49, tlv(0x06, fromHex('04007f00070202040202')), tlv(0x86, new Uint8Array(65)));
    const outer = readTlv(enc);
    expect(outer.tag).toBe(0x7f49);
    const kids = readTlvs(outer.value);
    expect(kids.map((k) => k.tag)).toEqual([0x06, 0x86]);
    expect(hex(kids[0]!.value)).toBe('04007f00070202040202');
  });

  it('rejects hostile lengths with the offset and no data', () => {
    expect(() => readTlv(fromHex('6D84FFFFFFFF00'), 0, 'DG13')).toThrowError(MalformedData);
    const e = (() => {
      try {
        readTlvs(fromHex('0101AA6D0401'), 'DG13');
      } catch (err) {
        return err as MalformedData;
      }
    })();
    expect(e?.offset).toBe(3);
    expect(e?.message).toContain('DG13');
    expect(() => readTlv(fromHex('3080'))).toThrow(/indefinite/);
    expect(() => readTlv(fromHex('1FFFFFFF7F00'))).toThrow(/tag longer/);
  });

  it('never throws anything but MalformedData on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          readTlvs(bytes);
        } catch (e) {
          if (!(e instanceof MalformedData)) throw e;
        }
      }),
      { numRuns: fuzzRuns(10_000) },
    );
  });
});
