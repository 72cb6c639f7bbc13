/**
 * EF.SOD (ICAO 9303-10 §4.6.2): template 77 holding a CMS SignedData whose eContent is the LDSSecurityObject —
 * the hash of every data group. Parsing only; passive authentication (hashes, signature, chain) is a later step.
 */

import {
  type AlgorithmIdentifier,
  children,
  decodeString,
  expectTag,
  malformed,
  readAlgorithmIdentifier,
  readNested,
  readOctets,
  readRoot,
  readUint,
  TAG,
} from '../asn1/der.js';
import { readSignedData, type SignedData } from './cms.js';

export interface LdsSecurityObject {
  /** 0 (LDS 1.7) or 1 (with ldsVersionInfo). */
  version: number;
  hashAlgorithm: AlgorithmIdentifier;
  /** Data group number (1..16) → hash, in stored order. */
  dataGroupHashValues: Map<number, Uint8Array>;
  ldsVersionInfo?: { ldsVersion: string; unicodeVersion: string };
}

export interface Sod {
  signedData: SignedData;
  ldsSecurityObject: LdsSecurityObject;
  /** First certificate in SignedData.certificates (the Document Signer certificate on conformant chips). */
  documentSignerCertificate?: Uint8Array;
}

const FILE = 'EF.SOD';

export function parseLdsSecurityObject(bytes: Uint8Array, file = FILE, base = 0): LdsSecurityObject {
  const seq = readNested(bytes, file, base, TAG.SEQUENCE);
  const [versionTlv, hashTlv, hashesTlv, versionInfo, extra] = children(seq, file);
  if (extra) throw malformed(file, extra.offset, 'unexpected element in LDSSecurityObject');
  const out: LdsSecurityObject = {
    version: readUint(versionTlv, file, seq.offset),
    hashAlgorithm: readAlgorithmIdentifier(hashTlv, file, seq.offset),
    dataGroupHashValues: new Map(),
  };
  for (const h of children(expectTag(hashesTlv, TAG.SEQUENCE, file, seq.offset), file)) {
    const [n, value, more] = children(expectTag(h, TAG.SEQUENCE, file), file);
    if (more) throw malformed(file, more.offset, 'unexpected element in DataGroupHash');
    const dg = readUint(n, file, h.offset);
    // Out-of-range or repeated numbers would let a forged entry shadow a real one.
    if (dg < 1 || dg > 16) throw malformed(file, n!.offset, 'data group number out of range');
    if (out.dataGroupHashValues.has(dg)) throw malformed(file, h.offset, `duplicate hash for DG${dg}`);
    out.dataGroupHashValues.set(dg, readOctets(value, file, h.offset));
  }
  if (versionInfo) {
    const [lds, unicode] = children(expectTag(versionInfo, TAG.SEQUENCE, file), file);
    out.ldsVersionInfo = {
      ldsVersion: decodeString(expectTag(lds, TAG.PRINTABLE_STRING, file, versionInfo.offset), file),
      unicodeVersion: decodeString(expectTag(unicode, TAG.PRINTABLE_STRING, file, versionInfo.offset), file),
    };
  }
  return out;
}

export function parseSod(bytes: Uint8Array): Sod {
  const root = readRoot(bytes, FILE, 0x77);
  const signedData = readSignedData(children(root, FILE)[0], FILE);
  if (!signedData.eContent) throw malformed(FILE, root.offset, 'SignedData without encapsulated content');
  const out: Sod = {
    signedData,
    ldsSecurityObject: parseLdsSecurityObject(signedData.eContent, FILE, signedData.eContentOffset ?? 0),
  };
  if (signedData.certificates[0]) out.documentSignerCertificate = signedData.certificates[0];
  return out;
}
