/**
 * Run counts for property tests. The normal suite uses each file's own count; `scripts/fuzz-long.sh` sets
 * FUZZ_LONG=1 and every property then runs at least LONG_RUNS cases (≥ 10^5 per parser, issue 8). Properties that
 * run a whole pipeline per case (e.g. a full passive authentication) may pass a smaller `long` count.
 * With FUZZ_LOG=path, each call appends `{file, normal, runs}` as one JSON line, so the long run's counts can be
 * recorded in docs/reliability.md.
 */
import { appendFileSync } from 'node:fs';

export const LONG_RUNS = 100_000;

export const fuzzLong = (): boolean => process.env.FUZZ_LONG === '1';

/** Where the calling test file is, from the stack (for the count log only). */
function caller(): string {
  const line = new Error().stack?.split('\n')[3] ?? '';
  return /((?:packages|simulator|kiosk-agent)\/[\w./-]+?\.test\.ts)/.exec(line)?.[1] ?? 'unknown';
}

export function fuzzRuns(normal: number, long = LONG_RUNS): number {
  if (!fuzzLong()) return normal;
  const runs = Math.max(normal, long);
  const log = process.env.FUZZ_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ file: caller(), normal, runs })}\n`);
  return runs;
}
