import type { CryptoWork } from '../link.js';

/** Modelled cost of `operations` group operations on a standardized domain (ICAO 9303-11 §9.5.1 parameter ID). */
export function keyAgreementWork(parameterId: number, operations: number): CryptoWork {
  const bits = DOMAIN_BITS[parameterId] ?? 256;
  // IDs 0-2 are the RFC 5114 MODP groups; the rest are curves.
  return parameterId <= 2 ? { kind: 'dh', bits, operations } : { kind: 'ec', bits, operations };
}

/** Group sizes of the §9.5.1 table, for the crypto-time model only. */
const DOMAIN_BITS: Record<number, number> = {
  0: 1024,
  1: 2048,
  2: 2048,
  8: 192,
  9: 192,
  10: 224,
  11: 224,
  12: 256,
  13: 256,
  14: 320,
  15: 384,
  16: 384,
  17: 512,
  18: 521,
};
