import { caOid, OID, paceOid, type SmCipher } from '@cccd/emrtd/codec';
import type { PaceConfig } from '../../card/image.js';
import { integer, oid, sequence, setAsIs } from '../der.js';

export interface CardAccessOptions {
  pace: PaceConfig[];
  /** ChipAuthenticationInfo to advertise (the CCCD lists id-CA-ECDH-AES-CBC-CMAC-128 here, without a keyId). */
  chipAuthentication?: { keyAgreement: 'ECDH' | 'DH'; cipher: SmCipher; keyId?: number };
  /** TerminalAuthenticationInfo v1 (the CCCD has one: DG3 is EAC-protected). */
  terminalAuthentication?: boolean;
}

/** PACEInfo ::= SEQUENCE { protocol, version INTEGER (2), parameterId INTEGER } (ICAO 9303-11 §9.2.1). */
export function paceInfo(config: PaceConfig): Uint8Array {
  return sequence(
    oid(paceOid(config.keyAgreement, config.mapping, config.cipher)),
    integer(2),
    integer(config.parameterId),
  );
}

/** ChipAuthenticationInfo ::= SEQUENCE { protocol, version INTEGER (1), keyId INTEGER OPTIONAL } (TR-03110-3). */
export function chipAuthenticationInfo(ca: NonNullable<CardAccessOptions['chipAuthentication']>): Uint8Array {
  return sequence(
    oid(caOid(ca.keyAgreement, ca.cipher)),
    integer(1),
    ...(ca.keyId === undefined ? [] : [integer(ca.keyId)]),
  );
}

export const terminalAuthenticationInfo = (): Uint8Array => sequence(oid(OID.terminalAuthentication), integer(1));

/**
 * EF.CardAccess in the order of the real CCCD (docs/reference/vn-cccd.md §3.2): TerminalAuthenticationInfo,
 * ChipAuthenticationInfo, then the PACEInfos — PACE deliberately not first, since readers that take element 0 fail.
 */
export function buildCardAccess(options: CardAccessOptions): Uint8Array {
  const infos: Uint8Array[] = [];
  if (options.terminalAuthentication) infos.push(terminalAuthenticationInfo());
  if (options.chipAuthentication) infos.push(chipAuthenticationInfo(options.chipAuthentication));
  for (const p of options.pace) infos.push(paceInfo(p));
  return setAsIs(...infos);
}
