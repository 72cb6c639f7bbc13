/**
 * X.501 Names (RFC 5280 4.1.2.4): kept raw for exact matching, with a display string and a comparison that
 * tolerates the string-type and case differences real CSCA/DS pairs show (RFC 5280 7.1).
 */

import { children, decodeString, expectTag, isStringTag, rawTlv, readOid, TAG } from '../asn1/der.js';
import type { Tlv } from '../codec/tlv.js';

export interface NameAttribute {
  oid: string;
  value: string;
}

export interface Name {
  /** DER bytes as in the certificate. */
  raw: Uint8Array;
  /** RDNs in encoding order; each RDN is a set of attributes. */
  rdns: NameAttribute[][];
}

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export function readName(t: Tlv | undefined, file: string, at = 0): Name {
  const seq = expectTag(t, TAG.SEQUENCE, file, at);
  const rdns = children(seq, file).map((set) => {
    expectTag(set, TAG.SET, file, seq.offset);
    return children(set, file).map((atv) => {
      const [type, value] = children(expectTag(atv, TAG.SEQUENCE, file, set.offset), file);
      const oid = readOid(type, file, atv.offset);
      if (!value) return { oid, value: '' };
      return { oid, value: isStringTag(value.tag) ? decodeString(value, file) : `#${hexOf(value.value)}` };
    });
  });
  return { raw: rawTlv(seq), rdns };
}

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

const escapeValue = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');

/** Display form, most significant RDN first as certificates are encoded (e.g. "C=VN, O=…, CN=…"). */
export function nameToString(name: Name): string {
  return name.rdns
    .map((rdn) => rdn.map((a) => `${SHORT[a.oid] ?? a.oid}=${escapeValue(a.value)}`).join(' + '))
    .join(', ');
}

/** The first value of an attribute, e.g. nameAttribute(name, '2.5.4.6') for the country. */
export function nameAttribute(name: Name, oid: string): string | undefined {
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid) return a.value;
  return undefined;
}

export const COUNTRY_OID = '2.5.4.6';

const fold = (v: string) => v.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** Exact DER match, else RFC 5280 7.1-style match: same RDN structure, case- and space-insensitive values. */
export function sameName(a: Name, b: Name): boolean {
  if (a.raw.length === b.raw.length && a.raw.every((x, i) => x === b.raw[i])) return true;
  if (a.rdns.length !== b.rdns.length) return false;
  return a.rdns.every((rdn, i) => {
    const other = b.rdns[i]!;
    if (rdn.length !== other.length) return false;
    const key = (x: NameAttribute) => `${x.oid}=${fold(x.value)}`;
    const set = new Set(other.map(key));
    return rdn.every((x) => set.has(key(x)));
  });
}
