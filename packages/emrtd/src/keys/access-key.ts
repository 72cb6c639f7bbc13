/**
 * Access keys (ICAO 9303-11 §9.7.2-9.7.3): the MRZ triple (document number, date of birth, date of expiry) for BAC
 * and PACE-MRZ, or the 6-digit CAN for PACE-CAN. CCCD specifics (docs/reference/vn-cccd.md §3): document
 * number = last 9 digits of the 12-digit ID, CAN = last 6 digits, no-expiry cards use 991231.
 */

import { type BacKeys, deriveBacKeys } from '../bac/bac.js';
import { EmrtdError } from '../errors.js';
import { mrzInformation, parseMrz } from '../lds/mrz.js';
import { canPassword, mrzPassword, type PacePassword } from '../pace/pace.js';

export type AccessKey =
  | { kind: 'MRZ'; documentNumber: string; dateOfBirth: string; dateOfExpiry: string }
  | { kind: 'CAN'; can: string };

export const NO_EXPIRY = '991231';

const YYMMDD = /^\d{6}$/;

export function mrzKey(documentNumber: string, dateOfBirth: string, dateOfExpiry: string): AccessKey {
  const doc = documentNumber.toUpperCase().replace(/\s+/g, '').replace(/<+$/, '');
  if (!/^[0-9A-Z<]+$/.test(doc)) throw new EmrtdError('invalid-argument', 'document number must use the MRZ alphabet');
  const dob = toYymmdd(dateOfBirth);
  const doe = toYymmdd(dateOfExpiry);
  return { kind: 'MRZ', documentNumber: doc, dateOfBirth: dob, dateOfExpiry: doe };
}

export function canKey(can: string): AccessKey {
  const c = can.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(c)) throw new EmrtdError('invalid-argument', 'CAN must be 6 digits');
  return { kind: 'CAN', can: c };
}

/** Key from MRZ text (TD1, TD2 or TD3; line breaks optional). Check digits are not enforced here. */
export function keyFromMrzText(text: string): AccessKey {
  const mrz = parseMrz(text);
  return mrzKey(mrz.documentNumber, mrz.dateOfBirth, mrz.dateOfExpiry);
}

const ID12 = /^\d{12}$/;

function requireId12(idNumber: string): string {
  const id = idNumber.replace(/\s+/g, '');
  if (!ID12.test(id)) throw new EmrtdError('invalid-argument', 'CCCD ID number must be 12 digits');
  return id;
}

/** CCCD BAC key: document number = ID[3..11]; expiry null/undefined = no expiry (991231). */
export function keyFromCccd(idNumber: string, dateOfBirth: string, dateOfExpiry?: string | null): AccessKey {
  const id = requireId12(idNumber);
  return mrzKey(id.slice(3), dateOfBirth, dateOfExpiry ?? NO_EXPIRY);
}

/** CCCD CAN: the last 6 digits of the 12-digit ID. */
export function canFromCccdId(idNumber: string): AccessKey {
  return canKey(requireId12(idNumber).slice(6));
}

/**
 * Date to YYMMDD. Accepts YYMMDD, YYYY-MM-DD, dd/mm/yyyy (also '-' or '.'), ddmmyyyy. Never echoes the input.
 */
export function toYymmdd(date: string): string {
  const t = date.trim();
  if (YYMMDD.test(t)) return t;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return validate(m[1]!, m[2]!, m[3]!);
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  if (m) return validate(m[3]!, m[2]!.padStart(2, '0'), m[1]!.padStart(2, '0'));
  throw new EmrtdError('invalid-argument', 'unrecognised date format (use YYMMDD, YYYY-MM-DD or dd/mm/yyyy)');
}

function validate(y: string, m: string, d: string): string {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d))
    throw new EmrtdError('invalid-argument', 'invalid calendar date');
  return y.slice(2) + m + d;
}

/** BAC keys of an MRZ key. */
export function bacKeysOf(key: AccessKey): BacKeys {
  if (key.kind !== 'MRZ') throw new EmrtdError('invalid-argument', 'BAC needs an MRZ key');
  return deriveBacKeys(mrzInformation(key.documentNumber, key.dateOfBirth, key.dateOfExpiry));
}

/** PACE password π of a key. */
export function pacePasswordOf(key: AccessKey): PacePassword {
  return key.kind === 'CAN'
    ? canPassword(key.can)
    : mrzPassword(mrzInformation(key.documentNumber, key.dateOfBirth, key.dateOfExpiry));
}
