/**
 * Shared reader for DG11/DG12: a template of optional tagged data elements announced by a tag list (5C), plus one
 * repeated item that may sit inside an A0 template with a count (9303-10 §4.7.11/§4.7.12).
 */

import { children, findChild, LIMITS, lenientText, malformed, readRoot } from '../asn1/der.js';
import type { Tlv } from '../codec/tlv.js';

export interface FieldSpec {
  name: string;
  kind: 'text' | 'bytes';
}

export interface TaggedFieldsSpec {
  file: string;
  rootTag: number;
  fields: Readonly<Record<number, FieldSpec>>;
  /** The repeated item (e.g. 5F0F other names) and the property it goes to. */
  list: { tag: number; name: string };
}

export interface TaggedFields {
  /** Tags announced in 5C, in order. */
  tagList: number[];
  values: Record<string, string | Uint8Array | string[]>;
  /** Elements with tags this parser does not know, kept raw. */
  unknown: { tag: number; value: Uint8Array }[];
}

/** Splits a concatenation of BER tags (the 5C tag list). */
export function parseTagList(v: Uint8Array, file: string, offset: number): number[] {
  const tags: number[] = [];
  let p = 0;
  while (p < v.length) {
    let tag = v[p++]!;
    if ((tag & 0x1f) === 0x1f) {
      let n = 0;
      do {
        if (p >= v.length || ++n > 3) throw malformed(file, offset + p, 'bad tag in tag list');
        tag = tag * 256 + v[p]!;
      } while (v[p++]! & 0x80);
    }
    tags.push(tag);
    if (tags.length > LIMITS.maxElements) throw malformed(file, offset, 'tag list too long');
  }
  return tags;
}

function listItems(t: Tlv, spec: TaggedFieldsSpec): string[] {
  if (t.tag === spec.list.tag) return [lenientText(t.value)];
  return children(t, spec.file)
    .filter((k) => k.tag === spec.list.tag)
    .map((k) => lenientText(k.value));
}

export function readTaggedFields(bytes: Uint8Array, spec: TaggedFieldsSpec): TaggedFields {
  const root = readRoot(bytes, spec.file, spec.rootTag);
  const kids = children(root, spec.file);
  const list = findChild(kids, 0x5c);
  const out: TaggedFields = {
    tagList: list ? parseTagList(list.value, spec.file, list.offset + list.headerLength) : [],
    values: {},
    unknown: [],
  };
  const items: string[] = [];
  for (const k of kids) {
    if (k.tag === 0x5c) continue;
    const field = spec.fields[k.tag];
    if (field) out.values[field.name] = field.kind === 'text' ? lenientText(k.value) : k.value;
    else if (k.tag === 0xa0 || k.tag === spec.list.tag) items.push(...listItems(k, spec));
    else out.unknown.push({ tag: k.tag, value: k.value });
  }
  if (items.length) out.values[spec.list.name] = items;
  return out;
}
