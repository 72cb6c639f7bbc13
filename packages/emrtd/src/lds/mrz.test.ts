import { describe, expect, it } from 'vitest';
import { checkDigit } from '../codec/check-digit.js';
import { EmrtdError, MalformedData } from '../errors.js';
import { mrzChecksValid, mrzInformation, parseMrz } from './mrz.js';

// ICAO 9303-5/6/4 specimen MRZs.
const TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
const TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
// docs/reference/vn-cccd.md §3.1 invented CCCD example.
const CCCD = ['IDVNM0900123450001090012345<<1', '9008157M3008155VNM<<<<<<<<<<<2', 'SURNAME<<GIVEN<NAMES<<<<<<<<<<'];

describe('parseMrz', () => {
  it('parses the ICAO TD1 specimen with every check digit', () => {
    const m = parseMrz(TD1.join('\n'));
    expect(m).toMatchObject({
      format: 'TD1',
      documentCode: 'I',
      issuingState: 'UTO',
      documentNumber: 'D23145890',
      optionalData: '',
      optionalData2: '',
      dateOfBirth: '740812',
      sex: 'F',
      dateOfExpiry: '120415',
      nationality: 'UTO',
      names: { primary: 'ERIKSSON', secondary: 'ANNA MARIA' },
    });
    expect(m.checkDigits.documentNumber).toEqual({ expected: 7, actual: '7', valid: true });
    expect(m.checkDigits.dateOfBirth?.valid).toBe(true);
    expect(m.checkDigits.dateOfExpiry?.valid).toBe(true);
    expect(m.checkDigits.composite).toEqual({ expected: 6, actual: '6', valid: true });
    expect(m.cccd).toBeUndefined();
    expect(mrzChecksValid(m)).toBe(true);
  });

  it('parses the ICAO TD2 and TD3 specimens', () => {
    const td2 = parseMrz(TD2.join('\n'));
    expect(td2).toMatchObject({ format: 'TD2', documentNumber: 'D23145890', dateOfBirth: '740812', sex: 'F' });
    expect(mrzChecksValid(td2)).toBe(true);
    const td3 = parseMrz(TD3.join('\r\n'));
    expect(td3).toMatchObject({
      format: 'TD3',
      documentCode: 'P',
      documentNumber: 'L898902C3',
      optionalData: 'ZE184226B',
      nationality: 'UTO',
      names: { primary: 'ERIKSSON', secondary: 'ANNA MARIA' },
    });
    expect(td3.checkDigits.optionalData).toEqual({ expected: 1, actual: '1', valid: true });
    expect(td3.checkDigits.composite).toEqual({ expected: 0, actual: '0', valid: true });
    expect(mrzChecksValid(td3)).toBe(true);
  });

  it('accepts an MRZ with spaces and no line breaks', () => {
    expect(parseMrz(` ${TD1.join('  ')} `).documentNumber).toBe('D23145890');
  });

  it('reports (not throws) a wrong check digit', () => {
    const bad = [TD3[0], TD3[1]!.replace('7408122', '7408123')].join('\n');
    const m = parseMrz(bad);
    expect(m.checkDigits.dateOfBirth).toEqual({ expected: 2, actual: '3', valid: false });
    expect(m.checkDigits.composite?.valid).toBe(false);
    expect(mrzChecksValid(m)).toBe(false);
  });

  it('applies the TD1 long document number rule', () => {
    const docNo = 'D23145890734';
    const cd = checkDigit(docNo);
    const l1 = `I<UTO${docNo.slice(0, 9)}<${docNo.slice(9)}${cd}<`.padEnd(30, '<');
    const l2 = '7408122F1204159UTO<<<<<<<<<<<';
    const composite = checkDigit(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29));
    const m = parseMrz([l1, l2 + composite, TD1[2]].join('\n'));
    expect(m.documentNumber).toBe(docNo);
    expect(m.checkDigits.documentNumber).toEqual({ expected: cd, actual: String(cd), valid: true });
    expect(m.optionalData).toBe('');
    expect(mrzChecksValid(m)).toBe(true);
  });

  it('applies the TD2 long document number rule', () => {
    const docNo = 'D231458907AB';
    const cd = checkDigit(docNo);
    const l2 = `${docNo.slice(0, 9)}<UTO7408122F1204159${docNo.slice(9)}${cd}<`.padEnd(35, '<');
    const composite = checkDigit(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 35));
    const m = parseMrz([TD2[0], l2 + composite].join('\n'));
    expect(m.documentNumber).toBe(docNo);
    expect(m.checkDigits.documentNumber?.valid).toBe(true);
    expect(mrzChecksValid(m)).toBe(true);
  });

  it('recognises the CCCD TD1 layout and checks the ID12 check digit as an extra', () => {
    const m = parseMrz(CCCD.join('\n'));
    expect(m).toMatchObject({
      documentCode: 'ID',
      issuingState: 'VNM',
      documentNumber: '090012345',
      optionalData: '001090012345<<1',
      dateOfBirth: '900815',
      sex: 'M',
      dateOfExpiry: '300815',
      nationality: 'VNM',
      names: { primary: 'SURNAME', secondary: 'GIVEN NAMES' },
      cccd: { idNumber: '001090012345' },
    });
    expect(m.checkDigits.documentNumber).toEqual({ expected: 0, actual: '0', valid: true });
    expect(m.checkDigits.dateOfBirth?.expected).toBe(7);
    expect(m.checkDigits.dateOfExpiry?.expected).toBe(5);
    expect(m.checkDigits.composite).toEqual({ expected: 2, actual: '2', valid: true });
    expect(m.checkDigits.cccdIdNumber).toEqual({ expected: 1, actual: '1', valid: true });
    expect(mrzChecksValid(m)).toBe(true);
  });

  it('does not fail a CCCD MRZ on a wrong ID12 check digit', () => {
    const m = parseMrz([CCCD[0]!.slice(0, 29) + '4', CCCD[1], CCCD[2]].join('\n'));
    expect(m.cccd?.idNumber).toBe('001090012345');
    expect(m.checkDigits.cccdIdNumber?.valid).toBe(false);
    // The composite covers line 1 optional data, so it fails; the extra check is not part of mrzChecksValid.
    expect(m.checkDigits.composite?.valid).toBe(false);
  });

  it('rejects bad lengths, alphabets and line lengths without echoing the MRZ', () => {
    const cases = [TD1.join('').slice(1), TD1.join('\n').toLowerCase(), `${TD1[0]}<\n${TD1[1]!.slice(1)}\n${TD1[2]}`];
    for (const text of cases) {
      let err: unknown;
      try {
        parseMrz(text, 'DG1', 5);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MalformedData);
      const msg = (err as Error).message;
      expect(msg).toContain('DG1');
      expect(msg).not.toMatch(/ERIKSSON|D23145890|740812/i);
    }
    let alphabet: MalformedData | undefined;
    try {
      parseMrz(TD1.join('').replace('ANNA', 'ANNá'), 'DG1', 5);
    } catch (e) {
      alphabet = e as MalformedData;
    }
    expect(alphabet?.offset).toBe(5 + 60 + 13);
  });
});

describe('mrzInformation', () => {
  it('builds the ICAO 9303-11 Appendix D BAC seed', () => {
    expect(mrzInformation('L898902C', '690806', '940623')).toBe('L898902C<369080619406236');
  });
  it('builds the CCCD seed from the last 9 ID digits (docs/reference/vn-cccd.md §3.1)', () => {
    expect(mrzInformation('090012345', '900815', '300815')).toBe('090012345090081573008155');
  });
  it('keeps long document numbers whole', () => {
    const seed = mrzInformation('D23145890734', '740812', '120415');
    expect(seed.slice(0, 13)).toBe(`D23145890734${checkDigit('D23145890734')}`);
  });
  it('rejects bad input with a value-free message', () => {
    expect(() => mrzInformation('09001234-', '900815', '300815')).toThrow(EmrtdError);
    expect(() => mrzInformation('090012345', '15081990', '300815')).toThrow(/YYMMDD/);
    expect(() => mrzInformation('090012345', '900815', '3008')).not.toThrow(/3008/);
  });
});
