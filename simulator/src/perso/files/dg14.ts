import { OID, tlv } from '@cccd/emrtd/codec';
import type { ActiveAuthenticationKey, ChipAuthenticationKey } from '../../card/image.js';
import { ecSpkiDer } from '../../pki/index.js';
import { integer, oid, sequence, setOf } from '../der.js';
import { curveForParameterId } from '../keys.js';
import { chipAuthenticationInfo, terminalAuthenticationInfo } from './card-access.js';

/** ChipAuthenticationPublicKeyInfo ::= SEQUENCE { id-PK-ECDH, SubjectPublicKeyInfo, keyId OPTIONAL }. */
export function chipAuthenticationPublicKeyInfo(key: ChipAuthenticationKey, explicit = false): Uint8Array {
  if (key.keyAgreement !== 'ECDH') throw new RangeError('the simulator personalises ECDH chip authentication only');
  return sequence(
    oid(OID.pkECDH),
    ecSpkiDer(curveForParameterId(key.parameterId), key.publicKey, explicit),
    ...(key.keyId === undefined ? [] : [integer(key.keyId)]),
  );
}

const PLAIN_ECDSA: Record<string, string> = {
  'SHA-1': OID.ecdsaPlainSHA1,
  'SHA-224': OID.ecdsaPlainSHA224,
  'SHA-256': OID.ecdsaPlainSHA256,
  'SHA-384': OID.ecdsaPlainSHA384,
  'SHA-512': OID.ecdsaPlainSHA512,
};

/** ActiveAuthenticationInfo ::= SEQUENCE { id-AA, version 1, signatureAlgorithm } (ICAO 9303-11 §9.2.5). */
export function activeAuthenticationInfo(hash: keyof typeof PLAIN_ECDSA): Uint8Array {
  const alg = PLAIN_ECDSA[hash];
  if (!alg) throw new RangeError(`no ECDSA-plain OID for ${hash}`);
  return sequence(oid(OID.activeAuthentication), integer(1), oid(alg));
}

export interface Dg14Options {
  chipAuthentication?: ChipAuthenticationKey;
  activeAuthentication?: ActiveAuthenticationKey;
  /** Write the CA key's domain parameters explicitly instead of naming the curve. */
  explicitParameters?: boolean;
  /** TerminalAuthenticationInfo (TR-03110-3 A.1.1.3): how a card without CA still has a DG14 (ca=not-advertised). */
  terminalAuthentication?: boolean;
}

/**
 * DG14 = 6E { SecurityInfos }: ChipAuthenticationInfo + ChipAuthenticationPublicKeyInfo for CA, a
 * TerminalAuthenticationInfo when asked, and an ActiveAuthenticationInfo when AA uses ECDSA (RSA AA needs none).
 */
export function buildDg14(options: Dg14Options): Uint8Array {
  const infos: Uint8Array[] = [];
  const ca = options.chipAuthentication;
  if (ca) {
    infos.push(chipAuthenticationInfo({ keyAgreement: ca.keyAgreement, cipher: ca.cipher, keyId: ca.keyId }));
    infos.push(chipAuthenticationPublicKeyInfo(ca, options.explicitParameters));
  }
  if (options.terminalAuthentication) infos.push(terminalAuthenticationInfo());
  const aa = options.activeAuthentication;
  if (aa?.type === 'ECDSA') infos.push(activeAuthenticationInfo(aa.hash));
  if (!infos.length) throw new RangeError('DG14 needs chip, terminal or ECDSA active authentication');
  return tlv(0x6e, setOf(...infos));
}
