/**
 * Soak: read simulated cards in a loop for a configurable time and watch memory and handles. Each read is a full
 * readVerified (PACE, CA, all files, AA, PA) on a fresh SimulatedCard through the in-process transport, so
 * anything the SDK leaks per read (buffers, timers, listeners) accumulates. After every read: a GC (when it can be
 * forced) and a sample of RSS, heap used, external + array buffers and active handles/resources. The slope of each
 * over time (least squares) must stay near zero: a leak of one 16 KB DG2 per read would be ~1 MB/min here.
 * The same loop through the kiosk agent is bench/agent-soak.ts.
 */
import { canKey, readVerified } from '@cccd/emrtd';
import { benchCard, FULL_READ_GROUPS, freshTransport, trustStoreFor } from './lib/cards.js';
import { collectWarnings, forcedGc, type SoakSample, type SoakSlopes, soakSlopes, takeSample } from './lib/sampling.js';

export type { SoakSample } from './lib/sampling.js';

export interface SoakResult extends SoakSlopes {
  via: 'in-process';
  durationMs: number;
  reads: number;
  failures: number;
  samples: number;
  first: SoakSample;
  last: SoakSample;
  gcForced: boolean;
  /** Process warnings emitted during the soak (e.g. MaxListenersExceededWarning). */
  warnings: string[];
}

export async function runSoak(durationMs: number, sampleEveryMs = 250): Promise<SoakResult> {
  const image = await benchCard();
  const key = canKey(image.can);
  const trustStore = trustStoreFor(image);
  const gc = forcedGc();
  const warnings = collectWarnings();
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
      samples.push(takeSample(t, reads, gc));
      nextSample = t + sampleEveryMs;
    }
  }
  return {
    via: 'in-process',
    durationMs: performance.now() - start,
    reads,
    failures,
    samples: samples.length,
    ...soakSlopes(samples),
    first: samples[0]!,
    last: samples[samples.length - 1]!,
    gcForced: gc !== undefined,
    warnings: warnings.stop(),
  };
}
