/**
 * ChipProfile: what `diagnoseChip` learned about a chip, with no personal data. It names protocols, algorithms,
 * sizes, status words and timings; it never holds a data group's content, a key's bytes, the access key, or a
 * value derived from the holder (no hash of a data group, no key label, which can hint at the holder's age).
 */
import { swHex } from '../apdu/status.js';
import type { EmrtdError } from '../errors.js';
import type { CccdGroup } from '../reader/read-cccd.js';
import type { VerifiedRead } from '../verified-read.js';
import { EMRTD_VERSION } from '../version.js';
import { type AtrProfile, parseAtr } from './atr.js';
import {
  accessProfile,
  activeAuthenticationProfile,
  chipAuthenticationProfile,
  failureProfile,
  reasonCodes,
} from './authentication-profile.js';
import { commandName, hex2, isRefusal } from './commands.js';
import type { KeyProfile } from './keys.js';
import { cardAccessProfile, comProfile, dg14Profile, dg15Profile, filesProfile, sodProfile } from './lds-profile.js';
import type { ProbeResult } from './probes.js';
import { analyseReadBinary, type ReadBinaryProfile } from './read-binary.js';
import type { SecurityInfoProfile } from './security-infos.js';
import type { ApduTraceEntry, TracingTransport } from './trace.js';

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

export interface ProfileInput {
  trace: TracingTransport;
  groups: CccdGroup[];
  read?: VerifiedRead;
  failure?: EmrtdError;
  /** EF.CardAccess read separately when the read failed before reporting it. */
  cardAccess?: Uint8Array;
  probes?: ProbeResult;
  reader?: { name?: string; protocol?: string };
  createdAt: Date;
  readMs: number;
  probeMs?: number;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
function exchangeProfile(e: ApduTraceEntry): ExchangeProfile {
  return {
    i: e.index,
    phase: e.phase,
    command: commandName(e),
    cla: hex2(e.cla),
    ins: hex2(e.ins),
    p1: hex2(e.p1),
    p2: hex2(e.p2),
    lc: e.lc,
    ...(e.ne === undefined ? {} : { ne: e.ne }),
    ...(e.le === undefined ? {} : { le: e.le }),
    extended: e.extended,
    sm: e.sm,
    commandBytes: e.commandBytes,
    ...(e.responseBytes === undefined ? {} : { responseBytes: e.responseBytes }),
    ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }),
    ms: e.ms,
    ...(e.error ? { error: e.error } : {}),
  };
}

function timing(input: ProfileInput, entries: ApduTraceEntry[]): ChipProfile['timing'] {
  const by = new Map<string, { command: string; count: number; totalMs: number; maxMs: number }>();
  for (const e of entries) {
    const command = commandName(e);
    const t = by.get(command) ?? { command, count: 0, totalMs: 0, maxMs: 0 };
    t.count++;
    t.totalMs = round(t.totalMs + e.ms);
    t.maxMs = Math.max(t.maxMs, e.ms);
    by.set(command, t);
  }
  return {
    exchanges: entries.length + input.trace.dropped,
    apduMs: round(entries.reduce((n, e) => n + e.ms, 0)),
    readMs: Math.round(input.readMs),
    ...(input.probeMs === undefined ? {} : { probeMs: Math.round(input.probeMs) }),
    dropped: input.trace.dropped,
    reconnects: input.trace.reconnects,
    byCommand: [...by.values()].sort((a, b) => b.totalMs - a.totalMs),
  };
}

function verificationProfile(read: VerifiedRead | undefined): ChipProfile['verification'] {
  const v = read?.verification;
  if (!v) return undefined;
  return {
    overall: v.overall,
    passive: v.passive.status,
    chip: v.chip?.status ?? 'not-checked',
    active: v.active?.status ?? 'not-checked',
    ...(v.passive.missingIssuer ? { missingIssuer: v.passive.missingIssuer } : {}),
    reasons: reasonCodes(v.passive.reasons, v.chip?.reasons, v.active?.reasons, v.reasons),
  };
}

/** Builds the profile from the trace and the read's outputs (reads only lengths, OIDs, algorithms, statuses). */
export function buildChipProfile(input: ProfileInput): ChipProfile {
  const { trace, read } = input;
  const entries = trace.entries;
  const caps = trace.capabilities;
  const atr = trace.atr();
  const profile: ChipProfile = {
    format: CHIP_PROFILE_FORMAT,
    version: CHIP_PROFILE_VERSION,
    library: { name: '@cccd/emrtd', version: EMRTD_VERSION },
    createdAt: input.createdAt.toISOString(),
    outcome: input.failure ? 'failed' : 'complete',
    reader: {
      ...(input.reader?.name ? { name: input.reader.name } : {}),
      ...(input.reader?.protocol ? { protocol: input.reader.protocol } : {}),
      link: {
        ...(caps?.extendedLength === undefined ? {} : { extendedLength: caps.extendedLength }),
        ...(caps?.maxCommandLength === undefined ? {} : { maxCommandLength: caps.maxCommandLength }),
        ...(caps?.maxResponseLength === undefined ? {} : { maxResponseLength: caps.maxResponseLength }),
      },
    },
    access: accessProfile(read, entries),
    readBinary: analyseReadBinary(entries),
    files: filesProfile(read, input.groups),
    chipAuthentication: chipAuthenticationProfile(read, entries),
    activeAuthentication: activeAuthenticationProfile(read, entries),
    refusals: entries.filter(isRefusal).map((e) => ({
      i: e.index,
      phase: e.phase,
      command: commandName(e),
      sm: e.sm,
      ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }),
      ...(e.error ? { error: e.error } : {}),
    })),
    timing: timing(input, entries),
    exchanges: entries.map(exchangeProfile),
  };
  const failure = input.failure ? failureProfile(input.failure) : undefined;
  if (failure) profile.failure = failure;
  if (atr) profile.atr = parseAtr(atr);
  const cardAccess = cardAccessProfile(read?.access.cardAccess ?? input.cardAccess);
  if (cardAccess) profile.cardAccess = cardAccess;
  const com = comProfile(read?.raw.COM);
  if (com) profile.com = com;
  const dg14 = dg14Profile(read?.raw.DG14);
  if (dg14) profile.dg14 = dg14;
  const sod = read && sodProfile(read);
  if (sod) profile.sod = sod;
  const dg15 = dg15Profile(read?.raw.DG15);
  if (dg15) profile.dg15 = dg15;
  const verification = verificationProfile(read);
  if (verification) profile.verification = verification;
  if (input.probes) profile.probes = input.probes;
  return profile;
}
