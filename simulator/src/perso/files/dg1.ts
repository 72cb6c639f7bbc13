import { tlv, utf8 } from '@cccd/emrtd/codec';
import { mrzLines } from '../mrz.js';
import type { CitizenProfile } from '../profile.js';

/** DG1 = 61 { 5F1F MRZ } with the MRZ lines concatenated, no separators (ICAO 9303-10 §4.7.1). */
export function buildDg1(profile: CitizenProfile): Uint8Array {
  return tlv(0x61, tlv(0x5f1f, utf8(mrzLines(profile).join(''))));
}
