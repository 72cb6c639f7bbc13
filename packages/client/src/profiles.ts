/**
 * Output profiles for systems that already consume CCCD data: the BHXH gateway's lookup body and the field names
 * of the HN212 reader API many HIS vendors integrated (docs/integration-hospital.md). Pure functions over released fields:
 * fields that were not requested stay absent, never invented.
 */
import type { CccdFields } from './protocol.js';

/** ISO YYYY-MM-DD → dd/mm/yyyy (DG13's and the BHXH gateway's format); anything else → ''. */
export function vnDate(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** 'M'/'F' → 'Nam'/'Nữ' as printed on the card. */
export function vnSex(sex: 'M' | 'F' | null | undefined): string {
  return sex === 'M' ? 'Nam' : sex === 'F' ? 'Nữ' : '';
}

export interface BhxhLookup {
  /** 12-digit CCCD number (accepted as maThe since CV 931/BYT-BH). */
  maThe: string;
  hoTen: string;
  /** dd/mm/yyyy */
  ngaySinh: string;
}

/**
 * The citizen part of the BHXH KQNhanLichSuKCB body. The HIS backend adds hoTenCb and cccdCb (the operator,
 * required since CV 1923/BHXH-CNTT) from its own login, never from the card.
 */
export function toBhxhLookup(fields: CccdFields): BhxhLookup {
  return { maThe: fields.idNumber ?? '', hoTen: fields.fullName ?? '', ngaySinh: vnDate(fields.dateOfBirth) };
}

const HN212: Record<Exclude<keyof CccdFields, 'sex'>, string> = {
  idNumber: 'idCode',
  oldIdNumber: 'oldIdCode',
  fullName: 'personName',
  dateOfBirth: 'dateOfBirth',
  nationality: 'nationality',
  ethnicity: 'race',
  religion: 'religion',
  placeOfOrigin: 'originPlace',
  placeOfResidence: 'residencePlace',
  identifyingMarks: 'personalIdentification',
  dateOfIssue: 'issueDate',
  dateOfExpiry: 'expiryDate',
  fatherName: 'fatherName',
  motherName: 'motherName',
  spouseName: 'wifeName',
};
const DATE_FIELDS = new Set(['dateOfBirth', 'dateOfIssue', 'dateOfExpiry']);

/** HN212-style object: its field names, dates dd/mm/yyyy, gender 'Nam'/'Nữ', no expiry as 'Không thời hạn'. */
export function toHn212(fields: CccdFields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields) as [keyof CccdFields, string | null | undefined][]) {
    if (value === undefined) continue;
    if (key === 'sex') {
      out.gender = vnSex(value as 'M' | 'F' | null);
      continue;
    }
    const text = value ?? '';
    out[HN212[key]] =
      key === 'dateOfExpiry' && text === 'none' ? 'Không thời hạn' : DATE_FIELDS.has(key) ? vnDate(text) : text;
  }
  return out;
}
