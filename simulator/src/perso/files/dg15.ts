import { tlv } from '@cccd/emrtd/codec';
import type { ActiveAuthenticationKey } from '../../card/image.js';

/** DG15 = 6F { SubjectPublicKeyInfo of the active authentication key } (ICAO 9303-10 §4.7.15). */
export function buildDg15(key: ActiveAuthenticationKey): Uint8Array {
  return tlv(0x6f, key.publicKeyDer);
}
