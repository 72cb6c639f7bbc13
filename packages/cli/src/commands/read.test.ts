import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cccd, cscaPem, leaks, PERSONAL, PROFILE, tmp } from '../test-support/harness.js';

const sim = ['read', '--simulate', PROFILE];
const withCan = [...sim, '--can', PERSONAL.can];

/** Personal data is allowed in the document and the MRZ only: everything else in the JSON must be free of it. */
function outsideDocument(json: Record<string, unknown>): string {
  const { document: _d, mrz: _m, ...rest } = json;
  return JSON.stringify(rest);
}

describe('cccd read --simulate (in-process card)', () => {
  it('prints exactly one JSON object with the documented shape and exits 0', async () => {
    const r = await cccd([...withCan, '--json', '--trust', cscaPem(1)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['document', 'mrz', 'photo', 'verification', 'access', 'stats']),
    );
    expect(json.document).toMatchObject({
      idNumber: PERSONAL.idNumber,
      fullName: PERSONAL.fullName,
      dateOfBirth: PERSONAL.dateOfBirth,
      sex: 'M',
    });
    expect(json.mrz).toMatchObject({ format: 'TD1', documentNumber: PERSONAL.documentNumber, checkDigitsValid: true });
    expect(json.photo).toMatchObject({ mime: 'image/jpeg', size: expect.any(Number) });
    expect(json.photo.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.verification.passive).toMatchObject({ status: 'valid', dataGroups: { DG1: 'match', DG13: 'match' } });
    expect(json.verification.overall).toMatch(/^(authentic|genuine-data)$/);
    expect(json.verification.chip.status).toMatch(/^(valid|not-checked)$/);
    expect(json.verification.active.status).toMatch(/^(valid|not-checked)$/);
    expect(json.access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN' });
    expect(json.stats).toMatchObject({
      apdus: expect.any(Number),
      bytesIn: expect.any(Number),
      bytesOut: expect.any(Number),
      retries: 0,
      modelledMs: expect.any(Number),
      elapsedMs: expect.any(Number),
    });
    expect(json.simulated).toBe(true);
    expect(leaks(outsideDocument(json))).toEqual([]);
  });

  it('reads with BAC from --id/--dob/--expiry, writes the photo and the evidence bundle', async () => {
    const dir = tmp();
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
      '--groups',
      'dg1,dg13',
      '--photo',
      join(dir, 'face.jpg'),
      '--evidence',
      join(dir, 'evidence.json'),
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.access).toMatchObject({ protocol: 'BAC', keyKind: 'MRZ', cipher: '3DES' });
    const photo = readFileSync(join(dir, 'face.jpg'));
    expect([...photo.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(photo.length).toBe(json.photo.size);
    const evidence = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8'));
    expect(evidence).toMatchObject({ format: 'cccd-evidence', version: 1 });
    expect(Object.keys(evidence.dataGroups)).toEqual(expect.arrayContaining(['DG1', 'DG2', 'DG13']));
  });

  it('accepts the MRZ text and the QR payload as keys', async () => {
    const mrz = 'IDVNM0900123450001090012345<<19008157M3008155VNM<<<<<<<<<<<2TRAN<<DUC<MINH<<<<<<<<<<<<<<<<';
    const byMrz = await cccd([...sim, '--mrz', mrz, '--groups', 'dg1', '--json']);
    expect(byMrz.code).toBe(0);
    expect(JSON.parse(byMrz.stdout).access.keyKind).toBe('MRZ');
    const qr = `${PERSONAL.idNumber}|013456789|${PERSONAL.fullName}|15081990|Nam|Hà Nội|12042021`;
    const byQr = await cccd([...sim, '--qr', qr, '--groups', 'dg1', '--json']);
    expect(byQr.code).toBe(0);
    expect(JSON.parse(byQr.stdout).access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN' });
  });

  it('exits 4 on a wrong CAN, with nothing on stdout and no personal data', async () => {
    const r = await cccd([...sim, '--can', '999999', '--json']);
    expect(r).toMatchObject({ code: 4, stdout: '' });
    expect(r.stderr).toBe(
      'cccd read: the card refused the access key (wrong CAN, or wrong ID / date of birth / expiry)\n',
    );
    const bac = await cccd([...sim, '--id', PERSONAL.idNumber, '--dob', '1991-01-01', '--expiry', 'none']);
    expect(bac.code).toBe(4);
    expect(leaks(bac.stderr + bac.stdout)).toEqual([]);
  });

  it('exits 3 naming DG13 when DG13 was tampered with after signing', async () => {
    const r = await cccd([...withCan, '--fault', 'tamper-file=DG13', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cccd read: read complete but verification is not valid: DG13 hash does not match/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(leaks(r.stderr)).toEqual([]);
    const json = JSON.parse(r.stdout);
    expect(json.verification).toMatchObject({ overall: 'invalid', passive: { dataGroups: { DG13: 'mismatch' } } });
  });

  it('exits 0, authentic, when the chip refuses CA (6A86 at MSE:Set AT) but proves itself with AA', async () => {
    const r = await cccd([...withCan, '--extended', '--groups', 'dg1', '--fault', 'sw=22:6A86:2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.verification).toMatchObject({
      overall: 'authentic',
      chip: { status: 'refused', sw: '6A86' },
      active: { status: 'valid' },
    });
  });

  it('exits 0, genuine-data, and says why on stderr when the chip refuses both CA and AA', async () => {
    const faults = ['--fault', 'sw=22:6A86:2', '--fault', 'sw=88:6D00'];
    const r = await cccd([...withCan, '--extended', '--groups', 'dg1', ...faults]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/VALID — data signed by the issuer/);
    expect(r.stdout).toMatch(/refused by the chip \(not a failure\)/);
    expect(r.stderr).toBe(
      'cccd read: The data is validly signed by the issuer, but nothing proves the chip is not a copy ' +
        '(CA: refused by the chip SW 6A86; AA: refused by the chip SW 6D00).\n',
    );
    expect(leaks(r.stderr)).toEqual([]);
  });

  it('--chip: CA refused and no AA on the card exits 0 with genuine-data and says why; CA failing under new keys exits 3', async () => {
    const refused = await cccd([...withCan, '--groups', 'dg1', '--chip', 'ca=refuse-mse:6A86', '--chip', 'aa=absent']);
    expect(refused.code).toBe(0);
    expect(refused.stderr).toMatch(/\(CA: refused by the chip SW 6A86; AA: not offered by the card\)\.\n$/);
    const failed = await cccd([...withCan, '--groups', 'dg1', '--chip', 'ca=fails-new-keys', '--json']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toBe('cccd read: read complete but verification is not valid: Chip authentication failed\n');
    expect(JSON.parse(failed.stdout).verification).toMatchObject({ overall: 'invalid', chip: { status: 'invalid' } });
    const bad = await cccd([...withCan, '--chip', 'ca=sometimes']);
    expect(bad.code).toBe(2);
    expect((await cccd(['read', '--can', PERSONAL.can, '--chip', 'aa=absent'])).code).toBe(2);
  });

  it('--chip pace-cam: a PACE-CAM card is authentic by CAM; a CAM answer that fits no key exits 3 unless CA proves the chip', async () => {
    const cam = await cccd([...withCan, '--groups', 'dg1', '--chip', 'pace-cam=present']);
    expect(cam.code).toBe(0);
    expect(cam.stdout).toMatch(/\(PACE-CAM\)/);
    const wrongKey = [...withCan, '--groups', 'dg1', '--chip', 'pace-cam=wrong-key', '--json'];
    // DO'8A' is not MAC-protected: a mismatch is settled by DG14 Chip Authentication when the chip completes it…
    const settled = await cccd(wrongKey);
    expect(settled.code).toBe(0);
    expect(JSON.parse(settled.stdout).verification.chip).toMatchObject({ status: 'valid', method: 'ca' });
    // …and is the clone signal when it does not.
    const wrong = await cccd([...wrongKey, '--chip', 'ca=refuse-mse:6A86']);
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stdout).verification.chip).toMatchObject({ status: 'invalid', method: 'pace-cam' });
    expect(leaks(wrong.stderr)).toEqual([]);
  });

  it('exits 3 when the card chains to no trusted CSCA', async () => {
    const r = await cccd([...withCan, '--groups', 'dg1', '--trust', cscaPem(2)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^cccd read: no trusted CSCA for the card's signer \(needed: .*CN=Test CSCA\); use --trust\n$/,
    );
    expect(r.stdout).toMatch(/UNKNOWN — no trusted CSCA/);
  });

  it('resumes after the card is pulled mid-DG2', async () => {
    const r = await cccd([...withCan, '--fault', 'tag-loss-at-offset=DG2:4000', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.stats.resumes).toBeGreaterThanOrEqual(1);
    expect(json.photo.size).toBeGreaterThan(4000);
  });

  it('exits 5 with one line when the card stops answering for good', async () => {
    const r = await cccd([...withCan, '--groups', 'dg1', '--fault', 'sw=B0:6987']);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(leaks(r.stderr)).toEqual([]);
  });

  it('human summary: the verdict is the first line, then the fields, dates dd/mm/yyyy', async () => {
    const r = await cccd([...withCan, '--groups', 'dg1,dg13']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Verification: (AUTHENTIC|VALID) — /);
    expect(r.stdout).toMatch(/Full name:\s+Tran Duc Minh|Full name:\s+Trần Đức Minh/);
    expect(r.stdout).toContain(PERSONAL.dobVn);
    expect(r.stdout).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
    const idLine = lines.findIndex((l) => l.includes(PERSONAL.idNumber));
    expect(idLine).toBeGreaterThan(0);
  });

  it('an invalid (tampered DG13) card: verdict and reasons, no personal value, unless --show-invalid', async () => {
    const tampered = [...withCan, '--fault', 'tamper-file=DG13'];
    const r = await cccd(tampered);
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n')[0]).toBe('Verification: INVALID');
    expect(r.stdout).toMatch(/DG13 hash does not match/);
    expect(r.stdout).toMatch(/Personal data withheld .*add --show-invalid to print it/);
    expect(r.stdout).not.toMatch(/Full name|Date of birth|Photo:/);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);

    const shown = await cccd([...tampered, '--show-invalid']);
    expect(shown.code).toBe(3);
    expect(shown.stdout.split('\n')[0]).toBe('Verification: INVALID');
    expect(shown.stdout).toContain(PERSONAL.idNumber);
    expect(shown.stdout).toContain(PERSONAL.dobVn);
    expect(shown.stdout).not.toMatch(/withheld/);

    // --json is the machine output: the same object with or without --show-invalid, ISO dates.
    const json = JSON.parse((await cccd([...tampered, '--json'])).stdout);
    const jsonShown = JSON.parse((await cccd([...tampered, '--json', '--show-invalid'])).stdout);
    expect(json.document).toMatchObject({ idNumber: PERSONAL.idNumber, dateOfBirth: PERSONAL.dateOfBirth });
    const { stats: _a, ...stable } = json;
    const { stats: _b, ...stableShown } = jsonShown;
    expect(stableShown).toEqual(stable);
  });

  it('prints a Vietnamese summary that says the card is simulated', async () => {
    const r = await cccd([...withCan, '--lang', 'vi', '--groups', 'dg13']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Họ và tên:\s+Trần Đức Minh/);
    expect(r.stdout).toMatch(/Xác thực: HỢP LỆ|Xác thực: ĐÃ XÁC THỰC/);
    expect(r.stdout).toMatch(/thẻ mô phỏng/);
    expect(r.stderr).toBe('');
  });
});
