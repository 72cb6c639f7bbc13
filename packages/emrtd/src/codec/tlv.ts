import { type DataSource, MalformedData } from '../errors.js';
import { concat } from './bytes.js';

/** One BER-TLV element (ISO/IEC 7816-4 / ASN.1 DER). `value` is a view into the source buffer. */
export interface Tlv {
  /** Tag bytes as a big-endian number, e.g. 0x61, 0x5F1F, 0x7F49. */
  tag: number;
  /** Offset of the tag's first byte in the buffer that was parsed. */
  offset: number;
  headerLength: number;
  length: number;
  value: Uint8Array;
  /** Offset just past this element. */
  end: number;
}

/** True when the tag's constructed bit (b6 of the first byte) is set. */
export function isConstructed(tag: number): boolean {
  let first = tag;
  while (first > 0xff) first >>>= 8;
  return (first & 0x20) !== 0;
}

/**
 * Reads the TLV at `offset`. Every length is checked against the buffer, so hostile lengths raise MalformedData
 * (naming `file` and the offset) instead of reading past the end. Indefinite lengths are rejected: the LDS is DER.
 */
export function readTlv(buf: Uint8Array, offset = 0, file: DataSource = 'data'): Tlv {
  let p = offset;
  const need = (n: number, what: string) => {
    if (p + n > buf.length) throw new MalformedData(file, p, `truncated ${what}`);
  };
  need(1, 'tag');
  let tag = buf[p++]!;
  if ((tag & 0x1f) === 0x1f) {
    let n = 0;
    do {
      need(1, 'tag');
      if (++n > 3) throw new MalformedData(file, offset, 'tag longer than 4 bytes');
      tag = tag * 256 + buf[p]!;
    } while (buf[p++]! & 0x80);
  }
  need(1, 'length');
  let length = buf[p++]!;
  if (length === 0x80) throw new MalformedData(file, p - 1, 'indefinite length');
  if (length > 0x80) {
    const n = length & 0x7f;
    if (n > 4) throw new MalformedData(file, p - 1, 'length field longer than 4 bytes');
    need(n, 'length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  if (length > buf.length - p)
    throw new MalformedData(file, offset, `length ${length} exceeds the ${buf.length - p} bytes left`);
  return { tag, offset, headerLength: p - offset, length, value: buf.subarray(p, p + length), end: p + length };
}

/** Parses a run of consecutive TLVs filling `buf` exactly. */
export function readTlvs(buf: Uint8Array, file: DataSource = 'data', baseOffset = 0): Tlv[] {
  const out: Tlv[] = [];
  let p = 0;
  while (p < buf.length) {
    let t: Tlv;
    try {
      t = readTlv(buf, p, file);
    } catch (e) {
      if (e instanceof MalformedData)
        throw new MalformedData(
          file,
          baseOffset + e.offset,
          e.message.replace(/^.*?: malformed data at offset \d+: /, ''),
        );
      throw e;
    }
    out.push(baseOffset ? { ...t, offset: t.offset + baseOffset, end: t.end + baseOffset } : t);
    p = t.end;
  }
  return out;
}

/** Finds the first direct child with `tag`, or undefined. */
export function findTlv(children: Tlv[], tag: number): Tlv | undefined {
  return children.find((c) => c.tag === tag);
}

/** Like findTlv, but a missing element is a MalformedData naming the tag. */
export function requireTlv(children: Tlv[], tag: number, file: string, parentOffset = 0): Tlv {
  const t = findTlv(children, tag);
  if (!t) throw new MalformedData(file, parentOffset, `missing tag ${tag.toString(16).toUpperCase()}`);
  return t;
}

export function encodeLength(n: number): Uint8Array {
  if (n < 0 || !Number.isInteger(n)) throw new RangeError('encodeLength: bad length');
  if (n < 0x80) return Uint8Array.of(n);
  if (n <= 0xff) return Uint8Array.of(0x81, n);
  if (n <= 0xffff) return Uint8Array.of(0x82, n >> 8, n & 0xff);
  if (n <= 0xffffff) return Uint8Array.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Uint8Array.of(0x84, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

export function encodeTag(tag: number): Uint8Array {
  const bytes: number[] = [];
  let t = tag;
  do {
    bytes.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  return Uint8Array.from(bytes);
}

/** Encodes one TLV; `value` parts are concatenated. */
export function tlv(tag: number, ...value: Uint8Array[]): Uint8Array {
  const v = value.length === 1 ? value[0]! : concat(...value);
  return concat(encodeTag(tag), encodeLength(v.length), v);
}
