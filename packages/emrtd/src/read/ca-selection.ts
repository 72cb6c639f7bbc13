/**
 * Which Chip Authentication to run, from DG14 (ICAO 9303-11 §6.2, BSI TR-03110-3 A.1.2.2/A.1.2.3): the
 * ChipAuthenticationInfo, the matching ChipAuthenticationPublicKeyInfo (by keyId when the chip has several keys),
 * and the key-agreement group resolved from the key's SubjectPublicKeyInfo — standardized parameter ID, named
 * curve, or explicit parameters identified by their FULL domain (never by size alone). The exchange is ca/.
 */
import { type ChipAuthenticationProtocol, caOid, parseCaOid } from '../asn1/oids.js';
import type { CaDhGroup, CaEcGroup, CaGroup, ChipAuthenticationParameters } from '../ca/parameters.js';
import { checkDhValue } from '../ca/parameters.js';
import { bytesToBig } from '../codec/bytes.js';
import { readTlv } from '../codec/tlv.js';
import { decodeEcPoint, domainParameters, isStandardizedDomainParameterId } from '../crypto/domain-params.js';
import { EmrtdError, MalformedData } from '../errors.js';
import type { ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo, SecurityInfos } from '../lds/card-access.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { ecPublicPoint, resolveCurve } from '../pki/ec.js';

/** The parameters of the exchange, with the DG14 entries they came from. */
export interface SelectedChipAuthentication extends ChipAuthenticationParameters {
  info?: ChipAuthenticationInfo;
  publicKeyInfo: ChipAuthenticationPublicKeyInfo;
}

const byteLen = (v: bigint) => Math.ceil(v.toString(2).length / 8);
const FILE = 'DG14';

function dhGroupOf(spki: SubjectPublicKeyInfo): CaDhGroup | undefined {
  const dp = spki.domainParameters;
  if (dp?.kind === 'standardized') {
    if (!isStandardizedDomainParameterId(dp.parameterId)) return undefined;
    const d = domainParameters(dp.parameterId);
    return d.kind === 'DH'
      ? { kind: 'DH', p: d.p, g: d.g, q: d.q, byteLength: d.byteLength, parameterId: d.id }
      : undefined;
  }
  if (dp?.kind !== 'dh') return undefined;
  const { p, g, q } = dp.dh;
  if (p < 5n || g <= 1n || g >= p - 1n) return undefined;
  // Prefer the RFC 5114 group (it brings q) when p and g are exactly one of them.
  for (const id of [0, 1, 2]) {
    const d = domainParameters(id);
    if (d.kind === 'DH' && d.p === p && d.g === g && (q === undefined || q === d.q))
      return { kind: 'DH', p, g, q: d.q, byteLength: d.byteLength, parameterId: id };
  }
  return { kind: 'DH', p, g, ...(q === undefined ? {} : { q }), byteLength: byteLen(p) };
}

function ecGroupOf(spki: SubjectPublicKeyInfo): CaEcGroup | undefined {
  const resolved = resolveCurve(spki.domainParameters);
  return resolved && { kind: 'ECDH', params: resolved.params, explicit: resolved.explicit };
}

/**
 * An ECDH static key's point (uncompressed), checked to be on `params`: parsed by the SPKI reader, or raw when the
 * algorithm is standardizedDomainParameters; an OCTET STRING wrapper is removed only where the curve says it is one
 * (ecPublicPoint). Throws MalformedData for a point that is not on the curve.
 */
export function ecStaticPublicKey(
  spki: SubjectPublicKeyInfo,
  params: CaEcGroup['params'],
  what = 'DG14 chip authentication public key',
): Uint8Array {
  const key = spki.publicKey;
  const bytes = key.kind === 'ec' ? key.point : spki.publicKeyBytes;
  const point = ecPublicPoint(params, bytes) ?? bytes;
  decodeEcPoint(params, point, what);
  return point;
}

/** The public key bytes: parsed by the SPKI reader, or raw when the algorithm is standardizedDomainParameters. */
function chipPublicKeyOf(spki: SubjectPublicKeyInfo, group: CaGroup): Uint8Array {
  const key = spki.publicKey;
  if (group.kind === 'ECDH') return ecStaticPublicKey(spki, group.params);
  let y: bigint;
  if (key.kind === 'dh') y = key.y;
  else {
    const t = readTlv(spki.publicKeyBytes, 0, FILE);
    if (t.tag !== 0x02) throw new MalformedData(FILE, 0, 'DH public key is not an INTEGER');
    y = bytesToBig(t.value);
  }
  checkDhValue(group, y, 'DG14 chip authentication public key');
  const out = new Uint8Array(group.byteLength);
  let v = y;
  for (let i = out.length - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function groupOf(pk: ChipAuthenticationPublicKeyInfo): CaGroup | undefined {
  return pk.keyAgreement === 'ECDH' ? ecGroupOf(pk.publicKey) : dhGroupOf(pk.publicKey);
}

/** Strongest first: ECDH before DH, then by cipher strength (as gmrtd's weighting). */
const CIPHER_RANK = { '3DES': 0, 'AES-128': 1, 'AES-192': 2, 'AES-256': 3 } as const;
const rank = (p: ChipAuthenticationProtocol) => (p.keyAgreement === 'ECDH' ? 10 : 0) + CIPHER_RANK[p.cipher];

function build(
  protocol: ChipAuthenticationProtocol,
  pk: ChipAuthenticationPublicKeyInfo,
  info: ChipAuthenticationInfo | undefined,
  ambiguous: boolean,
): SelectedChipAuthentication | undefined {
  const group = groupOf(pk);
  if (!group) return undefined;
  const chipPublicKey = chipPublicKeyOf(pk.publicKey, group);
  // 0x84 is sent only when it disambiguates (TR-03110-3 B.11.1): some chips refuse an unexpected key reference.
  const keyId = info?.keyId ?? (ambiguous ? pk.keyId : undefined);
  return {
    protocol,
    inferred: info === undefined,
    ...(keyId === undefined ? {} : { keyId }),
    ...(info ? { info } : {}),
    publicKeyInfo: pk,
    group,
    chipPublicKey,
  };
}

export interface SelectChipAuthenticationOptions {
  /** Use only the key with this keyId. */
  keyId?: number;
}

/**
 * Picks what to run from DG14's SecurityInfos. Throws EmrtdError('unsupported') when DG14 offers no Chip
 * Authentication this reader can run (no public key, unknown curve, reserved parameter ID); a malformed key is
 * MalformedData.
 */
export function selectChipAuthentication(
  infos: SecurityInfos,
  options: SelectChipAuthenticationOptions = {},
): SelectedChipAuthentication {
  const keys = infos.chipAuthenticationPublicKeyInfos.filter(
    (k) => options.keyId === undefined || k.keyId === options.keyId,
  );
  if (keys.length === 0)
    throw new EmrtdError('unsupported', 'DG14 has no chip authentication public key', { step: 'CA' });
  const caInfos = infos.chipAuthenticationInfos
    .filter((i) => options.keyId === undefined || i.keyId === undefined || i.keyId === options.keyId)
    .sort((a, b) => rank(b.protocol) - rank(a.protocol));
  for (const info of caInfos) {
    const pk = keys.find(
      (k) => k.keyAgreement === info.protocol.keyAgreement && (info.keyId === undefined || k.keyId === info.keyId),
    );
    const params = pk && build(info.protocol, pk, info, keys.length > 1);
    if (params) return params;
  }
  if (infos.chipAuthenticationInfos.length === 0) {
    // CA version 1 documents (e.g. early FR passports) list only the key: 3DES is implied (TR-03110 v1.11).
    for (const pk of keys) {
      const protocol = parseCaOid(caOid(pk.keyAgreement, '3DES'));
      const params = protocol && build(protocol, pk, undefined, keys.length > 1);
      if (params) return params;
    }
  }
  throw new EmrtdError('unsupported', 'no chip authentication protocol in DG14 matches a supported key', {
    step: 'CA',
  });
}
