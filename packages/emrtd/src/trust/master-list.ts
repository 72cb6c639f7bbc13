/**
 * ICAO CSCA master lists (9303-12 §9): CMS SignedData, eContentType id-icao-cscaMasterList (2.23.136.1.1.2),
 * content CscaMasterList { version, certList SET OF Certificate }. The list's own signature is verified and its
 * signer reported; a list signed directly by a CSCA (e.g. the German list, per pymrtd) is allowed.
 */

import { children, expectTag, readNested, readRoot, readUint, TAG } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { equal } from '../codec/bytes.js';
import { digest } from '../crypto/hash.js';
import { EmrtdError } from '../errors.js';
import { readSignedData, type SignedData } from '../lds/cms.js';
import { countryOf, isCandidateIssuer, isSelfSignedCsca } from '../pki/issuer.js';
import { nameToString, readName, sameName } from '../pki/name.js';
import { HASH_BY_OID, verifySignature } from '../pki/signature.js';
import { type Certificate, parseCertificate, readCertificate } from '../pki/x509.js';
import type { TrustSink } from './sink.js';

const FILE = 'master list';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial: string;
  country?: string;
  notBefore: Date;
  notAfter: Date;
}

export interface MasterList {
  signedData: SignedData;
  version: number;
  certificates: Certificate[];
  /** Entries of certList that could not be parsed (kept out of the store). */
  skipped: number;
}

export interface MasterListVerification {
  /** CMS checks: content type, messageDigest and the signature by the signer certificate. */
  signatureValid: boolean;
  /** Why the signature is not valid (structural, no personal data). */
  problem?: string;
  signer?: CertificateSummary;
  /** Who certified the signer: a CSCA from the list itself, from the trust store, or the signer is a CSCA. */
  signerIssuer?: CertificateSummary & { source: 'master-list' | 'trust-store' | 'self' };
}

export function summarize(c: Certificate): CertificateSummary {
  const out: CertificateSummary = {
    subject: nameToString(c.subject),
    issuer: nameToString(c.issuer),
    serial: c.serialHex,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
  };
  const country = countryOf(c.subject);
  if (country) out.country = country;
  return out;
}

/** Parses the CMS and the CscaMasterList; certificates that do not parse are counted in `skipped`. */
export function parseMasterList(bytes: Uint8Array): MasterList {
  const signedData = readSignedData(readRoot(bytes, FILE), FILE);
  if (signedData.eContentType !== OID.cscaMasterList)
    throw new EmrtdError('malformed-data', `${FILE}: content type is not id-icao-cscaMasterList`);
  if (!signedData.eContent) throw new EmrtdError('malformed-data', `${FILE}: no encapsulated content`);
  const seq = readNested(signedData.eContent, FILE, 0, TAG.SEQUENCE);
  const [versionT, listT] = children(seq, FILE);
  const version = readUint(versionT, FILE, seq.offset);
  const certificates: Certificate[] = [];
  let skipped = 0;
  for (const c of children(expectTag(listT, TAG.SET, FILE, seq.offset), FILE)) {
    try {
      certificates.push(readCertificate(c, FILE));
    } catch (e) {
      if (!(e instanceof EmrtdError)) throw e;
      skipped++;
    }
  }
  return { signedData, version, certificates, skipped };
}

function signerCertificate(sd: SignedData, pool: Certificate[]): Certificate | undefined {
  const sid = sd.signerInfos[0]!.sid;
  if (sid.kind === 'subjectKeyIdentifier')
    return pool.find((c) => c.subjectKeyIdentifier && equal(c.subjectKeyIdentifier, sid.keyIdentifier));
  const issuer = readName(readRoot(sid.issuer, FILE), FILE);
  return pool.find((c) => c.serial === sid.serialNumber && sameName(c.issuer, issuer));
}

function signs(issuer: Certificate, cert: Certificate): boolean {
  return verifySignature({
    algorithm: cert.signatureAlgorithm,
    spki: issuer.spki,
    data: cert.tbs,
    signature: cert.signature,
  }).valid;
}

/** Verifies the master list's CMS signature and finds who certified its signer. */
export function verifyMasterList(ml: MasterList, store?: TrustSink): MasterListVerification {
  const sd = ml.signedData;
  const embedded: Certificate[] = [];
  for (const raw of sd.certificates) {
    try {
      embedded.push(parseCertificate(raw));
    } catch {
      // not the signer's certificate unless nothing else matches, which is reported below
    }
  }
  const signerInfo = sd.signerInfos[0]!;
  let signer: Certificate | undefined;
  try {
    signer = signerCertificate(sd, [...embedded, ...ml.certificates]);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
  }
  if (!signer) return { signatureValid: false, problem: 'signer certificate not found' };
  const out: MasterListVerification = { signatureValid: false, signer: summarize(signer) };
  const hash = HASH_BY_OID[signerInfo.digestAlgorithm.oid];
  let data = sd.eContent!;
  if (signerInfo.signedAttrs) {
    data = signerInfo.signedAttrs.der;
    if (signerInfo.signedAttrs.contentType !== sd.eContentType)
      return { ...out, problem: 'contentType attribute mismatch' };
    const md = signerInfo.signedAttrs.messageDigest;
    if (!md || !hash || !equal(md, digest(hash, sd.eContent!))) return { ...out, problem: 'messageDigest mismatch' };
  }
  const check = verifySignature({
    algorithm: signerInfo.signatureAlgorithm,
    ...(hash ? { digestAlgorithm: hash } : {}),
    spki: signer.spki,
    data,
    signature: signerInfo.signature,
  });
  if (!check.valid) return { ...out, problem: check.unsupported ?? 'signature invalid' };
  out.signatureValid = true;
  if (isSelfSignedCsca(signer) && signs(signer, signer)) out.signerIssuer = { ...summarize(signer), source: 'self' };
  else {
    // An issuer already trusted beats one the list vouches for itself.
    const fromStore = store?.issuersOf(signer).find((e) => signs(e.certificate, signer));
    const fromList = fromStore
      ? undefined
      : [...ml.certificates, ...embedded].find((c) => c !== signer && isCandidateIssuer(c, signer) && signs(c, signer));
    if (fromStore) out.signerIssuer = { ...summarize(fromStore.certificate), source: 'trust-store' };
    else if (fromList) out.signerIssuer = { ...summarize(fromList), source: 'master-list' };
  }
  return out;
}

export interface MasterListImportOptions {
  source?: string;
  /** Refuse the list unless its CMS signature verifies (default true). */
  requireValidSignature?: boolean;
  /** Refuse the list unless its signer was certified by a CSCA already in the trust store (default false). */
  requireTrustedSigner?: boolean;
  /** Import only CSCAs of these countries (alpha-2 as in C=), e.g. ['VN']. */
  countries?: string[];
}

export interface MasterListImport extends MasterListVerification {
  version: number;
  /** Certificates in the list / added to the store (new ones and duplicates) / unparseable. */
  total: number;
  added: number;
  skipped: number;
}

export class MasterListError extends EmrtdError {
  override name = 'MasterListError';
  constructor(message: string) {
    super('invalid-argument', message, { step: 'master-list' });
  }
}

export function importMasterList(
  store: TrustSink,
  bytes: Uint8Array,
  options: MasterListImportOptions = {},
): MasterListImport {
  const ml = parseMasterList(bytes);
  const verification = verifyMasterList(ml, store);
  if ((options.requireValidSignature ?? true) && !verification.signatureValid)
    throw new MasterListError(`master list rejected: ${verification.problem ?? 'signature invalid'}`);
  if (options.requireTrustedSigner && verification.signerIssuer?.source !== 'trust-store')
    throw new MasterListError('master list rejected: its signer is not certified by a CSCA in the trust store');
  const source = `master-list:${options.source ?? verification.signer?.subject ?? 'unsigned'}`;
  const wanted = options.countries?.map((c) => c.toUpperCase());
  let added = 0;
  for (const cert of ml.certificates) {
    const country = countryOf(cert.subject);
    if (wanted && (!country || !wanted.includes(country))) continue;
    store.addParsed(cert, source);
    added++;
  }
  return { ...verification, version: ml.version, total: ml.certificates.length, added, skipped: ml.skipped };
}
