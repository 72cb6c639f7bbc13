/** Verification: passive authentication, certificate path, AA/CA verdicts, overall verdict, evidence bundles. */

export { issuingStateToAlpha2, sameCountry } from '../pki/countries.js';
export { matchExplicitCurve } from '../pki/ec.js';
export { type Name, type NameAttribute, nameToString, sameName } from '../pki/name.js';
export { type LocalizedText, REASON_CODES, type Reason, type ReasonCode, type Severity } from '../pki/reasons.js';
export { type QuirkPolicy, type SignatureCheck, type SignatureInput, verifySignature } from '../pki/signature.js';
export {
  base64Decode,
  base64Encode,
  type Certificate,
  type Crl,
  type KeyUsage,
  parseCertificate,
  parseCrl,
  pemBlocks,
  type RevokedCertificate,
  toPem,
} from '../pki/x509.js';
export {
  type ActiveAuthenticationVerificationInput,
  type ActiveAuthInput,
  type ActiveAuthStatus,
  type ActiveAuthVerdict,
  activeAuthenticationAlgorithm,
  activeAuthenticationNotPerformed,
  activeAuthenticationRefused,
  type Iso9796Recovery,
  verifyActiveAuthentication,
  verifyActiveAuthenticationExchange,
  verifyIso9796Scheme1,
} from './active-auth.js';
export {
  type ChainLink,
  type ChainOptions,
  type ChainResult,
  type ChainRole,
  type EvaluationTime,
  type TimePolicy,
  validateChain,
} from './chain.js';
export {
  type ChipAuthInput,
  type ChipAuthStatus,
  type ChipAuthVerdict,
  chipAuthenticationVerdict,
} from './chip-auth.js';
export {
  type ChipAuthenticationTranscript,
  type CreateEvidenceInput,
  createEvidence,
  EVIDENCE_FORMAT,
  EVIDENCE_VERSION,
  type EvidenceBundle,
  EvidenceError,
  parseEvidence,
  serializeEvidence,
  type VerifyEvidenceOptions,
  verifyEvidence,
} from './evidence.js';
export {
  checkDataGroups,
  type DataGroupStatus,
  type DgName,
  LEGACY_LDS_CONTENT_TYPES,
  type PassiveInput,
  type PassivePolicy,
  type PassiveStatus,
  type PassiveVerdict,
  type SignerSummary,
  verifyPassive,
} from './passive.js';
export { type OverallInput, type OverallStatus, overallVerdict, type Verdict } from './verdict.js';
