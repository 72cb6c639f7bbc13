import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileError, parseProfile } from './profile.js';
import { listProfiles, loadProfile } from './profiles.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-profile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const valid = () => structuredClone(loadProfile('cccd-2021-adult')) as Record<string, unknown>;

function errorOf(input: unknown): ProfileError {
  try {
    parseProfile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return e as ProfileError;
  }
  throw new Error('expected a ProfileError');
}

describe('profile validation', () => {
  it('names the failing field path and never echoes the value', () => {
    const e = errorOf({ ...valid(), idNumber: '98765', fullName: 42 });
    expect(e.message).toMatch(/idNumber: must be exactly 12 digits/);
    expect(e.message).toMatch(/fullName: must be a string/);
    expect(e.message).not.toContain('98765');
    expect(e.code).toBe('invalid-argument');
    expect(e.issues.map((i) => i.path).sort()).toEqual(['fullName', 'idNumber']);
  });

  it('reports nested paths, bad dates, unknown keys and cross-field rules', () => {
    expect(errorOf({ ...valid(), face: { width: -1 } }).message).toMatch(/face\.width/);
    expect(errorOf({ ...valid(), dg13Layout: { field13: 'diagonal' } }).message).toMatch(/dg13Layout\.field13/);
    expect(errorOf({ ...valid(), dateOfBirth: '1990-02-30' }).message).toMatch(/dateOfBirth: is not a calendar date/);
    expect(errorOf({ ...valid(), dateOfIssue: '15/08/2021' }).message).toMatch(/dateOfIssue: must be a date/);
    expect(errorOf({ ...valid(), nickname: 'Bờm' }).message).toMatch(/nickname/);
    expect(errorOf({ ...valid(), dateOfExpiry: '2020-01-01' }).message).toMatch(/dateOfExpiry: must be after/);
    const { idNumber: _drop, ...missing } = valid();
    expect(errorOf(missing).message).toMatch(/idNumber/);
    expect(errorOf({ ...valid(), kind: 'passport-td3' }).message).toMatch(/documentNumber: is required/);
    expect(errorOf('not an object').message).toMatch(/\(profile\)/);
  });

  it('normalises text to NFC and fills defaults', () => {
    const decomposed = 'Tra\u0300n \u0110u\u031B\u0301c Minh'.normalize('NFD');
    const p = parseProfile({ ...valid(), fullName: decomposed, dg13Layout: undefined, face: undefined });
    expect(p.fullName).toBe(decomposed.normalize('NFC'));
    expect(p.dg13Layout).toEqual({ field13: 'swift', field15WhenNone: 'empty', field16: 'serial' });
    expect(p.face).toEqual({ width: 360, height: 480, seed: 1, format: 'jpeg', targetBytes: 16_000 });
  });
});

describe('ready profiles', () => {
  it('lists the seven ready profiles, all valid', () => {
    expect(listProfiles()).toEqual([
      'can-cuoc-2024',
      'cccd-2021-adult',
      'cccd-2021-jp2',
      'cccd-long-address',
      'cccd-no-expiry',
      'cccd-young',
      'passport-vn-td3',
    ]);
    for (const name of listProfiles()) expect(loadProfile(name).comment).toMatch(/Invented person/);
  });

  it('loads by path, rejects unknown names and bad JSON without quoting the file', () => {
    const file = join(tmp, 'p.json');
    writeFileSync(file, JSON.stringify({ ...valid(), fullName: 'Mai Anh Thư' }));
    expect(loadProfile(file).fullName).toBe('Mai Anh Thư');
    expect(() => loadProfile('no-such-profile')).toThrow(/unknown profile 'no-such-profile'/);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"idNumber": "001090012345", "fullName": Trần');
    const e = (() => {
      try {
        loadProfile(broken);
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(ProfileError);
    expect(e?.message).toMatch(/not valid JSON/);
    expect(e?.message).not.toContain('001090012345');
    expect(() => loadProfile(join(tmp, 'absent.json'))).toThrow(/cannot read profile .*ENOENT/);
  });
});
