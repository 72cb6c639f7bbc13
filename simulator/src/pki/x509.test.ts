import { equal, readTlv, readTlvs } from '@cccd/emrtd/codec';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyWith } from './algorithms.js';
import { clearKeyCache } from './keys.js';
import { OpensslWorkspace } from './openssl-harness.js';
import { createTestPki, type TestPki } from './test-pki.js';
import { certificateFields, keyIdentifier, toPem } from './x509.js';

const ws = new OpensslWorkspace();
afterAll(() => ws.dispose());

const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000));
let n = 0;
function pem(der: Uint8Array, label?: string): string {
  return ws.write(`f${n++}.pem`, toPem(der, label));
}
function text(der: Uint8Array): string {
  const r = ws.run(['x509', '-noout', '-text', '-in', pem(der)]);
  expect(r.status).toBe(0);
  return r.stdout;
}
function verify(pki: TestPki, leaf: Uint8Array, extra: string[] = [], ca = pki.csca.certDer) {
  return ws.run(['verify', '-x509_strict', '-CAfile', pem(ca), ...extra, pem(leaf)]);
}

const pki = createTestPki({
  seed: 'x509',
  signature: 'ecdsa-brainpoolP256r1-sha256',
  dsSignature: 'ecdsa-p256-sha256',
});

describe('certificate profiles (ICAO 9303-12)', () => {
  it('CSCA: self-signed v3, CA critical pathLen 0, keyCertSign+cRLSign critical, SKI = AKI, C=VN', () => {
    const t = text(pki.csca.certDer);
    expect(t).toContain('Version: 3 (0x2)');
    expect(t).toMatch(/Issuer: C = VN, O = Test Ministry of Public Security, CN = Test CSCA\n/);
    expect(t).toMatch(/Subject: C = VN, O = Test Ministry of Public Security, CN = Test CSCA\n/);
    expect(t).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0/);
    expect(t).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign/);
    expect(t).toContain('X509v3 Private Key Usage Period');
    expect(t).toContain('ASN1 OID: brainpoolP256r1');
    const r = ws.run(['verify', '-x509_strict', '-CAfile', pem(pki.csca.certDer), pem(pki.csca.certDer)]);
    expect(r.stdout).toContain('OK');
  });

  it('DS: digitalSignature critical, AKI = CSCA SKI, verifies under the CSCA (strict)', () => {
    const t = text(pki.ds.certDer);
    expect(t).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    expect(t).not.toContain('CA:TRUE');
    expect(t).toContain('ASN1 OID: prime256v1');
    expect(t).toContain('URI:http://pkd.test.invalid/VN.crl');
    const ski = keyIdentifier(pki.csca.keyPair.spkiDer);
    expect(t.replace(/\s/g, '')).toContain(
      Buffer.from(ski)
        .toString('hex')
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1:'),
    );
    const r = verify(pki, pki.ds.certDer, ['-attime', epoch(pki.signingTime)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('OK');
  });

  it('master-list signer: digitalSignature and the ICAO ML-signing extended key usage', () => {
    const t = text(pki.masterListSigner.certDer);
    expect(t).toMatch(/X509v3 Extended Key Usage: critical\n\s+2\.23\.136\.1\.1\.3/);
    expect(verify(pki, pki.masterListSigner.certDer, ['-purpose', 'any']).status).toBe(0);
  });

  it('pkijs parses the certificates and checks the P-256 DS signature itself', async () => {
    const p256 = createTestPki({ seed: 'x509', signature: 'ecdsa-p256-sha256' });
    const ds = pkijs.Certificate.fromBER(new Uint8Array(p256.ds.certDer));
    const csca = pkijs.Certificate.fromBER(new Uint8Array(p256.csca.certDer));
    expect(ds.version).toBe(2);
    expect(BigInt(`0x${Buffer.from(ds.serialNumber.valueBlock.valueHexView).toString('hex')}`)).toBe(p256.ds.serial);
    expect(await ds.verify(csca)).toBe(true);
  });

  it('fields cut from the DER match what was issued', () => {
    const f = certificateFields(pki.ds.certDer);
    expect(equal(f.spkiDer, pki.ds.keyPair.spkiDer)).toBe(true);
    expect(equal(f.issuerDer, certificateFields(pki.csca.certDer).subjectDer)).toBe(true);
    expect(equal(f.subjectKeyIdentifier, keyIdentifier(pki.ds.keyPair.spkiDer))).toBe(true);
  });
});

describe('validity, revocation, links, country', () => {
  it('an expired DS fails today but verifies at a time inside its validity', () => {
    const expired = createTestPki({
      seed: 'x509',
      signature: 'ecdsa-p256-sha256',
      dsValidity: { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2022-01-01T00:00:00Z') },
      cscaValidity: { notBefore: new Date('2019-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') },
    });
    expect(expired.signingTime.getTime()).toBe(new Date('2020-01-02T00:00:00Z').getTime());
    const today = verify(expired, expired.ds.certDer);
    expect(today.status).not.toBe(0);
    expect(today.stdout + today.stderr).toContain('certificate has expired');
    expect(verify(expired, expired.ds.certDer, ['-attime', epoch(expired.signingTime)]).status).toBe(0);
  });

  it('the CRL is v2, lists the revoked DS serial and makes openssl verify -crl_check fail', () => {
    const revoked = createTestPki({ seed: 'x509', signature: 'ecdsa-p256-sha256', revokeDs: true });
    const crlPath = ws.write('revoked.crl', revoked.crlDer);
    const t = ws.run(['crl', '-inform', 'DER', '-noout', '-text', '-in', crlPath]);
    expect(t.status).toBe(0);
    expect(t.stdout).toContain('Version 2 (0x1)');
    expect(t.stdout).toContain(`Serial Number: ${revoked.ds.serial.toString(16).toUpperCase()}`);
    expect(t.stdout).toContain('Key Compromise');
    expect(t.stdout).toMatch(/X509v3 CRL Number:\s+1/);
    const at = ['-attime', epoch(new Date(revoked.now.getTime() + 86_400_000)), '-crl_check'];
    const crlPem = pem(revoked.crlDer, 'X509 CRL');
    const r = verify(revoked, revoked.ds.certDer, [...at, '-CRLfile', crlPem]);
    expect(r.stdout + r.stderr).toContain('certificate revoked');

    const clean = ws.run(['crl', '-inform', 'DER', '-noout', '-text', '-in', ws.write('clean.crl', pki.crlDer)]);
    expect(clean.stdout).toContain('No Revoked Certificates');
    expect(verify(pki, pki.ds.certDer, [...at, '-CRLfile', pem(pki.crlDer, 'X509 CRL')]).status).toBe(0);
  });

  it('a DS from the new CSCA chains to the old CSCA only through the link certificate', () => {
    const linked = createTestPki({
      seed: 'x509',
      signature: 'ecdsa-brainpoolP256r1-sha256',
      withLink: true,
      dsIssuedByNewCsca: true,
    });
    const link = linked.link!;
    const lt = text(link.linkCertDer);
    expect(lt).toMatch(/Issuer: .*CN = Test CSCA\n/);
    expect(lt).toMatch(/Subject: .*CN = Test CSCA\n/);
    expect(link.newCsca.serial).not.toBe(linked.csca.serial);
    expect(lt).toMatch(/CA:TRUE, pathlen:0/);
    expect(equal(certificateFields(link.linkCertDer).spkiDer, link.newCsca.keyPair.spkiDer)).toBe(true);
    const at = ['-attime', epoch(linked.signingTime)];
    expect(verify(linked, link.linkCertDer, at).status).toBe(0);
    expect(verify(linked, linked.ds.certDer, at).status).not.toBe(0);
    const viaLink = verify(linked, linked.ds.certDer, [...at, '-untrusted', pem(link.linkCertDer)]);
    expect(viaLink.status).toBe(0);
    expect(verify(linked, linked.ds.certDer, at, link.newCsca.certDer).status).toBe(0);
    const crl = ws.run(['crl', '-inform', 'DER', '-noout', '-issuer', '-in', ws.write('link.crl', linked.crlDer)]);
    expect(crl.stdout).toContain('CN = Test CSCA');
    const crlAki = ws.run(['crl', '-inform', 'DER', '-noout', '-text', '-in', ws.write('link2.crl', linked.crlDer)]);
    const newSki = Buffer.from(keyIdentifier(link.newCsca.keyPair.spkiDer)).toString('hex').toUpperCase();
    expect(crlAki.stdout.replace(/[\s:]/g, '')).toContain(newSki);
  });

  it('country and names are configurable (wrong-country variant)', () => {
    const xx = createTestPki({ seed: 'x509', signature: 'ecdsa-p256-sha256', country: 'XX', name: 'B' });
    expect(text(xx.ds.certDer)).toMatch(
      /Subject: C = XX, O = Test Ministry of Public Security, CN = Test Document Signer B\n/,
    );
    expect(verify(pki, xx.ds.certDer, ['-attime', epoch(xx.signingTime)]).status).not.toBe(0);
  });

  it('explicit EC parameters: full ECParameters in the SPKI, signatures check with node, openssl verify refuses', () => {
    const ex = createTestPki({ seed: 'x509', signature: 'ecdsa-brainpoolP256r1-explicit-sha256' });
    const t = text(ex.ds.certDer);
    expect(t).toContain('Field Type: prime-field');
    expect(t).not.toContain('ASN1 OID');
    const [tbs, , sig] = readTlvs(readTlv(ex.ds.certDer).value);
    const tbsDer = ex.ds.certDer.subarray(
      readTlv(ex.ds.certDer).headerLength,
      readTlv(ex.ds.certDer).headerLength + tbs!.end,
    );
    expect(verifyWith(ex.csca.keyPair, ex.csca.algorithm, tbsDer, sig!.value.subarray(1))).toBe(true);
    const r = verify(ex, ex.ds.certDer, ['-attime', epoch(ex.signingTime)]);
    expect(r.stdout + r.stderr).toContain('explicit ECC parameters');
  });
});

describe('determinism', () => {
  it('the same seed gives identical certificates and CRL, even after the key cache is cleared', () => {
    const opts = { seed: 'x509-rsa', signature: 'rsa-pss-sha256', revokeDs: true, withLink: true } as const;
    const a = createTestPki(opts);
    clearKeyCache();
    const b = createTestPki(opts);
    expect(a.ds.keyPair).not.toBe(b.ds.keyPair);
    for (const k of ['csca', 'ds', 'masterListSigner'] as const) expect(equal(a[k].certDer, b[k].certDer)).toBe(true);
    expect(equal(a.crlDer, b.crlDer)).toBe(true);
    expect(equal(a.link!.linkCertDer, b.link!.linkCertDer)).toBe(true);
    const other = createTestPki({ ...opts, seed: 'x509-rsa-2', signature: 'rsa-pkcs1-sha256', withLink: false });
    expect(other.ds.serial).not.toBe(a.ds.serial);
    expect(text(a.ds.certDer)).toContain('Signature Algorithm: rsassaPss');
    expect(verify(a, a.ds.certDer, ['-attime', epoch(a.signingTime)]).status).toBe(0);
  });
});
