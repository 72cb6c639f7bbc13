/**
 * DES modes for BAC and 3DES secure messaging (ICAO 9303-11 §9.8): two-key 3DES (K1,K2,K1) in CBC, single DES
 * in ECB, and the ISO/IEC 9797-1 retail MAC. The block cipher is des-block.ts (no Node built-in).
 */
import { type DesKeySchedule, desBlock, desKeySchedule } from './des-block.js';

function ede(keys: [DesKeySchedule, DesKeySchedule], block: Uint8Array, encrypt: boolean): Uint8Array {
  const [k1, k2] = keys;
  return encrypt
    ? desBlock(k1, desBlock(k2, desBlock(k1, block, false), true), false)
    : desBlock(k1, desBlock(k2, desBlock(k1, block, true), false), true);
}

/** Two-key 3DES (K1,K2,K1) in CBC mode without padding. */
export function tdesCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  if (key.length !== 16) throw new RangeError('3DES key must be 16 bytes');
  if (data.length % 8 !== 0) throw new RangeError('3DES input must be a multiple of 8 bytes');
  const keys: [DesKeySchedule, DesKeySchedule] = [desKeySchedule(key.subarray(0, 8)), desKeySchedule(key.subarray(8))];
  const out = new Uint8Array(data.length);
  let chain: Uint8Array = iv.slice(0, 8);
  for (let i = 0; i < data.length; i += 8) {
    const block = data.subarray(i, i + 8);
    if (encrypt) {
      chain = ede(
        keys,
        block.map((b, j) => b ^ chain[j]!),
        true,
      );
      out.set(chain, i);
    } else {
      const plain = ede(keys, block, false);
      out.set(
        plain.map((b, j) => b ^ chain[j]!),
        i,
      );
      chain = block.slice();
    }
  }
  return out;
}

/** Single DES in ECB mode on whole blocks. */
export function desEcb(key8: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  if (data.length % 8 !== 0) throw new RangeError('DES input must be a multiple of 8 bytes');
  const schedule = desKeySchedule(key8);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 8) out.set(desBlock(schedule, data.subarray(i, i + 8), !encrypt), i);
  return out;
}

/** Sets the DES odd-parity bit of every key byte. */
export function adjustParity(key: Uint8Array): Uint8Array {
  return key.map((b) => {
    let ones = 0;
    for (let i = 1; i < 8; i++) ones += (b >> i) & 1;
    return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
  });
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with DES: single-DES CBC over all blocks with Ka, then
 * decrypt with Kb and encrypt with Ka on the last block. The input must already be padded.
 */
export function retailMac(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length % 8 !== 0 || data.length === 0) throw new RangeError('retail MAC input must be padded');
  const ka = desKeySchedule(key.subarray(0, 8));
  const kb = desKeySchedule(key.subarray(8, 16));
  let h: Uint8Array = new Uint8Array(8);
  for (let i = 0; i < data.length; i += 8) {
    const block = data.subarray(i, i + 8).map((b, j) => b ^ h[j]!);
    h = desBlock(ka, block, false);
  }
  return desBlock(ka, desBlock(kb, h, true), false);
}
