/**
 * @cccd/emrtd: what an integrator uses. Read (readVerified, readCccd), the access keys, the Transport a reader
 * implements, the trust store, verdicts and evidence, typed errors, the CCCD document and the parsers of the files
 * it comes from (a backend re-checking evidence parses DG1, DG2, DG13). Primitives (bytes, TLV, DER, crypto, OIDs,
 * the security files' parsers) are in '@cccd/emrtd/codec'; trust files from disk in '@cccd/emrtd/node'; chip
 * profiles in '@cccd/emrtd/diagnose'. The types a result refers to are exported too, so a caller can name them.
 * index.test.ts pins this list: a new export is a decision.
 */

export { swHex } from './apdu/status.js';
export {
  AccessDenied,
  Cancelled,
  CardError,
  CardRemoved,
  EmrtdError,
  type EmrtdErrorOptions,
  type ErrorCode,
  FileNotFound,
  MalformedData,
  SecureMessagingError,
  SecurityStatusNotSatisfied,
  Timeout,
  UnsupportedAlgorithm,
} from './errors.js';
export { type AccessKey, canKey, keyFromCccd, keyFromMrzText, mrzKey } from './keys/access-key.js';
export {
  type CandidateInput,
  type CandidateKey,
  type CandidateOptions,
  type CccdQr,
  candidateKeys,
  parseCccdQr,
} from './keys/cccd-qr.js';
export {
  CCCD_DOCUMENT_FIELDS,
  type CccdDocument,
  type CrossCheckIssue,
  toCccdDocument,
} from './lds/cccd.js';
export { type Dg1, parseDg1 } from './lds/dg1.js';
export { type Dg2, parseDg2 } from './lds/dg2.js';
export { type Dg13, parseDg13 } from './lds/dg13.js';
export type { CheckDigitName, CheckDigitResult, Mrz, MrzFormat } from './lds/mrz.js';
export { type LdsFileName, type ParsedLdsFile, parseLdsFile } from './lds/parse.js';
export type { LocalizedText, Reason, ReasonCode, Severity } from './pki/reasons.js';
export { REASON_CODES } from './pki/reasons.js';
export {
  VerificationCache,
  type VerificationCacheOptions,
  type VerificationCacheStats,
} from './pki/verification-cache.js';
export {
  type AccessResult,
  type ActiveAuthenticationReport,
  type CardSession,
  type CccdGroup,
  type CccdReadResult,
  type ChipAuthenticationReport,
  openSession,
  type PaceCamReport,
  type RawFile,
  type ReadCccdOptions,
  type ReadReport,
  readCccd,
  readVerified,
  type SessionOptions,
  type StepFailure,
  type VerifiedRead,
  type VerifiedReadOptions,
  verifyRead,
} from './read/index.js';
export type { FileReadReport, ReadProgress } from './reader/file-reader.js';
export type { TransmitOptions, Transport, TransportCapabilities } from './transport.js';
export {
  type LdifImport,
  MasterListError,
  type MasterListImport,
  type MasterListImportOptions,
  type TrustEntryInfo,
  TrustStore,
  TrustStoreError,
} from './trust/index.js';
export type { ActiveAuthStatus, ActiveAuthVerdict } from './verify/active-auth.js';
export type { CardSecurityVerdict } from './verify/card-security.js';
export type { ChainLink, ChainRole, EvaluationTime, TimePolicy } from './verify/chain.js';
export type { ChipAuthStatus, ChipAuthVerdict } from './verify/chip-auth.js';
export {
  createEvidence,
  EVIDENCE_FORMAT,
  EVIDENCE_VERSION,
  type EvidenceBundle,
  EvidenceError,
  parseEvidence,
  serializeEvidence,
  type VerifyEvidenceOptions,
  verifyEvidence,
} from './verify/evidence.js';
export {
  type DataGroupStatus,
  type DgName,
  type PassivePolicy,
  type PassiveStatus,
  type PassiveVerdict,
  type SignerSummary,
  verifyPassive,
} from './verify/passive.js';
export { type OverallStatus, overallVerdict, type Verdict } from './verify/verdict.js';
export { EMRTD_VERSION } from './version.js';
