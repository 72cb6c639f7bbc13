/**
 * Passive authentication (ICAO 9303-11 §5.1, 9303-12): EF.SOD's CMS signature by the Document Signer, the DS
 * certificate path to a trusted CSCA, and every data group read compared with the hash the SOD lists.
 */

import { readNested, readRoot } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { equal } from '../codec/bytes.js';
import { digest, type HashName } from '../crypto/hash.js';
import { EmrtdError } from '../errors.js';
import { readSignedData, type SignedData, type SignerInfo } from '../lds/cms.js';
import { parseDg1 } from '../lds/dg1.js';
import { type LdsSecurityObject, parseLdsSecurityObject } from '../lds/sod.js';
import { nameToString, readName, sameName } from '../pki/name.js';
import { hasErrors, type Reason, reason } from '../pki/reasons.js';
import { HASH_BY_OID, type QuirkPolicy, type SignatureInput, verifySignature } from '../pki/signature.js';
import type { VerificationCache } from '../pki/verification-cache.js';
import { type Certificate, parseCertificate } from '../pki/x509.js';
import type { TrustStore } from '../trust/store.js';
import { type ChainLink, type EvaluationTime, type TimePolicy, validateChain } from './chain.js';

export type DgName = `DG${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16}`;
export type DataGroupStatus = 'match' | 'mismatch' | 'missing' | 'not-read';
export type PassiveStatus = 'valid' | 'invalid' | 'unknown-csca' | 'not-checked';

export interface PassivePolicy {
  /** Instant at which certificates must be valid; default 'signing-time' (falls back to the DS notBefore). */
  time?: TimePolicy;
  /** Accept the legacy ICAO (1.3.27.1.1.1), Sdu NL and id-data content types, reported as a warning. */
  acceptLegacyContentTypes?: boolean;
  quirks?: QuirkPolicy;
}

export interface PassiveInput {
  /** EF.SOD as read (tag 77) or the bare ContentInfo; absent → 'not-checked'. */
  sod?: Uint8Array;
  /** Every data group read, whole files (tag, length, value), keyed 'DG1'..'DG16'. */
  dataGroups?: Partial<Record<DgName, Uint8Array>>;
  trustStore: TrustStore;
  policy?: PassivePolicy;
  /** DG1 issuing state (e.g. 'VNM'); read from dataGroups.DG1 when absent. */
  dg1IssuingState?: string;
  /** DS certificate when the SOD does not embed it (e.g. from the ICAO PKD). */
  dsCertificate?: Uint8Array;
  /** Clock for 'now' policies and informational notes; default new Date(). */
  now?: Date;
  /**
   * For a verifier of many documents: remembers certificate and CRL signature verdicts and precomputes the
   * tables of recurring signer keys. The verdict is the same with or without it.
   */
  cache?: VerificationCache;
}

export interface SignerSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

export interface PassiveVerdict {
  status: PassiveStatus;
  signature: { algorithm: string; valid: boolean };
  dataGroups: Partial<Record<DgName, DataGroupStatus>>;
  /** Hash algorithm of the LDSSecurityObject. */
  dataGroupHash?: HashName;
  signer?: SignerSummary;
  chain: ChainLink[];
  signingTime?: Date;
  time?: EvaluationTime;
  /** The CSCA issuer DN to load when status is 'unknown-csca'. */
  missingIssuer?: string;
  /** The CSCA key identifier (hex) to load, when the DS names one. */
  missingAuthorityKeyId?: string;
  reasons: Reason[];
}

export const LEGACY_LDS_CONTENT_TYPES: readonly string[] = [
  '1.3.27.1.1.1',
  '1.2.528.1.1006.1.20.1',
  '1.2.840.113549.1.7.1',
];

const FILE = 'EF.SOD';

/** EF.SOD (77) or a bare ContentInfo. */
export function readSod(bytes: Uint8Array): { signedData: SignedData; lso: LdsSecurityObject } {
  let root = readRoot(bytes, FILE);
  if (root.tag === 0x77) root = readNested(root.value, FILE, root.offset + root.headerLength);
  const signedData = readSignedData(root, FILE);
  if (!signedData.eContent) throw new EmrtdError('malformed-data', `${FILE}: SignedData without encapsulated content`);
  return { signedData, lso: parseLdsSecurityObject(signedData.eContent, FILE) };
}

function dgNumber(name: string): number | undefined {
  const m = /^DG(\d{1,2})$/.exec(name);
  const n = m ? Number(m[1]) : Number.NaN;
  return n >= 1 && n <= 16 ? n : undefined;
}

/**
 * Compares every data group read with the SOD's hash list. A data group read but not listed in the SOD is
 * 'missing' with an error (`dg-not-in-sod`) that makes the verdict invalid, so a chip cannot slip in data groups
 * the SOD does not cover.
 */
export function checkDataGroups(
  lso: LdsSecurityObject,
  dataGroups: Partial<Record<string, Uint8Array>>,
): { statuses: Partial<Record<DgName, DataGroupStatus>>; reasons: Reason[]; hash?: HashName } {
  const statuses: Partial<Record<DgName, DataGroupStatus>> = {};
  const reasons: Reason[] = [];
  const hash = HASH_BY_OID[lso.hashAlgorithm.oid];
  for (const [name, bytes] of Object.entries(dataGroups)) {
    if (bytes === undefined) continue;
    const n = dgNumber(name);
    if (n === undefined || !(bytes instanceof Uint8Array)) {
      reasons.push(reason('dg-invalid-name', { name: name.slice(0, 8) }));
      continue;
    }
    const key = `DG${n}` as DgName;
    const expected = lso.dataGroupHashValues.get(n);
    if (!expected) {
      statuses[key] = 'missing';
      reasons.push(reason('dg-not-in-sod', { dg: n }));
    } else if (!hash || !equal(digest(hash, bytes), expected)) {
      statuses[key] = 'mismatch';
      reasons.push(reason('dg-hash-mismatch', { dg: n }));
    } else statuses[key] = 'match';
  }
  for (const n of lso.dataGroupHashValues.keys()) {
    const key = `DG${n}` as DgName;
    if (!statuses[key]) statuses[key] = 'not-read';
  }
  return hash ? { statuses, reasons, hash } : { statuses, reasons };
}

/** The signer's certificate: from SignedData.certificates, else from `extra` (a given DS, the trust store's DSs). */
export function findSigner(
  signedData: SignedData,
  signer: SignerInfo,
  extra: Certificate[],
  file = FILE,
): Certificate | undefined {
  const pool: Certificate[] = [...extra];
  for (const raw of signedData.certificates) {
    try {
      pool.unshift(parseCertificate(raw));
    } catch {
      // A malformed extra certificate is only fatal if it was the signer's; reported below when nothing matches.
    }
  }
  const sid = signer.sid;
  if (sid.kind === 'subjectKeyIdentifier')
    return pool.find((c) => c.subjectKeyIdentifier && equal(c.subjectKeyIdentifier, sid.keyIdentifier));
  const issuer = readName(readRoot(sid.issuer, file), file);
  return pool.find((c) => c.serial === sid.serialNumber && sameName(c.issuer, issuer));
}

export function evaluationTime(
  policy: TimePolicy,
  signingTime: Date | undefined,
  ds: Certificate,
  now: Date,
): EvaluationTime {
  if (policy instanceof Date) return { policy: 'fixed', at: policy, source: 'fixed' };
  if (policy === 'now') return { policy: 'now', at: now, source: 'now' };
  return signingTime
    ? { policy: 'signing-time', at: signingTime, source: 'signing-time' }
    : { policy: 'signing-time', at: ds.notBefore, source: 'ds-not-before' };
}

/** The issuing state of DG1 (to tie the CSCA's country to the document), when DG1 is there and parses. */
export function issuingStateOf(input: Pick<PassiveInput, 'dg1IssuingState' | 'dataGroups'>): string | undefined {
  if (input.dg1IssuingState) return input.dg1IssuingState;
  const dg1 = input.dataGroups?.DG1;
  if (!dg1) return undefined;
  try {
    return parseDg1(dg1).mrz.issuingState;
  } catch {
    return undefined;
  }
}

function emptyVerdict(status: PassiveStatus, reasons: Reason[]): PassiveVerdict {
  return { status, signature: { algorithm: 'unknown', valid: false }, dataGroups: {}, chain: [], reasons };
}

function contentTypeReasons(oid: string, policy: PassivePolicy): Reason[] {
  if (oid === OID.ldsSecurityObject) return [];
  if (LEGACY_LDS_CONTENT_TYPES.includes(oid) && policy.acceptLegacyContentTypes)
    return [reason('sod-legacy-content-type', { oid })];
  return [reason('sod-content-type', { oid })];
}

/** CMS signer checks: content-type and message-digest attributes, then the signature itself. */
export function checkSignerInfo(
  signedData: SignedData,
  signer: SignerInfo,
  ds: Certificate,
  policy: PassivePolicy,
  cache?: VerificationCache,
) {
  const reasons: Reason[] = [];
  const eContent = signedData.eContent!;
  const digestHash = HASH_BY_OID[signer.digestAlgorithm.oid];
  let data = eContent;
  if (signer.signedAttrs) {
    data = signer.signedAttrs.der;
    if (signer.signedAttrs.contentType !== signedData.eContentType) reasons.push(reason('sod-content-type-attribute'));
    const md = signer.signedAttrs.messageDigest;
    if (!md) reasons.push(reason('sod-message-digest-missing'));
    else if (!digestHash || !equal(md, digest(digestHash, eContent)))
      reasons.push(reason('sod-message-digest-mismatch'));
  } else reasons.push(reason('sod-no-signed-attributes'));
  const input: SignatureInput = {
    algorithm: signer.signatureAlgorithm,
    ...(digestHash ? { digestAlgorithm: digestHash } : {}),
    spki: ds.spki,
    data,
    signature: signer.signature,
    ...(policy.quirks ? { quirks: policy.quirks } : {}),
  };
  // Each document has its own signature: never a remembered verdict, only the DS key's precomputed table.
  const check = verifySignature(input, cache);
  reasons.push(...check.reasons);
  if (check.unsupported) reasons.push(reason('sod-signature-unsupported', { detail: check.unsupported }));
  else if (!check.valid) reasons.push(reason('sod-signature-invalid', { algorithm: check.algorithm }));
  return { check, reasons };
}

/**
 * Runs passive authentication. Never throws for bad card data: a malformed SOD gives status 'invalid' with
 * reason 'sod-malformed'. 'valid' requires: good signature, every DG read listed and matching, and a path to a
 * trust-store CSCA valid at the evaluation time, unrevoked, of the document's country.
 */
export function verifyPassive(input: PassiveInput): PassiveVerdict {
  const policy = input.policy ?? {};
  const now = input.now ?? new Date();
  if (!input.sod) return emptyVerdict('not-checked', [reason('sod-not-read')]);
  let parsed: ReturnType<typeof readSod>;
  try {
    parsed = readSod(input.sod);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
    return emptyVerdict('invalid', [reason('sod-malformed', { detail: e.code })]);
  }
  const { signedData, lso } = parsed;
  const reasons: Reason[] = [...contentTypeReasons(signedData.eContentType, policy)];
  if (signedData.signerInfos.length > 1) reasons.push(reason('sod-multiple-signers'));
  const signer = signedData.signerInfos[0]!;
  const dgs = checkDataGroups(lso, input.dataGroups ?? {});
  const verdict: PassiveVerdict = {
    status: 'invalid',
    signature: { algorithm: signer.signatureAlgorithm.oid, valid: false },
    dataGroups: dgs.statuses,
    chain: [],
    reasons,
  };
  if (dgs.hash) verdict.dataGroupHash = dgs.hash;
  if (signer.signedAttrs?.signingTime) verdict.signingTime = signer.signedAttrs.signingTime;

  const extra: Certificate[] = [];
  if (input.dsCertificate) {
    try {
      extra.push(parseCertificate(input.dsCertificate));
    } catch (e) {
      if (!(e instanceof EmrtdError)) throw e;
      reasons.push(reason('ds-certificate-malformed', { detail: e.code }));
    }
  }
  extra.push(...input.trustStore.documentSigners());
  let ds: Certificate | undefined;
  try {
    ds = findSigner(signedData, signer, extra);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
    reasons.push(reason('sod-malformed', { detail: 'signer identifier' }));
  }
  if (!ds) {
    reasons.push(reason('ds-certificate-missing'), ...dgs.reasons);
    return verdict;
  }
  verdict.signer = {
    subject: nameToString(ds.subject),
    issuer: nameToString(ds.issuer),
    serial: ds.serialHex,
    notBefore: ds.notBefore,
    notAfter: ds.notAfter,
  };
  const sig = checkSignerInfo(signedData, signer, ds, policy, input.cache);
  verdict.signature = { algorithm: sig.check.algorithm, valid: sig.check.valid };
  reasons.push(...sig.reasons, ...dgs.reasons);

  const time = evaluationTime(policy.time ?? 'signing-time', verdict.signingTime, ds, now);
  verdict.time = time;
  if (time.source === 'ds-not-before') reasons.push(reason('signing-time-missing'));
  reasons.push(reason('verification-time', { at: time.at.toISOString(), policy: time.policy, source: time.source }));
  const intermediates: Certificate[] = [];
  for (const raw of signedData.certificates) {
    try {
      const c = parseCertificate(raw);
      if (c.serial !== ds.serial || !sameName(c.issuer, ds.issuer)) intermediates.push(c);
    } catch {
      // ignored: not needed for the path unless it was the signer's, which findSigner already required
    }
  }
  const issuingState = issuingStateOf(input);
  const chain = validateChain({
    ds,
    trustStore: input.trustStore,
    intermediates,
    time,
    now,
    ...(issuingState ? { issuingState } : {}),
    ...(policy.quirks ? { quirks: policy.quirks } : {}),
    ...(input.cache ? { cache: input.cache } : {}),
  });
  verdict.chain = chain.chain;
  reasons.push(...chain.reasons);
  if (chain.missingIssuer) verdict.missingIssuer = chain.missingIssuer;
  if (chain.missingAuthorityKeyId) verdict.missingAuthorityKeyId = chain.missingAuthorityKeyId;
  verdict.status = signedObjectStatus(reasons, chain.status);
  return verdict;
}

/**
 * The status of a signed object (EF.SOD, EF.CardSecurity) from all its reasons and its chain's status: any error
 * other than the unknown CSCA makes it invalid; an unknown CSCA alone is its own verdict, never valid.
 */
export function signedObjectStatus(
  reasons: readonly Reason[],
  chain: 'valid' | 'invalid' | 'unknown-csca',
): 'valid' | 'invalid' | 'unknown-csca' {
  if (hasErrors(reasons.filter((r) => r.code !== 'csca-unknown'))) return 'invalid';
  return chain;
}
