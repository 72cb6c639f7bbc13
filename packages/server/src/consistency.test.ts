/**
 * checkReleasedFields on its own, on MRZs the simulator writes for several citizens: with DG1 alone (the agent read
 * DG13 and withheld it) the ID, sex, dates and the folded name are verified against the MRZ, the birth century is
 * the CCCD rule's (review 17, R2b), and what the MRZ cannot settle is claimed, never verified.
 */
import { type CccdField, type ReadResult, toBase64 } from '@cccd/client';
import { parseDg1, parseDg13, toCccdDocument } from '@cccd/emrtd';
import { buildDg1, buildDg13, type CitizenProfile, loadProfile, parseProfile } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { checkReleasedFields } from './consistency.js';

const NOW = new Date(Date.UTC(2026, 11, 7));
const MRZ_FIELDS: CccdField[] = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'nationality', 'dateOfExpiry'];

/** The values the agent releases for this citizen (from DG1 and DG13, as kiosk-agent pickFields). */
function released(p: CitizenProfile, fields: readonly CccdField[] = MRZ_FIELDS): Record<string, unknown> {
  const doc = toCccdDocument({ dg1: parseDg1(buildDg1(p)), dg13: parseDg13(buildDg13(p)) }, { now: NOW });
  const all: Record<string, unknown> = { ...doc, dateOfExpiry: doc.noExpiry ? 'none' : doc.dateOfExpiry };
  return Object.fromEntries(fields.map((f) => [f, all[f] ?? null]));
}

/** A result as far as the consistency check reads it: the fields and the evidence's data groups. */
function result(fields: Record<string, unknown>, groups: Record<string, Uint8Array>): ReadResult {
  const dataGroups = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, toBase64(v)]));
  return { fields, evidence: { dataGroups } } as unknown as ReadResult;
}

const withDg1 = (p: CitizenProfile, fields: Record<string, unknown>) =>
  checkReleasedFields(result(fields, { DG1: buildDg1(p) }), NOW);

const profile = (name: string, overrides: Record<string, unknown> = {}) =>
  parseProfile({ ...loadProfile(name), ...overrides });

describe('checkReleasedFields with DG1 alone', () => {
  it.each(['cccd-2021-adult', 'cccd-no-expiry', 'cccd-young', 'can-cuoc-2024', 'cccd-long-address'])(
    'verifies every MRZ field of a genuine %s read',
    (name) => {
      const p = loadProfile(name);
      const c = withDg1(p, released(p));
      expect(c).toEqual({ verified: MRZ_FIELDS, claimed: [], mismatched: [] });
    },
  );

  it('refuses each edited MRZ field: name, date of birth, expiry, sex, ID', () => {
    const p = loadProfile('cccd-2021-adult');
    const genuine = released(p);
    const edits: Record<string, unknown> = {
      fullName: 'Trần Thị Khác',
      dateOfBirth: '1950-01-01',
      dateOfExpiry: '2099-12-31',
      sex: genuine.sex === 'M' ? 'F' : 'M',
      idNumber: '079099000001',
    };
    for (const [f, v] of Object.entries(edits)) expect(withDg1(p, { ...genuine, [f]: v }).mismatched, f).toEqual([f]);
    expect(withDg1(p, { ...genuine, dateOfExpiry: 'none' }).mismatched).toEqual(['dateOfExpiry']);
  });

  it('settles the birth century by the expiry, and without expiry by the 58-year rule', () => {
    const adult = loadProfile('cccd-2021-adult'); // born 1990, expires 2030
    expect(withDg1(adult, { ...released(adult), dateOfBirth: '1890-08-15' }).mismatched).toEqual(['dateOfBirth']);
    // Born 1925, no expiry: the SDK alone would read 2025 (latest century not in the future).
    const old = profile('cccd-no-expiry', { dateOfBirth: '1925-11-05' });
    const genuine = released(old);
    expect(genuine.dateOfBirth).toBe('1925-11-05');
    expect(withDg1(old, genuine).verified).toContain('dateOfBirth');
    expect(withDg1(old, { ...genuine, dateOfBirth: '2025-11-05' }).mismatched).toEqual(['dateOfBirth']);
  });

  it('compares the name folded (diacritics, đ, separators), and claims it when the MRZ name may be truncated', () => {
    const p = profile('cccd-2021-adult', { fullName: "Đặng H'Hen Niê" });
    expect(withDg1(p, released(p)).verified).toContain('fullName');
    expect(withDg1(p, { ...released(p), fullName: 'Đặng Hen Niê' }).mismatched).toEqual(['fullName']);
    const long = profile('cccd-2021-adult', { fullName: 'Nguyễn Hoàng Thị Phương Thảo Nguyên Khánh' });
    const c = withDg1(long, released(long));
    expect(c.claimed).toEqual(['fullName']);
    expect(withDg1(long, { ...released(long), fullName: 'Anyone' }).claimed).toEqual(['fullName']);
  });

  it('claims what the MRZ does not hold, and a nationality other than VNM / Việt Nam', () => {
    const p = loadProfile('cccd-2021-adult');
    const fields: CccdField[] = [...MRZ_FIELDS, 'placeOfResidence'];
    const c = withDg1(p, { ...released(p, fields), nationality: 'Lào' });
    expect(c.claimed.sort()).toEqual(['nationality', 'placeOfResidence']);
    expect(c.mismatched).toEqual([]);
  });
});

describe('checkReleasedFields without DG1 and DG13', () => {
  it('verifies nothing: every released value, invented or not, is the agent claim', () => {
    const p = loadProfile('cccd-2021-adult');
    const c = checkReleasedFields(result({ ...released(p), idNumber: '001099000001' }, {}), NOW);
    expect(c).toEqual({ verified: [], claimed: MRZ_FIELDS, mismatched: [] });
  });
});
