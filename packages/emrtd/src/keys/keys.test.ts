import { describe, expect, it } from 'vitest';
import { hex } from '../codec/bytes.js';
import { EmrtdError } from '../errors.js';
import { derivePaceKey } from '../pace/pace.js';
import {
  bacKeysOf,
  canFromCccdId,
  keyFromCccd,
  keyFromMrzText,
  mrzKey,
  pacePasswordOf,
  toYymmdd,
} from './access-key.js';
import { birthdayAt, candidateKeys, cccdExpiry, parseCccdQr } from './cccd-qr.js';

const ID = '001090012345';

describe('access keys', () => {
  it('derives the Vietnamese reference example from CCCD data (doc no = last 9 digits)', () => {
    const key = keyFromCccd(ID, '15/08/1990', '2030-08-15');
    expect(key).toEqual({ kind: 'MRZ', documentNumber: '090012345', dateOfBirth: '900815', dateOfExpiry: '300815' });
    const k = bacKeysOf(key);
    expect(hex(k.kEnc)).toBe('c868ba405e7329d0d96d43891c64bf4f');
    expect(hex(k.kMac)).toBe('4fab58102f23f2583b405bcdb36b6e94');
  });

  it('derives the CAN from the last 6 digits and its PACE key', () => {
    const can = canFromCccdId(ID);
    expect(can).toEqual({ kind: 'CAN', can: '012345' });
    expect(hex(derivePaceKey(pacePasswordOf(can), 'AES-128'))).toBe('5e5cd537047973c8f8bfdea168324ec0');
  });

  it('reads keys from TD1 and TD3 MRZ text', () => {
    const td1 = 'IDVNM0900123450001090012345<<1\n9008157M3008155VNM<<<<<<<<<<<2\nSURNAME<<GIVEN<NAMES<<<<<<<<<<';
    expect(keyFromMrzText(td1)).toEqual(keyFromCccd(ID, '900815', '300815'));
    const td3 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10';
    expect(keyFromMrzText(td3)).toEqual(mrzKey('L898902C3', '740812', '120415'));
  });

  it('uses 991231 when there is no expiry and validates input without echoing it', () => {
    expect(keyFromCccd(ID, '1965-01-01', null)).toMatchObject({ dateOfExpiry: '991231' });
    expect(toYymmdd('29/02/2000')).toBe('000229');
    for (const bad of [() => toYymmdd('31/02/2001'), () => keyFromCccd('12345', '900815'), () => canFromCccdId('x')]) {
      try {
        bad();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(EmrtdError);
        expect((e as Error).message).not.toMatch(/31\/02|12345/);
      }
    }
  });
});

describe('CCCD expiry rule (docs/reference/vn-cccd.md §4)', () => {
  const dob = '1990-08-15';
  const at = (years: number, months = 0) => {
    const d = new Date(Date.UTC(1990 + years, 7 + months, 15));
    return d.toISOString().slice(0, 10);
  };
  it('reproduces the reference examples', () => {
    expect(cccdExpiry(dob, at(23, 5), '2014')).toMatchObject({ expiry: '2030-08-15', milestone: 40 });
    expect(cccdExpiry(dob, at(22), '2014').milestone).toBe(25);
    expect(cccdExpiry(dob, at(12), '2023').milestone).toBe(25);
    expect(cccdExpiry(dob, at(12), '2014').milestone).toBe(25);
    expect(cccdExpiry(dob, at(38), '2014').milestone).toBe(60);
    expect(cccdExpiry(dob, at(58), '2014')).toMatchObject({ expiry: null, milestone: null });
  });
  it('switches exactly at the (milestone − 2) birthday', () => {
    expect(cccdExpiry(dob, '2013-08-14', '2014').milestone).toBe(25); // day before the 23rd birthday
    expect(cccdExpiry(dob, '2013-08-15', '2014').milestone).toBe(40); // on it
    expect(cccdExpiry(dob, '2048-08-14', '2014').milestone).toBe(60);
    expect(cccdExpiry(dob, '2048-08-15', '2014').milestone).toBe(null);
    expect(cccdExpiry('2012-03-01', '2024-02-29', '2023').milestone).toBe(14);
    expect(cccdExpiry('2012-03-01', '2024-03-01', '2023').milestone).toBe(25);
  });
  it('picks the law from the issue date (2023 law from 1 July 2024)', () => {
    expect(cccdExpiry('2012-01-01', '2024-06-30').law).toBe('2014');
    expect(cccdExpiry('2013-01-01', '2024-07-01')).toMatchObject({ law: '2023', milestone: 14 });
  });
  it('handles 29 February birthdays', () => {
    expect(birthdayAt('2000-02-29', 25)).toBe('2025-02-28');
    expect(birthdayAt('2000-02-29', 40)).toBe('2040-02-29');
  });
});

describe('candidate keys from the QR payload', () => {
  const qr = `${ID}|123456789|Nguyễn Văn A|15081990|Nam|Số 1, Hà Nội|10012014`;
  it('parses the payload, keeps extra fields, ignores a doubled scan', () => {
    const p = parseCccdQr(`${qr}|extra1|extra2`);
    expect(p).toMatchObject({
      idNumber: ID,
      oldIdNumber: '123456789',
      dateOfBirth: '1990-08-15',
      dateOfIssue: '2014-01-10',
    });
    expect(p.extra).toEqual(['extra1', 'extra2']);
    expect(parseCccdQr(qr + qr).dateOfIssue).toBe('2014-01-10');
    expect(parseCccdQr(`${ID}||Tên|15081990|Nữ|x|10012014`).oldIdNumber).toBeNull();
    expect(() => parseCccdQr('hello')).toThrow(EmrtdError);
  });
  it('orders CAN first, then the computed expiry, the adjacent milestone, 991231, capped', () => {
    const p = parseCccdQr(qr); // issued at 23y5m → 40; nearest boundary is the 23rd birthday → adjacent 25
    const all = candidateKeys(p, { maxAttempts: 10 });
    expect(all.map((c) => (c.key.kind === 'CAN' ? 'CAN' : c.key.dateOfExpiry))).toEqual([
      'CAN',
      '300815',
      '150815',
      '991231',
    ]);
    expect(candidateKeys(p)).toHaveLength(3);
    expect(candidateKeys(p, { maxAttempts: 1 })[0]!.key.kind).toBe('CAN');
    for (const c of all) expect(c.label).not.toMatch(/090012345|900815|012345|1990/);
  });
  it('puts a given expiry before the computed one and handles no-expiry cards', () => {
    const withExpiry = candidateKeys(
      { idNumber: ID, dateOfBirth: '1990-08-15', dateOfExpiry: '2031-01-01', dateOfIssue: '2014-01-10' },
      { includeCan: false },
    );
    expect(withExpiry[0]!.key).toMatchObject({ dateOfExpiry: '310101' });
    const old = candidateKeys(
      { idNumber: ID, dateOfBirth: '1950-01-01', dateOfIssue: '2021-01-01' },
      { includeCan: false },
    );
    expect(old.map((c) => (c.key.kind === 'MRZ' ? c.key.dateOfExpiry : ''))).toEqual(['991231', '100101']);
  });
});
