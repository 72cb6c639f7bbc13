/**
 * EF.CardSecurity (BSI TR-03110-3 A.1.2, ICAO 9303-11 §9.2.2): SignedData whose eContent (id-SecurityObject)
 * is a SecurityInfos SET, e.g. the PACE-CAM and CA public keys.
 */

import { malformed, readNested, readRoot } from '../asn1/der.js';
import { readSecurityInfos, type SecurityInfos } from './card-access.js';
import { readSignedData, type SignedData } from './cms.js';

export const ID_SECURITY_OBJECT = '0.4.0.127.0.7.3.2.1';

export interface CardSecurity {
  signedData: SignedData;
  securityInfos: SecurityInfos;
}

const FILE = 'EF.CardSecurity';

export function parseCardSecurity(bytes: Uint8Array): CardSecurity {
  const signedData = readSignedData(readRoot(bytes, FILE), FILE);
  if (!signedData.eContent) throw malformed(FILE, 0, 'SignedData without encapsulated content');
  const set = readNested(signedData.eContent, FILE, signedData.eContentOffset ?? 0);
  return { signedData, securityInfos: readSecurityInfos(set, FILE) };
}
