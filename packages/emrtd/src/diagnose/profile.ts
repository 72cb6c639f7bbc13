/**
 * ChipProfile: what `diagnoseChip` learned about a chip, with no personal data. It names protocols, algorithms,
 * sizes, status words and timings; it never holds a data group's content, a key's bytes, the access key, or a
 * value derived from the holder (no hash of a data group, no key label, which can hint at the holder's age).
 */
import { swHex } from '../apdu/status.js';
import type { EmrtdError } from '../errors.js';
import type { CccdGroup, VerifiedRead } from '../read/types.js';
import { EMRTD_VERSION } from '../version.js';
import { parseAtr } from './atr.js';
import {
  accessProfile,
  activeAuthenticationProfile,
  chipAuthenticationProfile,
  failureProfile,
  reasonCodes,
} from './authentication-profile.js';
import { commandName, hex2, isRefusal } from './commands.js';
import { cardAccessProfile, comProfile, dg14Profile, dg15Profile, filesProfile, sodProfile } from './lds-profile.js';
import type { ProbeResult } from './probes.js';
import { CHIP_PROFILE_FORMAT, CHIP_PROFILE_VERSION, type ChipProfile, type ExchangeProfile } from './profile-types.js';
import { analyseReadBinary } from './read-binary.js';
import type { ApduTraceEntry, TracingTransport } from './trace.js';

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
