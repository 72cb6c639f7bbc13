import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLdif, buildMasterList, buildSod, createTestPki, toPem } from '../../../../simulator/src/pki/index.js';
import { tlv } from '../codec/tlv.js';
import { verifyPassive } from '../verify/passive.js';
import { MasterListError, parseLdif, TrustStore, TrustStoreError } from './index.js';
import { loadTrustFiles, trustStoreFromFiles } from './node.js';

const vn = createTestPki({ seed: 'trust-vn', signature: 'ecdsa-brainpoolP256r1-sha256' });
const de = createTestPki({ seed: 'trust-de', signature: 'rsa-pss-sha256', country: 'DE', name: 'DE' });
const DG1 = tlv(0x61, tlv(0x5f1f, new Uint8Array(90).fill(0x3c)));
const sod = buildSod({
  dataGroups: new Map([[1, DG1]]),
  hash: 'SHA-256',
  signer: { certDer: vn.ds.certDer, keyPair: vn.ds.keyPair, algorithm: vn.ds.algorithm },
  signingTime: vn.signingTime,
});
const passive = (store: TrustStore) =>
  verifyPassive({ sod, dataGroups: { DG1 }, trustStore: store, dg1IssuingState: 'VNM', now: vn.now });

/** A German-style list: signed by DE's master-list signer, carrying DE's and VN's CSCAs. */
const masterList = (tamper?: { signature?: boolean }) =>
  buildMasterList({
    signer: {
      certDer: de.masterListSigner.certDer,
      keyPair: de.masterListSigner.keyPair,
      algorithm: de.masterListSigner.algorithm,
    },
    cscaCerts: [de.csca.certDer, vn.csca.certDer],
    signingTime: de.now,
    ...(tamper ? { tamper } : {}),
  });

describe('TrustStore: certificates and CRLs', () => {
  it('adds DER and PEM (one or many blocks), de-duplicates, lists and explains', () => {
    const store = new TrustStore();
    store.addCertificate(vn.csca.certDer, 'der');
    expect(store.addCertificates(toPem(vn.csca.certDer) + toPem(de.csca.certDer), 'pem')).toHaveLength(2);
    expect(store.size).toBe(2);
    store.addCrl(vn.crlDer, 'crl');
    const rows = store.list();
    expect(rows.map((r) => [r.kind, r.country])).toEqual([
      ['csca', 'VN'],
      ['csca', 'DE'],
      ['crl', 'VN'],
    ]);
    expect(rows[0]!.source).toBe('der');
    const text = store.explain(vn.now);
    expect(text).toContain('2 CSCA/link certificate(s) from 2 country(ies)');
    expect(text).toContain('DE(1) VN(1)');
  });

  it('counts a lower-case C= as its country (real master lists carry c=al next to C=AL)', () => {
    const lower = createTestPki({ seed: 'trust-lower', signature: 'ecdsa-p256-sha256', country: 'vn', name: 'lower' });
    const store = new TrustStore();
    store.addCertificate(vn.csca.certDer);
    store.addCertificate(lower.csca.certDer);
    expect(store.list().map((r) => r.country)).toEqual(['VN', 'VN']);
    expect(store.explain(vn.now)).toContain('2 CSCA/link certificate(s) from 1 country(ies)');
    expect(store.explain(vn.now)).toContain('countries: VN(2)\n');
  });

  it('rejects garbage with a typed error', () => {
    const store = new TrustStore();
    expect(() => store.addCertificate(Uint8Array.of(0x30, 0x03, 1, 2, 3))).toThrow(TrustStoreError);
    expect(() => store.addCertificates('no pem here')).toThrow(TrustStoreError);
    expect(() => store.addCrl(Uint8Array.of(0x30, 0x00))).toThrow(TrustStoreError);
  });
});

describe('TrustStore: ICAO master list', () => {
  it('round-trips a SIM-PKI master list: signature verified, signer reported, CSCAs usable', () => {
    const store = new TrustStore();
    expect(passive(store).status).toBe('unknown-csca');
    const r = store.addMasterList(masterList());
    expect(r.signatureValid).toBe(true);
    expect(r.signer?.subject).toContain('Test Master List Signer DE');
    expect(r.signerIssuer).toMatchObject({ source: 'master-list', country: 'DE' });
    expect(r).toMatchObject({ total: 2, added: 2, skipped: 0, version: 0 });
    expect(passive(store).status).toBe('valid');
  });

  it('refuses a list whose signature does not verify, unless told to only report', () => {
    expect(() => new TrustStore().addMasterList(masterList({ signature: true }))).toThrow(MasterListError);
    const store = new TrustStore();
    const r = store.addMasterList(masterList({ signature: true }), { requireValidSignature: false });
    expect(r.signatureValid).toBe(false);
    expect(r.problem).toBe('signature invalid');
  });

  it('can require a signer certified by an already trusted CSCA, and filter by country', () => {
    expect(() => new TrustStore().addMasterList(masterList(), { requireTrustedSigner: true })).toThrow(MasterListError);
    const store = new TrustStore();
    store.addCertificate(de.csca.certDer);
    const r = store.addMasterList(masterList(), { requireTrustedSigner: true, countries: ['VN'] });
    expect(r.signerIssuer?.source).toBe('trust-store');
    expect(r.added).toBe(1);
    expect(store.list().filter((x) => x.country === 'VN')).toHaveLength(1);
  });

  it('accepts a list signed directly by a CSCA', () => {
    const ml = buildMasterList({
      signer: { certDer: vn.csca.certDer, keyPair: vn.csca.keyPair, algorithm: vn.csca.algorithm },
      cscaCerts: [vn.csca.certDer],
    });
    const r = new TrustStore().addMasterList(ml);
    expect(r.signatureValid).toBe(true);
    expect(r.signerIssuer?.source).toBe('self');
  });
});

describe('TrustStore: ICAO PKD LDIF', () => {
  const ldif = buildLdif([
    { kind: 'dsc', certDer: vn.ds.certDer },
    { kind: 'crl', crlDer: vn.crlDer },
    { kind: 'masterList', cmsDer: masterList(), country: 'DE' },
  ]);

  it('parses folded base64 binary attributes', () => {
    const records = parseLdif(ldif);
    expect(records).toHaveLength(3);
    const cert = records[0]!.attributes.find((a) => a.name === 'userCertificate;binary')!.value;
    expect(cert).toEqual(vn.ds.certDer);
    expect(records[2]!.attributes.find((a) => a.name === 'pkdMasterListContent')!.value).toEqual(masterList());
    expect(parseLdif('version: 1\n\n# comment\n#  folded\ndn: cn=a\ncn: x\n y\n\n')[0]).toEqual({
      dn: 'cn=a',
      attributes: [{ name: 'cn', value: new TextEncoder().encode('xy') }],
    });
  });

  it('round-trips through the store: DS as document signer, CRL, master-list CSCAs', () => {
    const store = new TrustStore();
    const r = store.addLdif(ldif);
    expect(r).toMatchObject({ records: 3, documentSigners: 1, crls: 1, cscas: 0, rejected: 0 });
    expect(r.masterLists[0]?.signatureValid).toBe(true);
    expect(store.documentSigners()).toHaveLength(1);
    // The DS from the LDIF serves a SOD that does not embed its certificate.
    const bare = buildSod({
      dataGroups: new Map([[1, DG1]]),
      hash: 'SHA-256',
      signer: { certDer: vn.ds.certDer, keyPair: vn.ds.keyPair, algorithm: vn.ds.algorithm },
      signingTime: vn.signingTime,
      omitCertificate: true,
    });
    const v = verifyPassive({ sod: bare, dataGroups: { DG1 }, trustStore: store, dg1IssuingState: 'VNM', now: vn.now });
    expect(v.status).toBe('valid');
    expect(v.reasons.map((x) => x.code)).not.toContain('crl-not-available');
  });

  it('malformed LDIF is a typed error', () => {
    expect(() => parseLdif('cn: no dn first\n')).toThrow(/LDIF/);
    expect(() => parseLdif('dn: x\nuserCertificate;binary:: ***\n')).toThrow(/base64/);
  });
});

describe('trust/node: files and folders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cccd-trust-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads .pem/.der/.crl/.ml/.ldif and records unusable files', () => {
    writeFileSync(join(dir, 'vn.pem'), toPem(vn.csca.certDer));
    writeFileSync(join(dir, 'de.der'), de.csca.certDer);
    writeFileSync(join(dir, 'vn.crl'), vn.crlDer);
    writeFileSync(join(dir, 'list.ml'), masterList());
    writeFileSync(join(dir, 'pkd.ldif'), buildLdif([{ kind: 'crl', crlDer: de.crlDer }]));
    writeFileSync(join(dir, 'broken.pem'), 'nothing');
    writeFileSync(join(dir, 'README.txt'), 'ignored');
    const { store, files } = trustStoreFromFiles([dir]);
    expect(files.map((f) => [f.kind, f.added, f.error === undefined])).toEqual([
      ['ignored', 0, true],
      ['certificates', 0, false],
      ['certificates', 1, true],
      ['master-list', 2, true],
      ['ldif', 1, true],
      ['crl', 1, true],
      ['certificates', 1, true],
    ]);
    expect(store.size).toBe(2);
    expect(() => loadTrustFiles(new TrustStore(), [join(dir, 'broken.pem')], { strict: true })).toThrow(
      TrustStoreError,
    );
  });
});
