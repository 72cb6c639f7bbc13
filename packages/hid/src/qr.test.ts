import { candidateKeys, parseCccdQr } from '@cccd/emrtd';
import { describe, expect, it } from 'vitest';
import { looksLikeCccdQr } from './qr.js';
import { SAMPLE_CCCD_QR } from './synthetic.js';

describe('CCCD QR payloads from scanners (parsed by the core)', () => {
  it('names the seven 2021 fields', () => {
    const p = parseCccdQr(SAMPLE_CCCD_QR);
    expect(p).toEqual({
      idNumber: '001090012345',
      oldIdNumber: '123456789',
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-08-15',
      sex: 'Nam',
      address: 'Số 1 Đường ABC, Phường X, Quận Y, Hà Nội',
      dateOfIssue: '2021-02-01',
      extra: [],
    });
    const keys = candidateKeys({ idNumber: p.idNumber, dateOfBirth: p.dateOfBirth, dateOfIssue: p.dateOfIssue });
    expect(keys[0]?.key).toMatchObject({ kind: 'CAN', can: '012345' });
    expect(keys[1]?.key).toMatchObject({ kind: 'MRZ', documentNumber: '090012345', dateOfBirth: '900815' });
  });

  it('accepts an empty old ID, Nữ, NFD text and keeps 2024 extra fields', () => {
    const nfd = '079301000001||Trần Thị Bình|29022000|Nữ|Hà Nội|05062024|012345678901|Trần Văn Cha'.normalize('NFD');
    const p = parseCccdQr(`${nfd}\r`);
    expect(p.oldIdNumber).toBeNull();
    expect(p.fullName).toBe('Trần Thị Bình');
    expect(p.sex).toBe('Nữ');
    expect(p.dateOfBirth).toBe('2000-02-29');
    expect(p.extra).toEqual(['012345678901', 'Trần Văn Cha']);
  });

  it('leaves out an issue date that is not a date (2024 field order is unverified)', () => {
    expect(parseCccdQr('001090012345||A|01011990|Nam|B|x').dateOfIssue).toBeNull();
  });

  it('rejects non-payloads and impossible dates without echoing content', () => {
    const bad = ['001090012345|1|2|3', '00109001234|a|b|01011990|Nam|c|d', '001090012345||Lê Văn Tí|31022000|Nam|x|y'];
    for (const text of bad) {
      expect(() => parseCccdQr(text)).toThrowError(/CCCD QR/);
      try {
        parseCccdQr(text);
      } catch (e) {
        expect(String((e as Error).message)).not.toMatch(/001090|Lê|31022000/);
      }
    }
  });

  it('recognises payloads by prefix and separator count', () => {
    expect(looksLikeCccdQr(SAMPLE_CCCD_QR)).toBe(true);
    expect(looksLikeCccdQr('001090012345|a|b|c|d|e')).toBe(false);
    expect(looksLikeCccdQr('https://example.com/?a|b|c|d|e|f|g')).toBe(false);
  });
});
