/**
 * SecurityInfos (BSI TR-03110-3 A.1, ICAO 9303-11 §9.2): the content of EF.CardAccess, EF.CardSecurity and DG14.
 * Every SecurityInfo is dispatched by its protocol OID, never by position — Vietnamese cards put PACEInfo third.
 */

import {
  type AlgorithmIdentifier,
  children,
  expectTag,
  malformed,
  rawTlv,
  readAlgorithmIdentifier,
  readOctets,
  readOid,
  readRoot,
  readUint,
  TAG,
} from '../asn1/der.js';
import {
  type ChipAuthenticationProtocol,
  type KeyAgreement,
  OID,
  type PaceMapping,
  type PaceProtocol,
  parseCaOid,
  parsePaceOid,
} from '../asn1/oids.js';
import type { Tlv } from '../codec/tlv.js';
import {
  type KeyDomainParameters,
  readDomainParameters,
  readSubjectPublicKeyInfo,
  type SubjectPublicKeyInfo,
} from './public-key.js';

interface InfoBase {
  oid: string;
  /** The SecurityInfo's full DER bytes. */
  raw: Uint8Array;
}

export interface PaceInfo extends InfoBase {
  protocol: PaceProtocol;
  version: number;
  /** Standardized domain parameter ID (9303-11 §9.5.1), e.g. 13 = brainpoolP256r1; absent when not given. */
  parameterId?: number;
}

export interface PaceDomainParameterInfo extends InfoBase {
  keyAgreement: KeyAgreement;
  mapping: PaceMapping;
  domainParameter: AlgorithmIdentifier;
  domainParameters?: KeyDomainParameters;
  parameterId?: number;
}

export interface ChipAuthenticationInfo extends InfoBase {
  protocol: ChipAuthenticationProtocol;
  version: number;
  keyId?: number;
}

export interface ChipAuthenticationDomainParameterInfo extends InfoBase {
  keyAgreement: KeyAgreement;
  domainParameter: AlgorithmIdentifier;
  domainParameters?: KeyDomainParameters;
  keyId?: number;
}

export interface ChipAuthenticationPublicKeyInfo extends InfoBase {
  keyAgreement: KeyAgreement;
  publicKey: SubjectPublicKeyInfo;
  keyId?: number;
}

export interface TerminalAuthenticationInfo extends InfoBase {
  version: number;
  /** EF.CVCA file identifier (2 bytes) and optional short file identifier. */
  efCvca?: { fid: Uint8Array; sfid?: Uint8Array };
}

export interface ActiveAuthenticationInfo extends InfoBase {
  version: number;
  signatureAlgorithm: string;
}

export interface SecurityInfos {
  paceInfos: PaceInfo[];
  paceDomainParameterInfos: PaceDomainParameterInfo[];
  chipAuthenticationInfos: ChipAuthenticationInfo[];
  chipAuthenticationDomainParameterInfos: ChipAuthenticationDomainParameterInfo[];
  chipAuthenticationPublicKeyInfos: ChipAuthenticationPublicKeyInfo[];
  terminalAuthenticationInfos: TerminalAuthenticationInfo[];
  activeAuthenticationInfos: ActiveAuthenticationInfo[];
  /** SecurityInfos with an OID this parser does not interpret, kept whole. */
  unknown: InfoBase[];
}

const PACE_DOMAIN: Record<string, [KeyAgreement, PaceMapping]> = {
  [`${OID.pace}.1`]: ['DH', 'GM'],
  [`${OID.pace}.2`]: ['ECDH', 'GM'],
  [`${OID.pace}.3`]: ['DH', 'IM'],
  [`${OID.pace}.4`]: ['ECDH', 'IM'],
  [`${OID.pace}.6`]: ['ECDH', 'CAM'],
};
const CA_DOMAIN: Record<string, KeyAgreement> = {
  [`${OID.chipAuthentication}.1`]: 'DH',
  [`${OID.chipAuthentication}.2`]: 'ECDH',
};
const PK: Record<string, KeyAgreement> = { [OID.pkDH]: 'DH', [OID.pkECDH]: 'ECDH' };

/** An optional trailing INTEGER (parameterId, keyId); anything else there is malformed. */
function optionalInt(t: Tlv | undefined, extra: Tlv | undefined, file: string): number | undefined {
  if (extra) throw malformed(file, extra.offset, 'unexpected element in SecurityInfo');
  return t ? readUint(t, file) : undefined;
}

function withOptional<T extends object, K extends string>(obj: T, key: K, value: number | undefined) {
  return (value === undefined ? obj : { ...obj, [key]: value }) as T & Partial<Record<K, number>>;
}

function domainParametersOf(alg: AlgorithmIdentifier, t: Tlv, file: string): KeyDomainParameters | undefined {
  if (!alg.parameters) return undefined;
  const params = children(t, file)[1]!;
  return readDomainParameters(alg.oid, params, file);
}

function addInfo(out: SecurityInfos, seq: Tlv, file: string): void {
  const [oidTlv, a, b, extra] = children(seq, file);
  const oid = readOid(oidTlv, file, seq.offset);
  const base = { oid, raw: rawTlv(seq) };
  const need = (t: Tlv | undefined) => {
    if (!t) throw malformed(file, seq.offset, 'SecurityInfo without its required data');
    return t;
  };

  const pace = parsePaceOid(oid);
  if (pace) {
    const info = { ...base, protocol: pace, version: readUint(need(a), file) };
    out.paceInfos.push(withOptional(info, 'parameterId', optionalInt(b, extra, file)));
    return;
  }
  const ca = parseCaOid(oid);
  if (ca) {
    const info = { ...base, protocol: ca, version: readUint(need(a), file) };
    out.chipAuthenticationInfos.push(withOptional(info, 'keyId', optionalInt(b, extra, file)));
    return;
  }
  const paceDomain = PACE_DOMAIN[oid];
  const caDomain = CA_DOMAIN[oid];
  if (paceDomain || caDomain) {
    const algTlv = need(a);
    const domainParameter = readAlgorithmIdentifier(algTlv, file);
    const dp = domainParametersOf(domainParameter, algTlv, file);
    const common = { ...base, domainParameter, ...(dp ? { domainParameters: dp } : {}) };
    const id = optionalInt(b, extra, file);
    if (paceDomain) {
      const info = { ...common, keyAgreement: paceDomain[0], mapping: paceDomain[1] };
      out.paceDomainParameterInfos.push(withOptional(info, 'parameterId', id));
    } else {
      out.chipAuthenticationDomainParameterInfos.push(
        withOptional({ ...common, keyAgreement: caDomain! }, 'keyId', id),
      );
    }
    return;
  }
  const pk = PK[oid];
  if (pk) {
    const info = { ...base, keyAgreement: pk, publicKey: readSubjectPublicKeyInfo(need(a), file) };
    out.chipAuthenticationPublicKeyInfos.push(withOptional(info, 'keyId', optionalInt(b, extra, file)));
    return;
  }
  if (oid === OID.terminalAuthentication) {
    if (extra) throw malformed(file, extra.offset, 'unexpected element in TerminalAuthenticationInfo');
    const info: TerminalAuthenticationInfo = { ...base, version: readUint(need(a), file) };
    if (b) {
      const [fid, sfid] = children(expectTag(b, TAG.SEQUENCE, file), file);
      info.efCvca = { fid: readOctets(fid, file, b.offset) };
      if (sfid) info.efCvca.sfid = readOctets(sfid, file, b.offset);
    }
    out.terminalAuthenticationInfos.push(info);
    return;
  }
  if (oid === OID.activeAuthentication) {
    if (extra) throw malformed(file, extra.offset, 'unexpected element in ActiveAuthenticationInfo');
    const version = readUint(need(a), file);
    out.activeAuthenticationInfos.push({ ...base, version, signatureAlgorithm: readOid(need(b), file) });
    return;
  }
  out.unknown.push(base);
}

function emptyInfos(): SecurityInfos {
  return {
    paceInfos: [],
    paceDomainParameterInfos: [],
    chipAuthenticationInfos: [],
    chipAuthenticationDomainParameterInfos: [],
    chipAuthenticationPublicKeyInfos: [],
    terminalAuthenticationInfos: [],
    activeAuthenticationInfos: [],
    unknown: [],
  };
}

/** Reads a SecurityInfos SET already located in a file (DG14 content, CardSecurity eContent). */
export function readSecurityInfos(set: Tlv, file: string): SecurityInfos {
  expectTag(set, TAG.SET, file);
  const out = emptyInfos();
  for (const info of children(set, file)) addInfo(out, expectTag(info, TAG.SEQUENCE, file), file);
  return out;
}

/** Parses DER `SecurityInfos ::= SET OF SecurityInfo`. `file` names the source in errors. */
export function parseSecurityInfos(bytes: Uint8Array, file = 'SecurityInfos'): SecurityInfos {
  return readSecurityInfos(readRoot(bytes, file), file);
}

/** EF.CardAccess (FID 011C) is a bare SecurityInfos. */
export function parseCardAccess(bytes: Uint8Array): SecurityInfos {
  return parseSecurityInfos(bytes, 'EF.CardAccess');
}
