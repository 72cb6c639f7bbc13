import { bigToBytes, concat, tlv, utf8 } from '@cccd/emrtd/codec';

/**
 * Minimal DER writers for personalisation. The card side builds its files itself (never through the reader's LDS
 * parsers), so a mistake in one side's ASN.1 cannot be hidden by the same mistake in the other.
 */

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return tlv(0x31, ...sorted);
}

/** A SET kept in the given order: DG13 lists fields by number on real cards, which is not DER (sorted) order. */
export const setAsIs = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);

export function integer(value: number | bigint): Uint8Array {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError('integer: negative values are not used in the LDS');
  const bytes = bigToBytes(v, Math.max(1, Math.ceil(v.toString(16).length / 2)));
  return tlv(0x02, bytes[0]! & 0x80 ? concat(Uint8Array.of(0), bytes) : bytes);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError('oid: need at least two arcs');
  const out: number[] = [];
  const push = (arc: bigint) => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    let a = arc >> 7n;
    while (a > 0n) {
      chunk.unshift(Number((a & 0x7fn) | 0x80n));
      a >>= 7n;
    }
    out.push(...chunk);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, Uint8Array.from(out));
}

export const utf8String = (text: string): Uint8Array => tlv(0x0c, utf8(text.normalize('NFC')));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
export function printableString(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) throw new RangeError('printableString: character outside the PrintableString set');
  return tlv(0x13, utf8(text));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
