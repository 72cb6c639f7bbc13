/**
 * The SDK's trust code against real, published trust material (test-data/real/): the German and Dutch ICAO master
 * lists and the Vietnam ePassport CSCA. Every number asserted here was established independently with openssl
 * (docs/reference/real-trust-material.md); the per-certificate sweep compares with OpenSSL through node:crypto.
 */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { equal, hex } from '../codec/bytes.js';
import { resolveCurve } from '../pki/ec.js';
import { isCandidateIssuer, isSelfSignedCsca } from '../pki/issuer.js';
import { nameToString } from '../pki/name.js';
import { verifySignature } from '../pki/signature.js';
import { type Certificate, parseCertificate, pemBlocks } from '../pki/x509.js';
import { readReal, VN_CSCA_SUBJECT } from '../testing/real-trust.js';
import { type MasterList, MasterListError, parseMasterList, verifyMasterList } from './master-list.js';
import { TrustStore } from './store.js';

let deBytes: Uint8Array;
let nlBytes: Uint8Array;
let de: MasterList;
let nl: MasterList;
let vnDer: Uint8Array;
let vn: Certificate;

beforeAll(() => {
  deBytes = readReal('germanMasterList');
  nlBytes = readReal('dutchMasterList');
  de = parseMasterList(deBytes);
  nl = parseMasterList(nlBytes);
  vnDer = pemBlocks(new TextDecoder().decode(readReal('vietnamCsca')), 'CERTIFICATE')[0]!.der;
  vn = parseCertificate(vnDer);
});

const DE_SIGNER = 'C=DE, O=bund, OU=bsi, serialNumber=0039, CN=CSCA Master List Signer';
const DE_CSCA = 'C=DE, O=bund, OU=bsi, CN=csca-germany';
const NL_SIGNER =
  'serialNumber=8, CN=Masterlist Signer NL, OU=Kingdom of the Netherlands, O=Kingdom of the Netherlands, C=NL';
const NL_CSCA = 'serialNumber=7, CN=CSCA NL, OU=Kingdom of the Netherlands, O=Kingdom of the Netherlands, C=NL';

/** A copy of `bytes` with one byte changed. */
function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 0x01;
  return out;
}

describe('real master lists: parse and verify the CMS signature', () => {
  it('German list: 588 certificates, signed (ECDSA-SHA256) by the BSI list signer, certified by csca-germany', () => {
    expect(de).toMatchObject({ version: 0, skipped: 0 });
    expect(de.certificates).toHaveLength(588);
    const si = de.signedData.signerInfos[0]!;
    expect(si.digestAlgorithm.oid).toBe(OID.sha256);
    expect(si.signatureAlgorithm.oid).toBe(OID.ecdsaWithSHA256);
    expect(si.signedAttrs?.signingTime?.toISOString()).toBe('2026-05-28T06:28:45.000Z');
    const v = verifyMasterList(de);
    expect(v.problem).toBeUndefined();
    expect(v.signatureValid).toBe(true);
    expect(v.signer).toMatchObject({ subject: DE_SIGNER, issuer: DE_CSCA, serial: '04d5', country: 'DE' });
    expect(v.signer?.notAfter.toISOString()).toBe('2028-10-17T23:59:59.000Z');
    expect(v.signerIssuer).toMatchObject({ subject: DE_CSCA, serial: '04cd', source: 'master-list' });
  });

  it('Dutch list: 411 certificates, signed (RSA-SHA256) by Masterlist Signer NL, certified by CSCA NL', () => {
    expect(nl).toMatchObject({ version: 0, skipped: 0 });
    expect(nl.certificates).toHaveLength(411);
    const si = nl.signedData.signerInfos[0]!;
    expect(si.digestAlgorithm.oid).toBe(OID.sha256);
    expect(si.signatureAlgorithm.oid).toBe(OID.sha256WithRSAEncryption);
    expect(si.signedAttrs?.signingTime?.toISOString()).toBe('2026-07-23T09:35:43.000Z');
    const v = verifyMasterList(nl);
    expect(v.signatureValid).toBe(true);
    expect(v.signer).toMatchObject({ subject: NL_SIGNER, issuer: NL_CSCA, serial: '69005e1c', country: 'NL' });
    expect(v.signerIssuer).toMatchObject({ subject: NL_CSCA, serial: '026fe53b', source: 'master-list' });
  });

  it('one changed byte in the content or in the signature and the list is refused', () => {
    for (const [bytes, ml] of [
      [deBytes, de],
      [nlBytes, nl],
    ] as const) {
      const content = ml.signedData.eContentOffset!;
      expect(() => new TrustStore().addMasterList(flipped(bytes, content + 1000))).toThrow(/messageDigest mismatch/);
      // The signature value is the last field of the only SignerInfo, at the very end of the file.
      const sig = ml.signedData.signerInfos[0]!.signature;
      expect(equal(bytes.subarray(bytes.length - sig.length), sig)).toBe(true);
      expect(() => new TrustStore().addMasterList(flipped(bytes, bytes.length - 1))).toThrow(MasterListError);
      expect(() => new TrustStore().addMasterList(flipped(bytes, bytes.length - 1))).toThrow(/signature invalid/);
    }
  });
});

describe('real master lists: import into a TrustStore', () => {
  it('imports both with the signature required: 627 distinct certificates (414 CSCAs, 213 links), 129 countries', () => {
    const store = new TrustStore();
    expect(store.addMasterList(deBytes, { source: 'DE' })).toMatchObject({ total: 588, added: 588, skipped: 0 });
    expect(store.list().filter((r) => r.kind === 'link')).toHaveLength(213);
    expect(store.addMasterList(nlBytes, { source: 'NL' })).toMatchObject({ total: 411, added: 411, skipped: 0 });
    expect(store.size).toBe(627);
    const kinds = store.list().map((r) => r.kind);
    expect(kinds.filter((k) => k === 'csca')).toHaveLength(414);
    expect(kinds.filter((k) => k === 'link')).toHaveLength(213);
    expect(store.explain(new Date('2026-12-01T00:00:00Z'))).toMatch(
      /^627 CSCA\/link certificate\(s\) from 129 country\(ies\), 0 document signer\(s\), 0 CRL\(s\)\n/,
    );
  });

  it('each list carries the CSCA that certifies the other one’s signer (requireTrustedSigner)', () => {
    expect(() => new TrustStore().addMasterList(deBytes, { requireTrustedSigner: true })).toThrow(MasterListError);
    const nlFirst = new TrustStore();
    nlFirst.addMasterList(nlBytes);
    expect(nlFirst.addMasterList(deBytes, { requireTrustedSigner: true }).signerIssuer).toMatchObject({
      subject: DE_CSCA,
      serial: '04cd',
      source: 'trust-store',
    });
    const deFirst = new TrustStore();
    deFirst.addMasterList(deBytes);
    expect(deFirst.addMasterList(nlBytes, { requireTrustedSigner: true }).signerIssuer).toMatchObject({
      subject: NL_CSCA,
      serial: '026fe53b',
      source: 'trust-store',
    });
  });

  it('countries: ["VN"] imports exactly the Vietnam CSCA from either list', () => {
    for (const bytes of [deBytes, nlBytes]) {
      const store = new TrustStore();
      expect(store.addMasterList(bytes, { countries: ['VN'] })).toMatchObject({ signatureValid: true, added: 1 });
      const [entry] = store.anchors();
      expect(entry!.kind).toBe('csca');
      expect(nameToString(entry!.certificate.subject)).toBe(VN_CSCA_SUBJECT);
    }
  });
});

describe('the Vietnam ePassport CSCA', () => {
  it('is in both lists once, found by subject DN, byte-identical to the PEM', () => {
    for (const ml of [de, nl]) {
      const hits = ml.certificates.filter((c) => nameToString(c.subject) === VN_CSCA_SUBJECT);
      expect(hits).toHaveLength(1);
      expect(equal(hits[0]!.raw, vnDer)).toBe(true);
    }
    expect(hex(vnDer.subarray(0, 4))).toBe('308205db');
  });

  it('profile: self-signed CSCA, serial, validity 2022-06-29 → 2037-10-01, CA pathLen 0, keyCertSign + cRLSign', () => {
    expect(isSelfSignedCsca(vn)).toBe(true);
    expect(vn.serialHex).toBe('506f1357a3a196c24dc32cf464140cae');
    expect(vn.notBefore.toISOString()).toBe('2022-06-29T01:37:07.000Z');
    expect(vn.notAfter.toISOString()).toBe('2037-10-01T01:37:06.000Z');
    expect(hex(vn.subjectKeyIdentifier!)).toBe('88918f5a25ece37a3e04c52d38a4f2b5123c85c7');
    expect(vn.authorityKeyIdentifier).toEqual(vn.subjectKeyIdentifier);
    expect(vn.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect([...vn.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
  });

  it('key: explicit domain parameters recognised as brainpoolP512r1', () => {
    const dp = vn.spki.domainParameters;
    expect(vn.spki.algorithm.oid).toBe(OID.ecPublicKey);
    expect(dp?.kind).toBe('ec-explicit');
    const resolved = resolveCurve(dp);
    expect(resolved?.params.name).toBe('brainpoolP512r1');
    expect(resolved?.explicit).toBe(true);
    expect(vn.spki.publicKey.kind === 'ec' && vn.spki.publicKey.point.length).toBe(129);
  });

  it('self-signature (ecdsa-with-SHA512) verifies; a changed TBS or another key does not', () => {
    const check = (data: Uint8Array, issuer = vn) =>
      verifySignature({ algorithm: vn.signatureAlgorithm, spki: issuer.spki, data, signature: vn.signature });
    expect(vn.signatureAlgorithm.oid).toBe(OID.ecdsaWithSHA512);
    expect(check(vn.tbs)).toMatchObject({
      valid: true,
      algorithm: 'ecdsa-brainpoolP512r1-explicit-sha512',
      hash: 'SHA-512',
      curve: 'brainpoolP512r1',
      explicitParameters: true,
    });
    expect(check(flipped(vn.tbs, 200)).valid).toBe(false);
    // csca-germany has a key on the same curve, also with explicit parameters: the wrong key must not verify.
    const germany = de.certificates.find((c) => nameToString(c.subject) === DE_CSCA && c.serialHex === '04cd')!;
    expect(resolveCurve(germany.spki.domainParameters)?.params.name).toBe('brainpoolP512r1');
    expect(check(vn.tbs, germany).valid).toBe(false);
  });
});

describe('every certificate signature in both lists: the SDK agrees with OpenSSL', () => {
  /** Indices of the certificates an issuer in the same list verifies, by the SDK and by OpenSSL (node:crypto). */
  function verifiedBoth(ml: MasterList) {
    const ossl = ml.certificates.map((c) => new X509Certificate(c.raw));
    const fold = (dn: string) => dn.toLowerCase().replace(/\s+/g, ' ');
    const sdk: number[] = [];
    const openssl: number[] = [];
    ml.certificates.forEach((cert, i) => {
      const bySdk = ml.certificates.some(
        (issuer) =>
          isCandidateIssuer(issuer, cert) &&
          verifySignature({
            algorithm: cert.signatureAlgorithm,
            spki: issuer.spki,
            data: cert.tbs,
            signature: cert.signature,
          }).valid,
      );
      if (bySdk) sdk.push(i);
      const c = ossl[i]!;
      // OpenSSL's own issuer match (names, key identifiers) after a cheap pre-filter; real lists pair C=GB with c=gb.
      const byOpenssl = ossl.some(
        (x) => fold(x.subject) === fold(c.issuer) && c.checkIssued(x) && c.verify(x.publicKey),
      );
      if (byOpenssl) openssl.push(i);
    });
    return { sdk, openssl };
  }

  it('German list: 574 of 588 verify under a certificate of the list (14 links name an issuer it lacks)', () => {
    const { sdk, openssl } = verifiedBoth(de);
    expect(sdk).toEqual(openssl);
    expect(sdk).toHaveLength(574);
  });

  it('Dutch list: all 411 verify (self-signed)', () => {
    const { sdk, openssl } = verifiedBoth(nl);
    expect(sdk).toEqual(openssl);
    expect(sdk).toHaveLength(411);
  });
});
