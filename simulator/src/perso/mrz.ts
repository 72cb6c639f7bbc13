import { checkDigit } from '@cccd/emrtd/codec';
import type { CitizenProfile } from './profile.js';

/** Vietnamese text to MRZ characters: diacritics dropped, đ/Đ → D, anything else outside A-Z0-9 → '<'. */
export function transliterate(text: string): string {
  return text
    .replace(/[đĐ]/g, 'D')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '<');
}

/** ICAO name field: primary identifier (the Vietnamese family name, first word) << secondary identifiers. */
export function mrzNameField(profile: Pick<CitizenProfile, 'fullName' | 'mrzName'>, width: number): string {
  const raw =
    profile.mrzName ??
    (() => {
      const words = profile.fullName.trim().split(/\s+/).map(transliterate).filter(Boolean);
      return `${words[0] ?? ''}<<${words.slice(1).join('<')}`;
    })();
  return fit(raw.replace(/<+$/, ''), width);
}

function fit(field: string, width: number): string {
  return field.length >= width ? field.slice(0, width) : field.padEnd(width, '<');
}

/** 'YYYY-MM-DD' → 'YYMMDD'; null (no expiry) → 991231 as on CCCDs without an expiry date. */
export function mrzDate(date: string | null): string {
  if (date === null) return '991231';
  return date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
}

const cd = (s: string) => String(checkDigit(s));

/** The 9-character document number the MRZ and BAC use: last 9 digits of a CCCD ID, or the passport number. */
export function documentNumberOf(profile: CitizenProfile): string {
  if (profile.kind === 'passport-td3') return (profile.documentNumber ?? '').padEnd(9, '<');
  return profile.idNumber.slice(3);
}

/**
 * TD1 MRZ of a CCCD (docs/reference/vn-cccd.md §4): line 1 carries the 9-digit document number, then the full
 * 12-digit ID in the optional data followed by its own check digit; line 2 has no optional data.
 */
export function td1Lines(profile: CitizenProfile): [string, string, string] {
  const doc = documentNumberOf(profile);
  const l1 = `IDVNM${doc}${cd(doc)}${profile.idNumber}<<${cd(profile.idNumber)}`;
  const dob = mrzDate(profile.dateOfBirth);
  const exp = mrzDate(profile.dateOfExpiry);
  const l2head = `${dob}${cd(dob)}${profile.sex}${exp}${cd(exp)}${profile.nationalityCode}${'<'.repeat(11)}`;
  const composite = l1.slice(5, 30) + l2head.slice(0, 7) + l2head.slice(8, 15) + l2head.slice(18, 29);
  return [l1, l2head + cd(composite), mrzNameField(profile, 30)];
}

/** TD3 MRZ of a passport; the optional data carries the 12-digit personal ID. */
export function td3Lines(profile: CitizenProfile): [string, string] {
  const l1 = `P<${profile.nationalityCode}${mrzNameField(profile, 39)}`;
  const doc = documentNumberOf(profile);
  const dob = mrzDate(profile.dateOfBirth);
  const exp = mrzDate(profile.dateOfExpiry);
  const optional = profile.idNumber.padEnd(14, '<');
  const head = `${doc}${cd(doc)}${profile.nationalityCode}${dob}${cd(dob)}${profile.sex}${exp}${cd(exp)}${optional}${cd(optional)}`;
  const composite = head.slice(0, 10) + head.slice(13, 20) + head.slice(21, 43);
  return [l1, head + cd(composite)];
}

export function mrzLines(profile: CitizenProfile): string[] {
  return profile.kind === 'passport-td3' ? td3Lines(profile) : td1Lines(profile);
}

/** BAC / PACE-MRZ secret: document number ‖ cd ‖ birth date ‖ cd ‖ expiry ‖ cd (ICAO 9303-11 §9.7.2). */
export function mrzInformation(profile: CitizenProfile): string {
  const doc = documentNumberOf(profile);
  const dob = mrzDate(profile.dateOfBirth);
  const exp = mrzDate(profile.dateOfExpiry);
  return `${doc}${cd(doc)}${dob}${cd(dob)}${exp}${cd(exp)}`;
}

/** CAN: the profile's own, else the last 6 digits of the ID (CCCD practice). */
export function canOf(profile: CitizenProfile): string {
  return profile.can ?? profile.idNumber.slice(-6);
}
