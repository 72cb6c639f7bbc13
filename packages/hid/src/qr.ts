/**
 * The CCCD front-side QR (vn-cccd.md §4, §6): `ID12|CMND9|Full name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY(issue)`.
 * 2024 cards (Circular 16/2024) add fields whose order is not verified, so only the first seven are named and the
 * rest are kept. This is a thin adapter for scanners, shaped like @cccd/emrtd's `CccdQr` (keys/cccd-qr.ts) so the
 * core's parser and key derivation can replace it once they are exported from the package index.
 * Errors name the field, never its content.
 */
import { MalformedData } from '@cccd/emrtd';

export interface CccdQrPayload {
  /** 12-digit personal identification number. */
  idNumber: string;
  /** Old CMND number (9 digits, or 12 for 2012-2016 CMNDs), or null when the field is empty. */
  oldIdNumber: string | null;
  fullName: string;
  /** ISO 8601 date, YYYY-MM-DD. */
  dateOfBirth: string;
  /** As printed: 'Nam' or 'Nữ' (NFC). */
  sex: string;
  address: string;
  /** ISO 8601 date, YYYY-MM-DD, or null when absent or not a date. */
  dateOfIssue: string | null;
  /** Fields after the seventh (2024 cards: cancelled ID, parents' names …), in order, NFC-normalised. */
  extra: string[];
}

/** A complete payload: 12 digits, a '|', and at least six separators in all. */
export const CCCD_QR = /^\d{12}\|/;
export const CCCD_QR_MIN_SEPARATORS = 6;

export const separatorCount = (text: string) => text.split('|').length - 1;

export function looksLikeCccdQr(text: string): boolean {
  return CCCD_QR.test(text) && separatorCount(text) >= CCCD_QR_MIN_SEPARATORS;
}

const FILE = 'CCCD QR';

function fieldOffset(fields: string[], index: number): number {
  let offset = 0;
  for (let i = 0; i < index; i++) offset += fields[i]!.length + 1;
  return offset;
}

/** DDMMYYYY → YYYY-MM-DD, or undefined when it is not a calendar date. */
function isoDate(raw: string): string | undefined {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(raw);
  if (!m) return undefined;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
}

export function parseCccdQr(text: string): CccdQrPayload {
  const normalized = text.normalize('NFC').replace(/[\r\n]+$/, '');
  if (!looksLikeCccdQr(normalized)) {
    throw new MalformedData(FILE, 0, 'not a CCCD QR payload (12-digit ID and 7 fields expected)');
  }
  const fields = normalized.split('|').map((f) => f.trim());
  const old = fields[1]!;
  const dateOfBirth = isoDate(fields[3]!);
  if (dateOfBirth === undefined) throw new MalformedData(FILE, fieldOffset(fields, 3), 'date of birth is not DDMMYYYY');
  // The issue date is read leniently: the 2024 field order is unverified and chip access does not need it.
  return {
    idNumber: fields[0]!,
    oldIdNumber: old === '' ? null : old,
    fullName: fields[2]!,
    dateOfBirth,
    sex: fields[4]!,
    address: fields[5]!,
    dateOfIssue: isoDate(fields[6]!) ?? null,
    extra: fields.slice(7),
  };
}

/**
 * What a QR gives towards chip access: the BAC/PACE-MRZ document number is ID12[3..11] (vn-cccd.md §4) and the date
 * of birth; the expiry is not in the QR and has to be computed or typed in by the core's key derivation.
 */
export interface QrAccessInputs {
  idNumber: string;
  documentNumber: string;
  /** YYMMDD, as in the MRZ. */
  dateOfBirth: string;
}

export function qrAccessInputs(payload: CccdQrPayload): QrAccessInputs {
  const [yyyy, mm, dd] = payload.dateOfBirth.split('-') as [string, string, string];
  return {
    idNumber: payload.idNumber,
    documentNumber: payload.idNumber.slice(3),
    dateOfBirth: yyyy.slice(2) + mm + dd,
  };
}
