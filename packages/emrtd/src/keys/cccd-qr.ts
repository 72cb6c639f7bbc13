/**
 * CCCD front/back QR payload and the expiry rule (docs/reference/vn-cccd.md §4):
 * `ID12|oldID9|name|ddmmyyyy|sex|address|ddmmyyyy(issue)` plus any extra fields (2024 cards). The QR has no expiry, so
 * candidate BAC keys are derived from the age milestones (Law 59/2014 art. 21: 25/40/60; Law 26/2023: 14/25/40/60; the
 * 2-year rule; none from 58).
 */
import { EmrtdError } from '../errors.js';
import { type AccessKey, canFromCccdId, keyFromCccd, NO_EXPIRY } from './access-key.js';

export interface CccdQr {
  idNumber: string;
  oldIdNumber: string | null;
  fullName: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  sex: string;
  address: string;
  /** YYYY-MM-DD, or null when absent or unreadable. */
  dateOfIssue: string | null;
  /** Fields after the seventh, kept verbatim (2024 cards add more). */
  extra: string[];
}

function ddmmyyyy(text: string | undefined): string | null {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(text?.trim() ?? '');
  if (!m) return null;
  const [y, mo, d] = [Number(m[3]), Number(m[2]), Number(m[1])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${m[3]}-${m[2]}-${m[1]}`;
}

/** Parses the QR text. A keyboard-wedge scanner may send it twice: only the first copy is used. */
export function parseCccdQr(payload: string): CccdQr {
  let text = payload
    .normalize('NFC')
    .replace(/[\r\n]+$/g, '')
    .trim();
  const again = text.slice(1).search(/\d{12}\|/);
  if (again >= 0 && text.slice(again + 1).startsWith(text.slice(0, 13))) text = text.slice(0, again + 1).trim();
  const f = text.split('|');
  if (f.length < 7 || !/^\d{12}$/.test(f[0] ?? ''))
    throw new EmrtdError('invalid-argument', 'not a CCCD QR payload (expected ID12|oldID|name|dob|sex|address|issue)');
  const dob = ddmmyyyy(f[3]);
  if (!dob) throw new EmrtdError('invalid-argument', 'CCCD QR payload: unreadable date of birth');
  return {
    idNumber: f[0]!,
    oldIdNumber: f[1]?.trim() ? f[1].trim() : null,
    fullName: f[2]!.trim(),
    dateOfBirth: dob,
    sex: f[4]!.trim(),
    address: f[5]!.trim(),
    dateOfIssue: ddmmyyyy(f[6]),
    extra: f.slice(7),
  };
}

export type CccdLaw = '2014' | '2023';
export const MILESTONES: Record<CccdLaw, number[]> = { '2014': [25, 40, 60], '2023': [14, 25, 40, 60] };
/** Law 26/2023 applies to cards issued from 1 July 2024. */
export const LAW_2023_FROM = '2024-07-01';

/** The holder's birthday in year birthYear + age (29 Feb → 28 Feb in common years; unverified on real cards). */
export function birthdayAt(dateOfBirth: string, age: number): string {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const year = y + age;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export interface ExpiryGuess {
  /** YYYY-MM-DD, or null = no expiry. */
  expiry: string | null;
  milestone: number | null;
  law: CccdLaw;
}

/** expiry = birthday(m) for the first milestone m with issue < birthday(m − 2); none (null) otherwise. */
export function cccdExpiry(dateOfBirth: string, dateOfIssue: string, law?: CccdLaw): ExpiryGuess {
  const l = law ?? (dateOfIssue >= LAW_2023_FROM ? '2023' : '2014');
  for (const m of MILESTONES[l]) {
    if (dateOfIssue < birthdayAt(dateOfBirth, m - 2))
      return { expiry: birthdayAt(dateOfBirth, m), milestone: m, law: l };
  }
  return { expiry: null, milestone: null, law: l };
}

export interface CandidateKey {
  key: AccessKey;
  /** Why this key is tried; contains no personal data. */
  label: string;
}

export interface CandidateInput {
  idNumber: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  /** YYYY-MM-DD; needed to compute the expiry when it is not given. */
  dateOfIssue?: string | null;
  /** YYYY-MM-DD when known (typed by the user or read from the MRZ); null = known to have no expiry. */
  dateOfExpiry?: string | null;
}

export interface CandidateOptions {
  /** At most this many candidates (the chip may count failed attempts). Default 3. */
  maxAttempts?: number;
  /** Put the CAN (PACE) key first. Default true. */
  includeCan?: boolean;
  law?: CccdLaw;
}

const DAY = 86_400_000;
const days = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / DAY;

/**
 * Ordered candidate keys, most likely first: CAN (PACE), then BAC with the given or computed expiry, the adjacent
 * milestone (the other side of the nearest 2-year boundary), and 991231 — de-duplicated and capped.
 */
export function candidateKeys(input: CandidateInput, options: CandidateOptions = {}): CandidateKey[] {
  const max = options.maxAttempts ?? 3;
  const out: CandidateKey[] = [];
  const seen = new Set<string>();
  const add = (key: AccessKey, label: string) => {
    const id = key.kind === 'CAN' ? 'CAN' : key.dateOfExpiry;
    if (!seen.has(id)) {
      seen.add(id);
      out.push({ key, label });
    }
  };
  if (options.includeCan ?? true) add(canFromCccdId(input.idNumber), 'CAN (last 6 digits of the ID)');
  const bac = (expiry: string | null) => keyFromCccd(input.idNumber, input.dateOfBirth, expiry);
  if (input.dateOfExpiry !== undefined) add(bac(input.dateOfExpiry), 'MRZ with the given expiry');
  if (input.dateOfIssue) {
    const guess = cccdExpiry(input.dateOfBirth, input.dateOfIssue, options.law);
    const ms = MILESTONES[guess.law];
    add(
      bac(guess.expiry),
      guess.milestone ? `MRZ with computed expiry (milestone ${guess.milestone})` : 'MRZ, no expiry (991231)',
    );
    const adjacent = adjacentMilestone(input.dateOfBirth, input.dateOfIssue, guess, ms);
    if (adjacent !== undefined)
      add(
        bac(adjacent === null ? null : birthdayAt(input.dateOfBirth, adjacent)),
        adjacent === null ? 'MRZ, no expiry (991231)' : `MRZ with adjacent milestone ${adjacent}`,
      );
  }
  add(bac(null), `MRZ, no expiry (${NO_EXPIRY})`);
  return out.slice(0, Math.max(0, max));
}

/** The milestone on the other side of the 2-year boundary nearest to the issue date (null = no expiry). */
function adjacentMilestone(dob: string, issue: string, guess: ExpiryGuess, ms: number[]): number | null | undefined {
  const i = guess.milestone === null ? ms.length : ms.indexOf(guess.milestone);
  const upper = i < ms.length ? birthdayAt(dob, ms[i]! - 2) : undefined; // crossing it → next milestone
  const lower = i > 0 ? birthdayAt(dob, ms[i - 1]! - 2) : undefined; // the boundary that placed us here
  const next = i + 1 < ms.length ? ms[i + 1]! : null;
  const prev = i > 0 ? ms[i - 1]! : undefined;
  if (upper && (!lower || days(issue, upper) <= days(issue, lower))) return i < ms.length ? next : undefined;
  return prev;
}
