import type { ChipAuthenticationKey, PaceConfig } from '../../card/image.js';
import { buildCardSecurity, type CmsSigner } from '../../pki/index.js';
import { setAsIs } from '../der.js';
import { chipAuthenticationInfo, paceInfo, terminalAuthenticationInfo } from './card-access.js';
import { chipAuthenticationPublicKeyInfo } from './dg14.js';

export interface CardSecurityOptions {
  pace: PaceConfig[];
  /** The PACE-CAM static key: its ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo. */
  chipAuthenticationMapping: ChipAuthenticationKey;
  terminalAuthentication?: boolean;
  signer: CmsSigner;
  signingTime?: Date;
  /** Alter the signature value after signing (chip option pace-cam=bad-signature). */
  badSignature?: boolean;
}

/**
 * EF.CardSecurity (ICAO 9303-11 §9.2.2): the SecurityInfos of EF.CardAccess plus the chip's static key for PACE-CAM
 * (ChipAuthenticationInfo + ChipAuthenticationPublicKeyInfo), signed by the Document Signer. The reader takes PK_IC
 * from here, so the file must pass passive authentication for CAM to prove anything.
 */
export function buildCardSecurityFile(options: CardSecurityOptions): Uint8Array {
  const key = options.chipAuthenticationMapping;
  const infos: Uint8Array[] = [];
  if (options.terminalAuthentication) infos.push(terminalAuthenticationInfo());
  infos.push(chipAuthenticationInfo({ keyAgreement: key.keyAgreement, cipher: key.cipher, keyId: key.keyId }));
  infos.push(chipAuthenticationPublicKeyInfo(key));
  for (const p of options.pace) infos.push(paceInfo(p));
  return buildCardSecurity({
    securityInfos: setAsIs(...infos),
    signer: options.signer,
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
    ...(options.badSignature ? { tamper: { signature: true } } : {}),
  });
}
