/**
 * The CCCD view: one normalised document from DG13 (Vietnamese personal data, docs/reference/vn-cccd.md §2.2)
 * with DG1 (MRZ) as the fallback for what DG13 lacks. Nothing here throws on content: fields that cannot be read
 * become null.
 */
import { hex } from '../codec/bytes.js';
import type { Dg1 } from './dg1.js';
import type { Dg13 } from './dg13.js';

export interface CccdDocument {
  /** 12-digit personal identification number. */
  idNumber: string | null;
  /** Old 9-digit CMND number (field 15; field 16 only when 15 is absent and it is 9 digits). */
  oldIdNumber: string | null;
  /** NFC, with diacritics from DG13; upper case without diacritics when only DG1 is available. */
  fullName: string | null;
  /** YYYY-MM-DD. */
  dateOfBirth: string | null;
  sex: 'M' | 'F' | null;
  /** DG13 text (e.g. 'Việt Nam'); the MRZ code (e.g. 'VNM') when only DG1 is available. */
  nationality: string | null;
  ethnicity: string | null;
  religion: string | null;
  placeOfOrigin: string | null;
  placeOfResidence: string | null;
  identifyingMarks: string | null;
  dateOfIssue: string | null;
  /** YYYY-MM-DD, or null when the card has no expiry ('Không thời hạn' / MRZ 991231) or it is unreadable. */
  dateOfExpiry: string | null;
  /** True when the card states that it does not expire. */
  noExpiry: boolean;
  fatherName: string | null;
  motherName: string | null;
  spouseName: string | null;
  /** DG13 fields outside the known table, and field 16 (meaning disputed), as raw hex of the whole field. */
  unknownFields: Record<number, string>;
}

/** The CCCD view's personal fields, in the order of the card's field table (for forms, reports, policies). */
export const CCCD_DOCUMENT_FIELDS = [
  'idNumber',
  'oldIdNumber',
  'fullName',
  'dateOfBirth',
  'sex',
  'nationality',
  'ethnicity',
  'religion',
  'placeOfOrigin',
  'placeOfResidence',
  'identifyingMarks',
  'dateOfIssue',
  'dateOfExpiry',
  'fatherName',
  'motherName',
  'spouseName',
] as const satisfies readonly (keyof CccdDocument)[];

/** DG13 field numbers (docs/reference/vn-cccd.md §2.2). */
export const DG13_FIELD = {
  idNumber: 1,
  fullName: 2,
  dateOfBirth: 3,
  sex: 4,
  nationality: 5,
  ethnicity: 6,
  religion: 7,
  placeOfOrigin: 8,
  placeOfResidence: 9,
  identifyingMarks: 10,
  dateOfIssue: 11,
  dateOfExpiry: 12,
  parents: 13,
  spouse: 14,
  oldIdNumber: 15,
  /** [CONFLICT] old ID in some parsers, chip serial in others: kept raw. */
  disputed: 16,
} as const;

const KNOWN_FIELDS = new Set<number>(Object.values(DG13_FIELD).filter((n) => n !== DG13_FIELD.disputed));
const NO_EXPIRY_MRZ = '991231';

const clean = (s: string | null | undefined): string | null => {
  const t = s?.normalize('NFC').replace(/\s+/g, ' ').trim();
  return t ? t : null;
};

/** Lower case without diacritics (đ → d), for matching fixed Vietnamese words. */
const fold = (s: string) =>
  s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();

function validIso(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 'dd/mm/yyyy' (also d/m/yyyy, '-' or '.' separators, or ddmmyyyy) → 'YYYY-MM-DD'. */
export function vnDateToIso(text: string | null | undefined): string | null {
  const t = text?.trim() ?? '';
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  return m ? validIso(Number(m[3]), Number(m[2]), Number(m[1])) : null;
}

export function isNoExpiryText(text: string | null | undefined): boolean {
  return text ? fold(text).replace(/\s+/g, ' ') === 'khong thoi han' : false;
}

function sexFromText(text: string | null): 'M' | 'F' | null {
  const f = text ? fold(text) : '';
  return f === 'nam' ? 'M' : f === 'nu' ? 'F' : null;
}

/**
 * MRZ YYMMDD → YYYY-MM-DD. Birth dates take the latest century not in the future; expiry dates are 20YY unless that
 * is more than 70 years ahead.
 */
export function mrzDateToIso(yymmdd: string, kind: 'birth' | 'expiry', now = new Date()): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd);
  if (!m) return null;
  const yy = Number(m[1]);
  const thisYear = now.getUTCFullYear();
  let year = 2000 + yy;
  if (kind === 'birth') {
    const iso = validIso(year, Number(m[2]), Number(m[3]));
    if (year > thisYear || (iso !== null && iso > now.toISOString().slice(0, 10))) year -= 100;
  } else if (year > thisYear + 70) year -= 100;
  return validIso(year, Number(m[2]), Number(m[3]));
}

function fieldText(dg13: Dg13 | undefined, n: number): string | null {
  const f = dg13?.fields.get(n);
  return f ? clean(f.strings.join(' ')) : null;
}

function fieldPart(dg13: Dg13 | undefined, n: number, i: number): string | null {
  return clean(dg13?.fields.get(n)?.parts[i]);
}

export interface CccdSources {
  dg1?: Dg1;
  dg13?: Dg13;
}

export function toCccdDocument({ dg1, dg13 }: CccdSources, options: { now?: Date } = {}): CccdDocument {
  const mrz = dg1?.mrz;
  const text = (n: number) => fieldText(dg13, n);
  const expiryText = text(DG13_FIELD.dateOfExpiry);
  const dg13NoExpiry = isNoExpiryText(expiryText);
  const mrzNoExpiry = mrz?.dateOfExpiry === NO_EXPIRY_MRZ;
  const dg13Expiry = vnDateToIso(expiryText);
  const useMrzExpiry = !dg13NoExpiry && !dg13Expiry && mrz && !mrzNoExpiry;
  const disputed = text(DG13_FIELD.disputed);

  const unknownFields: Record<number, string> = {};
  for (const [n, f] of dg13?.fields ?? []) if (!KNOWN_FIELDS.has(n)) unknownFields[n] = hex(f.raw);

  const mrzName = mrz ? clean(`${mrz.names.primary} ${mrz.names.secondary}`) : null;
  const mrzSex = mrz?.sex === 'M' || mrz?.sex === 'F' ? mrz.sex : null;
  return {
    idNumber: text(DG13_FIELD.idNumber) ?? mrz?.cccd?.idNumber ?? null,
    oldIdNumber:
      text(DG13_FIELD.oldIdNumber) ??
      (!dg13?.fields.has(DG13_FIELD.oldIdNumber) && disputed && /^\d{9}$/.test(disputed) ? disputed : null),
    fullName: text(DG13_FIELD.fullName) ?? mrzName,
    dateOfBirth:
      vnDateToIso(text(DG13_FIELD.dateOfBirth)) ?? (mrz ? mrzDateToIso(mrz.dateOfBirth, 'birth', options.now) : null),
    sex: sexFromText(text(DG13_FIELD.sex)) ?? mrzSex,
    nationality: text(DG13_FIELD.nationality) ?? clean(mrz?.nationality),
    ethnicity: text(DG13_FIELD.ethnicity),
    religion: text(DG13_FIELD.religion),
    placeOfOrigin: text(DG13_FIELD.placeOfOrigin),
    placeOfResidence: text(DG13_FIELD.placeOfResidence),
    identifyingMarks: text(DG13_FIELD.identifyingMarks),
    dateOfIssue: vnDateToIso(text(DG13_FIELD.dateOfIssue)),
    dateOfExpiry: dg13Expiry ?? (useMrzExpiry ? mrzDateToIso(mrz.dateOfExpiry, 'expiry', options.now) : null),
    noExpiry: dg13NoExpiry || (!dg13Expiry && mrzNoExpiry),
    fatherName: fieldPart(dg13, DG13_FIELD.parents, 0),
    motherName: fieldPart(dg13, DG13_FIELD.parents, 1),
    spouseName: fieldPart(dg13, DG13_FIELD.spouse, 0),
    unknownFields,
  };
}

export type CrossCheckField = 'idNumber' | 'dateOfBirth' | 'dateOfExpiry' | 'sex';

/** A value-free disagreement between DG1 and DG13: which field, and whether one side lacks it. */
export interface CrossCheckIssue {
  field: CrossCheckField;
  reason: 'mismatch' | 'missing-in-dg1' | 'missing-in-dg13';
}

/** 'dd/mm/yyyy' → 'YYMMDD' as in the MRZ, so the comparison needs no century guess. */
function toMrzDate(text: string | null): string | null {
  const iso = vnDateToIso(text);
  return iso ? iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) : null;
}

/**
 * Compares the MRZ (DG1) with DG13 on ID, date of birth, date of expiry and sex. Returns only disagreements, and
 * never the values themselves, so the result can be logged.
 */
export function crossCheck(dg1: Dg1, dg13: Dg13): CrossCheckIssue[] {
  const mrz = dg1.mrz;
  const issues: CrossCheckIssue[] = [];
  const compare = (field: CrossCheckField, a: string | null, b: string | null) => {
    if (a === null && b === null) return;
    if (a === null) issues.push({ field, reason: 'missing-in-dg1' });
    else if (b === null) issues.push({ field, reason: 'missing-in-dg13' });
    else if (a !== b) issues.push({ field, reason: 'mismatch' });
  };
  const id = fieldText(dg13, DG13_FIELD.idNumber);
  const mrzId = mrz.cccd?.idNumber ?? null;
  // The MRZ document number is the ID without its 3-digit province prefix; the optional data holds all 12 digits.
  if (id === null) {
    if (mrzId !== null) issues.push({ field: 'idNumber', reason: 'missing-in-dg13' });
  } else if (mrz.documentNumber !== id.slice(3) || (mrzId !== null && mrzId !== id)) {
    issues.push({ field: 'idNumber', reason: 'mismatch' });
  }

  compare(
    'dateOfBirth',
    /^\d{6}$/.test(mrz.dateOfBirth) ? mrz.dateOfBirth : null,
    toMrzDate(fieldText(dg13, DG13_FIELD.dateOfBirth)),
  );
  const expiryText = fieldText(dg13, DG13_FIELD.dateOfExpiry);
  const dg13Expiry = isNoExpiryText(expiryText) ? NO_EXPIRY_MRZ : toMrzDate(expiryText);
  compare('dateOfExpiry', /^\d{6}$/.test(mrz.dateOfExpiry) ? mrz.dateOfExpiry : null, dg13Expiry);
  compare('sex', mrz.sex === 'X' ? null : mrz.sex, sexFromText(fieldText(dg13, DG13_FIELD.sex)));
  return issues;
}
