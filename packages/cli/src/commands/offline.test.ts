import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cccd, cscaPem, leaks, PERSONAL, PROFILE, tmp } from '../test-support/harness.js';

describe('cccd dump and cccd verify', () => {
  it('dumps the raw files with a manifest, and verify --dir checks them offline', async () => {
    const dir = tmp();
    const out = join(dir, 'dump');
    const d = await cccd(['dump', '--simulate', PROFILE, '--can', PERSONAL.can, '--out', out]);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      [
        'DG1.bin',
        'DG13.bin',
        'DG14.bin',
        'DG15.bin',
        'DG2.bin',
        'EF.COM.bin',
        'EF.CardAccess.bin',
        'EF.SOD.bin',
        'manifest.json',
      ].sort(),
    );
    const manifestText = readFileSync(join(out, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    expect(manifest).toMatchObject({ format: 'cccd-dump', version: 1, access: { protocol: 'PACE' } });
    expect(manifest.files.find((f: { name: string }) => f.name === 'DG1').size).toBe(
      readFileSync(join(out, 'DG1.bin')).length,
    );
    expect(leaks(manifestText + d.stdout)).toEqual([]);

    const trust = cscaPem(1, dir);
    const ok = await cccd(['verify', '--dir', out, '--trust', trust, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).verification.passive).toMatchObject({
      status: 'valid',
      dataGroups: { DG1: 'match', DG2: 'match', DG13: 'match' },
    });
    const unknown = await cccd(['verify', '--dir', out, '--trust', cscaPem(2, dir)]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no trusted CSCA/);

    // One flipped bit in DG13 after the fact: the offline check names it.
    const dg13 = readFileSync(join(out, 'DG13.bin'));
    dg13[dg13.length - 1]! ^= 1;
    writeFileSync(join(out, 'DG13.bin'), dg13);
    const bad = await cccd(['verify', '--dir', out, '--trust', trust]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/DG13 hash does not match/);
    expect(bad.stdout).toMatch(/DG13: mismatch/);
  });

  it('uses the trust store folder when no --trust is given', async () => {
    const dir = tmp();
    const out = join(dir, 'dump');
    expect(
      (await cccd(['dump', '--simulate', PROFILE, '--can', PERSONAL.can, '--out', out, '--groups', 'dg1,sod'])).code,
    ).toBe(0);
    const store = join(dir, 'store');
    expect((await cccd(['trust', 'import', cscaPem(1, dir), '--store', store])).code).toBe(0);
    expect((await cccd(['verify', '--dir', out], { env: { CCCD_TRUST_STORE: store } })).code).toBe(0);
    expect((await cccd(['verify', '--dir', out])).code).toBe(3);
  });

  it('verifies an evidence bundle written by read, and rejects a tampered or malformed one', async () => {
    const dir = tmp();
    const file = join(dir, 'evidence.json');
    const trust = cscaPem(1, dir);
    const r = await cccd([
      'read',
      '--simulate',
      PROFILE,
      '--can',
      PERSONAL.can,
      '--groups',
      'dg1,dg13',
      '--evidence',
      file,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect((await cccd(['verify', '--evidence', file, '--trust', trust])).code).toBe(0);

    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    const dg13 = Buffer.from(bundle.dataGroups.DG13, 'base64');
    dg13[10]! ^= 1;
    bundle.dataGroups.DG13 = dg13.toString('base64');
    writeFileSync(file, JSON.stringify(bundle));
    const tampered = await cccd(['verify', '--evidence', file, '--trust', trust, '--json']);
    expect(tampered.code).toBe(3);
    expect(JSON.parse(tampered.stdout).verification.passive.dataGroups.DG13).toBe('mismatch');

    writeFileSync(file, '{"format":"cccd-evidence","version":1,"sod":42}');
    const malformed = await cccd(['verify', '--evidence', file, '--trust', trust]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^cccd verify: invalid evidence bundle \(/);
  });

  it('needs exactly one of --dir and --evidence', async () => {
    expect((await cccd(['verify'])).code).toBe(2);
    expect((await cccd(['verify', '--dir', 'a', '--evidence', 'b'])).code).toBe(2);
    const empty = await cccd(['verify', '--dir', tmp()]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/has no EF\.SOD\.bin/);
  });
});
