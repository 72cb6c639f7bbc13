/**
 * PACE nonce mappings (ICAO 9303-11 §4.4.3.3): Generic Mapping (GM, also the mapping phase of CAM) and
 * Integrated Mapping (IM) with the block-cipher pseudo-random function R_p(s,t) and the point encoding f_G of
 * Appendix B (simplified SWU for p ≡ 3 mod 4) or f_g(x) = x^((p-1)/q) mod p for DH.
 */
import type { SmCipher } from '../asn1/oids.js';
import { bytesToBig, concat, fromHex } from '../codec/bytes.js';
import { aesCbc } from '../crypto/aes.js';
import { tdesCbc } from '../crypto/des.js';
import { type DhDomainParameters, type EcDomainParameters, type EcPoint, modPow } from '../crypto/domain-params.js';
import { EmrtdError, MalformedData } from '../errors.js';

/** E(key, data) in CBC mode with IV = 0 (§4.4.3.3: nonce encryption and the IM pseudo-random function). */
export function blockEncrypt(cipher: SmCipher, key: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  return cipher === '3DES'
    ? tdesCbc(key, new Uint8Array(8), data, encrypt)
    : aesCbc(key, new Uint8Array(16), data, encrypt);
}

export const keyLengthOf = (cipher: SmCipher) =>
  cipher === '3DES' || cipher === 'AES-128' ? 16 : cipher === 'AES-192' ? 24 : 32;

const C0_128 = 'a668892a7c41e3ca739f40b057d85904';
const C1_128 = 'a4e136ac725f738b01c1f60217c188ad';
const C0_256 = 'd463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676';
const C1_256 = '54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517';

/**
 * R_p(s, t) of §4.4.3.3.2: k_0 = E(t, s); for i < n: x_i = E(k_i, c1), k_{i+1} = E(k_i, c0) (keys truncated to the
 * cipher's key size), n the smallest with n·l ≥ log2 p + 64; result int(x_0 ‖ … ‖ x_{n-1}) mod p.
 */
export function integratedMappingPrf(cipher: SmCipher, s: Uint8Array, t: Uint8Array, p: bigint): bigint {
  const k = keyLengthOf(cipher);
  if (t.length !== k) throw new EmrtdError('invalid-argument', `IM nonce t must be ${k} bytes`);
  const long = k > 16;
  const c0 = fromHex(long ? C0_256 : C0_128);
  const c1 = fromHex(long ? C1_256 : C1_128);
  const l = c0.length * 8;
  const n = Math.ceil((p.toString(2).length + 64) / l);
  let key = blockEncrypt(cipher, t, s);
  const xs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const ki = key.subarray(0, k);
    xs.push(blockEncrypt(cipher, ki, c1));
    key = blockEncrypt(cipher, ki, c0);
  }
  return bytesToBig(concat(...xs)) % p;
}

/** f_G of ICAO 9303-11 Appendix B.2 (affine coordinates, p ≡ 3 mod 4, cofactor 1). */
export function ecPointEncoding(params: EcDomainParameters, t: bigint): EcPoint {
  const { p, a, b } = params.curve.CURVE();
  if (p % 4n !== 3n) throw new EmrtdError('unsupported', `PACE-IM point encoding needs p ≡ 3 mod 4 (${params.name})`);
  const m = (v: bigint) => ((v % p) + p) % p;
  const alpha = m(-t * t);
  const aa = m(alpha + alpha * alpha);
  const denominator = m(a * aa);
  if (denominator === 0n) throw new MalformedData({ step: 'PACE-IM' }, 0, 'degenerate nonce');
  const x2 = m(-b * (1n + aa) * modPow(denominator, p - 2n, p));
  const x3 = m(alpha * x2);
  const h2 = m(x2 * x2 * x2 + a * x2 + b);
  const u = m(t * t * t * h2);
  const aExp = modPow(h2, p - 1n - (p + 1n) / 4n, p);
  const [x, y] = m(aExp * aExp * h2) === 1n ? [x2, m(aExp * h2)] : [x3, m(aExp * u)];
  const point = params.curve.fromAffine({ x, y });
  point.assertValidity();
  return point;
}

/** f_g(x) = x^((p-1)/q) mod p, rejecting 1 (§4.4.3.3.2 DH). */
export function dhPointEncoding(params: DhDomainParameters, x: bigint): bigint {
  const g = modPow(x, (params.p - 1n) / params.q, params.p);
  if (g === 1n || g === 0n) throw new MalformedData({ step: 'PACE-IM' }, 0, 'mapped generator is trivial');
  return g;
}

/** GM, ECDH: Ĝ = s·G + H. */
export function ecGenericMapping(params: EcDomainParameters, s: Uint8Array, h: EcPoint): EcPoint {
  const n = params.curve.CURVE().n;
  const sG = params.curve.BASE.multiplyUnsafe(bytesToBig(s) % n);
  const g = sG.add(h);
  if (g.is0()) throw new MalformedData({ step: 'PACE-GM' }, 0, 'mapped generator is the point at infinity');
  return g;
}

/** GM, DH: ĝ = g^s · h mod p. */
export function dhGenericMapping(params: DhDomainParameters, s: Uint8Array, h: bigint): bigint {
  const g = (modPow(params.g, bytesToBig(s), params.p) * h) % params.p;
  if (g <= 1n) throw new MalformedData({ step: 'PACE-GM' }, 0, 'mapped generator is trivial');
  return g;
}
