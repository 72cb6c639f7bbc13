/**
 * RSASSA-PSS (RFC 8017 8.1) with a salt derived from the key and message, so PSS fixtures are reproducible.
 * node:crypto always draws a random salt, hence EMSA-PSS encoding and the RSA private operation are done here.
 */
import { createHmac } from 'node:crypto';
import { bigToBytes, bytesToBig, concat, digest, HASH_LENGTH, type HashName, u32 } from '@cccd/emrtd/codec';
import type { RsaKeyPair } from './keys.js';
import { modInverse, modPow } from './rsa-prime.js';

export function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let counter = 0, got = 0; got < length; counter++, got += HASH_LENGTH[hash]) {
    blocks.push(digest(hash, concat(seed, u32(counter))));
  }
  return concat(...blocks).slice(0, length);
}

export function emsaPssEncode(mHash: Uint8Array, emBits: number, hash: HashName, salt: Uint8Array): Uint8Array {
  const hLen = HASH_LENGTH[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw new RangeError('PSS: modulus too short for hash and salt');
  const h = digest(hash, concat(new Uint8Array(8), mHash, salt));
  const db = concat(new Uint8Array(emLen - salt.length - hLen - 2), Uint8Array.of(1), salt);
  const mask = mgf1(hash, h, db.length);
  const maskedDb = db.map((b, i) => b ^ mask[i]!);
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  return concat(maskedDb, h, Uint8Array.of(0xbc));
}

/** RSA private operation with CRT. */
export function rsaPrivate(key: RsaKeyPair, m: bigint): bigint {
  const { p, q, d } = key;
  const m1 = modPow(m % p, d % (p - 1n), p);
  const m2 = modPow(m % q, d % (q - 1n), q);
  const h = (modInverse(q, p) * (((m1 - m2) % p) + p)) % p;
  return m2 + h * q;
}

/** Salt length = hash length (ICAO 9303-12 / RFC 4055 default practice). */
export function signPss(key: RsaKeyPair, hash: HashName, data: Uint8Array): Uint8Array {
  const mHash = digest(hash, data);
  const salt = createHmac('sha512', bigToBytes(key.d, key.bits / 8))
    .update('pss-salt')
    .update(mHash)
    .digest()
    .subarray(0, HASH_LENGTH[hash]);
  const em = emsaPssEncode(mHash, key.bits - 1, hash, salt);
  return bigToBytes(rsaPrivate(key, bytesToBig(em)), key.bits / 8);
}
