/** The shapes of a ChipProfile (profile.ts builds it; the *-profile.ts files build its parts). */
import type { CccdGroup } from '../read/types.js';
import type { AtrProfile } from './atr.js';
import type { KeyProfile } from './keys.js';
import type { ProbeResult } from './probes.js';
import type { ReadBinaryProfile } from './read-binary.js';
import type { SecurityInfoProfile } from './security-infos.js';
import type { ApduTraceEntry } from './trace.js';

export const CHIP_PROFILE_FORMAT = 'cccd-chip-profile';
export const CHIP_PROFILE_VERSION = 1;

/** A failed step: error code, step name and status word (hex), as typed errors carry them. */
export interface StepFailureProfile {
  code?: string;
  step?: string;
  sw?: string;
}

/** One traced exchange as the profile shows it: the command named, header bytes and status word in hex. */
export type ExchangeProfile = Omit<ApduTraceEntry, 'index' | 'cla' | 'ins' | 'p1' | 'p2' | 'sw' | 'error'> & {
  i: number;
  command: string;
  cla: string;
  ins: string;
  p1: string;
  p2: string;
  sw?: string;
  error?: string;
};

/** An exchange the chip refused or that failed, as the profile's refusal list shows it. */
export type RefusalProfile = Pick<ExchangeProfile, 'i' | 'phase' | 'command' | 'sm' | 'sw' | 'error'>;

export interface FileProfile {
  file: CccdGroup;
  status: 'read' | 'not-found' | 'access-denied' | 'not-read';
  bytes?: number;
  apdus?: number;
  retries?: number;
  resumes?: number;
  /** Distinct READ BINARY block sizes that worked, largest first. */
  blockSizes?: number[];
  /** The passive-authentication status of a data group (match, mismatch, missing, not-read). */
  passive?: string;
}

export interface AccessProfile {
  protocol?: 'PACE' | 'BAC';
  keyKind?: 'CAN' | 'MRZ';
  pace?: { oid: string; protocol: string; parameterId: number; parameterName?: string };
  cipher?: string;
  attempts?: number;
  tried?: string[];
  /** Unprotected exchanges (access control, EF.CardAccess) the chip refused, with their status words. */
  refusals: { command: string; sw?: string; error?: string }[];
}

export interface ChipAuthenticationProfile {
  /** The verdict's status as the verifier reports it ('valid', 'invalid', 'not-checked', …). */
  status: string;
  performed: boolean;
  success: boolean;
  skipped?: string;
  continuedWithoutCa?: boolean;
  protocol?: {
    oid: string;
    keyAgreement: string;
    cipher: string;
    group: string;
    keyId?: number;
    command: string;
    inferred: boolean;
  };
  failure?: StepFailureProfile;
  /** MSE:Set AT/KAT and GENERAL AUTHENTICATE under secure messaging, with their status words. */
  exchanges: { command: string; sw?: string; ms: number; error?: string }[];
  reasons: string[];
}

export interface ActiveAuthenticationProfile {
  status: string;
  performed: boolean;
  skipped?: string;
  verified?: boolean;
  algorithm?: string;
  failure?: StepFailureProfile;
  /** Length of the chip's signature (bytes). */
  signatureBytes?: number;
  exchanges: { command: string; le?: number; extended: boolean; responseBytes?: number; sw?: string; ms: number }[];
  reasons: string[];
}

export interface SodProfile {
  bytes: number;
  /** Hash of the data-group hashes list (LDSSecurityObject), e.g. 'SHA-256'. */
  digestAlgorithm?: string;
  /** The SignerInfo's signature algorithm as the verifier names it (or its OID). */
  signatureAlgorithm?: string;
  signatureAlgorithmOid?: string;
  signerDigestAlgorithm?: string;
  ldsVersion?: string;
  unicodeVersion?: string;
  /** Data group numbers the SOD lists a hash for. */
  dataGroups: number[];
  documentSigner?: { issuer: string; key: KeyProfile; certificateSignatureAlgorithmOid: string };
  error?: string;
}

export interface ChipProfile {
  format: typeof CHIP_PROFILE_FORMAT;
  version: typeof CHIP_PROFILE_VERSION;
  library: { name: '@cccd/emrtd'; version: string };
  createdAt: string;
  /** complete: the read finished (whatever the verdict); failed: it stopped at `failure`. */
  outcome: 'complete' | 'failed';
  failure?: StepFailureProfile;
  reader: {
    name?: string;
    protocol?: string;
    /** What the link claims (TransportCapabilities), not what the chip accepted (see readBinary). */
    link: { extendedLength?: boolean; maxCommandLength?: number; maxResponseLength?: number };
  };
  atr?: AtrProfile;
  cardAccess?: { bytes: number; securityInfos: SecurityInfoProfile[]; error?: string };
  access: AccessProfile;
  readBinary: ReadBinaryProfile;
  files: FileProfile[];
  com?: { ldsVersion: string; unicodeVersion: string; dataGroups: number[]; error?: string };
  dg14?: { securityInfos: SecurityInfoProfile[]; error?: string };
  sod?: SodProfile;
  dg15?: { key?: KeyProfile; error?: string };
  chipAuthentication: ChipAuthenticationProfile;
  activeAuthentication: ActiveAuthenticationProfile;
  verification?: {
    overall: string;
    passive: string;
    chip: string;
    active: string;
    /** CSCA DN to install when passive is unknown-csca (an issuer, not a holder). */
    missingIssuer?: string;
    reasons: string[];
  };
  probes?: ProbeResult;
  refusals: RefusalProfile[];
  timing: {
    exchanges: number;
    /** Sum of the exchanges' own times. */
    apduMs: number;
    /** Wall clock of the read (access control to verdict), without the probes. */
    readMs: number;
    probeMs?: number;
    /** Exchanges past the trace cap (counted, not listed). */
    dropped: number;
    reconnects: number;
    byCommand: { command: string; count: number; totalMs: number; maxMs: number }[];
  };
  exchanges: ExchangeProfile[];
}
