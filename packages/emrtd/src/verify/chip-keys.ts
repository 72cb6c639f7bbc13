/**
 * Whether EF.CardSecurity and DG14 name the same chip key (BSI TR-03110-3 A.1.2.2/A.1.2.3: both hold
 * ChipAuthenticationPublicKeyInfos; a PACE-CAM chip's PK_IC is normally its Chip Authentication key too). Used where a
 * proof made with one file's key must stand for the other: a Chip Authentication that succeeded after a PACE-CAM
 * mismatch, and a reader's CAM claim in an evidence bundle, which only DG14 (under this document's EF.SOD) ties to
 * the document.
 */
import { equal } from '../codec/bytes.js';
import { EmrtdError } from '../errors.js';
import type { ChipAuthenticationPublicKeyInfo } from '../lds/card-access.js';
import { parseCardSecurity } from '../lds/card-security.js';
import { parseDg14 } from '../lds/dg14.js';
import { ecPublicPoint, resolveCurve } from '../pki/ec.js';

/** A key's identity: curve and point (wrapper removed) for ECDH, the whole SubjectPublicKeyInfo for DH. */
function keyIdentity(info: ChipAuthenticationPublicKeyInfo): { group: string; key: Uint8Array } | undefined {
  const spki = info.publicKey;
  if (info.keyAgreement !== 'ECDH') return { group: 'DH', key: spki.raw };
  const params = resolveCurve(spki.domainParameters)?.params;
  const bytes = spki.publicKey.kind === 'ec' ? spki.publicKey.point : spki.publicKeyBytes;
  const point = params && ecPublicPoint(params, bytes);
  return point && { group: params.name, key: point };
}

function keysOf(parse: () => { chipAuthenticationPublicKeyInfos: ChipAuthenticationPublicKeyInfo[] }) {
  try {
    return parse().chipAuthenticationPublicKeyInfos;
  } catch (e) {
    if (e instanceof EmrtdError) return [];
    throw e;
  }
}

/** DG14's Chip Authentication public keys (only `keyId`'s when given); empty when DG14 does not parse. */
export function dg14ChipKeys(dg14: Uint8Array, keyId?: number): ChipAuthenticationPublicKeyInfo[] {
  return keysOf(() => parseDg14(dg14)).filter((k) => keyId === undefined || k.keyId === keyId);
}

/**
 * True when EF.CardSecurity holds one of `keys` (compared as keys: same curve and point, whatever the encoding).
 * False when either side does not parse or no key is shared.
 */
export function cardSecurityHoldsKey(cardSecurity: Uint8Array, keys: readonly ChipAuthenticationPublicKeyInfo[]) {
  const wanted = keys.map(keyIdentity).filter((k) => k !== undefined);
  if (wanted.length === 0) return false;
  return keysOf(() => parseCardSecurity(cardSecurity).securityInfos).some((info) => {
    const id = keyIdentity(info);
    return id !== undefined && wanted.some((w) => w.group === id.group && equal(w.key, id.key));
  });
}
