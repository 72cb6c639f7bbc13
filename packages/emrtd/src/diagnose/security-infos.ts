/**
 * SecurityInfos (EF.CardAccess, DG14) as a chip profile lists them: protocol OIDs, versions, parameter and key IDs,
 * key type and size — never key bytes — in the order the chip stores them (CCCD puts PACEInfo last).
 */

import { children, rawTlv, readRoot } from '../asn1/der.js';
import { parseCaOid, parsePaceOid } from '../asn1/oids.js';
import { hex } from '../codec/bytes.js';
import { domainParameters } from '../crypto/domain-params.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { describeKey, type KeyProfile } from './keys.js';

export interface SecurityInfoProfile {
  oid: string;
  type:
    | 'PACEInfo'
    | 'PACEDomainParameterInfo'
    | 'ChipAuthenticationInfo'
    | 'ChipAuthenticationDomainParameterInfo'
    | 'ChipAuthenticationPublicKeyInfo'
    | 'TerminalAuthenticationInfo'
    | 'ActiveAuthenticationInfo'
    | 'unknown';
  /** e.g. 'PACE-ECDH-GM-AES-128', 'CA-ECDH-AES-128'. */
  protocol?: string;
  version?: number;
  parameterId?: number;
  /** Name of a standardized domain parameter ID, e.g. 'brainpoolP256r1'. */
  parameterName?: string;
  keyId?: number;
  /** ChipAuthenticationPublicKeyInfo: the key's type and size only. */
  key?: KeyProfile;
  /** ActiveAuthenticationInfo: the signature algorithm OID. */
  signatureAlgorithm?: string;
}

/** Name of a standardized domain parameter ID (ICAO 9303-11 §9.5.1), e.g. 13 → 'brainpoolP256r1'. */
export function parameterName(id: number): string | undefined {
  try {
    return domainParameters(id).name;
  } catch {
    return undefined;
  }
}

function withParameter(p: SecurityInfoProfile, id: number | undefined): SecurityInfoProfile {
  if (id === undefined) return p;
  const name = parameterName(id);
  return { ...p, parameterId: id, ...(name ? { parameterName: name } : {}) };
}

function profiles(infos: SecurityInfos): { raw: Uint8Array; profile: SecurityInfoProfile }[] {
  const keyId = (id: number | undefined) => (id === undefined ? {} : { keyId: id });
  return [
    ...infos.paceInfos.map((i) => {
      const p = parsePaceOid(i.oid)!;
      const base: SecurityInfoProfile = {
        oid: i.oid,
        type: 'PACEInfo',
        protocol: `PACE-${p.keyAgreement}-${p.mapping}-${p.cipher}`,
        version: i.version,
      };
      return { raw: i.raw, profile: withParameter(base, i.parameterId) };
    }),
    ...infos.paceDomainParameterInfos.map((i) => ({
      raw: i.raw,
      profile: withParameter(
        { oid: i.oid, type: 'PACEDomainParameterInfo', protocol: `PACE-${i.keyAgreement}-${i.mapping}` } as const,
        i.parameterId,
      ),
    })),
    ...infos.chipAuthenticationInfos.map((i) => {
      const p = parseCaOid(i.oid)!;
      const profile: SecurityInfoProfile = {
        oid: i.oid,
        type: 'ChipAuthenticationInfo',
        protocol: `CA-${p.keyAgreement}-${p.cipher}`,
        version: i.version,
        ...keyId(i.keyId),
      };
      return { raw: i.raw, profile };
    }),
    ...infos.chipAuthenticationDomainParameterInfos.map((i) => ({
      raw: i.raw,
      profile: { oid: i.oid, type: 'ChipAuthenticationDomainParameterInfo', ...keyId(i.keyId) } as const,
    })),
    ...infos.chipAuthenticationPublicKeyInfos.map((i) => ({
      raw: i.raw,
      profile: {
        oid: i.oid,
        type: 'ChipAuthenticationPublicKeyInfo',
        key: describeKey(i.publicKey),
        ...keyId(i.keyId),
      } as const,
    })),
    ...infos.terminalAuthenticationInfos.map((i) => ({
      raw: i.raw,
      profile: { oid: i.oid, type: 'TerminalAuthenticationInfo', version: i.version } as const,
    })),
    ...infos.activeAuthenticationInfos.map((i) => ({
      raw: i.raw,
      profile: {
        oid: i.oid,
        type: 'ActiveAuthenticationInfo',
        version: i.version,
        signatureAlgorithm: i.signatureAlgorithm,
      } as const,
    })),
    ...infos.unknown.map((i) => ({ raw: i.raw, profile: { oid: i.oid, type: 'unknown' } as const })),
  ];
}

/** The SecurityInfos of `infos`, ordered as in `set` (the DER SET they were parsed from) when it is given. */
export function securityInfoProfiles(infos: SecurityInfos, set?: Uint8Array): SecurityInfoProfile[] {
  const list = profiles(infos);
  if (!set) return list.map((x) => x.profile);
  let order: string[];
  try {
    order = children(readRoot(set, 'SecurityInfos'), 'SecurityInfos').map((t) => hex(rawTlv(t)));
  } catch {
    return list.map((x) => x.profile);
  }
  const at = (raw: Uint8Array) => {
    const i = order.indexOf(hex(raw));
    return i < 0 ? order.length : i;
  };
  return list.sort((a, b) => at(a.raw) - at(b.raw)).map((x) => x.profile);
}
