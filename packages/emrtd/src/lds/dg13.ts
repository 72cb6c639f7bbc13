/**
 * DG13 of the Vietnamese CCCD (docs/reference/vn-cccd.md §2): 6D { SEQUENCE { INTEGER version, OID 1.0.10646.1.0.8,
 * SET { SEQUENCE { INTEGER fieldNo, value… }… } } }. Fields are keyed by their number, never by position; any may
 * be missing, empty or unknown, and each keeps its raw bytes so the mapping can be fixed later without a re-read.
 */

import {
  children,
  decodeString,
  expectTag,
  findChild,
  isStringTag,
  LIMITS,
  malformed,
  rawTlv,
  readInt,
  readOid,
  readRoot,
  readUint,
  TAG,
} from '../asn1/der.js';
import { isConstructed, type Tlv } from '../codec/tlv.js';

export interface Dg13Field {
  number: number;
  /** The field's whole SEQUENCE as stored. */
  raw: Uint8Array;
  /** Absolute offset of that SEQUENCE in DG13. */
  offset: number;
  /** Every character string in the value, depth-first in stored order, NFC-normalised. */
  strings: string[];
  /**
   * The value split into its top-level parts, unwrapping single wrapper SEQUENCEs: each part is the text of its
   * strings (joined by a space) or null when it holds none. Both father/mother shapes of field 13 give
   * [father, mother].
   */
  parts: (string | null)[];
}

export interface Dg13 {
  version?: number;
  /** Character-set OID, 1.0.10646.1.0.8 (UTF-8) on CCCD cards. */
  encodingOid?: string;
  fields: Map<number, Dg13Field>;
}

const FILE = 'DG13';

function collectStrings(t: Tlv, depth: number, out: string[]): void {
  if (depth > LIMITS.maxDepth) throw malformed(FILE, t.offset, 'nesting too deep');
  if (isStringTag(t.tag)) out.push(decodeString(t, FILE).normalize('NFC'));
  else if (isConstructed(t.tag)) for (const k of children(t, FILE)) collectStrings(k, depth + 1, out);
}

function partsOf(values: Tlv[], depth: number): (string | null)[] {
  if (depth > LIMITS.maxDepth) throw malformed(FILE, values[0]?.offset ?? 0, 'nesting too deep');
  const only = values[0];
  if (values.length === 1 && only && only.tag === TAG.SEQUENCE) return partsOf(children(only, FILE), depth + 1);
  return values.map((v) => {
    const strings: string[] = [];
    collectStrings(v, depth, strings);
    return strings.length ? strings.join(' ') : null;
  });
}

function readField(t: Tlv): Dg13Field {
  expectTag(t, TAG.SEQUENCE, FILE);
  const [numberTlv, ...values] = children(t, FILE);
  const number = readUint(numberTlv, FILE, t.offset);
  const strings: string[] = [];
  for (const v of values) collectStrings(v, 2, strings);
  return { number, raw: rawTlv(t), offset: t.offset, strings, parts: partsOf(values, 2) };
}

export function parseDg13(bytes: Uint8Array): Dg13 {
  const root = readRoot(bytes, FILE, 0x6d);
  const body = expectTag(children(root, FILE)[0], TAG.SEQUENCE, FILE, root.offset);
  const kids = children(body, FILE);
  const out: Dg13 = { fields: new Map() };
  const version = findChild(kids, TAG.INTEGER);
  if (version) out.version = readInt(version, FILE);
  const oid = findChild(kids, TAG.OID);
  if (oid) out.encodingOid = readOid(oid, FILE);
  const set = expectTag(findChild(kids, TAG.SET), TAG.SET, FILE, body.offset);
  for (const item of children(set, FILE)) {
    const field = readField(item);
    if (out.fields.has(field.number)) throw malformed(FILE, item.offset, `duplicate field ${field.number}`);
    out.fields.set(field.number, field);
  }
  return out;
}

/** The field's text (its strings joined by a space), or null when the field is missing or holds no string. */
export function dg13Text(dg13: Dg13, n: number): string | null {
  const f = dg13.fields.get(n);
  return f?.strings.length ? f.strings.join(' ') : null;
}
