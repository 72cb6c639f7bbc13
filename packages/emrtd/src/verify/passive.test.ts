import { describe, expect, it } from 'vitest';
import {
  type BuildSodOptions,
  buildSod,
  createTestPki,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithmName,
  signatureAlgorithmSpec,
  type TestPki,
  type TestPkiOptions,
} from '../../../../simulator/src/pki/index.js';
import { utf8 } from '../codec/bytes.js';
import { checkDigit } from '../codec/check-digit.js';
import { tlv } from '../codec/tlv.js';
import { TrustStore } from '../trust/store.js';
import { type PassiveInput, verifyPassive } from './passive.js';

const DAY = 86_400_000;

/** A synthetic TD1 MRZ (no real person) with correct check digits. */
function td1Dg1(state = 'VNM'): Uint8Array {
  const doc = '001099012';
  const l1 = `ID${state}${doc}${checkDigit(doc)}`.padEnd(30, '<');
  const dob = '990101';
  const exp = '390101';
  const l2start = `${dob}${checkDigit(dob)}M${exp}${checkDigit(exp)}${state}`.padEnd(29, '<');
  const composite = l1.slice(5, 30) + l2start.slice(0, 7) + l2start.slice(8, 15) + l2start.slice(18, 29);
  const l2 = l2start + checkDigit(composite);
  const l3 = 'TEST<<SPECIMEN'.padEnd(30, '<');
  return tlv(0x61, tlv(0x5f1f, utf8(l1 + l2 + l3)));
}

const DG1 = td1Dg1();
const DG2 = tlv(
  0x75,
  Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
);
const DG14 = tlv(0x6e, Uint8Array.of(0x31, 0x00));

const pkiCache = new Map<string, TestPki>();
function pki(options: Partial<TestPkiOptions> & { signature: SignatureAlgorithmName }): TestPki {
  const key = JSON.stringify(options);
  let p = pkiCache.get(key);
  if (!p) {
    p = createTestPki({ seed: 'verify-passive', ...options });
    pkiCache.set(key, p);
  }
  return p;
}

function sodFor(p: TestPki, extra: Partial<BuildSodOptions> = {}): Uint8Array {
  return buildSod({
    dataGroups: new Map([
      [1, DG1],
      [2, DG2],
      [14, DG14],
    ]),
    hash: 'SHA-256',
    signer: { certDer: p.ds.certDer, keyPair: p.ds.keyPair, algorithm: p.ds.algorithm },
    signingTime: p.signingTime,
    ...extra,
  });
}

function storeFor(p: TestPki, withCrl = true): TrustStore {
  const store = new TrustStore();
  store.addCertificate(p.csca.certDer, 'test-csca');
  if (withCrl) store.addCrl(p.crlDer, 'test-crl');
  return store;
}

function run(p: TestPki, input: Partial<PassiveInput> = {}) {
  return verifyPassive({
    sod: sodFor(p),
    dataGroups: { DG1, DG2, DG14 },
    trustStore: storeFor(p),
    now: p.now,
    ...input,
  });
}

const codes = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('verifyPassive: every signature algorithm', () => {
  for (const alg of SIGNATURE_ALGORITHMS) {
    it(`${alg}: valid, and invalid once the signature is tampered`, () => {
      const p = pki({ signature: alg });
      const ok = run(p);
      expect(ok.status, JSON.stringify(ok.reasons.map((r) => r.message.en))).toBe('valid');
      expect(ok.signature).toEqual({ algorithm: alg, valid: true });
      expect(ok.dataGroups).toEqual({ DG1: 'match', DG2: 'match', DG14: 'match' });
      expect(ok.chain.map((l) => l.role)).toEqual(['ds', 'csca']);
      expect(ok.chain[1]!.trusted).toBe(true);
      if (signatureAlgorithmSpec(alg).kind === 'ec' && alg.includes('explicit'))
        expect(codes(ok)).toContain('ec-explicit-parameters');

      const bad = run(p, { sod: sodFor(p, { tamper: { signature: true } }) });
      expect(bad.status).toBe('invalid');
      expect(bad.signature.valid).toBe(false);
      expect(codes(bad)).toContain('sod-signature-invalid');
    });
  }
});

describe('verifyPassive: CMS structure', () => {
  const p = pki({ signature: 'ecdsa-brainpoolP256r1-sha256' });

  it('accepts a SOD without signed attributes (signature over the eContent)', () => {
    const v = run(p, { sod: sodFor(p, { includeSignedAttributes: false }) });
    expect(v.status).toBe('valid');
    expect(codes(v)).toEqual(expect.arrayContaining(['sod-no-signed-attributes', 'signing-time-missing']));
    expect(v.time?.source).toBe('ds-not-before');
  });

  it('finds the signer by subjectKeyIdentifier', () => {
    expect(run(p, { sod: sodFor(p, { signerIdentifier: 'subjectKeyIdentifier' }) }).status).toBe('valid');
  });

  it('rejects a signed messageDigest that is not the eContent hash', () => {
    const v = run(p, { sod: sodFor(p, { tamper: { messageDigest: true } }) });
    expect(v.status).toBe('invalid');
    expect(codes(v)).toContain('sod-message-digest-mismatch');
  });

  it('rejects an eContent changed after signing', () => {
    const v = run(p, { sod: sodFor(p, { tamper: { eContentAfterSigning: true } }) });
    expect(v.status).toBe('invalid');
    expect(codes(v)).toContain('sod-message-digest-mismatch');
  });

  it('accepts plain r‖s ECDSA, reported', () => {
    const v = run(p, { sod: sodFor(p, { ecdsaFormat: 'plain' }) });
    expect(v.status).toBe('valid');
    expect(codes(v)).toContain('ecdsa-plain-signature');
  });

  it('accepts a bare ContentInfo as well as EF.SOD', () => {
    const sod = sodFor(p);
    const contentInfo = sod.subarray(sod[1]! & 0x80 ? 2 + (sod[1]! & 0x7f) : 2);
    expect(run(p, { sod: contentInfo }).status).toBe('valid');
  });

  it('legacy content types only by policy, always reported', () => {
    const sod = sodFor(p, { eContentType: '1.3.27.1.1.1' });
    const strict = run(p, { sod });
    expect(strict.status).toBe('invalid');
    expect(codes(strict)).toContain('sod-content-type');
    const lenient = run(p, { sod, policy: { acceptLegacyContentTypes: true } });
    expect(lenient.status).toBe('valid');
    expect(codes(lenient)).toContain('sod-legacy-content-type');
  });

  it('uses a DS certificate supplied by the caller when the SOD has none', () => {
    const sod = sodFor(p, { omitCertificate: true });
    const missing = run(p, { sod });
    expect(missing.status).toBe('invalid');
    expect(codes(missing)).toContain('ds-certificate-missing');
    expect(run(p, { sod, dsCertificate: p.ds.certDer }).status).toBe('valid');
  });

  it('garbage and truncated SODs are invalid with sod-malformed, no SOD is not-checked', () => {
    const sod = sodFor(p);
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0x77, 0x82, 0xff), sod.subarray(0, sod.length - 10)]) {
      const v = run(p, { sod: bytes });
      expect(v.status).toBe('invalid');
      expect(codes(v)).toEqual(['sod-malformed']);
    }
    expect(verifyPassive({ trustStore: new TrustStore() }).status).toBe('not-checked');
  });
});

describe('verifyPassive: data groups', () => {
  const p = pki({ signature: 'ecdsa-p256-sha256' });

  it('a tampered DG is a mismatch', () => {
    const tampered = DG2.slice();
    tampered[100]! ^= 1;
    const v = run(p, { dataGroups: { DG1, DG2: tampered, DG14 } });
    expect(v.status).toBe('invalid');
    expect(v.dataGroups.DG2).toBe('mismatch');
    expect(codes(v)).toContain('dg-hash-mismatch');
  });

  it('a hash recorded wrong in a properly signed SOD is a mismatch', () => {
    const v = run(p, { sod: sodFor(p, { tamper: { dataGroupHashes: [14] } }) });
    expect(v.signature.valid).toBe(true);
    expect(v.dataGroups.DG14).toBe('mismatch');
    expect(v.status).toBe('invalid');
  });

  it('a DG read but not listed in the SOD is missing (injection)', () => {
    const v = run(p, { dataGroups: { DG1, DG2, DG14, DG13: tlv(0x6d, Uint8Array.of(1)) } });
    expect(v.status).toBe('invalid');
    expect(v.dataGroups.DG13).toBe('missing');
    expect(codes(v)).toContain('dg-not-in-sod');
  });

  it('a DG listed but not read is not-read and does not fail the verdict', () => {
    const v = run(p, { dataGroups: { DG1 } });
    expect(v.status).toBe('valid');
    expect(v.dataGroups).toEqual({ DG1: 'match', DG2: 'not-read', DG14: 'not-read' });
  });

  it('rejects data group names outside DG1..DG16', () => {
    const v = run(p, { dataGroups: { DG1, DG17: DG2 } as never });
    expect(codes(v)).toContain('dg-invalid-name');
    expect(v.status).toBe('invalid');
  });
});

describe('verifyPassive: certificate path', () => {
  it('an expired DS is valid at the signing time, invalid under the now policy', () => {
    const now = new Date(Date.UTC(2024, 0, 1));
    const p = pki({
      signature: 'rsa-pkcs1-sha256',
      name: 'expired',
      now,
      cscaValidity: { notBefore: new Date(now.getTime() - 2000 * DAY), notAfter: new Date(now.getTime() + 2000 * DAY) },
      dsValidity: { notBefore: new Date(now.getTime() - 800 * DAY), notAfter: new Date(now.getTime() - 10 * DAY) },
    });
    const v = run(p);
    expect(v.status).toBe('valid');
    expect(v.time).toEqual({ policy: 'signing-time', at: p.signingTime, source: 'signing-time' });
    expect(codes(v)).toContain('ds-expired-now');
    const strict = run(p, { policy: { time: 'now' } });
    expect(strict.status).toBe('invalid');
    expect(codes(strict)).toContain('ds-expired-at-signing');
    const fixed = run(p, { policy: { time: new Date(now.getTime() - 900 * DAY) } });
    expect(fixed.status).toBe('invalid');
    expect(fixed.time?.source).toBe('fixed');
  });

  it('a DS revoked by a known CRL is invalid; without the CRL revocation is reported unchecked', () => {
    const p = pki({ signature: 'ecdsa-p256-sha256', revokeDs: true, name: 'revoked' });
    const v = run(p);
    expect(v.status).toBe('invalid');
    expect(codes(v)).toContain('ds-revoked');
    const noCrl = run(p, { trustStore: storeFor(p, false) });
    expect(noCrl.status).toBe('valid');
    expect(codes(noCrl)).toContain('crl-not-available');
  });

  it('a missing CSCA gives unknown-csca naming the issuer DN, never valid', () => {
    const p = pki({ signature: 'ecdsa-p256-sha256' });
    const other = pki({ signature: 'ecdsa-p256-sha256', name: 'other', seed: 'other' } as never);
    const v = run(p, { trustStore: storeFor(other) });
    expect(v.status).toBe('unknown-csca');
    expect(v.missingIssuer).toBe(v.signer?.issuer);
    expect(v.missingIssuer).toContain('CN=Test CSCA');
    expect(v.reasons.find((r) => r.code === 'csca-unknown')?.message.en).toContain(v.missingIssuer);
    expect(run(p, { trustStore: new TrustStore() }).status).toBe('unknown-csca');
    // A broken SOD stays invalid even when the CSCA is unknown.
    const broken = run(p, { trustStore: new TrustStore(), sod: sodFor(p, { tamper: { signature: true } }) });
    expect(broken.status).toBe('invalid');
  });

  it('binds the certificate country to the issuing state from DG1', () => {
    const xx = pki({ signature: 'ecdsa-p256-sha256', country: 'XX', name: 'xx' });
    const v = run(xx);
    expect(v.status).toBe('invalid');
    expect(codes(v)).toContain('country-mismatch');
    const vn = pki({ signature: 'ecdsa-p256-sha256' });
    expect(run(vn, { dg1IssuingState: 'VNM' }).status).toBe('valid');
    const de = run(vn, { dataGroups: { DG2 }, dg1IssuingState: 'D<<' });
    expect(codes(de)).toContain('country-mismatch');
    const unchecked = run(vn, { dataGroups: { DG2 } });
    expect(unchecked.status).toBe('valid');
    expect(codes(unchecked)).toContain('country-not-checked');
  });

  it('follows a link certificate to the old CSCA', () => {
    const p = pki({ signature: 'ecdsa-p384-sha384', withLink: true, dsIssuedByNewCsca: true, name: 'link' });
    const oldOnly = run(p);
    expect(oldOnly.status).toBe('unknown-csca');
    // Same DN, new key: the verdict names the key the card needs.
    expect(oldOnly.missingIssuer).toBe(oldOnly.chain[0]!.issuer);
    expect(oldOnly.missingAuthorityKeyId).toMatch(/^[0-9A-F]{40}$/);
    const store = storeFor(p, false);
    store.addCertificate(p.link!.linkCertDer, 'link');
    const v = run(p, { trustStore: store });
    expect(v.status).toBe('valid');
    expect(v.chain.map((l) => l.role)).toEqual(['ds', 'link']);
    expect(codes(v)).toContain('anchor-is-link-certificate');
    const newRoot = new TrustStore();
    newRoot.addCertificate(p.link!.newCsca.certDer);
    expect(run(p, { trustStore: newRoot }).status).toBe('valid');
  });

  it('messages carry no personal data and come in Vietnamese and English', () => {
    const p = pki({ signature: 'ecdsa-p256-sha256' });
    const v = run(p, { dataGroups: { DG1, DG2: DG14, DG13: DG14 } });
    for (const r of v.reasons) {
      expect(r.message.vi.length).toBeGreaterThan(0);
      expect(r.message.en.length).toBeGreaterThan(0);
      for (const text of [r.message.vi, r.message.en]) expect(text).not.toMatch(/001099012|SPECIMEN|990101/);
    }
  });
});
