import { describe, expect, it } from 'vitest';
import { toBhxhLookup, toHn212, vnDate, vnSex } from './profiles.js';
import { CITIZEN } from './testing/fixtures.js';

describe('output profiles', () => {
  it('BHXH lookup: maThe = 12-digit ID, hoTen with diacritics (NFC), ngaySinh dd/mm/yyyy', () => {
    const body = toBhxhLookup(CITIZEN);
    expect(body).toEqual({ maThe: '001090012345', hoTen: 'Nguyễn Văn Thử', ngaySinh: '15/08/1990' });
    expect(body.hoTen.normalize('NFC')).toBe(body.hoTen);
  });

  it('HN212 names, only for released fields', () => {
    expect(toHn212({ ...CITIZEN, dateOfExpiry: 'none', spouseName: null })).toEqual({
      idCode: '001090012345',
      personName: 'Nguyễn Văn Thử',
      dateOfBirth: '15/08/1990',
      gender: 'Nam',
      residencePlace: CITIZEN.placeOfResidence,
      expiryDate: 'Không thời hạn',
      wifeName: '',
    });
    expect(toHn212({ idNumber: '001090012345' })).toEqual({ idCode: '001090012345' });
  });

  it('formatters reject what they do not understand', () => {
    expect([vnDate('1990-8-15'), vnDate(null), vnDate('15/08/1990')]).toEqual(['', '', '']);
    expect([vnSex('F'), vnSex(null)]).toEqual(['Nữ', '']);
  });
});
