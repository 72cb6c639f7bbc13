/** Minimal DER writer (X.690) for the test PKI: every structure is built byte-exact so fixtures are reproducible. */
import { bigToBytes, concat, oidContent, tlv, utf8 } from '@cccd/emrtd/codec';

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);

/** SET: the caller decides the order (e.g. SignedData.digestAlgorithms with one element). */
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);

/** DER SET OF: elements sorted by their encodings (X.690 11.6). */
export function setOf(items: Uint8Array[]): Uint8Array {
  return tlv(0x31, ...[...items].sort(compareBytes));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Context-specific constructed tag [n] (EXPLICIT, or IMPLICIT over a constructed type). */
export const explicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

/** Context-specific primitive tag [n] IMPLICIT. */
export const implicitPrimitive = (n: number, value: Uint8Array): Uint8Array => tlv(0x80 | n, value);

/** Re-tags an encoded element (IMPLICIT tagging of an already encoded TLV with a one-byte tag). */
export function retag(encoded: Uint8Array, tag: number): Uint8Array {
  const out = Uint8Array.from(encoded);
  out[0] = tag;
  return out;
}

/** Unsigned big-endian magnitude to a DER INTEGER (non-negative). */
export function integer(value: bigint | number): Uint8Array {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError('integer: negative values are not used here');
  let len = 1;
  while (v >> BigInt(8 * len) > 0n) len++;
  const body = bigToBytes(v, len);
  return tlv(0x02, body[0]! & 0x80 ? concat(Uint8Array.of(0), body) : body);
}

/** INTEGER from unsigned magnitude bytes (leading zeros stripped, 0x00 added when the top bit is set). */
export function integerFromBytes(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  return tlv(0x02, body.length && body[0]! & 0x80 ? concat(Uint8Array.of(0), body) : body);
}

export const enumerated = (value: number): Uint8Array => retag(integer(value), 0x0a);
export const boolean = (value: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const octetString = (value: Uint8Array): Uint8Array => tlv(0x04, value);
export const bitString = (value: Uint8Array, unusedBits = 0): Uint8Array => tlv(0x03, Uint8Array.of(unusedBits), value);
export const printableString = (text: string): Uint8Array => tlv(0x13, utf8(text));
export const utf8String = (text: string): Uint8Array => tlv(0x0c, utf8(text));
export const ia5String = (text: string): Uint8Array => tlv(0x16, utf8(text));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
/** PrintableString when the text allows it (ICAO 9303-12 prefers it), UTF8String otherwise. */
export const directoryString = (text: string): Uint8Array =>
  PRINTABLE.test(text) ? printableString(text) : utf8String(text);

/** OBJECT IDENTIFIER: the content octets come from the core's encoder (X.690 §8.19), one OID rule for both sides. */
export const objectIdentifier = (oid: string): Uint8Array => tlv(0x06, oidContent(oid));

const two = (n: number) => String(n).padStart(2, '0');
function timeDigits(date: Date, fourDigitYear: boolean): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('time: invalid date');
  const y = date.getUTCFullYear();
  const year = fourDigitYear ? String(y).padStart(4, '0') : two(y % 100);
  return `${year}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(
    date.getUTCMinutes(),
  )}${two(date.getUTCSeconds())}Z`;
}

export const utcTime = (date: Date): Uint8Array => tlv(0x17, utf8(timeDigits(date, false)));
export const generalizedTime = (date: Date): Uint8Array => tlv(0x18, utf8(timeDigits(date, true)));

/** RFC 5280 4.1.2.5 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  return y >= 1950 && y < 2050 ? utcTime(date) : generalizedTime(date);
}

/** AlgorithmIdentifier; `parameters` undefined means absent. */
export const algorithmIdentifier = (oid: string, parameters?: Uint8Array): Uint8Array =>
  parameters ? sequence(objectIdentifier(oid), parameters) : sequence(objectIdentifier(oid));
