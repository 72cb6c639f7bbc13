import { equal, fromHex, readTlv } from '@cccd/emrtd/codec';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithmName, signatureAlgorithmSpec } from './algorithms.js';
import { type BuildSodOptions, buildSodParts } from './cms.js';
import { OpensslWorkspace } from './openssl-harness.js';
import { createTestPki, type TestPki } from './test-pki.js';
import { toPem } from './x509.js';

const ws = new OpensslWorkspace();
afterAll(() => ws.dispose());

// Two fake data groups, as whole files (tag, length, value).
const DG1 = fromHex('6105 5F1F 02 4944');
const DG2 = fromHex('7503 010203');
const dataGroups = new Map([
  [1, DG1],
  [2, DG2],
]);

// One seed per key type keeps the RSA key count at three for the whole file (CSCA, DS, ML signer).
const pkiFor = (signature: SignatureAlgorithmName) =>
  createTestPki({ seed: signature.startsWith('rsa') ? 'sod-rsa' : 'sod-ec', signature });

function sodFor(pki: TestPki, extra: Partial<BuildSodOptions> = {}) {
  return buildSodParts({
    dataGroups,
    hash: signatureAlgorithmSpec(pki.ds.algorithm).hash,
    signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
    signingTime: pki.signingTime,
    ...extra,
  });
}

let n = 0;
/** `chain: false` adds -noverify: the signature is checked, the certificate path is not. */
function cmsVerify(pki: TestPki, contentInfo: Uint8Array, chain = true) {
  const id = n++;
  ws.write(`csca${id}.pem`, toPem(pki.csca.certDer));
  ws.write(`sod${id}.der`, contentInfo);
  const r = ws.run([
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-in',
    `sod${id}.der`,
    '-CAfile',
    `csca${id}.pem`,
    '-purpose',
    'any',
    '-attime',
    String(Math.floor(pki.signingTime.getTime() / 1000)),
    '-binary',
    ...(chain ? [] : ['-noverify']),
    '-out',
    `content${id}.der`,
  ]);
  return { ...r, content: () => r.read(`content${id}.der`) };
}

const isExplicit = (alg: SignatureAlgorithmName) => alg.includes('-explicit-');

describe('EF.SOD verifies with openssl cms -verify', () => {
  for (const alg of SIGNATURE_ALGORITHMS) {
    it(alg, () => {
      const pki = pkiFor(alg);
      const sod = sodFor(pki);
      expect(readTlv(sod.efSod).tag).toBe(0x77);
      expect(equal(readTlv(sod.efSod).value, sod.contentInfo)).toBe(true);

      if (isExplicit(alg)) {
        // OpenSSL 3 refuses explicit EC parameters in a certificate path (X509_V_ERR_EC_KEY_EXPLICIT_PARAMS,
        // even without -x509_strict) but verifies the signature itself when the path check is skipped.
        const refused = cmsVerify(pki, sod.contentInfo);
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toContain('explicit ECC parameters');
      }
      const ok = cmsVerify(pki, sod.contentInfo, !isExplicit(alg));
      expect(ok.stderr).toContain('Verification successful');
      expect(ok.status).toBe(0);
      expect(equal(ok.content(), sod.ldsSecurityObject)).toBe(true);

      ws.write(`parse-${alg}.der`, sod.contentInfo);
      const parsed = ws.run(['asn1parse', '-inform', 'DER', '-in', `parse-${alg}.der`, '-i']);
      expect(parsed.status).toBe(0);
      expect(parsed.stdout).toContain('pkcs7-signedData');
      expect(parsed.stdout).toContain(':2.23.136.1.1.1');
      const wrapped = ws.run(['asn1parse', '-inform', 'DER', '-in', ws.write(`ef-${alg}.der`, sod.efSod)]);
      expect(wrapped.status).toBe(0);
      expect(wrapped.stdout).toMatch(/^\s*0:d=0 .* cons: appl \[ 23 \]/);

      const bad = cmsVerify(pki, sodFor(pki, { tamper: { signature: true } }).contentInfo, !isExplicit(alg));
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).not.toContain('Verification successful');
    });
  }
});

describe('EF.SOD structure', () => {
  const pki = pkiFor('ecdsa-p256-sha256');

  it('is reproducible byte for byte', () => {
    expect(equal(sodFor(pki).efSod, sodFor(pkiFor('ecdsa-p256-sha256')).efSod)).toBe(true);
    const rsa = pkiFor('rsa-pss-sha256');
    expect(equal(sodFor(rsa).efSod, sodFor(rsa).efSod)).toBe(true);
  });

  it('parses with pkijs into an LDSSecurityObject v0 with the DG hashes', () => {
    const sod = sodFor(pki, { hash: 'SHA-1' });
    const info = pkijs.ContentInfo.fromBER(new Uint8Array(sod.contentInfo));
    const signed = new pkijs.SignedData({ schema: info.content });
    expect(signed.version).toBe(3);
    expect(signed.encapContentInfo.eContentType).toBe('2.23.136.1.1.1');
    const si = signed.signerInfos[0]!;
    expect(si.version).toBe(1);
    expect(si.signedAttrs?.attributes.map((a) => a.type).sort()).toEqual([
      '1.2.840.113549.1.9.3',
      '1.2.840.113549.1.9.4',
      '1.2.840.113549.1.9.5',
    ]);
    const lds = asn1js.fromBER(sod.ldsSecurityObject).result as asn1js.Sequence;
    const [version, hashAlg, hashes] = lds.valueBlock.value as [asn1js.Integer, asn1js.Sequence, asn1js.Sequence];
    expect(version.valueBlock.valueDec).toBe(0);
    expect((hashAlg.valueBlock.value[0] as asn1js.ObjectIdentifier).getValue()).toBe('1.3.14.3.2.26');
    expect(hashes.valueBlock.value).toHaveLength(2);
    expect(lds.valueBlock.value).toHaveLength(3);
    expect(cmsVerify(pki, sod.contentInfo).status).toBe(0);
  });

  it('LDS 1.8 adds LDSVersionInfo (v1)', () => {
    const sod = sodFor(pki, { ldsVersion: '0108' });
    const lds = asn1js.fromBER(sod.ldsSecurityObject).result as asn1js.Sequence;
    expect((lds.valueBlock.value[0] as asn1js.Integer).valueBlock.valueDec).toBe(1);
    const info = lds.valueBlock.value[3] as asn1js.Sequence;
    expect((info.valueBlock.value[0] as asn1js.PrintableString).valueBlock.value).toBe('0108');
  });

  it('signer identified by SubjectKeyIdentifier (SignerInfo v3) still verifies', () => {
    const sod = sodFor(pki, { signerIdentifier: 'subjectKeyIdentifier' });
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(sod.contentInfo)).content });
    expect(signed.signerInfos[0]!.version).toBe(3);
    expect(cmsVerify(pki, sod.contentInfo).status).toBe(0);
  });

  it('a SOD without signed attributes verifies (signature over the eContent)', () => {
    const sod = sodFor(pki, { includeSignedAttributes: false });
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(sod.contentInfo)).content });
    expect(signed.signerInfos[0]!.signedAttrs).toBeUndefined();
    expect(cmsVerify(pki, sod.contentInfo).status).toBe(0);
  });

  it('eContent changed after signing and a wrong messageDigest both fail', () => {
    expect(cmsVerify(pki, sodFor(pki, { tamper: { eContentAfterSigning: true } }).contentInfo).status).not.toBe(0);
    expect(cmsVerify(pki, sodFor(pki, { tamper: { messageDigest: true } }).contentInfo).status).not.toBe(0);
  });

  it('a wrong DG hash is properly signed but no longer matches the DG', () => {
    const good = sodFor(pki);
    const sod = sodFor(pki, { tamper: { dataGroupHashes: [2] } });
    expect(cmsVerify(pki, sod.contentInfo).status).toBe(0);
    expect(sod.ldsSecurityObject.length).toBe(good.ldsSecurityObject.length);
    expect(equal(sod.ldsSecurityObject, good.ldsSecurityObject)).toBe(false);
    expect(equal(sod.ldsSecurityObject.subarray(0, -1), good.ldsSecurityObject.subarray(0, -1))).toBe(true);
  });

  it('plain r‖s ECDSA and a mislabelled algorithm are rejected by OpenSSL', () => {
    expect(cmsVerify(pki, sodFor(pki, { ecdsaFormat: 'plain' }).contentInfo).status).not.toBe(0);
    const rsa = pkiFor('rsa-pss-sha256');
    const mislabelled = sodFor(rsa, {
      signer: { certDer: rsa.ds.certDer, keyPair: rsa.ds.keyPair, algorithm: 'rsa-pkcs1-sha256' },
      tamper: { declaredAlgorithm: 'rsa-pss-sha256' },
    });
    expect(cmsVerify(rsa, mislabelled.contentInfo).status).not.toBe(0);
  });

  it('SHA-1 DG hashes under an ECDSA-SHA-256 signature keep the signer digest at SHA-256', () => {
    const sod = sodFor(pki, { hash: 'SHA-1' });
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(sod.contentInfo)).content });
    expect(signed.digestAlgorithms[0]!.algorithmId).toBe('2.16.840.1.101.3.4.2.1');
    expect(cmsVerify(pki, sod.contentInfo).status).toBe(0);
  });
});
