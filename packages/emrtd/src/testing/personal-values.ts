/**
 * Test support: every personal value of a simulated citizen, in every form a reader could leak it in — the ID, its
 * CAN and document number, the name and each of its parts (NFC, NFD, MRZ), dates as ISO, YYMMDD, DD/MM/YYYY,
 * YYYYMMDD and DDMMYYYY, the MRZ lines, addresses, parents' and spouse's names, windows of the photo and of the
 * DG1/DG13 bytes (hex both cases, base64), the SOD's hashes of those groups, and the chip's key bytes. Shared by
 * the SDK, CLI and agent privacy tests so that a leak found by one is looked for by all.
 */
import type { PersonalisedCard } from '@cccd/simulator';
import { hex } from '../codec/bytes.js';
import { digest } from '../crypto/hash.js';
import { parseDg2 } from '../lds/dg2.js';

export interface PersonalValue {
  label: string;
  value: string;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

function dateForms(label: string, iso: string | null): PersonalValue[] {
  if (!iso) return [];
  const [y, m, d] = iso.split('-') as [string, string, string];
  return [
    { label, value: iso },
    { label: `${label} YYMMDD`, value: `${y.slice(2)}${m}${d}` },
    { label: `${label} DD/MM/YYYY`, value: `${d}/${m}/${y}` },
    { label: `${label} YYYYMMDD`, value: `${y}${m}${d}` },
    { label: `${label} DDMMYYYY`, value: `${d}${m}${y}` },
  ];
}

function textForms(label: string, text: string | null | undefined): PersonalValue[] {
  if (!text) return [];
  const nfc = text.normalize('NFC');
  const nfd = text.normalize('NFD');
  return nfc === nfd
    ? [{ label, value: nfc }]
    : [
        { label, value: nfc },
        { label: `${label} (NFD)`, value: nfd },
      ];
}

/** Windows of `bytes` (16 bytes at 4 places, hex in both cases; 15 bytes at offsets divisible by 3, base64). */
function byteWindows(label: string, bytes: Uint8Array | undefined): PersonalValue[] {
  if (!bytes || bytes.length < 16) return [];
  const out: PersonalValue[] = [];
  const last = bytes.length - 16;
  for (const at of new Set([0, Math.floor(last / 3), Math.floor((2 * last) / 3), last])) {
    const h = hex(bytes.subarray(at, at + 16));
    out.push({ label: `${label} hex@${at}`, value: h }, { label: `${label} HEX@${at}`, value: h.toUpperCase() });
    const b = at - (at % 3);
    out.push({ label: `${label} base64@${b}`, value: b64(bytes.subarray(b, b + 15)) });
  }
  return out;
}

export function personalValues(card: PersonalisedCard): PersonalValue[] {
  const p = card.profile;
  const file = (n: number) => card.files.get(0x0100 + n);
  const name = p.fullName.normalize('NFC');
  const mrzNameParts = (card.mrz[2] ?? '').split('<').filter((s) => s.length >= 3);
  const dg2 = file(2);
  const photo = dg2 ? parseDg2(dg2).faces[0]?.image : undefined;
  const values: PersonalValue[] = [
    { label: 'idNumber', value: p.idNumber },
    { label: 'documentNumber', value: p.idNumber.slice(3) },
    { label: 'CAN', value: card.can },
    ...(p.oldIdNumber ? [{ label: 'oldIdNumber', value: p.oldIdNumber }] : []),
    ...textForms('fullName', name),
    ...name.split(/\s+/).flatMap((part, i) => textForms(`fullName part ${i + 1}`, part)),
    ...mrzNameParts.map((part, i) => ({ label: `MRZ name part ${i + 1}`, value: part })),
    ...dateForms('dateOfBirth', p.dateOfBirth),
    ...dateForms('dateOfExpiry', p.dateOfExpiry),
    ...dateForms('dateOfIssue', p.dateOfIssue),
    ...card.mrz.map((line, i) => ({ label: `MRZ line ${i + 1}`, value: line })),
    ...textForms('placeOfOrigin', p.placeOfOrigin),
    ...textForms('placeOfResidence', p.placeOfResidence),
    ...textForms('identifyingMarks', p.identifyingMarks),
    ...textForms('fatherName', p.fatherName),
    ...textForms('motherName', p.motherName),
    ...textForms('spouseName', p.spouseName),
    ...byteWindows('photo', photo),
    ...byteWindows('DG1', file(1)),
    ...byteWindows('DG13', file(13)),
    ...byteWindows('DG14 (chip key)', file(14)),
    ...byteWindows('DG15 (chip key)', file(15)),
  ];
  for (const n of [1, 2, 13]) {
    const bytes = file(n);
    if (!bytes) continue;
    for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const d = hex(digest(h, bytes));
      values.push({ label: `DG${n} ${h}`, value: d }, { label: `DG${n} ${h} (upper)`, value: d.toUpperCase() });
    }
  }
  return values;
}

/** Labels of the values found in `text` (empty = no leak). */
export function personalLeaks(text: string, values: PersonalValue[]): string[] {
  return values.filter((v) => text.includes(v.value)).map((v) => v.label);
}
