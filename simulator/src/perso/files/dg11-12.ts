import { tlv, utf8 } from '@cccd/emrtd/codec';
import type { CitizenProfile } from '../profile.js';

const text = (tag: number, s: string) => tlv(tag, utf8(s.normalize('NFC')));
const yyyymmdd = (date: string) => date.replaceAll('-', '');

/** Full name in national characters, ICAO form: primary identifier << secondary identifiers ('<' between words). */
export function nationalName(fullName: string): string {
  const [surname = '', ...given] = fullName.trim().split(/\s+/);
  return `${surname}<<${given.join('<')}`;
}

/**
 * DG11 (additional personal details, ICAO 9303-10 §4.7.11) of the passport profile: tag list 5C, then 5F0E full
 * name, 5F10 personal number (the 12-digit ID), 5F2B full date of birth, 5F11 place of birth, 5F42 address.
 */
export function buildDg11(profile: CitizenProfile): Uint8Array {
  const items: [number, Uint8Array][] = [
    [0x5f0e, text(0x5f0e, nationalName(profile.fullName))],
    [0x5f10, text(0x5f10, profile.idNumber)],
    [0x5f2b, text(0x5f2b, yyyymmdd(profile.dateOfBirth))],
    [0x5f11, text(0x5f11, profile.placeOfOrigin)],
    [0x5f42, text(0x5f42, profile.placeOfResidence)],
  ];
  return tagListed(0x6b, items);
}

/** DG12 (additional document details, §4.7.12): 5F19 issuing authority, 5F26 date of issue. */
export function buildDg12(profile: CitizenProfile): Uint8Array {
  const items: [number, Uint8Array][] = [
    [0x5f19, text(0x5f19, profile.issuingAuthority ?? 'Cục Quản lý xuất nhập cảnh')],
    [0x5f26, text(0x5f26, yyyymmdd(profile.dateOfIssue))],
  ];
  return tagListed(0x6c, items);
}

function tagListed(tag: number, items: [number, Uint8Array][]): Uint8Array {
  const list = Uint8Array.from(items.flatMap(([t]) => [t >> 8, t & 0xff]));
  return tlv(tag, tlv(0x5c, list), ...items.map(([, v]) => v));
}
