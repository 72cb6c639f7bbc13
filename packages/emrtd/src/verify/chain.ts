/**
 * Certificate path DS → (link certificates) → CSCA (ICAO 9303-12 §5, §7). Validity is evaluated at one instant
 * chosen by the time policy (the SOD signingTime by default, docs/reference/anchors-emrtd.md §2 pitfall 5);
 * revocation uses CRLs known to the trust store; the certificate country is bound to the document's issuing state.
 */

import { hex } from '../codec/bytes.js';
import { sameCountry } from '../pki/countries.js';
import { isCandidateIssuer, isSelfSignedCsca } from '../pki/issuer.js';
import { COUNTRY_OID, nameAttribute, nameToString } from '../pki/name.js';
import { hasErrors, type Reason, reason } from '../pki/reasons.js';
import { type QuirkPolicy, type SignatureInput, verifySignature } from '../pki/signature.js';
import type { VerificationCache } from '../pki/verification-cache.js';
import { type Certificate, unknownCriticalExtensions } from '../pki/x509.js';
import type { TrustStore } from '../trust/store.js';

export type TimePolicy = 'signing-time' | 'now' | Date;

export interface EvaluationTime {
  policy: 'signing-time' | 'now' | 'fixed';
  at: Date;
  /** Where `at` came from: the SOD signingTime, the DS notBefore (no signingTime), the clock, or the caller. */
  source: 'signing-time' | 'ds-not-before' | 'now' | 'fixed';
}

export type ChainRole = 'ds' | 'link' | 'csca';

export interface ChainLink {
  role: ChainRole;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** True for the certificate taken from the trust store (the anchor). */
  trusted: boolean;
  source?: string;
  /** Algorithm of the signature ON this certificate (by its issuer). */
  signatureAlgorithm?: string;
}

export interface ChainOptions {
  ds: Certificate;
  trustStore: TrustStore;
  /** Untrusted certificates that may fill gaps (SignedData.certificates: link certificates). */
  intermediates?: Certificate[];
  time: EvaluationTime;
  /** DG1 issuing state (alpha-3, e.g. 'VNM'); absent → the country binding is reported as not checked. */
  issuingState?: string;
  quirks?: QuirkPolicy;
  /** "Now" for CRL freshness and the informational DS-expired-now note. */
  now?: Date;
  /** Remembers certificate and CRL signature verdicts (by their exact bytes); time and revocation stay per call. */
  cache?: VerificationCache;
}

export interface ChainResult {
  status: 'valid' | 'invalid' | 'unknown-csca';
  chain: ChainLink[];
  reasons: Reason[];
  /** The issuer DN the card needs when status is unknown-csca. */
  missingIssuer?: string;
  /** The issuer key identifier (AKI, hex) the card needs, when the certificate names one. */
  missingAuthorityKeyId?: string;
}

const MAX_PATH = 6;
const day = (d: Date) => d.toISOString();

function link(cert: Certificate, role: ChainRole, trusted: boolean, source?: string): ChainLink {
  const out: ChainLink = {
    role,
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    serial: cert.serialHex,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    trusted,
  };
  if (source) out.source = source;
  return out;
}

function validAt(cert: Certificate, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

function checkDsProfile(ds: Certificate, reasons: Reason[]): void {
  if (!ds.keyUsage) reasons.push(reason('ds-key-usage-missing'));
  else if (!ds.keyUsage.has('digitalSignature')) reasons.push(reason('ds-key-usage'));
  for (const oid of unknownCriticalExtensions(ds))
    reasons.push(reason('unknown-critical-extension', { subject: nameToString(ds.subject), oid }));
}

function checkCaProfile(ca: Certificate, reasons: Reason[]): void {
  const subject = nameToString(ca.subject);
  if (ca.basicConstraints?.ca === false || (ca.keyUsage && !ca.keyUsage.has('keyCertSign')))
    reasons.push(reason('csca-not-ca', { subject }));
  if (!ca.basicConstraints) reasons.push(reason('csca-extension-missing', { subject, extension: 'basicConstraints' }));
  if (!ca.keyUsage) reasons.push(reason('csca-extension-missing', { subject, extension: 'keyUsage' }));
  for (const oid of unknownCriticalExtensions(ca)) reasons.push(reason('unknown-critical-extension', { subject, oid }));
}

const verify = (input: SignatureInput, cache: VerificationCache | undefined) =>
  cache ? cache.verifySignature(input) : verifySignature(input);

/** Signature of `cert` by `issuer`'s key; quirk reasons are kept, informational ones dropped. */
function signedBy(cert: Certificate, issuer: Certificate, opts: ChainOptions) {
  const input: SignatureInput = {
    algorithm: cert.signatureAlgorithm,
    spki: issuer.spki,
    data: cert.tbs,
    signature: cert.signature,
    ...(opts.quirks ? { quirks: opts.quirks } : {}),
  };
  const check = verify(input, opts.cache);
  return { ...check, reasons: check.reasons.filter((r) => r.severity !== 'info') };
}

function checkRevocation(cert: Certificate, issuer: Certificate, opts: ChainOptions, reasons: Reason[]): void {
  const issuerName = nameToString(cert.issuer);
  const crls = opts.trustStore.crlsFor(cert);
  let usable = 0;
  for (const { crl } of crls) {
    if (crl.authorityKeyIdentifier && issuer.subjectKeyIdentifier) {
      const a = crl.authorityKeyIdentifier;
      const s = issuer.subjectKeyIdentifier;
      if (a.length !== s.length || !a.every((b, i) => b === s[i])) continue;
    }
    const sig = verify(
      {
        algorithm: crl.signatureAlgorithm,
        spki: issuer.spki,
        data: crl.tbs,
        signature: crl.signature,
        ...(opts.quirks ? { quirks: opts.quirks } : {}),
      },
      opts.cache,
    );
    if (!sig.valid) {
      reasons.push(reason('crl-signature-invalid', { issuer: issuerName }));
      continue;
    }
    usable++;
    const now = opts.now ?? new Date();
    if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime())
      reasons.push(reason('crl-stale', { issuer: issuerName, date: day(crl.nextUpdate) }));
    const hit = crl.revoked.find((r) => r.serial === cert.serial);
    if (hit) reasons.push(reason('ds-revoked', { subject: nameToString(cert.subject), date: day(hit.revocationDate) }));
  }
  if (usable === 0 && crls.length === 0) reasons.push(reason('crl-not-available', { issuer: issuerName }));
}

function checkCountry(path: Certificate[], issuingState: string | undefined, reasons: Reason[]): void {
  if (!issuingState) {
    reasons.push(reason('country-not-checked'));
    return;
  }
  for (const cert of path) {
    const c = nameAttribute(cert.subject, COUNTRY_OID);
    if (c === undefined || !sameCountry(c, issuingState)) {
      reasons.push(
        reason('country-mismatch', { certificate: c ?? '(none)', document: issuingState.replace(/</g, '') }),
      );
      return;
    }
  }
}

/** Builds and checks the path from `ds` to a trust-store anchor. Never 'valid' without an anchor. */
export function validateChain(opts: ChainOptions): ChainResult {
  const reasons: Reason[] = [];
  const { ds, trustStore, time } = opts;
  const at = time.at;
  const path: Certificate[] = [ds];
  const chain: ChainLink[] = [link(ds, 'ds', false)];
  checkDsProfile(ds, reasons);
  if (!validAt(ds, at)) reasons.push(reason('ds-expired-at-signing', { at: day(at), policy: time.policy }));
  else if (opts.now && ds.notAfter.getTime() < opts.now.getTime()) reasons.push(reason('ds-expired-now'));

  let current = ds;
  let anchored = false;
  while (!anchored) {
    if (path.length > MAX_PATH) {
      reasons.push(reason('chain-too-long'));
      break;
    }
    const trusted = trustStore.issuersOf(current);
    const untrusted = (opts.intermediates ?? []).filter(
      (c) => c !== current && !path.includes(c) && isCandidateIssuer(c, current) && !trustStore.isAnchor(c),
    );
    let chosen: { cert: Certificate; trusted: boolean; source?: string; algorithm: string } | undefined;
    let quirkReasons: Reason[] = [];
    for (const cand of [
      ...trusted.map((e) => ({ cert: e.certificate, trusted: true, source: e.source })),
      ...untrusted.map((c) => ({ cert: c, trusted: false })),
    ]) {
      const sig = signedBy(current, cand.cert, opts);
      if (sig.valid) {
        chosen = { ...cand, algorithm: sig.algorithm };
        quirkReasons = sig.reasons;
        break;
      }
      quirkReasons.push(...sig.reasons);
    }
    if (!chosen) {
      if (trusted.length + untrusted.length > 0) {
        reasons.push(...quirkReasons, reason('chain-signature-invalid', { subject: nameToString(current.subject) }));
        return { status: 'invalid', chain, reasons };
      }
      const missingIssuer = nameToString(current.issuer);
      const aki = current.authorityKeyIdentifier;
      reasons.push(reason('csca-unknown', { issuer: missingIssuer, keyId: aki ? hex(aki).toUpperCase() : undefined }));
      checkCountry(path, opts.issuingState, reasons);
      const result: ChainResult = {
        status: hasErrors(reasons.filter((r) => r.code !== 'csca-unknown')) ? 'invalid' : 'unknown-csca',
        chain,
        reasons,
        missingIssuer,
      };
      if (aki) result.missingAuthorityKeyId = hex(aki).toUpperCase();
      return result;
    }
    reasons.push(...quirkReasons);
    chain[chain.length - 1]!.signatureAlgorithm = chosen.algorithm;
    checkRevocation(current, chosen.cert, opts, reasons);
    const selfIssued = isSelfSignedCsca(chosen.cert);
    chain.push(link(chosen.cert, selfIssued ? 'csca' : 'link', chosen.trusted, chosen.source));
    path.push(chosen.cert);
    checkCaProfile(chosen.cert, reasons);
    if (!validAt(chosen.cert, at))
      reasons.push(reason('csca-expired-at-signing', { subject: nameToString(chosen.cert.subject), at: day(at) }));
    if (chosen.trusted) {
      anchored = true;
      if (!selfIssued)
        reasons.push(reason('anchor-is-link-certificate', { subject: nameToString(chosen.cert.subject) }));
    }
    current = chosen.cert;
  }
  checkCountry(path, opts.issuingState, reasons);
  const status = anchored && !hasErrors(reasons) ? 'valid' : 'invalid';
  // Only now may the path's keys (the DS key that signs the SOD, the CSCA's) count towards a precomputed table.
  if (status === 'valid') for (const c of path) opts.cache?.recordTrustedKey(c.spki);
  return { status, chain, reasons };
}
