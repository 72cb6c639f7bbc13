/**
 * DER reading helpers for LDS files, certificates, CRLs and CMS, on top of codec/tlv.ts (der-writer.ts writes).
 * Every helper checks the tag it expects and throws MalformedData(file, absolute offset, reason) — reasons name
 * tags and structure, never content. Offsets are absolute because children are always read with their parent's
 * value offset as base.
 */
import { readTlv, type Tlv } from '../codec/tlv.js';
import { MalformedData } from '../errors.js';
import { oidFromContent } from './oid.js';

/** Caps against hostile input: nesting depth, elements per constructed value, INTEGER and OID sizes. */
export const LIMITS = {
  maxDepth: 16,
  maxElements: 4096,
  maxIntegerBytes: 1056,
  maxOidBytes: 128,
  maxFileBytes: 16 * 1024 * 1024,
} as const;

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
} as const;

const hexTag = (tag: number) => tag.toString(16).toUpperCase().padStart(2, '0');

export function malformed(file: string, offset: number, reason: string): MalformedData {
  return new MalformedData(file, offset, reason);
}

/** Rejects inputs larger than any real LDS file before any work is done. */
export function checkSize(bytes: Uint8Array, file: string): void {
  if (!(bytes instanceof Uint8Array)) throw malformed(file, 0, 'input is not a byte array');
  if (bytes.length > LIMITS.maxFileBytes) throw malformed(file, 0, `file larger than ${LIMITS.maxFileBytes} bytes`);
}

/** Reads the file's top-level element and checks its tag. Bytes after it (chip padding) are ignored. */
export function readRoot(bytes: Uint8Array, file: string, tag?: number): Tlv {
  checkSize(bytes, file);
  return readNested(bytes, file, 0, tag);
}

/** readTlv at `p` of a buffer that starts at absolute offset `base`; offsets in the result and errors are absolute. */
function readAt(bytes: Uint8Array, p: number, file: string, base: number): Tlv {
  let t: Tlv;
  try {
    t = readTlv(bytes, p, file);
  } catch (e) {
    if (e instanceof MalformedData && base)
      throw malformed(file, base + e.offset, e.message.replace(/^.*?: malformed data at offset \d+: /, ''));
    throw e;
  }
  return base ? { ...t, offset: t.offset + base, end: t.end + base } : t;
}

/**
 * Reads the first element of `bytes`, a buffer that starts at absolute offset `base` of the file (e.g. the content
 * of a BIT STRING). Offsets in the result and in errors are absolute.
 */
export function readNested(bytes: Uint8Array, file: string, base: number, tag?: number): Tlv {
  const t = readAt(bytes, 0, file, base);
  if (tag !== undefined) expectTag(t, tag, file);
  return t;
}

/** The children of a constructed element, with absolute offsets; stops early past LIMITS.maxElements. */
export function children(t: Tlv, file: string): Tlv[] {
  const base = t.offset + t.headerLength;
  const out: Tlv[] = [];
  for (let p = 0; p < t.value.length; ) {
    if (out.length >= LIMITS.maxElements) throw malformed(file, t.offset, `more than ${LIMITS.maxElements} elements`);
    const k = readAt(t.value, p, file, base);
    out.push(k);
    p = k.end - base;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, file: string, at = 0): Tlv {
  if (!t) throw malformed(file, at, `missing element with tag ${hexTag(tag)}`);
  if (t.tag !== tag) throw malformed(file, t.offset, `expected tag ${hexTag(tag)}, found ${hexTag(t.tag)}`);
  return t;
}

/** The full TLV bytes (header and value) of an element, as a view into the parsed buffer. */
export function rawTlv(t: Tlv): Uint8Array {
  return new Uint8Array(t.value.buffer, t.value.byteOffset - t.headerLength, t.headerLength + t.length);
}

export function readOid(t: Tlv | undefined, file: string, at = 0): string {
  const v = expectTag(t, TAG.OID, file, at).value;
  if (v.length === 0 || v.length > LIMITS.maxOidBytes) throw malformed(file, t!.offset, 'bad OBJECT IDENTIFIER length');
  const oid = oidFromContent(v);
  if (oid === undefined) throw malformed(file, t!.offset, 'truncated OBJECT IDENTIFIER');
  return oid;
}

/** Signed DER INTEGER as a bigint. */
export function readBigInt(t: Tlv | undefined, file: string, at = 0): bigint {
  const v = expectTag(t, TAG.INTEGER, file, at).value;
  if (v.length === 0) throw malformed(file, t!.offset, 'empty INTEGER');
  if (v.length > LIMITS.maxIntegerBytes) throw malformed(file, t!.offset, 'INTEGER too long');
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (v[0]! & 0x80) n -= 1n << BigInt(8 * v.length);
  return n;
}

/** A small INTEGER (version, field number, key id) that must fit a safe JS number. */
export function readInt(t: Tlv | undefined, file: string, at = 0): number {
  const n = readBigInt(t, file, at);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER))
    throw malformed(file, t!.offset, 'INTEGER out of range');
  return Number(n);
}

/** Non-negative INTEGER whose value must fit a safe JS number; used for version numbers and counters. */
export function readUint(t: Tlv | undefined, file: string, at = 0): number {
  const n = readInt(t, file, at);
  if (n < 0) throw malformed(file, t!.offset, 'negative INTEGER');
  return n;
}

export function readOctets(t: Tlv | undefined, file: string, at = 0): Uint8Array {
  return expectTag(t, TAG.OCTET_STRING, file, at).value;
}

/** BIT STRING content; key material must be byte-aligned (no unused bits). */
export function readBitString(t: Tlv | undefined, file: string, at = 0): Uint8Array {
  const v = expectTag(t, TAG.BIT_STRING, file, at).value;
  if (v.length === 0) throw malformed(file, t!.offset, 'empty BIT STRING');
  if (v[0] !== 0) throw malformed(file, t!.offset, 'BIT STRING with unused bits');
  return v.subarray(1);
}

const STRING_TAGS = new Set([0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1e]);

export function isStringTag(tag: number): boolean {
  return STRING_TAGS.has(tag);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Decodes an ASN.1 character string. UTF8String is strict UTF-8; the ASCII-family types are read as UTF-8 when they
 * happen to hold valid UTF-8 (non-conformant chips do that) and as Latin-1 otherwise; BMPString is UTF-16BE.
 */
export function decodeString(t: Tlv, file: string): string {
  if (!STRING_TAGS.has(t.tag))
    throw malformed(file, t.offset, `expected a character string, found tag ${hexTag(t.tag)}`);
  return decodeText(t.value, t.tag, file, t.offset);
}

export function decodeText(v: Uint8Array, tag: number, file: string, offset: number): string {
  if (tag === 0x1e) {
    if (v.length % 2) throw malformed(file, offset, 'odd BMPString length');
    let s = '';
    for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
    return s;
  }
  try {
    return strictUtf8.decode(v);
  } catch {
    if (tag === 0x0c) throw malformed(file, offset, 'invalid UTF-8 in UTF8String');
    return latin1.decode(v);
  }
}

/** Text that should be UTF-8 but may be Latin-1 on old documents (DG11/DG12 fields). */
export function lenientText(v: Uint8Array): string {
  try {
    return strictUtf8.decode(v);
  } catch {
    return latin1.decode(v);
  }
}

export interface AlgorithmIdentifier {
  oid: string;
  /** The parameters' full TLV bytes (including an explicit NULL), absent when omitted. */
  parameters?: Uint8Array;
}

export function readAlgorithmIdentifier(t: Tlv | undefined, file: string, at = 0): AlgorithmIdentifier {
  const seq = expectTag(t, TAG.SEQUENCE, file, at);
  const [o, p, extra] = children(seq, file);
  if (extra) throw malformed(file, extra.offset, 'unexpected element in AlgorithmIdentifier');
  const oid = readOid(o, file, seq.offset);
  return p ? { oid, parameters: rawTlv(p) } : { oid };
}

/** The first child with `tag`, or undefined. */
export function findChild(kids: Tlv[], tag: number): Tlv | undefined {
  return kids.find((k) => k.tag === tag);
}

/** Byte-per-character text (MRZ, version digits); never fails. */
export function latin1Text(v: Uint8Array): string {
  return latin1.decode(v);
}
