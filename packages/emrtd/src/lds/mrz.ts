/**
 * Machine Readable Zone parsing (ICAO 9303-4/5/6): TD1 (3×30), TD2 (2×36), TD3 (2×44). Check digits are reported,
 * not enforced — the caller decides what a failed check means. Errors never echo MRZ content.
 */
import { checkDigit } from '../codec/check-digit.js';
import { EmrtdError, MalformedData } from '../errors.js';

export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

export interface CheckDigitResult {
  /** The digit computed from the data. */
  expected: number;
  /** The character printed in the MRZ. */
  actual: string;
  valid: boolean;
}

export type CheckDigitName =
  | 'documentNumber'
  | 'dateOfBirth'
  | 'dateOfExpiry'
  | 'optionalData'
  | 'composite'
  /** CCCD only: the last character of TD1 line 1 over the 12-digit personal ID (docs/reference/vn-cccd.md §4). */
  | 'cccdIdNumber';

export interface Mrz {
  format: MrzFormat;
  /** The MRZ lines exactly as parsed (whitespace removed). */
  lines: string[];
  documentCode: string;
  issuingState: string;
  /** Full document number, including the TD1/TD2 long-number extension; '<' fillers removed. */
  documentNumber: string;
  /** TD1 line 1 optional data / TD2 optional data / TD3 personal number, trailing fillers removed. */
  optionalData: string;
  /** TD1 line 2 optional data. */
  optionalData2?: string;
  /** YYMMDD as printed (may contain '<' when unknown). */
  dateOfBirth: string;
  sex: 'M' | 'F' | 'X';
  dateOfExpiry: string;
  nationality: string;
  names: { primary: string; secondary: string };
  checkDigits: Partial<Record<CheckDigitName, CheckDigitResult>>;
  /** Present when the TD1 layout is the Vietnamese CCCD one: IDVNM + docNo(9) + cd + ID12 + '<<' + cd. */
  cccd?: { idNumber: string };
}

const LENGTHS: Record<number, { format: MrzFormat; lineLength: number }> = {
  90: { format: 'TD1', lineLength: 30 },
  72: { format: 'TD2', lineLength: 36 },
  88: { format: 'TD3', lineLength: 44 },
};

/** Far above 3×30 plus separators; longer input is rejected before any regex runs. */
const MAX_TEXT = 512;

const stripFiller = (s: string) => s.replace(/<+$/, '');
const field = (s: string) => s.replace(/</g, ' ').trim();

function check(data: string, digit: string): CheckDigitResult {
  const expected = checkDigit(data);
  return { expected, actual: digit, valid: digit === String(expected) };
}

function parseNames(zone: string): Mrz['names'] {
  const sep = zone.indexOf('<<');
  const primary = sep < 0 ? zone : zone.slice(0, sep);
  const secondary = sep < 0 ? '' : zone.slice(sep + 2);
  const clean = (s: string) => field(s).replace(/ +/g, ' ');
  return { primary: clean(primary), secondary: clean(secondary) };
}

const sexOf = (c: string): Mrz['sex'] => (c === 'M' || c === 'F' ? c : 'X');

/**
 * Document number with the long-number rule (9303-5 §4.2.4, 9303-6): when the check-digit position holds '<', the
 * number continues in the optional data up to the first '<', and the last character before it is the check digit.
 */
function documentNumberOf(
  numberZone: string,
  digit: string,
  optional: string,
): { documentNumber: string; check: CheckDigitResult; optional: string } {
  if (digit === '<' && /^[0-9A-Z]/.test(optional)) {
    const end = optional.indexOf('<');
    const ext = end < 0 ? optional : optional.slice(0, end);
    if (ext.length >= 2) {
      const documentNumber = numberZone + ext.slice(0, -1);
      return {
        documentNumber,
        check: check(documentNumber, ext.slice(-1)),
        optional: end < 0 ? '' : optional.slice(end + 1),
      };
    }
  }
  return { documentNumber: stripFiller(numberZone), check: check(numberZone, digit), optional };
}

/** Splits the cleaned MRZ text into lines, checking length and alphabet. */
function splitLines(text: string, file: string, base: number): { format: MrzFormat; lines: string[] } {
  if (typeof text !== 'string') throw new MalformedData(file, base, 'MRZ is not text');
  if (text.length > MAX_TEXT) throw new MalformedData(file, base, 'MRZ text too long');
  const clean = text.replace(/[\s]+/g, '');
  const layout = LENGTHS[clean.length];
  if (!layout) throw new MalformedData(file, base, `MRZ of ${clean.length} characters is not TD1, TD2 or TD3`);
  const bad = clean.search(/[^0-9A-Z<]/);
  if (bad >= 0) throw new MalformedData(file, base + bad, 'character outside the MRZ alphabet');
  const lines: string[] = [];
  for (let i = 0; i < clean.length; i += layout.lineLength) lines.push(clean.slice(i, i + layout.lineLength));
  if (text.includes('\n')) {
    const given = text
      .split(/\r?\n/)
      .map((l) => l.replace(/\s+/g, ''))
      .filter((l) => l.length > 0);
    if (given.some((l) => l.length !== layout.lineLength))
      throw new MalformedData(file, base, `MRZ lines are not ${layout.lineLength} characters long`);
  }
  return { format: layout.format, lines };
}

function parseTd1([l1, l2, l3]: string[]): Mrz {
  const doc = documentNumberOf(l1!.slice(5, 14), l1![14]!, l1!.slice(15, 30));
  const mrz: Mrz = {
    format: 'TD1',
    lines: [l1!, l2!, l3!],
    documentCode: stripFiller(l1!.slice(0, 2)),
    issuingState: stripFiller(l1!.slice(2, 5)),
    documentNumber: doc.documentNumber,
    optionalData: stripFiller(doc.optional),
    optionalData2: stripFiller(l2!.slice(18, 29)),
    dateOfBirth: l2!.slice(0, 6),
    sex: sexOf(l2![7]!),
    dateOfExpiry: l2!.slice(8, 14),
    nationality: stripFiller(l2!.slice(15, 18)),
    names: parseNames(l3!),
    checkDigits: {
      documentNumber: doc.check,
      dateOfBirth: check(l2!.slice(0, 6), l2![6]!),
      dateOfExpiry: check(l2!.slice(8, 14), l2![14]!),
      composite: check(l1!.slice(5, 30) + l2!.slice(0, 7) + l2!.slice(8, 15) + l2!.slice(18, 29), l2![29]!),
    },
  };
  // CCCD: optional data = ID12 + '<<' + check digit over ID12 (observed on all public samples,
  // docs/reference/vn-cccd.md §4).
  const cccd = /^(\d{12})<<([0-9<])$/.exec(l1!.slice(15, 30));
  if (mrz.issuingState === 'VNM' && cccd) {
    mrz.cccd = { idNumber: cccd[1]! };
    mrz.checkDigits.cccdIdNumber = check(cccd[1]!, cccd[2]!);
  }
  return mrz;
}

function parseTd2([l1, l2]: string[]): Mrz {
  const doc = documentNumberOf(l2!.slice(0, 9), l2![9]!, l2!.slice(28, 35));
  return {
    format: 'TD2',
    lines: [l1!, l2!],
    documentCode: stripFiller(l1!.slice(0, 2)),
    issuingState: stripFiller(l1!.slice(2, 5)),
    documentNumber: doc.documentNumber,
    optionalData: stripFiller(doc.optional),
    dateOfBirth: l2!.slice(13, 19),
    sex: sexOf(l2![20]!),
    dateOfExpiry: l2!.slice(21, 27),
    nationality: stripFiller(l2!.slice(10, 13)),
    names: parseNames(l1!.slice(5, 36)),
    checkDigits: {
      documentNumber: doc.check,
      dateOfBirth: check(l2!.slice(13, 19), l2![19]!),
      dateOfExpiry: check(l2!.slice(21, 27), l2![27]!),
      composite: check(l2!.slice(0, 10) + l2!.slice(13, 20) + l2!.slice(21, 35), l2![35]!),
    },
  };
}

function parseTd3([l1, l2]: string[]): Mrz {
  const personal = l2!.slice(28, 42);
  const personalDigit = l2![42]!;
  return {
    format: 'TD3',
    lines: [l1!, l2!],
    documentCode: stripFiller(l1!.slice(0, 2)),
    issuingState: stripFiller(l1!.slice(2, 5)),
    documentNumber: stripFiller(l2!.slice(0, 9)),
    optionalData: stripFiller(personal),
    dateOfBirth: l2!.slice(13, 19),
    sex: sexOf(l2![20]!),
    dateOfExpiry: l2!.slice(21, 27),
    nationality: stripFiller(l2!.slice(10, 13)),
    names: parseNames(l1!.slice(5, 44)),
    checkDigits: {
      documentNumber: check(l2!.slice(0, 9), l2![9]!),
      dateOfBirth: check(l2!.slice(13, 19), l2![19]!),
      dateOfExpiry: check(l2!.slice(21, 27), l2![27]!),
      // An all-filler personal number may carry '<' instead of 0 as its check digit (9303-4 §4.2.2.2).
      optionalData:
        personalDigit === '<' && /^<*$/.test(personal)
          ? { expected: 0, actual: '<', valid: true }
          : check(personal, personalDigit),
      composite: check(l2!.slice(0, 10) + l2!.slice(13, 20) + l2!.slice(21, 43), l2![43]!),
    },
  };
}

/**
 * Parses MRZ text. Line breaks and spaces are ignored (the format follows from the character count); when line
 * breaks are present every line must have the format's length. `file`/`offset` locate errors (e.g. 'DG1').
 */
export function parseMrz(text: string, file = 'MRZ', offset = 0): Mrz {
  const { format, lines } = splitLines(text, file, offset);
  if (format === 'TD1') return parseTd1(lines);
  if (format === 'TD2') return parseTd2(lines);
  return parseTd3(lines);
}

/** True when every check digit the format defines is valid (the CCCD extra check is not included). */
export function mrzChecksValid(mrz: Mrz): boolean {
  return Object.entries(mrz.checkDigits).every(([name, c]) => name === 'cccdIdNumber' || c?.valid);
}

const DATE = /^\d{6}$/;

/**
 * The BAC/PACE-MRZ key seed text (9303-11 §9.7.2): document number (padded with '<' to at least 9 characters) + its
 * check digit, date of birth + check digit, date of expiry + check digit. For CCCD pass the last 9 digits of the ID.
 */
export function mrzInformation(documentNumber: string, dateOfBirth: string, dateOfExpiry: string): string {
  const doc = String(documentNumber).toUpperCase().replace(/\s+/g, '');
  if (doc.length === 0 || /[^0-9A-Z<]/.test(doc))
    throw new EmrtdError('invalid-argument', 'document number must use the MRZ alphabet (0-9, A-Z, <)');
  if (!DATE.test(dateOfBirth) || !DATE.test(dateOfExpiry))
    throw new EmrtdError('invalid-argument', 'dates must be YYMMDD');
  const padded = doc.padEnd(9, '<');
  return padded + checkDigit(padded) + dateOfBirth + checkDigit(dateOfBirth) + dateOfExpiry + checkDigit(dateOfExpiry);
}
