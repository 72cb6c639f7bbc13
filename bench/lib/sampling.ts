/**
 * Memory and handle sampling for the soaks: a forced GC before each sample (so the heap figure is what is live, not
 * what the collector has not reached yet), and least-squares slopes per minute over the samples after warm-up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { linearRegression } from './stats.js';

export interface SoakSample {
  t: number;
  reads: number;
  rss: number;
  heapUsed: number;
  external: number;
  handles: number;
}

export interface SoakSlopes {
  /** Per minute, over the samples after the first 10 % (warm-up: JIT, caches, pools filling). */
  rssBytesPerMin: number;
  heapBytesPerMin: number;
  externalBytesPerMin: number;
  handlesPerMin: number;
}

/** `gc()` without starting node with --expose-gc: the flag is set at run time and gc taken from a fresh context. */
export function forcedGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** Active handles and requests by type (TCPSocketWrap, Timeout, FSReqCallback…); the terminal is not counted. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (r !== 'TTYWrap') counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

export const activeHandles = (): number => Object.values(activeResources()).reduce((a, b) => a + b, 0);

export function takeSample(t: number, reads: number, gc: (() => void) | undefined): SoakSample {
  gc?.();
  const m = process.memoryUsage();
  return {
    t,
    reads,
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external + m.arrayBuffers,
    handles: activeHandles(),
  };
}

export function soakSlopes(samples: SoakSample[]): SoakSlopes {
  const steady = samples.slice(Math.floor(samples.length / 10));
  const minutes = steady.map((s) => s.t / 60_000);
  const slope = (k: keyof SoakSample) =>
    linearRegression(
      minutes,
      steady.map((s) => s[k]),
    ).slope;
  return {
    rssBytesPerMin: slope('rss'),
    heapBytesPerMin: slope('heapUsed'),
    externalBytesPerMin: slope('external'),
    handlesPerMin: slope('handles'),
  };
}

/** Collects process warnings (MaxListenersExceededWarning and the like) while a soak runs. */
export function collectWarnings(): { stop: () => string[] } {
  const seen: string[] = [];
  const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`.slice(0, 300));
  process.on('warning', onWarning);
  return {
    stop: () => {
      process.off('warning', onWarning);
      return seen;
    },
  };
}
