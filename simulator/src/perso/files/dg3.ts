import { tlv } from '@cccd/emrtd/codec';
import { integer } from '../der.js';

/**
 * DG3 placeholder: a biometric information group template holding no fingerprint. Real CCCDs answer 6982 to it
 * (EAC), so nobody reads it; it exists only so EF.COM and the SOD list DG3 as on real cards.
 */
export function buildDg3(): Uint8Array {
  return tlv(0x63, tlv(0x7f61, integer(0)));
}
