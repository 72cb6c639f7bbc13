/** Response APDU: data ‖ SW1 SW2. */
import { EmrtdError } from '../errors.js';

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

/**
 * A response without two status bytes, or whose SW1 is outside ISO 7816-4's 6X/9X, was cut or garbled on the way:
 * a link error worth a retry (resume), not a statement by the chip such as a refused key.
 */
/**
 * `plain`: the command was not SM-protected, so an error status cannot come with data (SM wraps errors in DO99 ‖
 * DO8E, which parseResponse must let through to the SM layer).
 */
export function parseResponse(bytes: Uint8Array, step = 'response', options: { plain?: boolean } = {}): ResponseApdu {
  const garbled = (why: string) => new EmrtdError('transport', `${step}: ${why}`, { step, retriable: true });
  if (bytes.length < 2) throw garbled('response APDU shorter than the 2 status bytes');
  const n = bytes.length - 2;
  const sw1 = bytes[n]!;
  if (sw1 >> 4 !== 0x6 && sw1 >> 4 !== 0x9) throw garbled('status word outside ISO 7816-4 (truncated answer?)');
  // ISO 7816-4 §5.6: an aborted command (SW1 64–6F) has no response data, and only 9000 of the 9X range is
  // interindustry; data before such a "status word" means the answer was cut short.
  const mayCarryData = sw1 === 0x90 ? bytes[n + 1] === 0 : sw1 >= 0x61 && sw1 <= 0x63;
  if (options.plain && n > 0 && !mayCarryData)
    throw garbled('response data with an error or unknown status word (truncated answer?)');
  return { data: bytes.slice(0, n), sw: (sw1 << 8) | bytes[n + 1]! };
}

export function encodeResponse(r: ResponseApdu): Uint8Array {
  const out = new Uint8Array(r.data.length + 2);
  out.set(r.data);
  out[r.data.length] = r.sw >> 8;
  out[r.data.length + 1] = r.sw & 0xff;
  return out;
}
