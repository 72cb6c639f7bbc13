/** Byte arrays across the React Native bridge (number[]), checked: the native side is not trusted to send bytes. */

const isByte = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;

/** A bridge array of bytes as a Uint8Array, or undefined when it is not one (wrong type, a value outside 0..255). */
export function bytesFrom(value: unknown, maxLength = 65_538): Uint8Array | undefined {
  if (!Array.isArray(value) || value.length > maxLength || !value.every(isByte)) return undefined;
  return Uint8Array.from(value);
}

/**
 * iOS `sendCommandAPDU` result `{ response, sw1, sw2 }` (Apple: sw1 and sw2 are always valid, the response data may
 * be empty) as one response APDU, data ‖ SW1 SW2; undefined when malformed.
 */
export function responseFromIos(value: unknown, maxLength = 65_538): Uint8Array | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { response, sw1, sw2 } = value as { response?: unknown; sw1?: unknown; sw2?: unknown };
  const data = bytesFrom(response ?? [], maxLength - 2);
  if (!data || !isByte(sw1) || !isByte(sw2)) return undefined;
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw1;
  out[data.length + 1] = sw2;
  return out;
}

/**
 * The PC/SC ATR a contactless reader builds from ISO 14443-4 historical bytes (PC/SC part 3 §3.1.3.2.3):
 * 3B 8n 80 01 ‖ historical bytes (at most 15) ‖ TCK, TCK = XOR of T0..last byte.
 */
export function atrFromHistoricalBytes(historical: Uint8Array): Uint8Array {
  const hist = historical.subarray(0, 15);
  const atr = new Uint8Array(4 + hist.length + 1);
  atr.set([0x3b, 0x80 | hist.length, 0x80, 0x01]);
  atr.set(hist, 4);
  let tck = 0;
  for (let i = 1; i < atr.length - 1; i++) tck ^= atr[i]!;
  atr[atr.length - 1] = tck;
  return atr;
}
