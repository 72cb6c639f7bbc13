/**
 * ChipProfile: what `diagnoseChip` learned about a chip, with no personal data. It names protocols, algorithms,
 * sizes, status words and timings; it never holds a data group's content, a key's bytes, the access key, or a
 * value derived from the holder (no hash of a data group, no key label, which can hint at the holder's age).
 */
import { swHex } from '../apdu/status.js';
import { EmrtdError } from '../errors.js';
import { parseCardAccess } from '../lds/card-access.js';
import { parseCom } from '../lds/com.js';
import { readRoot } from '../lds/der.js';
import { parseDg14 } from '../lds/dg14.js';
import { parseDg15 } from '../lds/dg15.js';
import { parseSod } from '../lds/sod.js';
import { FILES } from '../reader/files.js';
import type { CccdGroup } from '../reader/read-cccd.js';
import type { VerifiedRead } from '../verified-read.js';
import { nameToString } from '../verify/name.js';
import type { DgName } from '../verify/passive.js';
import { HASH_BY_OID } from '../verify/signature.js';
import { parseCertificate } from '../verify/x509.js';
import { EMRTD_VERSION } from '../version.js';
import { type AtrProfile, parseAtr } from './atr.js';
import { commandName, hex2, isSuccess } from './commands.js';
import { describeKey, type KeyProfile } from './keys.js';
import type { ProbeResult } from './probes.js';
import { analyseReadBinary, type ReadBinaryProfile } from './read-binary.js';
import { parameterName, type SecurityInfoProfile, securityInfoProfiles } from './security-infos.js';
import type { ApduTraceEntry, TracePhase, TracingTransport } from './trace.js';

export const CHIP_PROFILE_FORMAT = 'cccd-chip-profile';
export const CHIP_PROFILE_VERSION = 1;

/** A failed step: error code, step name and status word (hex), as typed errors carry them. */
export interface StepFailureProfile {
  code?: string;
  step?: string;
  sw?: string;
}

export interface ExchangeProfile {
  i: number;
  phase: TracePhase;
  command: string;
  cla: string;
  ins: string;
  p1: string;
  p2: string;
  lc: number;
  ne?: number;
  le?: number;
  extended: boolean;
  sm: boolean;
  /** Whole command APDU length (header, Lc, data, Le). */
  commandBytes: number;
  responseBytes?: number;
  sw?: string;
  ms: number;
  error?: string;
}

export interface RefusalProfile {
  i: number;
  phase: TracePhase;
  command: string;
  sm: boolean;
  sw?: string;
  error?: string;
}

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
const malformed = (e: unknown) => {
  if (e instanceof EmrtdError) return 'malformed';
  throw e;
};

export function failureProfile(f: { code?: string; step?: string; sw?: number } | undefined) {
  if (!f) return undefined;
  const out: StepFailureProfile = {};
  if (f.code) out.code = f.code;
  if (f.step) out.step = f.step;
  if (typeof f.sw === 'number') out.sw = swHex(f.sw);
  return out;
}

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

const refused = (e: ApduTraceEntry) => e.error !== undefined || (e.sw !== undefined && !isSuccess(e.sw));

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

function accessProfile(read: VerifiedRead | undefined, entries: ApduTraceEntry[]): AccessProfile {
  const refusals = entries
    .filter((e) => e.phase === 'read' && !e.sm && refused(e))
    .map((e) => ({
      command: commandName(e),
      ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }),
      ...(e.error ? { error: e.error } : {}),
    }));
  const a = read?.access;
  if (!a) return { refusals };
  const name = a.pace ? parameterName(a.pace.parameterId) : undefined;
  const pace = a.pace && {
    oid: a.pace.oid,
    protocol: `PACE-${a.pace.protocol.keyAgreement}-${a.pace.protocol.mapping}-${a.pace.protocol.cipher}`,
    parameterId: a.pace.parameterId,
    ...(name ? { parameterName: name } : {}),
  };
  return {
    protocol: a.protocol,
    keyKind: a.keyKind,
    ...(pace ? { pace } : {}),
    cipher: a.cipher,
    attempts: a.attempts,
    tried: [...a.tried],
    refusals,
  };
}

function cardAccessProfile(bytes: Uint8Array | undefined): ChipProfile['cardAccess'] {
  if (!bytes) return undefined;
  try {
    return { bytes: bytes.length, securityInfos: securityInfoProfiles(parseCardAccess(bytes), bytes) };
  } catch (e) {
    return { bytes: bytes.length, securityInfos: [], error: malformed(e) };
  }
}

function filesProfile(read: VerifiedRead | undefined, groups: CccdGroup[]): FileProfile[] {
  return groups.map((file) => {
    const bytes = read?.raw[file];
    const missing = read?.missing.find((m) => m.file === file);
    if (!bytes) return { file, status: missing ? missing.reason : 'not-read' };
    const report = read.report.files.find((f) => f.file === FILES[file].name);
    const passive = file.startsWith('DG') ? read.verification.passive.dataGroups[file as DgName] : undefined;
    return {
      file,
      status: 'read',
      bytes: bytes.length,
      ...(report
        ? {
            apdus: report.apdus,
            retries: report.retries,
            resumes: report.resumes,
            blockSizes: [...new Set(report.blockSizes)].sort((a, b) => b - a),
          }
        : {}),
      ...(passive ? { passive } : {}),
    };
  });
}

function sodProfile(read: VerifiedRead): SodProfile | undefined {
  const bytes = read.raw.SOD;
  if (!bytes) return undefined;
  const passive = read.verification.passive;
  try {
    const sod = parseSod(bytes);
    const lso = sod.ldsSecurityObject;
    const signer = sod.signedData.signerInfos[0];
    const out: SodProfile = {
      bytes: bytes.length,
      digestAlgorithm: HASH_BY_OID[lso.hashAlgorithm.oid] ?? lso.hashAlgorithm.oid,
      dataGroups: [...lso.dataGroupHashValues.keys()].sort((a, b) => a - b),
    };
    if (signer) {
      const name = passive.signature.algorithm;
      out.signatureAlgorithmOid = signer.signatureAlgorithm.oid;
      out.signatureAlgorithm = name && name !== 'unknown' ? name : signer.signatureAlgorithm.oid;
      out.signerDigestAlgorithm = HASH_BY_OID[signer.digestAlgorithm.oid] ?? signer.digestAlgorithm.oid;
    }
    if (lso.ldsVersionInfo) {
      out.ldsVersion = lso.ldsVersionInfo.ldsVersion;
      out.unicodeVersion = lso.ldsVersionInfo.unicodeVersion;
    }
    if (sod.documentSignerCertificate) {
      try {
        const cert = parseCertificate(sod.documentSignerCertificate, 'DS certificate');
        out.documentSigner = {
          issuer: nameToString(cert.issuer),
          key: describeKey(cert.spki),
          certificateSignatureAlgorithmOid: cert.signatureAlgorithm.oid,
        };
      } catch (e) {
        out.error = `DS certificate ${malformed(e)}`;
      }
    }
    return out;
  } catch (e) {
    return { bytes: bytes.length, dataGroups: [], error: malformed(e) };
  }
}

const reasonCodes = (...lists: ({ code: string }[] | undefined)[]) =>
  lists.flatMap((l) => (l ?? []).map((r) => r.code));

/** Forward-compatible: a `refused` record (step + sw) that newer readers attach to CA/AA reports. */
function refusedOf(report: object): StepFailureProfile | undefined {
  const r = (report as { refused?: unknown }).refused;
  if (typeof r !== 'object' || r === null) return undefined;
  const { step, sw, code } = r as { step?: unknown; sw?: unknown; code?: unknown };
  return failureProfile({
    ...(typeof step === 'string' ? { step } : {}),
    ...(typeof sw === 'number' ? { sw } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  });
}

function chipAuthenticationProfile(read: VerifiedRead | undefined, entries: ApduTraceEntry[]) {
  const exchanges = entries
    .filter((e) => e.phase === 'read' && e.sm && ((e.ins === 0x22 && (e.p1 & 0x40) !== 0) || e.ins === 0x86))
    .map((e) => ({
      command: commandName(e),
      ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }),
      ms: e.ms,
      ...(e.error ? { error: e.error } : {}),
    }));
  const out: ChipAuthenticationProfile = {
    status: read?.verification.chip?.status ?? 'not-checked',
    performed: false,
    success: false,
    exchanges,
    reasons: reasonCodes(read?.verification.chip?.reasons),
  };
  const ca = read?.chipAuthentication;
  if (!ca) return out;
  out.performed = ca.performed;
  out.success = ca.success;
  if (ca.skipped) out.skipped = ca.skipped;
  if (ca.continuedWithoutCa) out.continuedWithoutCa = true;
  const t = ca.transcript;
  if (t) {
    out.protocol = {
      oid: t.oid,
      keyAgreement: t.keyAgreement,
      cipher: t.cipher,
      group: t.group,
      ...(t.keyId === undefined ? {} : { keyId: t.keyId }),
      command: t.command,
      inferred: t.inferred,
    };
  }
  const failure = refusedOf(ca) ?? failureProfile(t?.failure);
  if (failure) out.failure = failure;
  return out;
}

function activeAuthenticationProfile(read: VerifiedRead | undefined, entries: ApduTraceEntry[]) {
  const exchanges = entries
    .filter((e) => e.phase === 'read' && e.ins === 0x88)
    .map((e) => ({
      command: commandName(e),
      ...(e.le === undefined ? {} : { le: e.le }),
      extended: e.extended,
      ...(e.responseBytes === undefined ? {} : { responseBytes: e.responseBytes }),
      ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }),
      ms: e.ms,
    }));
  const active = read?.verification.active;
  const out: ActiveAuthenticationProfile = {
    status: active?.status ?? 'not-checked',
    performed: false,
    exchanges,
    reasons: reasonCodes(active?.reasons),
  };
  const aa = read?.activeAuthentication;
  if (!aa) return out;
  out.performed = aa.performed;
  if (aa.skipped) out.skipped = aa.skipped;
  if (aa.verified !== undefined) out.verified = aa.verified;
  const algorithm = active?.algorithm ?? aa.verdict?.algorithm;
  if (algorithm) out.algorithm = algorithm;
  if (aa.response) out.signatureBytes = aa.response.length;
  const failure = refusedOf(aa) ?? failureProfile(aa.failure);
  if (failure) out.failure = failure;
  return out;
}

function comProfile(bytes: Uint8Array | undefined): ChipProfile['com'] {
  if (!bytes) return undefined;
  try {
    const c = parseCom(bytes);
    return { ldsVersion: c.ldsVersion, unicodeVersion: c.unicodeVersion, dataGroups: c.dataGroups };
  } catch (e) {
    return { ldsVersion: '', unicodeVersion: '', dataGroups: [], error: malformed(e) };
  }
}

function dg14Profile(bytes: Uint8Array | undefined): ChipProfile['dg14'] {
  if (!bytes) return undefined;
  try {
    const set = readRoot(bytes, 'DG14', 0x6e).value;
    return { securityInfos: securityInfoProfiles(parseDg14(bytes), set) };
  } catch (e) {
    return { securityInfos: [], error: malformed(e) };
  }
}

function dg15Profile(bytes: Uint8Array | undefined): ChipProfile['dg15'] {
  if (!bytes) return undefined;
  try {
    return { key: describeKey(parseDg15(bytes)) };
  } catch (e) {
    return { error: malformed(e) };
  }
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
    refusals: entries.filter(refused).map((e) => ({
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
