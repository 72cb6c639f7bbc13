/** Deterministic key pairs (EC and RSA) as raw numbers plus node:crypto KeyObjects, cached per (seed, label, kind). */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  algorithmIdentifier,
  bigToBytes,
  bitString,
  explicit,
  integer,
  nullValue,
  OID,
  objectIdentifier,
  octetString,
  sequence,
} from '@cccd/emrtd/codec';
import { CURVES, type CurveName, curveDomain } from './curves.js';
import { ByteStream, type Seed, seedKey } from './drbg.js';
import { modInverse, seededPrime } from './rsa-prime.js';

export interface EcKeyPair {
  kind: 'ec';
  curve: CurveName;
  /** True when spkiDer carries full ECParameters instead of the named-curve OID. */
  explicitParameters: boolean;
  d: bigint;
  /** Uncompressed public point 04‖X‖Y. */
  publicPoint: Uint8Array;
  privateKey: KeyObject;
  /** Named-curve public key (OpenSSL may refuse explicit parameters in some paths). */
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo as it goes into certificates. */
  spkiDer: Uint8Array;
}

export interface RsaKeyPair {
  kind: 'rsa';
  bits: number;
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  privateKey: KeyObject;
  publicKey: KeyObject;
  spkiDer: Uint8Array;
}

export type TestKeyPair = EcKeyPair | RsaKeyPair;

export type RsaBits = 1024 | 2048 | 3072 | 4096;

const cache = new Map<string, TestKeyPair>();

/** Forgets every derived key (tests use it to prove derivation, not the cache, makes keys reproducible). */
export function clearKeyCache(): void {
  cache.clear();
}

/** Explicit ECParameters (SEC 1 C.2 / ICAO 9303-12): version 1, prime field, curve a b, base point, order, cofactor. */
export function ecParametersDer(curve: CurveName): Uint8Array {
  const { p, a, b, n, h, Gx, Gy } = curveDomain(curve);
  const size = CURVES[curve].size;
  const fe = (v: bigint) => octetString(bigToBytes(v, size));
  return sequence(
    integer(1),
    sequence(objectIdentifier(OID.primeField), integer(p)),
    sequence(fe(a), fe(b)),
    octetString(Uint8Array.of(4, ...bigToBytes(Gx, size), ...bigToBytes(Gy, size))),
    integer(n),
    integer(h),
  );
}

export function ecSpkiDer(curve: CurveName, publicPoint: Uint8Array, explicitParameters = false): Uint8Array {
  const params = explicitParameters ? ecParametersDer(curve) : objectIdentifier(CURVES[curve].oid);
  return sequence(algorithmIdentifier(OID.ecPublicKey, params), bitString(publicPoint));
}

/** PKCS#8 wrapping a SEC 1 ECPrivateKey, built by hand because Node cannot import brainpool keys from JWK. */
function ecPkcs8Der(curve: CurveName, d: bigint, publicPoint: Uint8Array): Uint8Array {
  const ecPrivateKey = sequence(
    integer(1),
    octetString(bigToBytes(d, CURVES[curve].size)),
    explicit(1, bitString(publicPoint)),
  );
  return sequence(
    integer(0),
    algorithmIdentifier(OID.ecPublicKey, objectIdentifier(CURVES[curve].oid)),
    octetString(ecPrivateKey),
  );
}

export function deriveEcKeyPair(seed: Seed, label: string, curve: CurveName, explicitParameters = false): EcKeyPair {
  const id = `ec|${seedKey(seed)}|${label}|${curve}`;
  let base = cache.get(id) as EcKeyPair | undefined;
  if (!base) {
    const d = new ByteStream(seed, `ec:${curve}:${label}`).scalarBelow(curveDomain(curve).n);
    const publicPoint = CURVES[curve].noble.getPublicKey(bigToBytes(d, CURVES[curve].size), false);
    const spkiDer = ecSpkiDer(curve, publicPoint);
    base = {
      kind: 'ec',
      curve,
      explicitParameters: false,
      d,
      publicPoint,
      privateKey: createPrivateKey({
        key: Buffer.from(ecPkcs8Der(curve, d, publicPoint)),
        format: 'der',
        type: 'pkcs8',
      }),
      publicKey: createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }),
      spkiDer,
    };
    cache.set(id, base);
  }
  return explicitParameters
    ? { ...base, explicitParameters: true, spkiDer: ecSpkiDer(curve, base.publicPoint, true) }
    : base;
}

const b64u = (v: bigint) => {
  const hex = v.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

export function deriveRsaKeyPair(seed: Seed, label: string, bits: RsaBits = 2048): RsaKeyPair {
  const id = `rsa|${seedKey(seed)}|${label}|${bits}`;
  const hit = cache.get(id);
  if (hit) return hit as RsaKeyPair;
  const e = 65537n;
  const stream = new ByteStream(seed, `rsa:${bits}:${label}`);
  let p: bigint;
  let q: bigint;
  let n: bigint;
  do {
    p = seededPrime(bits / 2, e, stream);
    q = seededPrime(bits / 2, e, stream);
    n = p * q;
  } while (p === q || n.toString(2).length !== bits);
  if (p < q) [p, q] = [q, p];
  // FIPS 186-5 uses λ(n) = lcm(p-1, q-1); any d ≡ e⁻¹ works, this one is the smallest.
  const pm1 = p - 1n;
  const qm1 = q - 1n;
  let g = pm1;
  for (let r = qm1; r; ) [g, r] = [r, g % r];
  const d = modInverse(e, (pm1 / g) * qm1);
  const jwk = {
    kty: 'RSA',
    n: b64u(n),
    e: b64u(e),
    d: b64u(d),
    p: b64u(p),
    q: b64u(q),
    dp: b64u(d % pm1),
    dq: b64u(d % qm1),
    qi: b64u(modInverse(q, p)),
  };
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const spkiDer = sequence(
    algorithmIdentifier(OID.rsaEncryption, nullValue()),
    bitString(sequence(integer(n), integer(e))),
  );
  const pair: RsaKeyPair = { kind: 'rsa', bits, n, e, d, p, q, privateKey, publicKey, spkiDer };
  cache.set(id, pair);
  return pair;
}
