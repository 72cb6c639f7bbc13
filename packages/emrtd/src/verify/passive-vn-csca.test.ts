/**
 * Passive authentication in the Vietnam ePassport CSCA's exact form — brainpoolP512r1 with explicit domain
 * parameters in the CSCA and DS keys, ecdsa-with-SHA512 on certificates and SOD — made by the simulator, checked
 * against a trust store of our test CSCA (valid) and one of the real German + Dutch master lists, which hold the
 * real Vietnam CSCA but not ours (unknown-csca, never valid).
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSodParts,
  createTestPki,
  issueCertificate,
  type TestPki,
  toPem,
} from '../../../../simulator/src/pki/index.js';
import { OpensslWorkspace } from '../../../../simulator/src/pki/openssl-harness.js';
import { OID } from '../asn1/oids.js';
import { equal, hex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { type Certificate, parseCertificate, pemBlocks } from '../pki/x509.js';
import { readReal, VN_CSCA_SUBJECT } from '../testing/real-trust.js';
import { TrustStore } from '../trust/store.js';
import { verifyPassive } from './passive.js';

const ALG = 'ecdsa-brainpoolP512r1-explicit-sha512';
const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const TEST_CSCA = 'C=VN, O=Test Ministry of Public Security, CN=Test CSCA';

const ours = createTestPki({ seed: 'vn-csca-form', signature: ALG });
/** A look-alike: our key under the real Vietnam CSCA's DN. */
const lookAlike = createTestPki({
  seed: 'vn-csca-look-alike',
  signature: ALG,
  cscaSubject: {
    country: 'VN',
    organization: 'Vietnam Government Information Security Commission',
    commonName: 'CSCA ePassport Vietnam',
  },
});

const sodOf = (p: TestPki) =>
  buildSodParts({
    dataGroups: new Map([[1, DG1]]),
    hash: 'SHA-256',
    signer: { certDer: p.ds.certDer, keyPair: p.ds.keyPair, algorithm: p.ds.algorithm },
    signingTime: p.signingTime,
  });
const sod = sodOf(ours);

const run = (p: TestPki, trustStore: TrustStore, efSod = sodOf(p).efSod) =>
  verifyPassive({ sod: efSod, dataGroups: { DG1 }, trustStore, dg1IssuingState: 'VNM', now: p.now });

let vnDer: Uint8Array;
let vn: Certificate;
let realStore: TrustStore;

beforeAll(() => {
  vnDer = pemBlocks(new TextDecoder().decode(readReal('vietnamCsca')), 'CERTIFICATE')[0]!.der;
  vn = parseCertificate(vnDer);
  realStore = new TrustStore();
  realStore.addMasterList(readReal('germanMasterList'), { source: 'DE' });
  realStore.addMasterList(readReal('dutchMasterList'), { source: 'NL' });
});

describe('simulator PKI in the Vietnam CSCA form', () => {
  it('CSCA and DS keys carry the same explicit ECParameters bytes as the real CSCA; all signatures ecdsa-with-SHA512', () => {
    const csca = parseCertificate(ours.csca.certDer);
    const ds = parseCertificate(ours.ds.certDer);
    for (const c of [csca, ds]) {
      expect(c.spki.algorithm.oid).toBe(OID.ecPublicKey);
      expect(c.spki.domainParameters?.kind).toBe('ec-explicit');
      expect(equal(c.spki.algorithm.parameters!, vn.spki.algorithm.parameters!)).toBe(true);
      expect(c.signatureAlgorithm).toEqual(vn.signatureAlgorithm);
    }
    expect(vn.signatureAlgorithm.oid).toBe(OID.ecdsaWithSHA512);
  });
});

describe('passive authentication', () => {
  it('valid with a trust store holding our test CSCA', () => {
    const store = new TrustStore();
    store.addCertificate(ours.csca.certDer, 'test-csca');
    const v = run(ours, store, sod.efSod);
    expect(v.status, JSON.stringify(v.reasons.map((r) => r.message.en))).toBe('valid');
    expect(v.signature).toEqual({ algorithm: ALG, valid: true });
    expect(v.dataGroups).toEqual({ DG1: 'match' });
    expect(v.chain.map((l) => [l.role, l.subject, l.trusted])).toEqual([
      ['ds', 'C=VN, O=Test Ministry of Public Security, CN=Test Document Signer', false],
      ['csca', TEST_CSCA, true],
    ]);
    expect(v.chain[0]!.signatureAlgorithm).toBe(ALG);
    expect(v.reasons.map((r) => r.code)).toContain('ec-explicit-parameters');
  });

  it('unknown-csca with only the real master lists (the real VN CSCA, not ours), naming the missing issuer', () => {
    expect(
      realStore
        .list()
        .filter((r) => r.country === 'VN')
        .map((r) => r.subject),
    ).toEqual([VN_CSCA_SUBJECT]);
    const v = run(ours, realStore, sod.efSod);
    expect(v.status).toBe('unknown-csca');
    expect(v.signature).toEqual({ algorithm: ALG, valid: true });
    expect(v.missingIssuer).toBe(TEST_CSCA);
    expect(v.missingAuthorityKeyId).toBe(hex(parseCertificate(ours.csca.certDer).subjectKeyIdentifier!).toUpperCase());
    expect(v.chain.map((l) => l.role)).toEqual(['ds']);
    expect(v.reasons.find((r) => r.code === 'csca-unknown')?.message.en).toContain(TEST_CSCA);
  });

  it('a look-alike CSCA with the real DN but another key: unknown-csca naming that DN and the key it needs', () => {
    const v = run(lookAlike, realStore);
    expect(v.status).toBe('unknown-csca');
    expect(v.missingIssuer).toBe(VN_CSCA_SUBJECT);
    const needed = hex(parseCertificate(lookAlike.csca.certDer).subjectKeyIdentifier!).toUpperCase();
    expect(v.missingAuthorityKeyId).toBe(needed);
    expect(needed).not.toBe(hex(vn.subjectKeyIdentifier!).toUpperCase());
    // The SOD itself is sound: only the anchor is missing.
    const withOurs = new TrustStore();
    withOurs.addCertificate(lookAlike.csca.certDer);
    expect(run(lookAlike, withOurs).status).toBe('valid');
  });

  it('a DS naming the real CSCA and its key identifier, signed by another key: invalid', () => {
    // Our CSCA key signs, but the authority key identifier is computed from the real CSCA's public key.
    const forgedDs = issueCertificate({
      profile: 'ds',
      serial: lookAlike.ds.serial,
      subject: lookAlike.ds.subject,
      subjectKey: lookAlike.ds.keyPair,
      issuer: lookAlike.csca.subject,
      issuerKey: { ...lookAlike.csca.keyPair, spkiDer: vn.spki.raw },
      algorithm: ALG,
      notBefore: lookAlike.signingTime,
      notAfter: vn.notAfter,
    });
    expect(parseCertificate(forgedDs).authorityKeyIdentifier).toEqual(vn.subjectKeyIdentifier);
    const forged = buildSodParts({
      dataGroups: new Map([[1, DG1]]),
      hash: 'SHA-256',
      signer: { certDer: forgedDs, keyPair: lookAlike.ds.keyPair, algorithm: ALG },
      signingTime: lookAlike.signingTime,
    });
    const v = run(lookAlike, realStore, forged.efSod);
    expect(v.signature.valid).toBe(true);
    expect(v.status).toBe('invalid');
    expect(v.reasons.map((r) => r.code)).toContain('chain-signature-invalid');
  });
});

describe('cross-check with OpenSSL', () => {
  const ws = new OpensslWorkspace();
  afterAll(() => ws.dispose());

  /** The `openssl x509 -text` lines from "Field Type" to "Cofactor": the explicit curve as OpenSSL reads it. */
  const curveText = (der: Uint8Array, name: string) => {
    const r = ws.run(['x509', '-noout', '-text', '-in', ws.write(name, toPem(der))]);
    expect(r.status).toBe(0);
    return /Field Type: prime-field[\s\S]*?Cofactor:[^\n]*/.exec(r.stdout)?.[0];
  };

  it('the CSCA and DS have the real CSCA’s curve; the DS signature verifies under the CSCA key', () => {
    const real = curveText(vnDer, 'vn.pem');
    expect(real).toContain('Prime:');
    expect(curveText(ours.csca.certDer, 'csca.pem')).toBe(real);
    expect(curveText(ours.ds.certDer, 'ds.pem')).toBe(real);
    const csca = new X509Certificate(ours.csca.certDer);
    const ds = new X509Certificate(ours.ds.certDer);
    expect(ds.checkIssued(csca) && ds.verify(csca.publicKey)).toBe(true);
    expect(ds.verify(new X509Certificate(vnDer).publicKey)).toBe(false);
  });

  it('openssl cms -verify accepts the SOD signature, and refuses the path for its explicit parameters (OpenSSL 3)', () => {
    ws.write('sod.der', sod.contentInfo);
    const signature = ws.run(['cms', '-verify', '-inform', 'DER', '-in', 'sod.der', '-noverify', '-binary']);
    expect(signature.status, signature.stderr).toBe(0);
    const at = String(Math.floor(ours.signingTime.getTime() / 1000));
    const path = ws.run([
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      'sod.der',
      '-CAfile',
      ws.write('anchor.pem', toPem(ours.csca.certDer)),
      '-purpose',
      'any',
      '-attime',
      at,
      '-binary',
    ]);
    expect(path.status).not.toBe(0);
    expect(path.stderr).toContain('explicit ECC parameters');
  });
});
