import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { concat, digest, type EcCurveName, ecParametersByName, type HashName } from '@cccd/emrtd/codec';
import { ecdsa } from '@noble/curves/abstract/weierstrass.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { ActiveAuthenticationKey } from '../image.js';

/** ISO/IEC 9796-2 trailer: 'BC' means SHA-1 implicitly; otherwise hash identifier ‖ 'CC' (ISO/IEC 10118-3). */
const TRAILER: Record<HashName, Uint8Array> = {
  'SHA-1': Uint8Array.of(0xbc),
  'SHA-224': Uint8Array.of(0x38, 0xcc),
  'SHA-256': Uint8Array.of(0x34, 0xcc),
  'SHA-384': Uint8Array.of(0x36, 0xcc),
  'SHA-512': Uint8Array.of(0x35, 0xcc),
};
const NOBLE_HASH = { 'SHA-1': sha1, 'SHA-224': sha224, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };
const CURVE_ALIASES: Record<string, EcCurveName> = { 'P-256': 'secp256r1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/**
 * INTERNAL AUTHENTICATE (ICAO 9303-11 §6.1). RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message
 * recovery, M1 = random filler (recoverable) and M2 = RND.IFD (non-recoverable). ECDSA: signature over RND.IFD with
 * the hash of ActiveAuthenticationInfo, plain r ‖ s (TR-03111). Returns undefined when the key cannot be used.
 */
export function activeAuthenticate(
  key: ActiveAuthenticationKey,
  challenge: Uint8Array,
  random: (n: number) => Uint8Array,
): Uint8Array | undefined {
  try {
    return key.type === 'RSA' ? rsaSign(key, challenge, random) : ecdsaSign(key, challenge);
  } catch {
    return undefined;
  }
}

function rsaSign(
  key: Extract<ActiveAuthenticationKey, { type: 'RSA' }>,
  m2: Uint8Array,
  random: (n: number) => Uint8Array,
) {
  const privateKey = createPrivateKey({ key: Buffer.from(key.privateKeyDer), format: 'der', type: 'pkcs8' });
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  // The representative F = 6A ‖ M1 ‖ H ‖ trailer fills the modulus exactly only for whole-byte moduli.
  if (bits < 512 || bits % 8 !== 0) return undefined;
  const hash = key.hash ?? 'SHA-1';
  const trailer = TRAILER[hash];
  const k = bits / 8;
  const hLen = digest(hash, new Uint8Array(0)).length;
  const m1 = random(k - hLen - trailer.length - 1);
  const f = concat(Uint8Array.of(0x6a), m1, digest(hash, concat(m1, m2)), trailer);
  const sig = privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, f);
  return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
}

function ecdsaSign(key: Extract<ActiveAuthenticationKey, { type: 'ECDSA' }>, challenge: Uint8Array) {
  const params = ecParametersByName(CURVE_ALIASES[key.curve] ?? (key.curve as EcCurveName));
  const signer = ecdsa(params.curve, NOBLE_HASH[key.hash]);
  return signer.sign(digest(key.hash, challenge), key.privateKey, { prehash: false, format: 'compact' });
}
