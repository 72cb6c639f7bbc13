import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * Two-key 3DES (K1,K2,K1) in CBC mode without padding. OpenSSL 3's default provider has no single DES, but
 * `des-ede-*` is there; single DES is 3DES with K1 = K2.
 */
export function tdesCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  if (key.length !== 16) throw new RangeError('3DES key must be 16 bytes');
  if (data.length % 8 !== 0) throw new RangeError('3DES input must be a multiple of 8 bytes');
  const c = encrypt ? createCipheriv('des-ede-cbc', key, iv) : createDecipheriv('des-ede-cbc', key, iv);
  c.setAutoPadding(false);
  const out = c.update(data);
  c.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Single DES in ECB mode on whole blocks. */
export function desEcb(key8: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const k = new Uint8Array(16);
  k.set(key8);
  k.set(key8, 8);
  const c = encrypt ? createCipheriv('des-ede-ecb', k, null) : createDecipheriv('des-ede-ecb', k, null);
  c.setAutoPadding(false);
  const out = c.update(data);
  c.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
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
  const ka = key.subarray(0, 8);
  const kb = key.subarray(8, 16);
  let h: Uint8Array = new Uint8Array(8);
  for (let i = 0; i < data.length; i += 8) {
    const block = data.subarray(i, i + 8).map((b, j) => b ^ h[j]!);
    h = desEcb(ka, block, true);
  }
  return desEcb(ka, desEcb(kb, h, false), true);
}
