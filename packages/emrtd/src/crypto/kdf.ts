import { concat, u32 } from '../codec/bytes.js';
import { adjustParity } from './des.js';
import { sha1, sha256 } from './hash.js';

export type CipherName = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

/** ICAO 9303-11 §9.7.1 counters. */
export const KDF_ENC = 1;
export const KDF_MAC = 2;
export const KDF_PI = 3;

/** Key derivation function KDF(K, c) of ICAO 9303-11 §9.7.1. */
export function kdf(secret: Uint8Array, counter: number, cipher: CipherName): Uint8Array {
  const input = concat(secret, u32(counter));
  switch (cipher) {
    case '3DES':
      return adjustParity(sha1(input).slice(0, 16));
    case 'AES-128':
      return sha1(input).slice(0, 16);
    case 'AES-192':
      return sha256(input).slice(0, 24);
    case 'AES-256':
      return sha256(input);
  }
}
