/**
 * Soak: read simulated cards in a loop for a configurable time and watch memory and handles. Each read is a full
 * readVerified (PACE, CA, all files, AA, PA) on a fresh SimulatedCard through the in-process transport, so
 * anything the SDK leaks per read (buffers, timers, listeners) accumulates. After every read: a GC (when it can be
 * forced) and a sample of RSS, heap used, external + array buffers and active handles/resources. The slope of each
 * over time (least squares) must stay near zero: a leak of one 16 KB DG2 per read would be ~1 MB/min here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { canKey, readVerified } from '@cccd/emrtd';
import { benchCard, FULL_READ_GROUPS, freshTransport, trustStoreFor } from './lib/cards.js';
import { linearRegression } from './lib/stats.js';

export interface SoakSample {
  t: number;
  reads: number;
  rss: number;
  heapUsed: number;
  external: number;
  handles: number;
}

export interface SoakResult {
  via: 'in-process';
  durationMs: number;
  reads: number;
  failures: number;
  samples: number;
  /** Slopes per minute, over the samples after the first 10 % (warm-up). */
  rssBytesPerMin: number;
  heapBytesPerMin: number;
  externalBytesPerMin: number;
  handlesPerMin: number;
  first: SoakSample;
  last: SoakSample;
  gcForced: boolean;
}

function forcedGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const activeHandles = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;

export async function runSoak(durationMs: number, sampleEveryMs = 250): Promise<SoakResult> {
  const image = await benchCard();
  const key = canKey(image.can);
  const trustStore = trustStoreFor(image);
  const gc = forcedGc();
  const samples: SoakSample[] = [];
  const start = performance.now();
  let reads = 0;
  let failures = 0;
  let nextSample = 0;
  while (performance.now() - start < durationMs) {
    try {
      const r = await readVerified(freshTransport(image, { extendedLength: true }), key, {
        trustStore,
        groups: [...FULL_READ_GROUPS],
      });
      if (r.verification.overall !== 'authentic') failures++;
    } catch {
      failures++;
    }
    reads++;
    const t = performance.now() - start;
    if (t >= nextSample) {
      gc?.();
      const m = process.memoryUsage();
      samples.push({
        t,
        reads,
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external + m.arrayBuffers,
        handles: activeHandles(),
      });
      nextSample = t + sampleEveryMs;
    }
  }
  const steady = samples.slice(Math.floor(samples.length / 10));
  const minutes = steady.map((s) => s.t / 60_000);
  const slope = (k: keyof SoakSample) =>
    linearRegression(
      minutes,
      steady.map((s) => s[k]),
    ).slope;
  return {
    via: 'in-process',
    durationMs: performance.now() - start,
    reads,
    failures,
    samples: samples.length,
    rssBytesPerMin: slope('rss'),
    heapBytesPerMin: slope('heapUsed'),
    externalBytesPerMin: slope('external'),
    handlesPerMin: slope('handles'),
    first: samples[0]!,
    last: samples[samples.length - 1]!,
    gcForced: gc !== undefined,
  };
}
