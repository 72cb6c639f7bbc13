import { isPrintable, set, tlv, utf8 } from '@cccd/emrtd/codec';

/**
 * The LDS side of the repository's one DER writer (the core's @cccd/emrtd/codec), with the two string rules data
 * groups need. The card side builds its files itself, never through the reader's LDS parsers, so a parsing mistake
 * on one side cannot be hidden by the same mistake on the other.
 */
export { integer, objectIdentifier as oid, sequence, setOf } from '@cccd/emrtd/codec';

/** A SET kept in the given order: DG13 lists fields by number on real cards, which is not DER (sorted) order. */
export const setAsIs = set;

/** UTF8String in NFC: DG13 texts compare byte for byte with what the reader decodes. */
export const utf8String = (text: string): Uint8Array => tlv(0x0c, utf8(text.normalize('NFC')));

/** PrintableString, refusing characters outside its set instead of writing an invalid string. */
export function printableString(text: string): Uint8Array {
  if (!isPrintable(text)) throw new RangeError('printableString: character outside the PrintableString set');
  return tlv(0x13, utf8(text));
}
