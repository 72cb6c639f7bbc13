import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PersonalValue, personalLeaks, personalValues } from '@cccd/emrtd/testing';
import { loadProfile, personalise } from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { cccd, cscaPem, PERSONAL, PROFILE, tmp } from '../test-support/harness.js';

const sim = ['diagnose', '--simulate', PROFILE];
const withCan = [...sim, '--can', PERSONAL.can];
let values: PersonalValue[];

// The CLI personalises the same profile with the same default seed: the same bytes, photo and keys.
beforeAll(async () => {
  values = personalValues(await personalise(loadProfile(PROFILE)));
});

describe('cccd diagnose --simulate (in-process card)', () => {
  it('the searched values are those of the card the CLI simulates (the check is not vacuous)', async () => {
    const photo = join(tmp(), 'face.jpg');
    const r = await cccd(['read', '--simulate', PROFILE, '--can', PERSONAL.can, '--json', '--photo', photo]);
    expect(r.code).toBe(0);
    const image = readFileSync(photo).toString('base64');
    expect(personalLeaks(`${r.stdout}\n${image}`, values)).toEqual(
      expect.arrayContaining(['idNumber', 'fullName', 'dateOfBirth', 'MRZ line 1', 'placeOfOrigin', 'photo base64@0']),
    );
  });

  it('prints one JSON chip profile with the card’s protocols, sizes and outcomes, and nothing personal', async () => {
    const r = await cccd([...withCan, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ format: 'cccd-chip-profile', version: 1, outcome: 'complete' });
    expect(p.library.name).toBe('@cccd/emrtd');
    expect(p.atr.hex).toMatch(/^3B[0-9A-F]+$/);
    expect(p.cardAccess.securityInfos.map((i: { type: string }) => i.type)).toContain('PACEInfo');
    expect(p.access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN', pace: { parameterId: 13 } });
    expect(p.files.map((f: { file: string; bytes: number }) => [f.file, f.bytes > 0])).toEqual(
      ['COM', 'DG1', 'DG2', 'DG13', 'DG14', 'DG15', 'SOD'].map((f) => [f, true]),
    );
    expect(p.sod).toMatchObject({ digestAlgorithm: 'SHA-256', documentSigner: { key: { type: 'EC' } } });
    expect(p.chipAuthentication.status).toBe('valid');
    // The in-process card is short-only by default: the RSA-2048 signature does not fit, AA is skipped.
    expect(p.activeAuthentication).toMatchObject({ skipped: 'needs-extended-length' });
    expect(p.verification.overall).toBe('authentic');
    expect(p.exchanges.length).toBeGreaterThan(50);
    expect(personalLeaks(r.stdout, values)).toEqual([]);
  });

  it('prints a readable report in English and Vietnamese, and --out saves the JSON; none of it is personal', async () => {
    const out = join(tmp(), 'chip.json');
    const en = await cccd([...withCan, '--out', out]);
    expect(en.stderr).toBe('');
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/^Chip profile \(no personal data\)\n/);
    expect(en.stdout).toMatch(/Access:\s+PACE-CAN, PACE-ECDH-GM-AES-128, parameter 13 \(brainpoolP256r1\)/);
    expect(en.stdout).toMatch(/Chip auth \(CA\):\s+valid/);
    expect(en.stdout).toMatch(/DG2\s+\d+ B, PA match/);
    expect(en.stdout).toMatch(/simulated card/);
    const vi = await cccd([...withCan, '--lang', 'vi']);
    expect(vi.code).toBe(0);
    expect(vi.stdout).toMatch(/^Hồ sơ chip \(không có dữ liệu cá nhân\)\n/);
    expect(vi.stdout).toMatch(/Xác thực chip \(CA\):\s+valid/);
    const saved = readFileSync(out, 'utf8');
    expect(JSON.parse(saved)).toMatchObject({ format: 'cccd-chip-profile', outcome: 'complete' });
    for (const text of [en.stdout, vi.stdout, saved]) expect(personalLeaks(text, values)).toEqual([]);
  });

  it('exits 0 when the read completed even though the verdict is not authentic (its job is to describe)', async () => {
    const tampered = await cccd([...withCan, '--fault', 'tamper-file=DG13', '--json', '--no-probes']);
    expect(tampered.code).toBe(0);
    const p = JSON.parse(tampered.stdout);
    expect(p.verification.overall).toBe('invalid');
    expect(p.files.find((f: { file: string }) => f.file === 'DG13').passive).toBe('mismatch');
    expect(p.probes).toBeUndefined();
    const foreign = await cccd([...withCan, '--trust', cscaPem(2), '--json', '--no-probes']);
    expect(foreign.code).toBe(0);
    expect(JSON.parse(foreign.stdout).verification.overall).toBe('unknown-csca');
  });

  it('reports a refused Chip Authentication with its step and status word, and exits 0', async () => {
    const r = await cccd([...withCan, '--fault', 'sw=22:6A86:2', '--json', '--no-probes']);
    expect(r.code).toBe(0);
    const ca = JSON.parse(r.stdout).chipAuthentication;
    expect(ca.exchanges[0]).toMatchObject({ command: 'MSE:Set AT (CA)', sw: '6A86' });
    expect(ca.failure).toMatchObject({ sw: '6A86' });
  });

  it('a wrong CAN exits 4 with one line, and still prints the partial profile without echoing the CAN', async () => {
    const out = join(tmp(), 'failed.json');
    const r = await cccd([...sim, '--can', '111111', '--json', '--out', out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      'cccd diagnose: the card refused the access key (wrong CAN, or wrong ID / date of birth / expiry)\n',
    );
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ outcome: 'failed', failure: { code: 'access-denied', sw: '6300' } });
    expect(p.cardAccess.securityInfos.length).toBe(3);
    expect(JSON.parse(readFileSync(out, 'utf8')).outcome).toBe('failed');
    expect(`${r.stdout}${r.stderr}`).not.toContain('111111');
    expect(personalLeaks(r.stdout, values)).toEqual([]);
  });

  it('diagnoses with MRZ keys given as cccd read takes them (--id/--dob/--expiry, --access bac)', async () => {
    const r = await cccd([
      ...sim,
      '--id',
      PERSONAL.idNumber,
      '--dob',
      PERSONAL.dateOfBirth,
      '--expiry',
      '2030-08-15',
      '--access',
      'bac',
      '--json',
      '--no-probes',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).access).toMatchObject({ protocol: 'BAC', keyKind: 'MRZ', cipher: '3DES' });
    expect(personalLeaks(r.stdout, values)).toEqual([]);
  });

  it('usage mistakes exit 2 without echoing values; an unwritable --out exits 5', async () => {
    expect((await cccd([...sim])).code).toBe(2);
    const lang = await cccd([...withCan, '--lang', 'fr']);
    expect(lang).toMatchObject({ code: 2, stderr: 'cccd diagnose: --lang must be vi or en\n' });
    const bad = await cccd([...sim, '--can', '12345']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain('12345');
    const out = await cccd([...withCan, '--no-probes', '--out', join(tmp(), 'no', 'such', 'dir', 'p.json')]);
    expect(out.code).toBe(5);
    expect(out.stderr).toMatch(/^cccd diagnose: cannot read or write /);
  });

  it('is listed by cccd help', async () => {
    const r = await cccd(['help']);
    expect(r.stdout).toMatch(/\n {2}diagnose {4}read the card with an APDU trace/);
  });
});
