/** The access, CA and AA sections of a chip profile: what the read reports, and the exchanges the trace saw. */
import { swHex } from '../apdu/status.js';
import type { VerifiedRead } from '../read/types.js';
import { commandName, isRefusal } from './commands.js';
import type {
  AccessProfile,
  ActiveAuthenticationProfile,
  ChipAuthenticationProfile,
  StepFailureProfile,
} from './profile-types.js';
import { parameterName } from './security-infos.js';
import type { ApduTraceEntry } from './trace.js';

export function failureProfile(f: { code?: string; step?: string; sw?: number } | undefined) {
  if (!f) return undefined;
  const out: StepFailureProfile = {};
  if (f.code) out.code = f.code;
  if (f.step) out.step = f.step;
  if (typeof f.sw === 'number') out.sw = swHex(f.sw);
  return out;
}

export function accessProfile(read: VerifiedRead | undefined, entries: ApduTraceEntry[]): AccessProfile {
  const refusals = entries
    .filter((e) => e.phase === 'read' && !e.sm && isRefusal(e))
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

export const reasonCodes = (...lists: ({ code: string }[] | undefined)[]) =>
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

export function chipAuthenticationProfile(read: VerifiedRead | undefined, entries: ApduTraceEntry[]) {
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

export function activeAuthenticationProfile(read: VerifiedRead | undefined, entries: ApduTraceEntry[]) {
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
