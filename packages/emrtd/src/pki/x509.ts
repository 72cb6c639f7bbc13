/**
 * X.509 certificates and CRLs (RFC 5280), parsed from DER with the byte ranges a verifier needs: the signed
 * TBS bytes exactly as received (never re-encoded) and the extensions ICAO 9303-12 profiles.
 */

import {
  type AlgorithmIdentifier,
  children,
  expectTag,
  malformed,
  rawTlv,
  readAlgorithmIdentifier,
  readBigInt,
  readBitString,
  readNested,
  readOctets,
  readOid,
  readRoot,
  TAG,
} from '../asn1/der.js';
import type { Tlv } from '../codec/tlv.js';
import { MalformedData } from '../errors.js';
import { readSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '../lds/public-key.js';
import { type Name, readName } from './name.js';

export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  privateKeyUsagePeriod: '2.5.29.16',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  freshestCRL: '2.5.29.46',
  netscapeCertType: '2.16.840.1.113730.1.1',
  /** ICAO 9303-12 documentTypeList and nameChange. */
  documentTypeList: '2.23.136.1.1.6.2',
  nameChange: '2.23.136.1.1.6.1',
} as const;

export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';
const KEY_USAGE_BITS: KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

export interface Certificate {
  raw: Uint8Array;
  /** TBSCertificate bytes as received: what the issuer signed. */
  tbs: Uint8Array;
  version: number;
  serial: bigint;
  /** Serial as lower-case hex of its DER INTEGER content (keeps leading 00 and negative serials distinct). */
  serialHex: string;
  signatureAlgorithm: AlgorithmIdentifier;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  spki: SubjectPublicKeyInfo;
  extensions: Extension[];
  keyUsage?: Set<KeyUsage>;
  basicConstraints?: { ca: boolean; pathLength?: number };
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: Uint8Array;
  signature: Uint8Array;
}

/** RFC 5280 4.1.2.5: UTCTime years 50-99 are 19xx. Only the Z (UTC) forms are accepted. */
export function readTime(t: Tlv | undefined, file: string, at = 0): Date {
  if (!t || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME))
    throw malformed(file, t?.offset ?? at, 'expected UTCTime or GeneralizedTime');
  const s = String.fromCharCode(...t.value);
  const m =
    t.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d{1,9})?Z$/.exec(s);
  if (!m) throw malformed(file, t.offset, 'bad time encoding');
  let year = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    throw malformed(file, t.offset, 'bad time value');
  return new Date(Date.UTC(year, mo - 1, d, h, mi, se));
}

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function readExtensions(t: Tlv, file: string): Extension[] {
  const seq = readNested(t.value, file, t.offset + t.headerLength, TAG.SEQUENCE);
  return children(seq, file).map((ext) => {
    const [oid, second, third] = children(expectTag(ext, TAG.SEQUENCE, file, seq.offset), file);
    let critical = false;
    let value = second;
    if (second?.tag === 0x01) {
      critical = second.value.length === 1 && second.value[0] !== 0;
      value = third;
    }
    return { oid: readOid(oid, file, ext.offset), critical, value: readOctets(value, file, ext.offset) };
  });
}

function parseKeyUsage(value: Uint8Array, file: string): Set<KeyUsage> {
  const t = readNested(value, file, 0, TAG.BIT_STRING);
  if (t.value.length === 0) throw malformed(file, t.offset, 'empty keyUsage');
  const out = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = t.value[1 + (i >> 3)];
    if (byte !== undefined && byte & (0x80 >> (i & 7))) out.add(name);
  });
  return out;
}

function parseBasicConstraints(value: Uint8Array, file: string): { ca: boolean; pathLength?: number } {
  const seq = readNested(value, file, 0, TAG.SEQUENCE);
  const kids = children(seq, file);
  let i = 0;
  let ca = false;
  if (kids[i]?.tag === 0x01) ca = kids[i++]!.value[0] !== 0;
  const out: { ca: boolean; pathLength?: number } = { ca };
  if (kids[i]?.tag === TAG.INTEGER) out.pathLength = Number(readBigInt(kids[i], file));
  return out;
}

function parseAki(value: Uint8Array, file: string): Uint8Array | undefined {
  const seq = readNested(value, file, 0, TAG.SEQUENCE);
  return children(seq, file).find((k) => k.tag === 0x80)?.value;
}

function applyExtensions(cert: Certificate, file: string): void {
  for (const ext of cert.extensions) {
    if (ext.oid === EXT.keyUsage) cert.keyUsage = parseKeyUsage(ext.value, file);
    else if (ext.oid === EXT.basicConstraints) cert.basicConstraints = parseBasicConstraints(ext.value, file);
    else if (ext.oid === EXT.subjectKeyIdentifier)
      cert.subjectKeyIdentifier = readNested(ext.value, file, 0, TAG.OCTET_STRING).value;
    else if (ext.oid === EXT.authorityKeyIdentifier) {
      const aki = parseAki(ext.value, file);
      if (aki) cert.authorityKeyIdentifier = aki;
    }
  }
}

/** Parses a DER X.509 certificate; anything malformed is MalformedData('certificate', offset). */
export function parseCertificate(bytes: Uint8Array, file = 'certificate'): Certificate {
  return readCertificate(readRoot(bytes, file, TAG.SEQUENCE), file);
}

/** Parses a certificate element already located inside a larger structure (SignedData, master list). */
export function readCertificate(t: Tlv, file = 'certificate'): Certificate {
  const seq = expectTag(t, TAG.SEQUENCE, file);
  const [tbsT, algT, sigT, extra] = children(seq, file);
  if (extra) throw malformed(file, extra.offset, 'unexpected element after the signature');
  const tbsSeq = expectTag(tbsT, TAG.SEQUENCE, file, seq.offset);
  const f = children(tbsSeq, file);
  let i = 0;
  let version = 1;
  if (f[0]?.tag === 0xa0) {
    const v = readNested(f[0].value, file, f[0].offset + f[0].headerLength, TAG.INTEGER);
    version = Number(readBigInt(v, file)) + 1;
    i = 1;
  }
  const serialT = expectTag(f[i], TAG.INTEGER, file, tbsSeq.offset);
  if (serialT.value.length === 0 || serialT.value.length > 64)
    throw malformed(file, serialT.offset, 'bad serial number');
  const innerAlg = readAlgorithmIdentifier(f[i + 1], file, tbsSeq.offset);
  const issuer = readName(f[i + 2], file, tbsSeq.offset);
  const validity = expectTag(f[i + 3], TAG.SEQUENCE, file, tbsSeq.offset);
  const [nb, na] = children(validity, file);
  const subject = readName(f[i + 4], file, tbsSeq.offset);
  const spki = readSubjectPublicKeyInfo(f[i + 5], file, tbsSeq.offset);
  const signatureAlgorithm = readAlgorithmIdentifier(algT, file, seq.offset);
  if (innerAlg.oid !== signatureAlgorithm.oid)
    throw malformed(file, algT!.offset, 'signature algorithm differs from the one inside TBSCertificate');
  const cert: Certificate = {
    raw: rawTlv(seq),
    tbs: rawTlv(tbsSeq),
    version,
    serial: readBigInt(serialT, file),
    serialHex: hexOf(serialT.value),
    signatureAlgorithm,
    issuer,
    subject,
    notBefore: readTime(nb, file, validity.offset),
    notAfter: readTime(na, file, validity.offset),
    spki,
    extensions: [],
    signature: readBitString(sigT, file, seq.offset),
  };
  const extT = f.slice(i + 6).find((x) => x.tag === 0xa3);
  if (extT) {
    cert.extensions = readExtensions(extT, file);
    applyExtensions(cert, file);
  }
  return cert;
}

export interface RevokedCertificate {
  serial: bigint;
  serialHex: string;
  revocationDate: Date;
}

export interface Crl {
  raw: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  issuer: Name;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: RevokedCertificate[];
  authorityKeyIdentifier?: Uint8Array;
  signature: Uint8Array;
}

/** Parses a DER CRL v1/v2 (RFC 5280 5.1). */
export function parseCrl(bytes: Uint8Array, file = 'CRL'): Crl {
  const seq = readRoot(bytes, file, TAG.SEQUENCE);
  const [tbsT, algT, sigT, extra] = children(seq, file);
  if (extra) throw malformed(file, extra.offset, 'unexpected element after the signature');
  const tbsSeq = expectTag(tbsT, TAG.SEQUENCE, file, seq.offset);
  const f = children(tbsSeq, file);
  let i = f[0]?.tag === TAG.INTEGER ? 1 : 0;
  readAlgorithmIdentifier(f[i++], file, tbsSeq.offset);
  const issuer = readName(f[i++], file, tbsSeq.offset);
  const thisUpdate = readTime(f[i++], file, tbsSeq.offset);
  const crl: Crl = {
    raw: rawTlv(seq),
    tbs: rawTlv(tbsSeq),
    signatureAlgorithm: readAlgorithmIdentifier(algT, file, seq.offset),
    issuer,
    thisUpdate,
    revoked: [],
    signature: readBitString(sigT, file, seq.offset),
  };
  if (f[i] && (f[i]!.tag === TAG.UTC_TIME || f[i]!.tag === TAG.GENERALIZED_TIME))
    crl.nextUpdate = readTime(f[i++], file);
  if (f[i]?.tag === TAG.SEQUENCE) {
    crl.revoked = children(f[i++]!, file).map((entry) => {
      const [serialT, dateT] = children(expectTag(entry, TAG.SEQUENCE, file), file);
      const serial = expectTag(serialT, TAG.INTEGER, file, entry.offset);
      if (serial.value.length === 0 || serial.value.length > 64)
        throw malformed(file, serial.offset, 'bad serial number');
      return {
        serial: readBigInt(serial, file),
        serialHex: hexOf(serial.value),
        revocationDate: readTime(dateT, file, entry.offset),
      };
    });
  }
  const extT = f.slice(i).find((x) => x.tag === 0xa0);
  if (extT) {
    const aki = readExtensions(extT, file).find((e) => e.oid === EXT.authorityKeyIdentifier);
    if (aki) {
      const id = parseAki(aki.value, file);
      if (id) crl.authorityKeyIdentifier = id;
    }
  }
  return crl;
}

const KNOWN_CRITICAL = new Set<string>([
  EXT.keyUsage,
  EXT.basicConstraints,
  EXT.extKeyUsage,
  EXT.certificatePolicies,
  EXT.nameConstraints,
  EXT.subjectAltName,
  EXT.issuerAltName,
  EXT.privateKeyUsagePeriod,
  EXT.documentTypeList,
  EXT.nameChange,
  EXT.subjectKeyIdentifier,
  EXT.authorityKeyIdentifier,
  EXT.cRLDistributionPoints,
  EXT.freshestCRL,
  EXT.netscapeCertType,
]);

/** Critical extensions a verifier does not understand (RFC 5280 4.2: must reject). */
export function unknownCriticalExtensions(cert: Certificate): string[] {
  return cert.extensions.filter((e) => e.critical && !KNOWN_CRITICAL.has(e.oid)).map((e) => e.oid);
}

/** PEM blocks of a given label (or any label) decoded to DER. Tolerates CRLF and surrounding text. */
export function pemBlocks(text: string, label?: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (label && m[1] !== label) continue;
    out.push({ label: m[1]!, der: base64Decode(m[2]!, 'PEM') });
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Strict base64 (whitespace ignored); MalformedData(file) on anything else. Pure JS so it runs in browsers. */
export function base64Decode(text: string, file = 'base64'): Uint8Array {
  const s = text.replace(/\s+/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new MalformedData(file, 0, 'invalid base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n =
      (B64_INDEX.get(s[i]!)! << 18) |
      (B64_INDEX.get(s[i + 1]!)! << 12) |
      ((B64_INDEX.get(s[i + 2]!) ?? 0) << 6) |
      (B64_INDEX.get(s[i + 3]!) ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 0xff;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

export function base64Encode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    s += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    s += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return s;
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b = base64Encode(der)
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b}\n-----END ${label}-----\n`;
}
