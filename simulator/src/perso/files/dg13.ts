import { hex, tlv } from '@cccd/emrtd/codec';
import { deriveBytes, type Seed } from '../../pki/index.js';
import { integer, oid, printableString, sequence, setAsIs, utf8String } from '../der.js';
import type { CitizenProfile } from '../profile.js';

/** 'YYYY-MM-DD' → 'dd/mm/yyyy', the date form of DG13. */
export function dg13Date(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

export const NO_EXPIRY_TEXT = 'Không thời hạn';

const field = (n: number, ...values: Uint8Array[]) => sequence(integer(n), ...values);

function parents(profile: CitizenProfile): Uint8Array {
  const father = utf8String(profile.fatherName ?? '');
  const mother = utf8String(profile.motherName ?? '');
  // 'swift': 30 LL 02 01 0D 30 LL 0C father 30 LL 0C mother — each name wrapped on its own.
  if (profile.dg13Layout.field13 === 'swift') return field(13, sequence(father), sequence(mother));
  return field(13, sequence(father, mother));
}

/** Deterministic 16-hex-digit value for field 16 (believed to be a chip serial on real cards). */
export function field16Serial(seed: Seed): string {
  return hex(deriveBytes(seed, 'card:dg13-field16', 8)).toUpperCase();
}

/**
 * DG13, the Vietnamese personal-data group (docs/reference/vn-cccd.md §2): 6D { SEQUENCE { INTEGER 1,
 * OID 1.0.10646.1.0.8, SET { SEQUENCE { INTEGER n, value } for n = 1..16 } } }. The SET keeps field-number order
 * like real cards (not DER-sorted). Text is NFC UTF-8; numbers and dates are PrintableString.
 */
export function buildDg13(profile: CitizenProfile, seed: Seed = 1): Uint8Array {
  const layout = profile.dg13Layout;
  const fields: Uint8Array[] = [
    field(1, printableString(profile.idNumber)),
    field(2, utf8String(profile.fullName)),
    field(3, printableString(dg13Date(profile.dateOfBirth))),
    field(4, utf8String(profile.sex === 'M' ? 'Nam' : 'Nữ')),
    field(5, utf8String(profile.nationality)),
    field(6, utf8String(profile.ethnicity)),
    field(7, utf8String(profile.religion)),
    field(8, utf8String(profile.placeOfOrigin)),
    field(9, utf8String(profile.placeOfResidence)),
    field(10, utf8String(profile.identifyingMarks)),
    field(11, printableString(dg13Date(profile.dateOfIssue))),
    field(12, utf8String(profile.dateOfExpiry === null ? NO_EXPIRY_TEXT : dg13Date(profile.dateOfExpiry))),
    parents(profile),
    profile.spouseName === null ? field(14) : field(14, sequence(utf8String(profile.spouseName))),
  ];
  if (profile.oldIdNumber !== null) fields.push(field(15, printableString(profile.oldIdNumber)));
  else if (layout.field15WhenNone === 'empty') fields.push(field(15));
  if (layout.field16 === 'serial') fields.push(field(16, printableString(field16Serial(seed))));
  else if (layout.field16 === 'oldIdNumber')
    fields.push(profile.oldIdNumber === null ? field(16) : field(16, printableString(profile.oldIdNumber)));
  const body = sequence(integer(1), oid('1.0.10646.1.0.8'), setAsIs(...fields));
  return tlv(0x6d, body);
}
