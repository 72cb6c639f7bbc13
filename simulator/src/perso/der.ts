import { tlv, utf8 } from '@cccd/emrtd/codec';
import { set, setOf as sortedSet } from '../pki/der.js';

/**
 * The LDS side of the simulator's one DER writer (pki/der.ts, over the core's tlv and oidContent), with the two
 * string rules data groups need. The card side builds its files itself, never through the reader's LDS parsers, so
 * a parsing mistake on one side cannot be hidden by the same mistake on the other.
 */
export { integer, objectIdentifier as oid, sequence } from '../pki/der.js';

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export const setOf = (...items: Uint8Array[]): Uint8Array => sortedSet(items);

/** A SET kept in the given order: DG13 lists fields by number on real cards, which is not DER (sorted) order. */
export const setAsIs = set;

/** UTF8String in NFC: DG13 texts compare byte for byte with what the reader decodes. */
export const utf8String = (text: string): Uint8Array => tlv(0x0c, utf8(text.normalize('NFC')));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
/** PrintableString, refusing characters outside its set instead of writing an invalid string. */
export function printableString(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) throw new RangeError('printableString: character outside the PrintableString set');
  return tlv(0x13, utf8(text));
}
