/** Object identifiers used across ICAO 9303 parts 10-12, BSI TR-03110 and RFC 5652, named as in the specs. */

const BSI = '0.4.0.127.0.7';
const ID_PK = `${BSI}.2.2.1`;
const ID_TA = `${BSI}.2.2.2`;
const ID_CA = `${BSI}.2.2.3`;
const ID_PACE = `${BSI}.2.2.4`;

export const OID = {
  // ICAO 9303-10/12
  ldsSecurityObject: '2.23.136.1.1.1',
  cscaMasterList: '2.23.136.1.1.2',
  cscaMasterListSigningKey: '2.23.136.1.1.3',
  activeAuthentication: '2.23.136.1.1.5',
  // TR-03110 security infos
  pkDH: `${ID_PK}.1`,
  pkECDH: `${ID_PK}.2`,
  terminalAuthentication: ID_TA,
  chipAuthentication: ID_CA,
  pace: ID_PACE,
  // RFC 5652 CMS
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // keys and signatures
  ecPublicKey: '1.2.840.10045.2.1',
  primeField: '1.2.840.10045.1.1',
  dhPublicNumber: '1.2.840.10046.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  // BSI TR-03111 plain (r‖s) ECDSA, seen in ActiveAuthenticationInfo
  ecdsaPlainSHA1: `${BSI}.1.1.4.1.1`,
  ecdsaPlainSHA224: `${BSI}.1.1.4.1.2`,
  ecdsaPlainSHA256: `${BSI}.1.1.4.1.3`,
  ecdsaPlainSHA384: `${BSI}.1.1.4.1.4`,
  ecdsaPlainSHA512: `${BSI}.1.1.4.1.5`,
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // named curves
  secp192r1: '1.2.840.10045.3.1.1',
  secp224r1: '1.3.132.0.33',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  brainpoolP192r1: '1.3.36.3.3.2.8.1.1.3',
  brainpoolP224r1: '1.3.36.3.3.2.8.1.1.5',
  brainpoolP256r1: '1.3.36.3.3.2.8.1.1.7',
  brainpoolP320r1: '1.3.36.3.3.2.8.1.1.9',
  brainpoolP384r1: '1.3.36.3.3.2.8.1.1.11',
  brainpoolP512r1: '1.3.36.3.3.2.8.1.1.13',
  // Vietnamese DG13: ISO/IEC 10646 UTF-8 form
  iso10646Utf8: '1.0.10646.1.0.8',
} as const;

export type PaceMapping = 'GM' | 'IM' | 'CAM';
export type KeyAgreement = 'DH' | 'ECDH';
export type SmCipher = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

const CIPHER_SUFFIX: Record<string, SmCipher> = { '1': '3DES', '2': 'AES-128', '3': 'AES-192', '4': 'AES-256' };
const CIPHER_TO_SUFFIX: Record<SmCipher, string> = { '3DES': '1', 'AES-128': '2', 'AES-192': '3', 'AES-256': '4' };
const PACE_ARC: Record<string, [KeyAgreement, PaceMapping]> = {
  '1': ['DH', 'GM'],
  '2': ['ECDH', 'GM'],
  '3': ['DH', 'IM'],
  '4': ['ECDH', 'IM'],
  '6': ['ECDH', 'CAM'],
};

export interface PaceProtocol {
  oid: string;
  keyAgreement: KeyAgreement;
  mapping: PaceMapping;
  cipher: SmCipher;
}

/** Decodes an id-PACE-* protocol OID (TR-03110-3 A.1.1.1), or undefined when it is not one. */
export function parsePaceOid(oid: string): PaceProtocol | undefined {
  if (!oid.startsWith(`${ID_PACE}.`)) return undefined;
  const [arc, suffix, ...rest] = oid.slice(ID_PACE.length + 1).split('.');
  const kind = arc === undefined ? undefined : PACE_ARC[arc];
  const cipher = suffix === undefined ? undefined : CIPHER_SUFFIX[suffix];
  if (!kind || !cipher || rest.length) return undefined;
  return { oid, keyAgreement: kind[0], mapping: kind[1], cipher };
}

export function paceOid(keyAgreement: KeyAgreement, mapping: PaceMapping, cipher: SmCipher): string {
  const arc = Object.entries(PACE_ARC).find(([, v]) => v[0] === keyAgreement && v[1] === mapping)?.[0];
  if (!arc) throw new RangeError(`no PACE OID for ${keyAgreement}-${mapping}`);
  return `${ID_PACE}.${arc}.${CIPHER_TO_SUFFIX[cipher]}`;
}

export interface ChipAuthenticationProtocol {
  oid: string;
  keyAgreement: KeyAgreement;
  cipher: SmCipher;
}

/** Decodes an id-CA-{DH,ECDH}-* OID (TR-03110-3 A.1.1.2). */
export function parseCaOid(oid: string): ChipAuthenticationProtocol | undefined {
  if (!oid.startsWith(`${ID_CA}.`)) return undefined;
  const [arc, suffix, ...rest] = oid.slice(ID_CA.length + 1).split('.');
  const cipher = suffix === undefined ? undefined : CIPHER_SUFFIX[suffix];
  if ((arc !== '1' && arc !== '2') || !cipher || rest.length) return undefined;
  return { oid, keyAgreement: arc === '1' ? 'DH' : 'ECDH', cipher };
}

export function caOid(keyAgreement: KeyAgreement, cipher: SmCipher): string {
  return `${ID_CA}.${keyAgreement === 'DH' ? 1 : 2}.${CIPHER_TO_SUFFIX[cipher]}`;
}
