/**
 * Shared by the resilience tests (in process, PC/SC): what a scenario observed, as a short label without personal
 * data, and the JSON artifact scripts/reliability-report.mjs turns into docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { swHex } from '../apdu/status.js';
import { EmrtdError } from '../errors.js';
import type { VerifiedRead } from '../read/types.js';

export const ARTIFACT_DIR = fileURLToPath(new URL('../../../../artifacts/reliability/', import.meta.url));

export interface ScenarioRecord {
  id: string;
  suite: string;
  category: string;
  stage: string;
  fault: string;
  expected: string;
  observed: string;
  pass: boolean;
  /** pass = the expected outcome; fail-safe = a documented, safe deviation (see note); fail = neither. */
  status: 'pass' | 'fail-safe' | 'fail';
  note?: string;
  /** Wall-clock time to the outcome. */
  ms: number;
  /** Modelled link time of the card's exchanges, when the card is simulated in process. */
  modelledMs?: number;
}

export interface Observed {
  outcome: 'completed' | 'error';
  code?: string;
  errorName?: string;
  overall?: string;
  protocol?: string;
  resumes?: number;
  retries?: number;
  reconnects?: number;
  missing?: string[];
  mismatch?: string[];
  ca?: 'ok' | 'failed' | 'refused' | 'skipped';
  aa?: string;
  exchanges?: number;
  modelledMs?: number;
  elapsedMs: number;
  /** The outer bound fired: the scenario would have hung. */
  boundHit: boolean;
  /** Something other than an EmrtdError escaped. */
  thrownForeign: boolean;
  label: string;
}

type Settled = { ok: true; r: VerifiedRead } | { ok: false; e: unknown };

export function outcomeOf(
  result: Settled,
  context: {
    elapsedMs: number;
    stats?: { exchanges: number; modelledMs: number };
    boundHit?: boolean;
    reconnects?: number;
  },
): Observed {
  const base = {
    elapsedMs: context.elapsedMs,
    boundHit: context.boundHit ?? false,
    ...(context.reconnects === undefined ? {} : { reconnects: context.reconnects }),
    ...(context.stats ? { exchanges: context.stats.exchanges, modelledMs: context.stats.modelledMs } : {}),
  };
  if (!result.ok) {
    const e = result.e;
    const typed = e instanceof EmrtdError;
    const code = typed ? e.code : 'foreign';
    const name = e instanceof Error ? e.name : typeof e;
    const sw = typed && e.sw !== undefined ? ` SW ${e.sw.toString(16).toUpperCase().padStart(4, '0')}` : '';
    const reasonOf = typed ? (e as unknown as { reason?: unknown }).reason : undefined;
    const reason = typeof reasonOf === 'string' ? ` ${reasonOf}` : '';
    const step = typed && e.step ? ` at ${e.step}` : '';
    return {
      ...base,
      outcome: 'error',
      code,
      errorName: name,
      thrownForeign: !typed,
      label: `${name} (${code}${reason}${sw})${step}${base.boundHit ? ' — outer bound hit' : ''}`,
    };
  }
  const r = result.r;
  const ca = r.chipAuthentication;
  const aa = r.activeAuthentication;
  const missing = r.missing.map((m) => `${m.file}:${m.reason}`);
  const mismatch = Object.entries(r.verification.passive.dataGroups)
    .filter(([, v]) => v === 'mismatch')
    .map(([k]) => k);
  const caState = ca.performed ? (ca.success ? 'ok' : ca.refused ? 'refused' : 'failed') : 'skipped';
  const aaState = aa.skipped
    ? `skipped:${aa.skipped}`
    : aa.refused?.sw !== undefined
      ? `refused:${swHex(aa.refused.sw)}`
      : aa.failure
        ? `failed:${aa.failure.code}`
        : aa.performed
          ? aa.verified
            ? 'ok'
            : 'invalid'
          : 'skipped';
  const parts = [
    `completed via ${r.access.protocol}, verdict ${r.verification.overall}`,
    `resumes ${r.report.resumes}, retries ${r.report.retries}`,
    ...(context.reconnects ? [`reconnects ${context.reconnects}`] : []),
    ...(missing.length ? [`missing ${missing.join(' ')}`] : []),
    ...(mismatch.length ? [`mismatch ${mismatch.join(' ')}`] : []),
    `CA ${caState}, AA ${aaState}`,
  ];
  return {
    ...base,
    outcome: 'completed',
    overall: r.verification.overall,
    protocol: r.access.protocol,
    resumes: r.report.resumes,
    retries: r.report.retries,
    missing,
    mismatch,
    ca: caState,
    aa: aaState,
    thrownForeign: false,
    label: parts.join('; '),
  };
}

/** Writes artifacts/reliability/<suite>.json (one file per suite: suites run in parallel). */
export function writeReliabilityArtifact(suite: string, records: ScenarioRecord[]): void {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  const body = { suite, generatedAt: new Date().toISOString(), node: process.version, scenarios: records };
  writeFileSync(`${ARTIFACT_DIR}${suite}.json`, `${JSON.stringify(body, null, 2)}\n`);
}

/**
 * The fault matrix's tag-loss rows (docs/reliability.md): the steps at which the card leaves the field (by APDU),
 * and the files and byte offsets at which it leaves during a READ BINARY. Every suite that claims to resume runs
 * exactly these rows (in process, PC/SC, across @cccd/relay).
 */
export const TAG_LOSS_STEPS = [
  'CardAccess READ',
  'PACE MSE:Set AT',
  'PACE GA 1',
  'PACE GA 2',
  'PACE GA 3',
  'PACE GA 4',
  'SELECT application',
  'CA MSE:Set AT',
  'CA GENERAL AUTHENTICATE',
] as const;
export const TAG_LOSS_OFFSETS = [
  ['DG14', 60],
  ['DG1', 40],
  ['DG2', 8000],
  ['DG13', 200],
  ['SOD', 600],
  ['DG15', 100],
] as const;
