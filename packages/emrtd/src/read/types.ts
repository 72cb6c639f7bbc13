/** What a read takes and returns: options, the read report, the CCCD result and the verified read. */
import type { ChipAuthenticationRecord } from '../ca/chip-auth.js';
import type { ErrorCode } from '../errors.js';
import type { CccdDocument, CrossCheckIssue } from '../lds/cccd.js';
import type { Dg1 } from '../lds/dg1.js';
import type { Dg2 } from '../lds/dg2.js';
import type { Dg13 } from '../lds/dg13.js';
import type { Mrz } from '../lds/mrz.js';
import type { FileReadOptions, FileReadReport } from '../reader/file-reader.js';
import type { TrustStore } from '../trust/store.js';
import type { ActiveAuthVerdict } from '../verify/active-auth.js';
import type { EvidenceBundle } from '../verify/evidence.js';
import type { PassivePolicy } from '../verify/passive.js';
import type { Verdict } from '../verify/verdict.js';
import type { AccessResult } from './access-control.js';
import type { PaceCamReport } from './pace-cam.js';

export type { PaceCamReport } from './pace-cam.js';

import type { SessionOptions } from './session.js';

export type CccdGroup = 'COM' | 'DG1' | 'DG2' | 'DG13' | 'DG14' | 'DG15' | 'SOD';
/** Files a read result keeps raw: the groups, and EF.CardSecurity (master file, read after PACE-CAM only). */
export type RawFile = CccdGroup | 'CardSecurity';

export interface ReadCccdOptions extends SessionOptions, Omit<FileReadOptions, 'signal'> {
  /** Files to read (default DG1, DG13 and SOD). COM is optional; DG2 only on request (privacy). */
  groups?: CccdGroup[];
  /** Chip Authentication with DG14's key right after access control (default 'auto': when DG14 offers it). */
  chipAuthentication?: 'auto' | 'off';
  /** Active Authentication with DG15's key after the files (default 'auto': when DG15 exists). */
  activeAuthentication?: 'auto' | 'off';
  /** The 8-byte AA challenge, e.g. a backend nonce that binds the answer to one transaction; random otherwise. */
  aaChallenge?: Uint8Array;
}

export interface StepFailure {
  step: string;
  code: ErrorCode;
  sw?: number;
}

export interface ChipAuthenticationReport {
  performed: boolean;
  /** The first protected response under the CA session keys verified. */
  success: boolean;
  transcript?: ChipAuthenticationRecord;
  /**
   * Why CA was not run: switched off, no DG14, DG14 offers nothing this reader supports / is malformed, or PACE-CAM
   * already authenticated the chip with EF.CardSecurity's key (ICAO 9303-11 §4.4.3.3.3: CA adds nothing then).
   */
  skipped?: 'off' | 'no-dg14' | 'unsupported' | 'malformed-dg14' | 'pace-cam';
  /** CA did not complete and the files were read under the PACE/BAC keys. */
  continuedWithoutCa?: boolean;
  /** The chip declined CA before any proof (error SW at MSE:Set AT / GENERAL AUTHENTICATE): not a failure. */
  refused?: StepFailure;
}

export interface ActiveAuthenticationReport {
  performed: boolean;
  challenge?: Uint8Array;
  response?: Uint8Array;
  /**
   * The signature verifies with DG15's key (signature only: it means "genuine chip" only when passive
   * authentication covers DG15). Undefined when AA did not complete.
   */
  verified?: boolean;
  verdict?: ActiveAuthVerdict;
  /** needs-extended-length: the chip's signature does not fit a short APDU and the reader is short-only. */
  skipped?: 'off' | 'no-dg15' | 'needs-extended-length';
  failure?: StepFailure;
  /** The chip answered INTERNAL AUTHENTICATE with an error status word: it declined AA (not a failure). */
  refused?: StepFailure;
}

export interface ReadReport {
  files: FileReadReport[];
  apdus: number;
  bytesIn: number;
  bytesOut: number;
  retries: number;
  resumes: number;
  /** Wall-clock milliseconds from opening to the last file. */
  durationMs: number;
  /**
   * What the reader learned about the chip's READ BINARY sizes: the largest block it answered in full, the smallest
   * it refused (a cap), and the refusals spent finding out (no personal data: for diagnostics).
   */
  readSizes: { largest: number; smallestRefused?: number; refusals: number };
}

export interface CccdReadResult {
  /** Normalised view (DG13 first, DG1 as fallback); undefined when neither was read. */
  document?: CccdDocument;
  mrz?: Mrz;
  /** First face image of DG2 with its MIME type, when DG2 was read. */
  photo?: { image: Uint8Array; mimeType: string; width: number; height: number };
  dg1?: Dg1;
  dg2?: Dg2;
  dg13?: Dg13;
  /** DG1 ↔ DG13 disagreements (ID, dates, sex); empty when both agree or one is missing. */
  crossCheck: CrossCheckIssue[];
  /** Raw bytes of every file read, by name ('COM', 'DG1', …; 'CardSecurity' after PACE-CAM). */
  raw: Partial<Record<RawFile, Uint8Array>>;
  /** Requested files the chip does not have (6A82) or protects (6982). */
  missing: { file: CccdGroup; reason: 'not-found' | 'access-denied' }[];
  report: ReadReport;
  access: AccessResult;
  chipAuthentication: ChipAuthenticationReport;
  /** Present when access control ran PACE with Chip Authentication Mapping. */
  paceCam?: PaceCamReport;
  activeAuthentication: ActiveAuthenticationReport;
}

export interface VerifiedReadOptions extends ReadCccdOptions {
  trustStore: TrustStore;
  policy?: PassivePolicy;
  /** Also return the evidence bundle (raw SOD, DGs, DS certificate, AA and CA records) for a backend re-check. */
  evidence?: boolean;
  /** Clock for the verdict (tests, replays). */
  now?: Date;
}

export interface VerifiedRead extends CccdReadResult {
  verification: Verdict;
  evidence?: EvidenceBundle;
}
