/**
 * Passive authentication of EF.CardSecurity (ICAO 9303-11 §9.2.2, BSI TR-03110-3 A.1.2.5): a SignedData over
 * id-SecurityObject, signed by a Document Signer like EF.SOD. Its signature and the DS path to a trusted CSCA are
 * checked with the very code of EF.SOD (passive.ts, chain.ts); there are no data-group hashes. It is what makes the
 * PACE-CAM static key (PK_IC) trustworthy, as the SOD's DG14 hash does for Chip Authentication.
 */
import { readRoot } from '../asn1/der.js';
import { EmrtdError } from '../errors.js';
import { ID_SECURITY_OBJECT } from '../lds/card-security.js';
import { readSignedData } from '../lds/cms.js';
import { nameToString } from '../pki/name.js';
import { type Reason, reason } from '../pki/reasons.js';
import type { VerificationCache } from '../pki/verification-cache.js';
import { type Certificate, parseCertificate } from '../pki/x509.js';
import type { TrustStore } from '../trust/store.js';
import { validateChain } from './chain.js';
import {
  checkSignerInfo,
  evaluationTime,
  findSigner,
  type PassivePolicy,
  type PassiveStatus,
  type SignerSummary,
  signedObjectStatus,
} from './passive.js';

const FILE = 'EF.CardSecurity';

export interface CardSecurityInput {
  cardSecurity: Uint8Array;
  trustStore: TrustStore;
  policy?: PassivePolicy;
  /** DG1's issuing state, so a CSCA of another country cannot vouch for this chip. */
  issuingState?: string;
  now?: Date;
  /** See PassiveInput.cache. */
  cache?: VerificationCache;
}

export interface CardSecurityVerdict {
  /** valid: good signature by a DS with a path to a trusted CSCA; unknown-csca: that CSCA is not in the store. */
  status: PassiveStatus;
  signer?: SignerSummary;
  missingIssuer?: string;
  reasons: Reason[];
}

/** CMS signer-check reasons are EF.SOD's codes; under EF.CardSecurity they are carried as one code naming them. */
function asCardSecurityReasons(reasons: readonly Reason[]): Reason[] {
  return reasons.map((r) =>
    r.code.startsWith('sod-') && r.severity === 'error'
      ? reason('card-security-signature-invalid', { detail: r.code.slice(4) })
      : r,
  );
}

/** Never throws for bad card data: a malformed file is status 'invalid' with reason card-security-malformed. */
export function verifyCardSecurity(input: CardSecurityInput): CardSecurityVerdict {
  const now = input.now ?? new Date();
  const policy = input.policy ?? {};
  let signedData: ReturnType<typeof readSignedData>;
  try {
    signedData = readSignedData(readRoot(input.cardSecurity, FILE), FILE);
    if (!signedData.eContent) throw new EmrtdError('malformed-data', `${FILE}: SignedData without content`);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
    return { status: 'invalid', reasons: [reason('card-security-malformed', { detail: e.code })] };
  }
  const reasons: Reason[] = [];
  if (signedData.eContentType !== ID_SECURITY_OBJECT)
    reasons.push(reason('card-security-content-type', { oid: signedData.eContentType }));
  const signer = signedData.signerInfos[0]!;
  let ds: Certificate | undefined;
  try {
    ds = findSigner(signedData, signer, input.trustStore.documentSigners(), FILE);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
  }
  if (!ds) return { status: 'invalid', reasons: [...reasons, reason('card-security-signer-missing')] };
  const out: CardSecurityVerdict = {
    status: 'invalid',
    signer: {
      subject: nameToString(ds.subject),
      issuer: nameToString(ds.issuer),
      serial: ds.serialHex,
      notBefore: ds.notBefore,
      notAfter: ds.notAfter,
    },
    reasons,
  };
  reasons.push(...asCardSecurityReasons(checkSignerInfo(signedData, signer, ds, policy, input.cache).reasons));
  const time = evaluationTime(policy.time ?? 'signing-time', signer.signedAttrs?.signingTime, ds, now);
  const intermediates: Certificate[] = [];
  for (const raw of signedData.certificates) {
    try {
      const c = parseCertificate(raw);
      if (c.serial !== ds.serial) intermediates.push(c);
    } catch {
      // not needed for the path unless it was the signer's, which findSigner already required
    }
  }
  const chain = validateChain({
    ds,
    trustStore: input.trustStore,
    intermediates,
    time,
    now,
    ...(input.issuingState ? { issuingState: input.issuingState } : {}),
    ...(policy.quirks ? { quirks: policy.quirks } : {}),
    ...(input.cache ? { cache: input.cache } : {}),
  });
  reasons.push(...chain.reasons);
  if (chain.missingIssuer) out.missingIssuer = chain.missingIssuer;
  out.status = signedObjectStatus(reasons, chain.status);
  return out;
}
