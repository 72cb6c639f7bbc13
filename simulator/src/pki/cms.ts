/**
 * CMS SignedData (RFC 5652) as ICAO 9303-10/12 profile it: EF.SOD around an LDSSecurityObject, and the CSCA
 * master list. Tamper options produce the broken variants a passive-authentication verifier must reject.
 */
import {
  digest,
  explicit,
  type HashName,
  implicitPrimitive,
  integer,
  OID,
  objectIdentifier,
  octetString,
  printableString,
  retag,
  sequence,
  set,
  setOf,
  tlv,
  utcTime,
} from '@cccd/emrtd/codec';
import {
  hashAlgorithmIdentifier,
  type SignatureAlgorithmName,
  signatureAlgorithmIdentifier,
  signatureAlgorithmSpec,
  signWith,
} from './algorithms.js';
import type { TestKeyPair } from './keys.js';
import { certificateFields } from './x509.js';

export interface CmsSigner {
  certDer: Uint8Array;
  keyPair: TestKeyPair;
  algorithm: SignatureAlgorithmName;
}

export interface SodTamper {
  /** Flip one bit of the signature value after signing. */
  signature?: boolean;
  /** Change the eContent after signing, so messageDigest no longer matches (a forged DG hash list). */
  eContentAfterSigning?: boolean;
  /** Sign a messageDigest attribute that is not the digest of the eContent. */
  messageDigest?: boolean;
  /** Record a wrong hash for these DG numbers, properly signed: the SOD is valid, the DG does not match. */
  dataGroupHashes?: number[];
  /** Declare this algorithm in SignerInfo while signing with signer.algorithm (e.g. PKCS#1 under a PSS label). */
  declaredAlgorithm?: SignatureAlgorithmName;
}

interface SignedDataInput {
  eContentType: string;
  eContent: Uint8Array;
  signer: CmsSigner;
  /** SignerInfo digestAlgorithm (messageDigest); OpenSSL also hashes the signed attributes with it. */
  digestAlgorithm: HashName;
  certificates: Uint8Array[];
  signingTime?: Date;
  includeSignedAttributes: boolean;
  signerIdentifier: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  hashParametersNull: boolean;
  ecdsaFormat: 'der' | 'plain';
  tamper: SodTamper;
}

const attribute = (oid: string, value: Uint8Array) => sequence(objectIdentifier(oid), set(value));

function flipLastBit(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** ContentInfo { id-signedData, [0] SignedData v3 } with one SignerInfo. */
function buildSignedData(input: SignedDataInput): Uint8Array {
  const { signer, tamper } = input;
  const fields = certificateFields(signer.certDer);
  const digestAlg = hashAlgorithmIdentifier(input.digestAlgorithm, input.hashParametersNull);
  const messageDigest = digest(input.digestAlgorithm, input.eContent);
  let signedAttrsSet: Uint8Array | undefined;
  let toSign = input.eContent;
  if (input.includeSignedAttributes) {
    const attrs = [
      attribute(OID.contentType, objectIdentifier(input.eContentType)),
      attribute(OID.messageDigest, octetString(tamper.messageDigest ? flipLastBit(messageDigest) : messageDigest)),
    ];
    if (input.signingTime) attrs.push(attribute(OID.signingTime, utcTime(input.signingTime)));
    // The signature covers the DER SET OF (tag 0x31); SignerInfo carries the same bytes under [0] IMPLICIT.
    signedAttrsSet = setOf(...attrs);
    toSign = signedAttrsSet;
  } else if (signatureAlgorithmSpec(signer.algorithm).hash !== input.digestAlgorithm) {
    throw new RangeError('buildSignedData: without signed attributes the digest must be the signature hash');
  }
  let signature = signWith(signer.keyPair, signer.algorithm, toSign, { ecdsaFormat: input.ecdsaFormat });
  if (tamper.signature) signature = flipLastBit(signature);
  const sid =
    input.signerIdentifier === 'subjectKeyIdentifier'
      ? implicitPrimitive(0, fields.subjectKeyIdentifier)
      : sequence(fields.issuerDer, fields.serialDer);
  const signerInfo = sequence(
    integer(input.signerIdentifier === 'subjectKeyIdentifier' ? 3 : 1),
    sid,
    digestAlg,
    ...(signedAttrsSet ? [retag(signedAttrsSet, 0xa0)] : []),
    signatureAlgorithmIdentifier(tamper.declaredAlgorithm ?? signer.algorithm),
    octetString(signature),
  );
  const eContent = tamper.eContentAfterSigning ? flipLastBit(input.eContent) : input.eContent;
  const signedData = sequence(
    integer(3),
    set(digestAlg),
    sequence(objectIdentifier(input.eContentType), explicit(0, octetString(eContent))),
    ...(input.certificates.length ? [explicit(0, ...input.certificates)] : []),
    set(signerInfo),
  );
  return sequence(objectIdentifier(OID.signedData), explicit(0, signedData));
}

export type LdsVersion = '0107' | '0108';

export interface LdsSecurityObjectOptions {
  /** '0108' gives LDSSecurityObject v1 with LDSVersionInfo; '0107' (default) gives v0 without it. */
  ldsVersion?: LdsVersion;
  /** LDSVersionInfo.unicodeVersion, default '040000'. */
  unicodeVersion?: string;
  hashParametersNull?: boolean;
}

/** LDSSecurityObject (ICAO 9303-10 4.6.2), data groups in ascending order. */
export function buildLdsSecurityObject(
  hash: HashName,
  dataGroupHashes: Map<number, Uint8Array>,
  options: LdsSecurityObjectOptions = {},
): Uint8Array {
  const entries = [...dataGroupHashes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([dg, h]) => sequence(integer(dg), octetString(h)));
  const v1 = options.ldsVersion === '0108';
  return sequence(
    integer(v1 ? 1 : 0),
    hashAlgorithmIdentifier(hash, options.hashParametersNull ?? false),
    sequence(...entries),
    ...(v1 ? [sequence(printableString('0108'), printableString(options.unicodeVersion ?? '040000'))] : []),
  );
}

export interface BuildSodOptions extends LdsSecurityObjectOptions {
  /** DG number → the whole file as read from the chip (tag, length and value). */
  dataGroups: Map<number, Uint8Array>;
  /** Hash of the data groups in the LDSSecurityObject. */
  hash: HashName;
  signer: CmsSigner;
  /** SignerInfo digestAlgorithm; defaults to the signature algorithm's hash (OpenSSL needs them equal). */
  digestAlgorithm?: HashName;
  signingTime?: Date;
  includeSignedAttributes?: boolean;
  signerIdentifier?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  /** eContentType, default id-icao-mrtd-security-ldsSecurityObject 2.23.136.1.1.1 (legacy OIDs for quirk tests). */
  eContentType?: string;
  /** Leave the DS certificate out of SignedData.certificates. */
  omitCertificate?: boolean;
  ecdsaFormat?: 'der' | 'plain';
  tamper?: SodTamper;
}

export interface Sod {
  /** EF.SOD file bytes: tag 0x77 around the ContentInfo. */
  efSod: Uint8Array;
  /** The ContentInfo (what `openssl cms -verify -inform DER` reads). */
  contentInfo: Uint8Array;
  /** The DER LDSSecurityObject as signed (before any eContentAfterSigning tamper). */
  ldsSecurityObject: Uint8Array;
}

export function buildSodParts(options: BuildSodOptions): Sod {
  const tamper = options.tamper ?? {};
  const hashes = new Map<number, Uint8Array>();
  for (const [dg, file] of options.dataGroups) {
    if (!Number.isInteger(dg) || dg < 1 || dg > 16) throw new RangeError(`buildSod: bad data group number ${dg}`);
    const h = digest(options.hash, file);
    hashes.set(dg, tamper.dataGroupHashes?.includes(dg) ? flipLastBit(h) : h);
  }
  const ldsSecurityObject = buildLdsSecurityObject(options.hash, hashes, options);
  const contentInfo = buildSignedData({
    eContentType: options.eContentType ?? OID.ldsSecurityObject,
    eContent: ldsSecurityObject,
    signer: options.signer,
    digestAlgorithm: options.digestAlgorithm ?? signatureAlgorithmSpec(options.signer.algorithm).hash,
    certificates: options.omitCertificate ? [] : [options.signer.certDer],
    signingTime: options.signingTime,
    includeSignedAttributes: options.includeSignedAttributes ?? true,
    signerIdentifier: options.signerIdentifier ?? 'issuerAndSerialNumber',
    hashParametersNull: options.hashParametersNull ?? false,
    ecdsaFormat: options.ecdsaFormat ?? 'der',
    tamper,
  });
  return { efSod: tlv(0x77, contentInfo), contentInfo, ldsSecurityObject };
}

/** EF.SOD bytes (0x77 ‖ L ‖ ContentInfo). */
export function buildSod(options: BuildSodOptions): Uint8Array {
  return buildSodParts(options).efSod;
}

/** id-SecurityObject (BSI TR-03110-3 A.1.2.5): the eContentType of EF.CardSecurity. */
export const ID_SECURITY_OBJECT = '0.4.0.127.0.7.3.2.1';

export interface BuildCardSecurityOptions {
  /** The SecurityInfos SET (DER, tag 31) to sign. */
  securityInfos: Uint8Array;
  signer: CmsSigner;
  signingTime?: Date;
  tamper?: Pick<SodTamper, 'signature' | 'eContentAfterSigning'>;
}

/**
 * EF.CardSecurity (ICAO 9303-11 §9.2.2, TR-03110-3 A.1.2.5): ContentInfo { SignedData { id-SecurityObject,
 * SecurityInfos } } signed by the Document Signer like EF.SOD, without the 77 wrapper.
 */
export function buildCardSecurity(options: BuildCardSecurityOptions): Uint8Array {
  return buildSignedData({
    eContentType: ID_SECURITY_OBJECT,
    eContent: options.securityInfos,
    signer: options.signer,
    digestAlgorithm: signatureAlgorithmSpec(options.signer.algorithm).hash,
    certificates: [options.signer.certDer],
    signingTime: options.signingTime,
    includeSignedAttributes: true,
    signerIdentifier: 'issuerAndSerialNumber',
    hashParametersNull: false,
    ecdsaFormat: 'der',
    tamper: options.tamper ?? {},
  });
}

export interface BuildMasterListOptions {
  signer: CmsSigner;
  cscaCerts: Uint8Array[];
  /** Extra certificates for SignedData.certificates, e.g. the CSCA that issued the signer. */
  chain?: Uint8Array[];
  signingTime?: Date;
  signerIdentifier?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  tamper?: Pick<SodTamper, 'signature' | 'eContentAfterSigning'>;
}

/** CscaMasterList { version 0, certList SET OF Certificate } (ICAO 9303-12 9) inside signed CMS. */
export function buildMasterListContent(cscaCerts: Uint8Array[]): Uint8Array {
  return sequence(integer(0), setOf(...cscaCerts));
}

export function buildMasterList(options: BuildMasterListOptions): Uint8Array {
  return buildSignedData({
    eContentType: OID.cscaMasterList,
    eContent: buildMasterListContent(options.cscaCerts),
    signer: options.signer,
    digestAlgorithm: signatureAlgorithmSpec(options.signer.algorithm).hash,
    certificates: [options.signer.certDer, ...(options.chain ?? [])],
    signingTime: options.signingTime,
    includeSignedAttributes: true,
    signerIdentifier: options.signerIdentifier ?? 'issuerAndSerialNumber',
    hashParametersNull: false,
    ecdsaFormat: 'der',
    tamper: options.tamper ?? {},
  });
}
