import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { afterAll, describe, expect, it } from 'vitest';
import { FID } from '../card/image.js';
import { efFileName, readCardDir, writeCardDir } from './card-dir.js';
import { personalise } from './personalise.js';
import { listProfiles, loadProfile } from './profiles.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-perso-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** DG number → hash, read from EF.SOD with asn1js (independent of the simulator's DER writer). */
function sodHashes(efSod: Uint8Array): Map<number, string> {
  expect(efSod[0]).toBe(0x77);
  const { result } = asn1js.fromBER(efSod);
  const contentInfo = (result as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const signedData = (contentInfo.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const encap = signedData.valueBlock.value[2] as asn1js.Sequence;
  const eContent = (encap.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.OctetString;
  const lso = asn1js.fromBER(eContent.valueBlock.valueHexView).result as asn1js.Sequence;
  const list = lso.valueBlock.value[2] as asn1js.Sequence;
  const out = new Map<number, string>();
  for (const entry of list.valueBlock.value as asn1js.Sequence[]) {
    const [n, h] = entry.valueBlock.value as [asn1js.Integer, asn1js.OctetString];
    out.set(n.valueBlock.valueDec, Buffer.from(h.valueBlock.valueHexView).toString('hex'));
  }
  return out;
}

const sha256 = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

/**
 * The reader's LDS parsers (packages/emrtd/src/lds), written independently of the simulator, as a cross-check.
 * Imported by URL so the simulator package never depends on them at build time.
 */
const LDS = new URL('../../../packages/emrtd/src/index.ts', import.meta.url).href;
interface Lds {
  parseLdsFile(name: string, bytes: Uint8Array): { file: string; data: unknown };
  toCccdDocument(sources: { dg1: unknown; dg13: unknown }): Record<string, unknown>;
}

describe('personalise', () => {
  it('personalises every ready profile with the files its kind has, all hashed in the SOD', async () => {
    const lds = (await import(/* @vite-ignore */ LDS)) as Lds;
    for (const name of listProfiles()) {
      const card = await personalise(loadProfile(name));
      const passport = card.profile.kind === 'passport-td3';
      const dgs = passport ? [1, 2, 11, 12, 14, 15] : [1, 2, 3, 13, 14, 15];
      expect([...card.files.keys()].sort((a, b) => a - b)).toEqual(
        [FID.cardAccess, FID.sod, FID.com, ...dgs.map(FID.dg)].sort((a, b) => a - b),
      );
      expect([...card.protectedFids]).toEqual(passport ? [] : [0x0103]);
      const hashes = sodHashes(card.files.get(FID.sod)!);
      expect([...hashes.keys()].sort((a, b) => a - b)).toEqual(dgs);
      for (const n of dgs) expect(hashes.get(n)).toBe(sha256(card.files.get(FID.dg(n))!));
      expect(card.can).toBe(card.profile.idNumber.slice(-6));
      expect(card.mrzInformation).toHaveLength(24);
      // The DS certificate is issued by the CSCA.
      const csca = new X509Certificate(Buffer.from(card.pki!.cscaCertDer));
      expect(new X509Certificate(Buffer.from(card.pki!.dsCertDer)).verify(csca.publicKey)).toBe(true);

      // Cross-check: the reader's parsers accept every file and recover the profile from DG1 + DG13.
      const parsed = new Map<string, unknown>();
      for (const [fid, bytes] of card.files) {
        const file = efFileName(fid).replace(/\.bin$/, '');
        parsed.set(file, lds.parseLdsFile(file, bytes).data);
      }
      if (passport) continue;
      const p = card.profile;
      expect({ name, ...lds.toCccdDocument({ dg1: parsed.get('DG1'), dg13: parsed.get('DG13') }) }).toMatchObject({
        name,
        idNumber: p.idNumber,
        oldIdNumber: p.oldIdNumber,
        fullName: p.fullName,
        dateOfBirth: p.dateOfBirth,
        sex: p.sex,
        nationality: p.nationality,
        ethnicity: p.ethnicity,
        religion: p.religion,
        placeOfOrigin: p.placeOfOrigin,
        placeOfResidence: p.placeOfResidence,
        identifyingMarks: p.identifyingMarks || null,
        dateOfIssue: p.dateOfIssue,
        dateOfExpiry: p.dateOfExpiry,
        noExpiry: p.dateOfExpiry === null,
        fatherName: p.fatherName,
        motherName: p.motherName,
        spouseName: p.spouseName,
      });
    }
  });

  it('is deterministic: same seed → identical files; another seed → other keys', async () => {
    const p = loadProfile('cccd-young');
    // ECDSA AA keeps this fast; RSA key derivation is deterministic too (pki tests), only slower.
    const a = await personalise(p, { seed: 42, activeAuthentication: 'ECDSA' });
    const b = await personalise(p, { seed: 42, activeAuthentication: 'ECDSA' });
    const c = await personalise(p, { seed: 43, activeAuthentication: 'ECDSA' });
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [fid, data] of a.files) expect(Buffer.from(b.files.get(fid)!).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(c.files.get(FID.dg(14))!).equals(Buffer.from(a.files.get(FID.dg(14))!))).toBe(false);
    expect(Buffer.from(c.files.get(FID.dg(1))!).equals(Buffer.from(a.files.get(FID.dg(1))!))).toBe(true);
  });

  it('options: no CA and no AA leave out DG14/DG15 and the CA info; P-256 signature; IM', async () => {
    const card = await personalise(loadProfile('cccd-2021-adult'), {
      withChipAuthentication: false,
      activeAuthentication: null,
      signature: 'ecdsa-p256-sha256',
      integratedMapping: true,
    });
    expect(card.files.has(FID.dg(14))).toBe(false);
    expect(card.files.has(FID.dg(15))).toBe(false);
    expect(card.pace.map((p) => p.mapping)).toEqual(['GM', 'IM']);
    const com = Buffer.from(card.files.get(FID.com)!).toString('hex');
    expect(com.endsWith('5c046175636d')).toBe(true);
    expect(Buffer.from(card.files.get(FID.cardAccess)!).toString('hex')).not.toContain('04007f00070202030202');
    const dsKey = new X509Certificate(Buffer.from(card.pki!.dsCertDer)).publicKey;
    expect(dsKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});

describe('card directory', () => {
  it('writes every file named after its EF and reads the same card back', async () => {
    const card = await personalise(loadProfile('cccd-no-expiry'), { activeAuthentication: 'ECDSA' });
    const dir = join(tmp, 'card');
    writeCardDir(card, dir);
    expect(readdirSync(dir).sort()).toEqual(
      [
        'EF.CardAccess.bin',
        'EF.COM.bin',
        'EF.SOD.bin',
        'DG1.bin',
        'DG2.bin',
        'DG3.bin',
        'DG13.bin',
        'DG14.bin',
        'DG15.bin',
        'csca.pem',
        'ds.pem',
        'crl.der',
        'profile.json',
        'card.json',
      ].sort(),
    );
    expect(readFileSync(join(dir, 'card.json'), 'utf8')).toMatch(/TEST ONLY/);
    const back = readCardDir(dir);
    expect([...back.files.keys()].sort()).toEqual([...card.files.keys()].sort());
    for (const [fid, data] of card.files)
      expect(Buffer.from(back.files.get(fid)!).equals(Buffer.from(data))).toBe(true);
    expect(back.mrzInformation).toBe(card.mrzInformation);
    expect(back.can).toBe(card.can);
    expect(back.pace).toEqual(card.pace);
    expect(back.protectedFids).toEqual(card.protectedFids);
    expect(back.chipAuthentication).toEqual(card.chipAuthentication);
    expect(back.activeAuthentication).toEqual(card.activeAuthentication);
    expect(back.pki).toEqual(card.pki);
    expect(back.profile).toEqual(card.profile);
  });

  it('keeps master-file level files apart', async () => {
    const card = await personalise(loadProfile('cccd-young'), { activeAuthentication: null });
    const dir = join(tmp, 'card-mf');
    const efDir = Uint8Array.of(0x61, 0x09, 0x4f, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);
    writeCardDir({ ...card, masterFiles: new Map([[0x2f00, efDir]]) }, dir);
    expect(readdirSync(dir)).toContain('MF.2F00.bin');
    const back = readCardDir(dir);
    expect([...back.masterFiles!.get(0x2f00)!]).toEqual([...efDir]);
    expect(back.files.has(0x2f00)).toBe(false);
    expect(back.activeAuthentication).toBeUndefined();
  });

  it('rejects a directory without card.json with a clear error', () => {
    expect(() => readCardDir(join(tmp, 'nothing-here'))).toThrow(/card\.json is missing/);
  });
});
