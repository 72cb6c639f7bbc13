import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../codec/bytes.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { desEcb, tdesCbc } from './des.js';
import { desBlock, desKeySchedule } from './des-block.js';

/** OpenSSL's DES through Node, as the reference (single DES is 3DES with K1 = K2). */
function openssl(mode: 'des-ede-ecb' | 'des-ede-cbc', key: Uint8Array, iv: Uint8Array | null, data: Uint8Array) {
  const c = createCipheriv(mode, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

describe('DES in TypeScript', () => {
  it('matches the classic worked example (key 133457799BBCDFF1)', () => {
    const schedule = desKeySchedule(fromHex('133457799BBCDFF1'));
    const c = desBlock(schedule, fromHex('0123456789ABCDEF'), false);
    expect(hex(c).toUpperCase()).toBe('85E813540F0AB405');
    expect(hex(desBlock(schedule, c, true)).toUpperCase()).toBe('0123456789ABCDEF');
  });

  it('agrees with OpenSSL for single DES and two-key 3DES-CBC', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    fc.assert(
      fc.property(bytes(16), bytes(8), fc.integer({ min: 1, max: 6 }), bytes(48), (key, iv, blocks, all) => {
        const data = all.subarray(0, blocks * 8);
        const k8 = key.subarray(0, 8);
        expect(hex(desEcb(k8, data, true))).toBe(hex(openssl('des-ede-ecb', Uint8Array.of(...k8, ...k8), null, data)));
        expect(hex(tdesCbc(key, iv, data, true))).toBe(hex(openssl('des-ede-cbc', key, iv, data)));
        expect(hex(tdesCbc(key, iv, tdesCbc(key, iv, data, true), false))).toBe(hex(data));
      }),
      { numRuns: fuzzRuns(200) },
    );
  });
});
