/**
 * VerificationCache at the signature level: the precomputed-table path (SEC 1 v2 §4.1.4 on a decoded point) gives
 * the same verdict as noble's `verify` on every curve family and hash-length case, and a remembered verdict is
 * found only for the exact same inputs (bytes, key, quirk policy).
 */
import { ecdsa } from '@noble/curves/abstract/weierstrass.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../../../../simulator/src/pki/index.js';
import { bigToBytes, bytesToBig } from '../codec/bytes.js';
import { type EcCurveName, ecParametersByName } from '../crypto/domain-params.js';
import { digest, type HashName } from '../crypto/hash.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { verifyEcdsaDigest } from './ec.js';
import { type SignatureInput, verifySignature } from './signature.js';
import { VerificationCache } from './verification-cache.js';
import { parseCertificate } from './x509.js';

const spkiOf = (curveOid: string, point: Uint8Array) =>
  ({
    publicKey: { kind: 'ec', point },
    domainParameters: { kind: 'named-curve', curveOid },
  }) as unknown as SubjectPublicKeyInfo;

// Hash shorter than, equal to and longer than the order (SEC 1 §4.1.4 step 5 truncates the longer ones).
const CASES: [EcCurveName, HashName][] = [
  ['brainpoolP192r1', 'SHA-512'],
  ['secp224r1', 'SHA-224'],
  ['secp256r1', 'SHA-384'],
  ['brainpoolP256r1', 'SHA-256'],
  ['brainpoolP320r1', 'SHA-256'],
  ['secp384r1', 'SHA-384'],
  ['brainpoolP512r1', 'SHA-512'],
  ['secp521r1', 'SHA-512'],
];

describe('ECDSA with a precomputed key table', () => {
  for (const [name, hash] of CASES) {
    it(`${name} with ${hash}: same verdicts as noble's verify, valid and tampered`, () => {
      const params = ecParametersByName(name);
      const signer = ecdsa(params.curve, sha256);
      const { secretKey, publicKey } = signer.keygen();
      const other = signer.keygen().publicKey;
      const h = digest(hash, new TextEncoder().encode(`message for ${name}`));
      const sig = signer.sign(h, secretKey, { prehash: false, lowS: false });
      const r = bytesToBig(sig.subarray(0, params.orderBytes));
      const s = bytesToBig(sig.subarray(params.orderBytes));
      const n = params.curve.CURVE().n;
      // The first byte: a longer hash's tail is truncated away (and so changes nothing, on both paths).
      const flipped = Uint8Array.from(h, (b, i) => (i === 0 ? b ^ 1 : b));
      const variants: [string, Uint8Array, Uint8Array, bigint, bigint][] = [
        ['genuine', publicKey, h, r, s],
        ['high-S twin (valid, X9.62)', publicKey, h, r, n - s],
        ['digest changed', publicKey, flipped, r, s],
        ['r + 1', publicKey, h, r + 1n, s],
        ['s + 1', publicKey, h, r, s + 1n],
        ['other key', other, h, r, s],
      ];
      const tables = new VerificationCache({ precomputeAfter: 1 });
      for (const key of [publicKey, other]) tables.recordTrustedKey(spkiOf(params.oid, key));
      const got = variants.map(([label, key, digestBytes, rr, ss]) => {
        const plain = verifyEcdsaDigest(params, key, digestBytes, rr, ss);
        const compact = new Uint8Array([...bigToBytes(rr, params.orderBytes), ...bigToBytes(ss, params.orderBytes)]);
        const noble = rr < n && ss < n && signer.verify(compact, digestBytes, key, { prehash: false, lowS: false });
        const tabled = verifyEcdsaDigest(params, key, digestBytes, rr, ss, tables);
        return [label, plain, noble, tabled];
      });
      expect(got).toEqual(variants.map(([label], i) => [label, i < 2, i < 2, i < 2]));
      expect(tables.stats.keyTables).toBe(2);
    });
  }
});

describe('VerificationCache: remembered signature verdicts', () => {
  const pki = createTestPki({ seed: 'verification-cache', signature: 'ecdsa-p256-sha256' });
  const csca = parseCertificate(pki.csca.certDer);
  const ds = parseCertificate(pki.ds.certDer);
  const input = (cert = ds, extra: Partial<SignatureInput> = {}): SignatureInput => ({
    algorithm: cert.signatureAlgorithm,
    spki: csca.spki,
    data: cert.tbs,
    signature: cert.signature,
    ...extra,
  });

  it('a hit returns what verifying again returns, and only for the same bytes', () => {
    const cache = new VerificationCache();
    const first = cache.verifySignature(input());
    expect(first).toEqual(verifySignature(input()));
    expect(first.valid).toBe(true);
    expect(cache.verifySignature(input())).toEqual(first);
    expect(cache.stats).toMatchObject({ verdictHits: 1, verdictMisses: 1, verdicts: 1 });

    // Same subject, same TBS, one signature byte changed: another key, verified afresh, invalid.
    const sig = Uint8Array.from(ds.signature);
    sig[sig.length - 1]! ^= 0x01;
    expect(cache.verifySignature(input(ds, { signature: sig })).valid).toBe(false);
    // Same signature over other TBS bytes (a tampered certificate claiming the same subject).
    const tbs = Uint8Array.from(ds.tbs);
    tbs[tbs.length - 5]! ^= 0x01;
    expect(cache.verifySignature(input(ds, { data: tbs })).valid).toBe(false);
    // The genuine certificate under another key (the DS's own) does not borrow the CSCA's verdict.
    expect(cache.verifySignature(input(ds, { spki: ds.spki })).valid).toBe(false);
    expect(cache.stats).toMatchObject({ verdictHits: 1, verdictMisses: 4, verdicts: 4 });
    expect(cache.verifySignature(input()).valid).toBe(true);
  });

  it('the quirk policy is part of the key: a non-DER signature rejected without it is accepted with it', () => {
    // Ecdsa-Sig-Value with a long-form SEQUENCE length (BER, not DER).
    const der = ds.signature;
    expect(der[1]! < 0x80).toBe(true);
    const ber = new Uint8Array([0x30, 0x81, ...der.subarray(1)]);
    const cache = new VerificationCache();
    const strict = cache.verifySignature(input(ds, { signature: ber }));
    expect(strict.valid).toBe(false);
    expect(strict.reasons.map((r) => r.code)).toEqual(['quirk-rejected']);
    const lenient = cache.verifySignature(input(ds, { signature: ber, quirks: { nonDerEcdsa: true } }));
    expect(lenient.valid).toBe(true);
    expect(cache.verifySignature(input(ds, { signature: ber })).valid).toBe(false);
  });

  it('stays within its bounds, and with zero sizes caches nothing', () => {
    const small = new VerificationCache({ maxVerdicts: 1 });
    const sig = Uint8Array.from(ds.signature);
    sig[sig.length - 1]! ^= 0x01;
    for (let i = 0; i < 3; i++) {
      expect(small.verifySignature(input()).valid).toBe(true);
      expect(small.verifySignature(input(ds, { signature: sig })).valid).toBe(false);
    }
    expect(small.stats).toMatchObject({ verdicts: 1, verdictHits: 0, verdictMisses: 6 });
    const none = new VerificationCache({ maxVerdicts: 0, maxKeyTables: 0 });
    for (let i = 0; i < 3; i++) expect(none.verifySignature(input()).valid).toBe(true);
    expect(none.stats).toEqual({ verdictHits: 0, verdictMisses: 0, verdicts: 0, keyTables: 0 });
    expect(() => new VerificationCache({ maxVerdicts: -1 })).toThrow(RangeError);
  });

  it('builds a key table only once a trusted key has been used precomputeAfter times (default 8)', () => {
    const params = ecParametersByName('secp256r1');
    const point = csca.spki.publicKeyBytes;
    const cache = new VerificationCache();
    const tabled = Array.from({ length: 9 }, () => {
      cache.recordTrustedKey(csca.spki);
      return cache.pointFor(params, point) !== undefined;
    });
    expect(tabled).toEqual([false, false, false, false, false, false, false, true, true]);
    expect(cache.stats.keyTables).toBe(1);
    // Looking a key up (every verification does) counts nothing: only recordTrustedKey does.
    const lookups = new VerificationCache({ precomputeAfter: 1 });
    for (let i = 0; i < 3; i++) expect(lookups.pointFor(params, ds.spki.publicKeyBytes)).toBeUndefined();
    expect(lookups.stats.keyTables).toBe(0);
    // Bytes that are not a point of the curve never get a table (the ordinary path refuses them).
    const offCurve = Uint8Array.from(point, (b, i) => (i === point.length - 1 ? b ^ 1 : b));
    const strict = new VerificationCache({ precomputeAfter: 1 });
    strict.recordTrustedKey(spkiOf(params.oid, offCurve));
    expect(strict.pointFor(params, offCurve)).toBeUndefined();
  });
});
