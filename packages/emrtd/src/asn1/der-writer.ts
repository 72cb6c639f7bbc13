/**
 * The DER writer (X.690) of the repo: the simulator's personalisation and test PKI and the tests' fixtures build
 * their structures with it, byte-exact so fixtures are reproducible. The reader side is der.ts.
 */
import { bigToBytes, concat, utf8 } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { EmrtdError } from '../errors.js';
import { oidContent } from './oid.js';

const invalid = (message: string) => new EmrtdError('invalid-argument', message);

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);

/** SET kept in the given order (e.g. DG13 lists its fields by number, which is not DER order). */
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);

/** Byte-wise order of two encodings, shorter first on a common prefix (X.690 §11.6). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export const setOf = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...[...items].sort(compareBytes));

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

/** INTEGER from an unsigned magnitude (leading zeros stripped, 00 added when the top bit is set). */
export function integerFromBytes(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  return tlv(0x02, body.length && body[0]! & 0x80 ? concat(Uint8Array.of(0), body) : body);
}

/** Minimal DER INTEGER of a non-negative value (the LDS and the PKI never encode negative ones). */
export function integer(value: bigint | number): Uint8Array {
  const v = BigInt(value);
  if (v < 0n) throw invalid('integer: negative values are not encoded');
  let len = 1;
  while (v >> BigInt(8 * len) > 0n) len++;
  return integerFromBytes(bigToBytes(v, len));
}

export const enumerated = (value: number): Uint8Array => retag(integer(value), 0x0a);
export const boolean = (value: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const octetString = (value: Uint8Array): Uint8Array => tlv(0x04, value);
export const bitString = (value: Uint8Array, unusedBits = 0): Uint8Array => tlv(0x03, Uint8Array.of(unusedBits), value);
export const objectIdentifier = (oid: string): Uint8Array => tlv(0x06, oidContent(oid));

/** The text as given (no character check: a fixture may need a string a real encoder would refuse). */
export const printableString = (text: string): Uint8Array => tlv(0x13, utf8(text));
export const utf8String = (text: string): Uint8Array => tlv(0x0c, utf8(text));
export const ia5String = (text: string): Uint8Array => tlv(0x16, utf8(text));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
/** True when every character is in the PrintableString set (X.680 §41.4). */
export const isPrintable = (text: string): boolean => PRINTABLE.test(text);

/** PrintableString when the text allows it (ICAO 9303-12 prefers it), UTF8String otherwise. */
export const directoryString = (text: string): Uint8Array =>
  isPrintable(text) ? printableString(text) : utf8String(text);

const two = (n: number) => String(n).padStart(2, '0');
function timeDigits(date: Date, fourDigitYear: boolean): string {
  if (Number.isNaN(date.getTime())) throw invalid('time: invalid date');
  const y = date.getUTCFullYear();
  const year = fourDigitYear ? String(y).padStart(4, '0') : two(y % 100);
  const rest = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes()];
  return `${year}${rest.map(two).join('')}${two(date.getUTCSeconds())}Z`;
}

export const utcTime = (date: Date): Uint8Array => tlv(0x17, utf8(timeDigits(date, false)));
export const generalizedTime = (date: Date): Uint8Array => tlv(0x18, utf8(timeDigits(date, true)));

/** RFC 5280 §4.1.2.5 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  return y >= 1950 && y < 2050 ? utcTime(date) : generalizedTime(date);
}

/** AlgorithmIdentifier; `parameters` undefined means absent. */
export const algorithmIdentifier = (oid: string, parameters?: Uint8Array): Uint8Array =>
  parameters ? sequence(objectIdentifier(oid), parameters) : sequence(objectIdentifier(oid));
