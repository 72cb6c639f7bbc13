/** Response APDU: data ‖ SW1 SW2. */
import { MalformedData } from '../errors.js';

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function parseResponse(bytes: Uint8Array, step = 'response'): ResponseApdu {
  if (bytes.length < 2) throw new MalformedData(step, 0, 'response APDU shorter than the 2 status bytes');
  const n = bytes.length - 2;
  return { data: bytes.slice(0, n), sw: (bytes[n]! << 8) | bytes[n + 1]! };
}

export function encodeResponse(r: ResponseApdu): Uint8Array {
  const out = new Uint8Array(r.data.length + 2);
  out.set(r.data);
  out[r.data.length] = r.sw >> 8;
  out[r.data.length + 1] = r.sw & 0xff;
  return out;
}
