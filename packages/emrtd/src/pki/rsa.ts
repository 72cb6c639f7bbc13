/**
 * RSA signature verification with BigInt (RFC 8017 8.2 RSASSA-PKCS1-v1_5, 8.1 RSASSA-PSS), so it runs without
 * node:crypto or WebCrypto and with any modulus size and hash/MGF combination a document may use.
 */
import { bigToBytes, bytesToBig, concat, equal } from '../codec/bytes.js';
import { modPow } from '../crypto/domain-params.js';
import { digest, HASH_LENGTH, type HashName } from '../crypto/hash.js';

export interface RsaPublicKey {
  modulus: bigint;
  exponent: bigint;
}

export { HASH_LENGTH };

export function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** RSAVP1: s^e mod n as a k-byte string, or undefined when s is out of range (RFC 8017 5.2.2). */
export function rsaPublicOperation(key: RsaPublicKey, signature: Uint8Array): Uint8Array | undefined {
  const k = Math.ceil(bitLength(key.modulus) / 8);
  if (signature.length !== k || key.modulus < 3n || key.exponent < 3n) return undefined;
  const s = bytesToBig(signature);
  if (s >= key.modulus) return undefined;
  return bigToBytes(modPow(s, key.exponent, key.modulus), k);
}

// DER DigestInfo prefixes (RFC 8017 9.2 note 1), with NULL parameters as the RFC writes them.
const DIGEST_INFO_OID: Record<HashName, string> = {
  'SHA-1': '06052b0e03021a',
  'SHA-224': '0609608648016503040204',
  'SHA-256': '0609608648016503040201',
  'SHA-384': '0609608648016503040202',
  'SHA-512': '0609608648016503040203',
};

const fromHexStr = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => Number.parseInt(x, 16)));

/** DigestInfo DER with NULL parameters, or with them absent (both occur; RFC 8017 9.2 note 2). */
export function digestInfo(hash: HashName, h: Uint8Array, withNull = true): Uint8Array {
  const oid = fromHexStr(DIGEST_INFO_OID[hash]);
  const alg = concat(
    Uint8Array.of(0x30, oid.length + (withNull ? 2 : 0)),
    oid,
    withNull ? Uint8Array.of(5, 0) : new Uint8Array(),
  );
  const oct = concat(Uint8Array.of(0x04, h.length), h);
  return concat(Uint8Array.of(0x30, alg.length + oct.length), alg, oct);
}

/** EMSA-PKCS1-v1_5 verification by re-encoding and comparing the whole block. */
export function verifyPkcs1(
  key: RsaPublicKey,
  hash: HashName,
  messageHash: Uint8Array,
  signature: Uint8Array,
): boolean {
  const em = rsaPublicOperation(key, signature);
  if (!em) return false;
  for (const withNull of [true, false]) {
    const t = digestInfo(hash, messageHash, withNull);
    if (em.length < t.length + 11) return false;
    const expected = new Uint8Array(em.length).fill(0xff);
    expected[0] = 0;
    expected[1] = 1;
    expected[em.length - t.length - 1] = 0;
    expected.set(t, em.length - t.length);
    if (equal(em, expected)) return true;
  }
  return false;
}

export function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const hLen = HASH_LENGTH[hash];
  for (let counter = 0, o = 0; o < length; counter++, o += hLen) {
    const c = Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
    out.set(digest(hash, concat(seed, c)).subarray(0, Math.min(hLen, length - o)), o);
  }
  return out;
}

export interface PssParameters {
  hash: HashName;
  mgfHash: HashName;
  saltLength: number;
  trailerField: number;
}

/** EMSA-PSS-VERIFY (RFC 8017 9.1.2) on s^e mod n. */
export function verifyPss(
  key: RsaPublicKey,
  params: PssParameters,
  messageHash: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (params.trailerField !== 1) return false;
  const modBits = bitLength(key.modulus);
  const full = rsaPublicOperation(key, signature);
  if (!full) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  // When modBits - 1 is a multiple of 8 the representative has one leading zero byte.
  if (full.length > emLen && full[0] !== 0) return false;
  const em = full.subarray(full.length - emLen);
  const hLen = HASH_LENGTH[params.hash];
  const sLen = params.saltLength;
  if (messageHash.length !== hLen || sLen < 0 || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const zeroBits = 8 * emLen - emBits;
  if (maskedDb[0]! & (0xff << (8 - zeroBits)) & 0xff) return false;
  const db = maskedDb.slice();
  const mask = mgf1(params.mgfHash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >>> zeroBits;
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  const mPrime = concat(new Uint8Array(8), messageHash, salt);
  return equal(digest(params.hash, mPrime), h);
}
