import { MalformedData } from '@cccd/emrtd';
import { fromHex, hex } from '@cccd/emrtd/codec';
import { fuzzRuns } from '@cccd/emrtd/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommandApdu, getResponse, parseCommandApdu, withLe } from './apdu.js';

describe('command APDU cases (ISO 7816-4 §5.1)', () => {
  it.each([
    ['00A4040C', undefined, 0, false],
    ['00B0000000', 256, 0, false],
    ['00A4040C07A0000002471001', undefined, 7, false],
    ['00A4040007A000000247100100', 256, 7, false],
    ['00B0000000FFFF', 65535, 0, true],
    ['00B00000000400', 1024, 0, true],
    ['00D60000000003AABBCC', undefined, 3, true],
    ['00D60000000003AABBCC0000', 65536, 3, true],
  ])('%s', (apdu, ne, lc, extended) => {
    const parsed = parseCommandApdu(fromHex(apdu));
    expect(parsed.ne).toBe(ne);
    expect(parsed.data.length).toBe(lc);
    expect(parsed.extended).toBe(extended);
    expect(hex(encodeCommandApdu(parsed))).toBe(apdu.toLowerCase());
  });

  it('re-encodes every well-formed APDU byte for byte', () => {
    const apdu = fc.record({
      header: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      data: fc.uint8Array({ maxLength: 300 }),
      ne: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(apdu, ({ header, data, ne }) => {
        const extended = data.length > 255 || (ne ?? 0) > 256;
        const bytes = encodeCommandApdu({ header, data, ne, extended });
        const parsed = parseCommandApdu(bytes);
        expect(parsed.ne).toBe(ne);
        expect(parsed.data).toEqual(data);
        expect(encodeCommandApdu(parsed)).toEqual(bytes);
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('rejects bodies whose Lc does not match', () => {
    expect(() => parseCommandApdu(fromHex('00A404'))).toThrow(MalformedData);
    expect(() => parseCommandApdu(fromHex('00A4040C05A000'))).toThrow(MalformedData);
    expect(() => parseCommandApdu(fromHex('00D60000000005AA'))).toThrow(MalformedData);
    expect(() => parseCommandApdu(fromHex('00D6000000000000'))).toThrow(MalformedData); // extended Lc 0
  });
});

describe('6Cxx and 61xx helpers', () => {
  it('withLe keeps the length form', () => {
    expect(hex(withLe(fromHex('00B0000000'), 0x0f))).toBe('00b000000f');
    expect(hex(withLe(fromHex('00B0000000FFFF'), 0x0f))).toBe('00b000000000' + '0f');
    expect(hex(withLe(fromHex('00A4040007A000000247100100'), 0x12))).toBe('00a4040007a000000247100112');
  });

  it('GET RESPONSE keeps the logical channel and drops secure-messaging and chaining bits', () => {
    expect(hex(getResponse(0x00, 0x20))).toBe('00c0000020');
    expect(hex(getResponse(0x0c, 0x10))).toBe('00c0000010');
    expect(hex(getResponse(0x1d, 0x00))).toBe('01c0000000');
    expect(hex(getResponse(0x63, 0x08))).toBe('43c0000008');
    expect(hex(getResponse(0x80, 0x08))).toBe('80c0000008');
  });
});
