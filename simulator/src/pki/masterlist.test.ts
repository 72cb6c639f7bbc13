import { equal } from '@cccd/emrtd/codec';
import * as asn1js from 'asn1js';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMasterList, buildMasterListContent } from './cms.js';
import { buildLdif, nameToString } from './ldif.js';
import { OpensslWorkspace } from './openssl-harness.js';
import { createTestPki } from './test-pki.js';
import { certificateFields, toPem } from './x509.js';

const ws = new OpensslWorkspace();
afterAll(() => ws.dispose());

const vn = createTestPki({ seed: 'ml', signature: 'ecdsa-brainpoolP256r1-sha256', withLink: true });
const xx = createTestPki({ seed: 'ml-xx', signature: 'ecdsa-p384-sha384', country: 'XX', revokeDs: true });
const cscaCerts = [vn.csca.certDer, vn.link!.newCsca.certDer, vn.link!.linkCertDer, xx.csca.certDer];
const signer = {
  certDer: vn.masterListSigner.certDer,
  keyPair: vn.masterListSigner.keyPair,
  algorithm: vn.masterListSigner.algorithm,
};

let n = 0;
function cmsVerify(cms: Uint8Array) {
  const id = n++;
  const r = ws.run([
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-in',
    ws.write(`ml${id}.der`, cms),
    '-CAfile',
    ws.write(`ca${id}.pem`, toPem(vn.csca.certDer)),
    '-purpose',
    'any',
    '-binary',
    '-out',
    `ml${id}.out`,
  ]);
  return { ...r, content: () => r.read(`ml${id}.out`) };
}

describe('CSCA master list', () => {
  it('verifies with openssl and its content is CscaMasterList v0 with every certificate', () => {
    const ml = buildMasterList({ signer, cscaCerts, chain: [vn.csca.certDer], signingTime: vn.now });
    const r = cmsVerify(ml);
    expect(r.stderr).toContain('Verification successful');
    const content = r.content();
    expect(equal(content, buildMasterListContent(cscaCerts))).toBe(true);
    const parsed = asn1js.fromBER(content).result as asn1js.Sequence;
    const [version, list] = parsed.valueBlock.value as [asn1js.Integer, asn1js.Set];
    expect(version.valueBlock.valueDec).toBe(0);
    const certs = list.valueBlock.value.map((c) => new Uint8Array(c.toBER()));
    expect(certs).toHaveLength(4);
    for (const c of cscaCerts) expect(certs.some((x) => equal(x, c))).toBe(true);
    const parsedInfo = ws.run(['asn1parse', '-inform', 'DER', '-in', ws.write('ml.der', ml)]);
    expect(parsedInfo.stdout).toContain(':2.23.136.1.1.2');
  });

  it('a CSCA may sign its master list directly; tampering fails', () => {
    const direct = buildMasterList({
      signer: { certDer: vn.csca.certDer, keyPair: vn.csca.keyPair, algorithm: vn.csca.algorithm },
      cscaCerts,
    });
    expect(cmsVerify(direct).status).toBe(0);
    expect(
      cmsVerify(buildMasterList({ signer, cscaCerts, chain: [vn.csca.certDer], tamper: { signature: true } })).status,
    ).not.toBe(0);
    expect(
      cmsVerify(
        buildMasterList({ signer, cscaCerts, chain: [vn.csca.certDer], tamper: { eContentAfterSigning: true } }),
      ).status,
    ).not.toBe(0);
  });
});

/** Unfolds RFC 2849 continuation lines and splits entries into attribute lists. */
function parseLdif(text: string): Array<Array<[string, string]>> {
  return text
    .replace(/\n /g, '')
    .split(/\n\n+/)
    .filter((block) => block.trim() && !block.startsWith('version:'))
    .map((block) =>
      block
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const i = line.indexOf(':');
          return [line.slice(0, i), line.slice(i + 1).replace(/^:? /, '')] as [string, string];
        }),
    );
}

describe('ICAO PKD LDIF', () => {
  const ml = buildMasterList({ signer, cscaCerts, chain: [vn.csca.certDer] });
  const ldif = buildLdif([
    { kind: 'dsc', certDer: vn.ds.certDer },
    { kind: 'dsc', certDer: xx.ds.certDer },
    { kind: 'crl', crlDer: xx.crlDer },
    { kind: 'masterList', cmsDer: ml, country: 'VN' },
  ]);

  it('folds lines at 76 characters and round-trips every binary attribute', () => {
    expect(ldif.startsWith('version: 1\n\n')).toBe(true);
    for (const line of ldif.split('\n')) expect(line.length).toBeLessThanOrEqual(76);
    const entries = parseLdif(ldif);
    expect(entries).toHaveLength(4);
    const value = (e: Array<[string, string]>, name: string) => e.find(([k]) => k === name)?.[1];
    const b64 = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64'));
    expect(equal(b64(value(entries[0]!, 'userCertificate;binary')), vn.ds.certDer)).toBe(true);
    expect(equal(b64(value(entries[1]!, 'userCertificate;binary')), xx.ds.certDer)).toBe(true);
    expect(equal(b64(value(entries[2]!, 'certificateRevocationList;binary')), xx.crlDer)).toBe(true);
    expect(equal(b64(value(entries[3]!, 'pkdMasterListContent')), ml)).toBe(true);
    expect(value(entries[0]!, 'dn')).toMatch(/,o=dsc,c=VN,dc=data,dc=download,dc=pkd,dc=icao,dc=int$/);
    expect(value(entries[1]!, 'dn')).toContain(',o=dsc,c=XX,');
    expect(value(entries[2]!, 'dn')).toContain(',o=crl,c=XX,');
    expect(value(entries[3]!, 'dn')).toContain(',o=ml,c=VN,');
    expect(entries[3]!.filter(([k]) => k === 'objectClass').map(([, v]) => v)).toContain('pkdMasterList');
  });

  it('DNs are RFC 4514 strings, escaped inside the LDAP dn', () => {
    const subject = nameToString(certificateFields(vn.ds.certDer).subjectDer);
    expect(subject).toBe('CN=Test Document Signer,O=Test Ministry of Public Security,C=VN');
    const dn = parseLdif(ldif)[0]!.find(([k]) => k === 'dn')![1];
    expect(dn.startsWith('cn=CN\\=Test Document Signer\\,O\\=Test Ministry of Public Security\\,C\\=VN+sn=')).toBe(
      true,
    );
  });
});
