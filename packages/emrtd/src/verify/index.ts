/** Verification: passive authentication, certificate path, AA/CA verdicts, overall verdict, evidence bundles. */
export {
  type ActiveAuthInput,
  type ActiveAuthStatus,
  type ActiveAuthVerdict,
  activeAuthenticationAlgorithm,
  activeAuthenticationNotPerformed,
  activeAuthenticationRefused,
  type Iso9796Recovery,
  randomChallenge,
  verifyActiveAuthentication,
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
export { issuingStateToAlpha2, sameCountry } from './countries.js';
export { matchExplicitCurve } from './ec.js';
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
export { type Name, type NameAttribute, nameToString, sameName } from './name.js';
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
export { type LocalizedText, REASON_CODES, type Reason, type ReasonCode, type Severity } from './reasons.js';
export { type QuirkPolicy, type SignatureCheck, type SignatureInput, verifySignature } from './signature.js';
export { type OverallInput, type OverallStatus, overallVerdict, type Verdict } from './verdict.js';
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
} from './x509.js';
