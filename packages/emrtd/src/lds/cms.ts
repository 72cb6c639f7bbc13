/**
 * CMS SignedData (RFC 5652) as used by EF.SOD and EF.CardSecurity: parsing only, every signed byte range kept
 * as stored. The signed attributes are exposed both raw ([0] IMPLICIT, as on the chip) and re-tagged as SET (0x31)
 * without any re-encoding — that is the exact input of the signature (RFC 5652 §5.4).
 */

import {
  type AlgorithmIdentifier,
  children,
  expectTag,
  latin1Text,
  malformed,
  rawTlv,
  readAlgorithmIdentifier,
  readBigInt,
  readOctets,
  readOid,
  readUint,
  TAG,
} from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { concat } from '../codec/bytes.js';
import type { Tlv } from '../codec/tlv.js';

export type SignerIdentifier =
  | { kind: 'issuerAndSerialNumber'; issuer: Uint8Array; serialNumber: bigint; serialNumberBytes: Uint8Array }
  | { kind: 'subjectKeyIdentifier'; keyIdentifier: Uint8Array };

export interface Attribute {
  oid: string;
  /** Each AttributeValue's full TLV bytes. */
  values: Uint8Array[];
}

export interface SignedAttributes {
  /** As stored: [0] IMPLICIT tag A0. */
  raw: Uint8Array;
  /** The same bytes with the tag set to SET (31): what the signature is computed over. */
  der: Uint8Array;
  attributes: Attribute[];
  contentType?: string;
  messageDigest?: Uint8Array;
  signingTime?: Date;
  /** The UTCTime / GeneralizedTime text as stored. */
  signingTimeText?: string;
}

export interface SignerInfo {
  raw: Uint8Array;
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  signedAttrs?: SignedAttributes;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** [1] IMPLICIT unsigned attributes, raw. */
  unsignedAttrs?: Uint8Array;
}

export interface SignedData {
  /** The whole ContentInfo. */
  raw: Uint8Array;
  version: number;
  digestAlgorithms: AlgorithmIdentifier[];
  eContentType: string;
  /** The encapsulated content octets (absent for detached content). */
  eContent?: Uint8Array;
  /** Absolute offset of `eContent` in the file, when it is stored contiguously. */
  eContentOffset?: number;
  /** Certificates (CertificateChoices) as raw DER, in stored order; the first is normally the DS certificate. */
  certificates: Uint8Array[];
  crls: Uint8Array[];
  signerInfos: SignerInfo[];
}

const SINGLE_VALUED = new Set<string>([OID.contentType, OID.messageDigest, OID.signingTime]);

/** UTCTime (YY ≥ 50 → 19YY, RFC 5280 §4.1.2.5.1) or GeneralizedTime, seconds optional, 'Z' or no zone. */
export function parseAsn1Time(tag: number, text: string): Date | undefined {
  const m =
    tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z?$/.exec(text);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (tag === TAG.UTC_TIME) year += year >= 50 ? 1900 : 2000;
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  return Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(m[2]) - 1 ? undefined : d;
}

function readSignedAttributes(t: Tlv, file: string): SignedAttributes {
  const raw = rawTlv(t);
  const der = raw.slice();
  der[0] = TAG.SET;
  const out: SignedAttributes = { raw, der, attributes: [] };
  const seen = new Set<string>();
  for (const a of children(t, file)) {
    const [oidTlv, valuesTlv, extra] = children(expectTag(a, TAG.SEQUENCE, file), file);
    if (extra) throw malformed(file, extra.offset, 'unexpected element in Attribute');
    const oid = readOid(oidTlv, file, a.offset);
    const values = children(expectTag(valuesTlv, TAG.SET, file, a.offset), file);
    out.attributes.push({ oid, values: values.map(rawTlv) });
    if (!SINGLE_VALUED.has(oid)) continue;
    // A repeated or multi-valued contentType/messageDigest/signingTime could make two verifiers disagree.
    if (seen.has(oid) || values.length !== 1) throw malformed(file, a.offset, 'repeated or multi-valued attribute');
    seen.add(oid);
    const v = values[0]!;
    if (oid === OID.contentType) out.contentType = readOid(v, file);
    else if (oid === OID.messageDigest) out.messageDigest = readOctets(v, file);
    else {
      if (v.tag !== TAG.UTC_TIME && v.tag !== TAG.GENERALIZED_TIME) throw malformed(file, v.offset, 'bad signingTime');
      out.signingTimeText = latin1Text(v.value);
      const time = parseAsn1Time(v.tag, out.signingTimeText);
      if (time) out.signingTime = time;
    }
  }
  return out;
}

function readSignerIdentifier(t: Tlv | undefined, file: string, at: number): SignerIdentifier {
  if (t?.tag === 0x80) return { kind: 'subjectKeyIdentifier', keyIdentifier: t.value };
  const seq = expectTag(t, TAG.SEQUENCE, file, at);
  const [issuer, serial] = children(seq, file);
  expectTag(issuer, TAG.SEQUENCE, file, seq.offset);
  return {
    kind: 'issuerAndSerialNumber',
    issuer: rawTlv(issuer!),
    serialNumber: readBigInt(serial, file, seq.offset),
    serialNumberBytes: serial!.value,
  };
}

function readSignerInfo(t: Tlv, file: string): SignerInfo {
  const kids = children(expectTag(t, TAG.SEQUENCE, file), file);
  let i = 0;
  const next = () => kids[i++];
  const version = readUint(next(), file, t.offset);
  const sid = readSignerIdentifier(next(), file, t.offset);
  const digestAlgorithm = readAlgorithmIdentifier(next(), file, t.offset);
  const signedAttrs = kids[i]?.tag === 0xa0 ? readSignedAttributes(next()!, file) : undefined;
  const signatureAlgorithm = readAlgorithmIdentifier(next(), file, t.offset);
  const signature = readOctets(next(), file, t.offset);
  const info: SignerInfo = { raw: rawTlv(t), version, sid, digestAlgorithm, signatureAlgorithm, signature };
  if (signedAttrs) info.signedAttrs = signedAttrs;
  const unsigned = next();
  if (unsigned) info.unsignedAttrs = rawTlv(expectTag(unsigned, 0xa1, file));
  if (i < kids.length) throw malformed(file, kids[i]!.offset, 'unexpected element in SignerInfo');
  return info;
}

/** OCTET STRING content; a BER constructed OCTET STRING (24) is joined from its primitive segments. */
function readContentOctets(t: Tlv | undefined, file: string, at: number): { bytes: Uint8Array; offset?: number } {
  if (t?.tag === 0x24) {
    const parts = children(t, file).map((k) => readOctets(k, file));
    return { bytes: concat(...parts) };
  }
  const bytes = readOctets(t, file, at);
  return { bytes, offset: t!.offset + t!.headerLength };
}

/** Reads a ContentInfo holding SignedData (the element after any file wrapper). */
export function readSignedData(element: Tlv | undefined, file: string): SignedData {
  const contentInfo = expectTag(element, TAG.SEQUENCE, file);
  const [typeTlv, wrapped] = children(contentInfo, file);
  if (readOid(typeTlv, file, contentInfo.offset) !== OID.signedData)
    throw malformed(file, typeTlv!.offset, 'ContentInfo is not SignedData');
  const explicit = expectTag(wrapped, 0xa0, file, contentInfo.offset);
  const sd = expectTag(children(explicit, file)[0], TAG.SEQUENCE, file, explicit.offset);
  const kids = children(sd, file);
  let i = 0;
  const next = () => kids[i++];
  const version = readUint(next(), file, sd.offset);
  const digestSet = expectTag(next(), TAG.SET, file, sd.offset);
  const digestAlgorithms = children(digestSet, file).map((a) => readAlgorithmIdentifier(a, file));
  const encap = expectTag(next(), TAG.SEQUENCE, file, sd.offset);
  const [eTypeTlv, eWrapped] = children(encap, file);
  const out: SignedData = {
    raw: rawTlv(contentInfo),
    version,
    digestAlgorithms,
    eContentType: readOid(eTypeTlv, file, encap.offset),
    certificates: [],
    crls: [],
    signerInfos: [],
  };
  if (eWrapped) {
    const content = readContentOctets(children(expectTag(eWrapped, 0xa0, file), file)[0], file, eWrapped.offset);
    out.eContent = content.bytes;
    if (content.offset !== undefined) out.eContentOffset = content.offset;
  }
  if (kids[i]?.tag === 0xa0) out.certificates = children(next()!, file).map(rawTlv);
  if (kids[i]?.tag === 0xa1) out.crls = children(next()!, file).map(rawTlv);
  const signers = expectTag(next(), TAG.SET, file, sd.offset);
  out.signerInfos = children(signers, file).map((s) => readSignerInfo(s, file));
  if (i < kids.length) throw malformed(file, kids[i]!.offset, 'unexpected element in SignedData');
  return out;
}
