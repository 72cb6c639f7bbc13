/**
 * ECDSA verification with @noble/curves on every ICAO curve (NIST and brainpool), with named or explicit domain
 * parameters. Explicit parameters are resolved to a known curve by comparing the FULL domain (p, a, b, G, n, h),
 * never the bit length alone (docs/reference/anchors-emrtd.md §2 pitfall 1).
 */
import { type ECDSA, ecdsa } from '@noble/curves/abstract/weierstrass.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bigToBytes, bytesToBig } from '../codec/bytes.js';
import {
  domainParameters,
  type EcCurveName,
  type EcDomainParameters,
  type EcPoint,
  ecParametersByName,
} from '../crypto/domain-params.js';
import type { ExplicitEcParameters, KeyDomainParameters } from '../lds/public-key.js';

export const EC_CURVE_NAMES: readonly EcCurveName[] = [
  'secp192r1',
  'brainpoolP192r1',
  'secp224r1',
  'brainpoolP224r1',
  'secp256r1',
  'brainpoolP256r1',
  'brainpoolP320r1',
  'secp384r1',
  'brainpoolP384r1',
  'brainpoolP512r1',
  'secp521r1',
];

export interface ResolvedCurve {
  params: EcDomainParameters;
  explicit: boolean;
}

const ecdsaCache = new Map<EcCurveName, ECDSA>();
function ecdsaFor(params: EcDomainParameters): ECDSA {
  let e = ecdsaCache.get(params.name);
  if (!e) {
    // The hash given here is only used for prehashing and signing; verification always passes a digest.
    e = ecdsa(params.curve, sha256);
    ecdsaCache.set(params.name, e);
  }
  return e;
}

function sameGenerator(params: EcDomainParameters, encoded: Uint8Array): boolean {
  try {
    const g = params.curve.fromBytes(encoded);
    return g.equals(params.curve.BASE);
  } catch {
    return false;
  }
}

/** The known curve whose whole domain equals the explicit parameters, or undefined. */
export function matchExplicitCurve(ec: ExplicitEcParameters): EcDomainParameters | undefined {
  for (const name of EC_CURVE_NAMES) {
    const params = ecParametersByName(name);
    const c = params.curve.CURVE();
    if (c.p !== ec.p || c.n !== ec.order || c.a !== ec.a || c.b !== ec.b) continue;
    if ((ec.cofactor ?? 1n) !== c.h) continue;
    if (sameGenerator(params, ec.generator)) return params;
  }
  return undefined;
}

export function curveByOid(oid: string): EcDomainParameters | undefined {
  for (const name of EC_CURVE_NAMES) {
    const params = ecParametersByName(name);
    if (params.oid === oid) return params;
  }
  return undefined;
}

/** Resolves the SPKI's domain parameters; undefined when absent (implicitlyCA), unknown or not EC. */
export function resolveCurve(dp: KeyDomainParameters | undefined): ResolvedCurve | undefined {
  if (dp?.kind === 'standardized') {
    try {
      const params = domainParameters(dp.parameterId);
      return params.kind === 'EC' ? { params, explicit: false } : undefined;
    } catch {
      return undefined;
    }
  }
  if (dp?.kind === 'named-curve') {
    const params = curveByOid(dp.curveOid);
    return params && { params, explicit: false };
  }
  if (dp?.kind === 'ec-explicit') {
    const params = matchExplicitCurve(dp.ec);
    return params && { params, explicit: true };
  }
  return undefined;
}

/**
 * The EC public point in an SPKI's BIT STRING, read on `params`. RFC 5480 §2.2 puts the point (SEC 1 §2.3.3) there
 * directly; some TR-03110 producers wrap it in an OCTET STRING (04 ‖ L ‖ point). The first bytes alone cannot tell
 * the two apart — a plain uncompressed point on a 256-bit curve whose X starts with 0x3F also reads "04 3F" — so the
 * curve decides: the bytes are taken as a point first, and unwrapped only when they are not one, are exactly
 * 2 + (1 + 2·fieldSize) bytes with that length byte, and the inner bytes are a point. Undefined when neither reading
 * is a point of the curve.
 */
export function ecPublicPoint(params: EcDomainParameters, bytes: Uint8Array): Uint8Array | undefined {
  if (pointOnCurve(params, bytes)) return bytes;
  const inner = 1 + 2 * params.fieldSize;
  if (bytes.length === 2 + inner && bytes[0] === 0x04 && bytes[1] === inner) {
    const point = bytes.subarray(2);
    if (pointOnCurve(params, point)) return point;
  }
  return undefined;
}

export type EcdsaSignatureForm = 'der' | 'plain' | 'non-der';

export interface EcdsaSignatureCandidate {
  r: bigint;
  s: bigint;
  form: EcdsaSignatureForm;
}

/** Reads an ASN.1 length at `p`; `strict` demands the minimal DER form. */
function readLen(b: Uint8Array, p: number, strict: boolean): [number, number] | undefined {
  const first = b[p];
  if (first === undefined) return undefined;
  if (first < 0x80) return [first, p + 1];
  const n = first & 0x7f;
  if (n === 0 || n > 2 || p + 1 + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[p + 1 + i]!;
  if (strict && (len < 0x80 || (n === 2 && len < 0x100))) return undefined;
  return [len, p + 1 + n];
}

/**
 * Ecdsa-Sig-Value { r INTEGER, s INTEGER }. Strict DER gives form 'der'; BER-ish encodings seen on real chips
 * (non-minimal lengths, superfluous leading zeros, missing sign byte) give 'non-der'.
 */
function parseDerSignature(sig: Uint8Array): EcdsaSignatureCandidate | undefined {
  for (const strict of [true, false]) {
    if (sig[0] !== 0x30) return undefined;
    const seq = readLen(sig, 1, strict);
    if (!seq || seq[1] + seq[0] !== sig.length) continue;
    let p = seq[1];
    const ints: bigint[] = [];
    let ok = true;
    for (let k = 0; k < 2 && ok; k++) {
      if (sig[p] !== 0x02) {
        ok = false;
        break;
      }
      const l = readLen(sig, p + 1, strict);
      if (!l || l[0] === 0 || l[1] + l[0] > sig.length) {
        ok = false;
        break;
      }
      const v = sig.subarray(l[1], l[1] + l[0]);
      if (strict && (v[0]! & 0x80 || (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)))) ok = false;
      ints.push(bytesToBig(v));
      p = l[1] + l[0];
    }
    if (ok && p === sig.length && ints.length === 2)
      return { r: ints[0]!, s: ints[1]!, form: strict ? 'der' : 'non-der' };
  }
  return undefined;
}

/** The ways a signature can be read: DER (strict or not) and plain r‖s when the length fits. */
export function ecdsaSignatureCandidates(sig: Uint8Array, orderBytes: number): EcdsaSignatureCandidate[] {
  const out: EcdsaSignatureCandidate[] = [];
  const der = parseDerSignature(sig);
  if (der) out.push(der);
  if (sig.length === 2 * orderBytes)
    out.push({ r: bytesToBig(sig.subarray(0, orderBytes)), s: bytesToBig(sig.subarray(orderBytes)), form: 'plain' });
  return out;
}

/**
 * Public keys decoded once, with a precomputed multiplication table, for keys verified again and again (a
 * Document Signer signs thousands of SODs). A table only speeds the arithmetic up: the verdict is the same.
 */
export interface EcKeyTables {
  /** The decoded point with its table, or undefined to verify the ordinary way. */
  pointFor(params: EcDomainParameters, encoded: Uint8Array): EcPoint | undefined;
}

/**
 * SEC 1 v2 §4.1.4 steps 4–8 (the equation noble's `verify` runs) on an already decoded point, so a precomputed
 * table of Q is used: R = u1·G + u2·Q with u1 = e·s⁻¹, u2 = r·s⁻¹ mod n; valid iff R ≠ O and R.x mod n = r.
 * `e` is the leftmost ⌈log2 n⌉ bits of the digest (step 5). r and s are range-checked by the caller.
 */
function verifyWithPoint(params: EcDomainParameters, q: EcPoint, messageHash: Uint8Array, r: bigint, s: bigint) {
  const { Fn, BASE } = params.curve;
  const excess = messageHash.length * 8 - Fn.BITS;
  const e = Fn.create(excess > 0 ? bytesToBig(messageHash) >> BigInt(excess) : bytesToBig(messageHash));
  const w = Fn.inv(s);
  const point = BASE.multiplyUnsafe(Fn.create(e * w)).add(q.multiplyUnsafe(Fn.create(r * w)));
  return !point.is0() && Fn.create(point.toAffine().x) === r;
}

/**
 * Verifies (r, s) over an already computed digest; high-S signatures are valid (X9.62, OpenSSL). With `tables`,
 * a key that has a precomputed table is verified with it (same verdict, fewer point operations).
 */
export function verifyEcdsaDigest(
  params: EcDomainParameters,
  publicPoint: Uint8Array,
  messageHash: Uint8Array,
  r: bigint,
  s: bigint,
  tables?: EcKeyTables,
): boolean {
  const n = params.curve.CURVE().n;
  if (r <= 0n || s <= 0n || r >= n || s >= n) return false;
  try {
    const q = tables?.pointFor(params, publicPoint);
    if (q) return verifyWithPoint(params, q, messageHash, r, s);
    const compact = new Uint8Array(2 * params.orderBytes);
    compact.set(bigToBytes(r, params.orderBytes));
    compact.set(bigToBytes(s, params.orderBytes), params.orderBytes);
    return ecdsaFor(params).verify(compact, messageHash, publicPoint, {
      prehash: false,
      lowS: false,
      format: 'compact',
    });
  } catch {
    return false;
  }
}

/** True when the encoded point lies on the curve (used to find fallback curves for the curve-mismatch quirk). */
export function pointOnCurve(params: EcDomainParameters, point: Uint8Array): boolean {
  try {
    params.curve.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}
