/**
 * Passive authentication with a VerificationCache gives the verdict it gives without one: for valid documents
 * (several algorithms, warm cache and DS key table), for forgeries met after the cache was warmed by the genuine
 * article (a look-alike DS with the same names, a tampered SOD signature under the tabled DS key), and for the
 * checks that depend on time and on the trust store (revocation, expiry), which are never remembered.
 */
import { describe, expect, it } from 'vitest';
import {
  buildSod,
  createTestPki,
  type SignatureAlgorithmName,
  type TestPki,
} from '../../../../simulator/src/pki/index.js';
import { tlv } from '../codec/tlv.js';
import { ecParametersByName } from '../crypto/domain-params.js';
import { VerificationCache } from '../pki/verification-cache.js';
import { parseCertificate } from '../pki/x509.js';
import { TrustStore } from '../trust/store.js';
import { type PassiveInput, verifyPassive } from './passive.js';

const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const DAY = 86_400_000;

const sodOf = (p: TestPki, tamperSignature = false) =>
  buildSod({
    dataGroups: new Map([[1, DG1]]),
    hash: 'SHA-256',
    signer: { certDer: p.ds.certDer, keyPair: p.ds.keyPair, algorithm: p.ds.algorithm },
    signingTime: p.signingTime,
    ...(tamperSignature ? { tamper: { signature: true } } : {}),
  });

function storeOf(p: TestPki, crl = true): TrustStore {
  const store = new TrustStore();
  store.addCertificate(p.csca.certDer, 'test-csca');
  if (crl) store.addCrl(p.crlDer, 'test-crl');
  return store;
}

const run = (p: TestPki, extra: Partial<PassiveInput> = {}) =>
  verifyPassive({ sod: sodOf(p), dataGroups: { DG1 }, trustStore: storeOf(p), now: p.now, ...extra });
const codes = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('verifyPassive with a VerificationCache', () => {
  const algorithms: SignatureAlgorithmName[] = [
    'ecdsa-brainpoolP256r1-sha256',
    'ecdsa-p384-explicit-sha384',
    'rsa-pss-sha256',
  ];
  for (const alg of algorithms) {
    it(`${alg}: the same verdict cold, warm and with the DS key tabled; a tampered SOD stays invalid`, () => {
      const p = createTestPki({ seed: 'cached-verification', signature: alg });
      const cache = new VerificationCache({ precomputeAfter: 2 });
      const plain = run(p);
      expect(plain.status).toBe('valid');
      for (let i = 0; i < 3; i++) expect(run(p, { cache })).toEqual(plain);
      expect(cache.stats.verdictHits).toBeGreaterThanOrEqual(4); // DS certificate and CRL, on calls 2 and 3
      // EC keys used twice get a table: the DS key (SOD signatures) and the CSCA key (DS certificate, CRL).
      expect(cache.stats.keyTables).toBe(alg.startsWith('ecdsa') ? 2 : 0);
      const forged = run(p, { sod: sodOf(p, true), cache });
      expect(forged).toEqual(run(p, { sod: sodOf(p, true) }));
      expect(forged.status).toBe('invalid');
      expect(codes(forged)).toContain('sod-signature-invalid');
    });
  }

  it('a DS certificate with the same subject and issuer but other bytes misses the genuine verdict', () => {
    const genuine = createTestPki({ seed: 'cached-verification', signature: 'ecdsa-brainpoolP256r1-sha256' });
    const cache = new VerificationCache({ precomputeAfter: 2 });
    for (let i = 0; i < 3; i++) expect(run(genuine, { cache }).status).toBe('valid');
    // The genuine DS certificate with its last signature byte changed: same names, same keys, same AKI.
    const certDer = Uint8Array.from(genuine.ds.certDer);
    certDer[certDer.length - 1]! ^= 0x01;
    const forgedDs = { ...genuine, ds: { ...genuine.ds, certDer } };
    const v = run(forgedDs, { trustStore: storeOf(genuine), cache });
    expect(v.signer).toEqual(run(genuine).signer);
    expect(v.signature.valid).toBe(true); // the SOD itself is signed by the DS key
    expect(v.status).toBe('invalid');
    expect(codes(v)).toContain('chain-signature-invalid');
    // A look-alike PKI (same names, other keys): never valid against the genuine CSCA.
    const lookAlike = createTestPki({ seed: 'look-alike', signature: 'ecdsa-brainpoolP256r1-sha256' });
    expect(run(lookAlike, { trustStore: storeOf(genuine), cache }).status).not.toBe('valid');
  });

  it('made-up DS keys (chains that do not validate) neither build tables nor evict the real DS key', () => {
    const genuine = createTestPki({ seed: 'cached-verification', signature: 'ecdsa-brainpoolP256r1-sha256' });
    const cache = new VerificationCache({ precomputeAfter: 2, maxKeyTables: 2 });
    for (let i = 0; i < 2; i++) expect(run(genuine, { cache }).status).toBe('valid');
    const params = ecParametersByName('brainpoolP256r1');
    const dsPoint = parseCertificate(genuine.ds.certDer).spki.publicKeyBytes;
    expect(cache.pointFor(params, dsPoint)).toBeDefined();
    // Each forger uses its own DS key again and again, more keys than there are table slots.
    for (const seed of ['forger-1', 'forger-2', 'forger-3']) {
      const forged = createTestPki({ seed, signature: 'ecdsa-brainpoolP256r1-sha256' });
      for (let i = 0; i < 3; i++) expect(run(forged, { trustStore: storeOf(genuine), cache }).status).not.toBe('valid');
      expect(cache.pointFor(params, parseCertificate(forged.ds.certDer).spki.publicKeyBytes)).toBeUndefined();
    }
    expect(cache.stats.keyTables).toBe(2); // the genuine DS and CSCA keys
    expect(cache.pointFor(params, dsPoint)).toBeDefined();
    expect(run(genuine, { cache })).toEqual(run(genuine));
  });

  it('revocation and validity are evaluated on every call, never remembered', () => {
    const revoked = createTestPki({ seed: 'cached-verification', signature: 'ecdsa-p256-sha256', revokeDs: true });
    const cache = new VerificationCache();
    for (let i = 0; i < 2; i++) {
      const v = run(revoked, { cache });
      expect(v.status).toBe('invalid');
      expect(codes(v)).toContain('ds-revoked');
    }
    // The same documents against a store without the CRL: not revoked (no CRL), though the CRL verdict is cached.
    const noCrl = run(revoked, { trustStore: storeOf(revoked, false), cache });
    expect(codes(noCrl)).not.toContain('ds-revoked');
    expect(codes(noCrl)).toContain('crl-not-available');
    // Evaluated at an instant after the DS expired: the remembered signature verdict does not make it valid.
    const late = new Date(revoked.now.getTime() + 40 * 365 * DAY);
    const expired = run(revoked, { trustStore: storeOf(revoked, false), cache, policy: { time: late } });
    expect(expired.status).toBe('invalid');
    expect(codes(expired)).toContain('ds-expired-at-signing');
  });
});
