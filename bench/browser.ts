/**
 * Benchmark: CPU per full verified read inside headless Chromium beside the same read in Node (issue 16).
 *
 * The page (packages/emrtd/browser/harness.ts) runs readVerified — PACE-CAN, DG1, DG2, DG13, DG14, DG15, EF.SOD,
 * CA, AA, PA — against the benchmark card, which answers from Node over a WebSocket. Two measures in the page:
 * - renderer CPU: the delta of CDP Performance.getMetrics TaskDuration around the read, with
 *   `timeDomain: 'threadTicks'`, i.e. CPU time of the renderer's main thread. It includes the page's own WebSocket
 *   message handling (a few µs per APDU) and leaves out V8's background threads (concurrent compilation and GC
 *   helpers), which a main thread cannot see. The card is in another process: not counted. (ScriptDuration is not
 *   used: it came out at ~2 ms of ~28 — it does not count the promise continuations in which the SDK does its
 *   work between two APDUs.)
 * - compute: performance.now() around readVerified minus the time spent awaiting the card's replies, a cross-check
 *   that needs no DevTools (what an app can measure itself).
 * Node: process.cpuUsage() (user + system, every thread of the process) over readVerified minus the simulated
 * card's own CPU (it runs in the same thread; timed with process.cpuUsage too, not with the wall clock as in
 * bench/cpu.ts: on a shared machine a preempted card call would count wall time the reader never spent), and the
 * wall clock minus the card's wall time.
 * Medians over `iterations` reads after `warmup` reads each side (JIT, noble's precomputed tables).
 */
import { canKey, readVerified } from '@cccd/emrtd';
import type { SimulatedCard } from '@cccd/simulator';
import { pageRequest, secretsOf } from '../packages/emrtd/browser/card.js';
import { startBrowserHarness } from '../packages/emrtd/browser/harness.js';
import { benchCard, FULL_READ_GROUPS, freshTransport, trustStoreFor } from './lib/cards.js';
import { timeCardSide } from './lib/recording.js';
import { median } from './lib/stats.js';

export interface BrowserCpuMeasurement {
  iterations: number;
  chromium: string;
  /** Median per read in the page (ms). */
  browser: { taskMs: number; computeMs: number; wallMs: number; waitingMs: number };
  /** Median per read in Node, simulated card subtracted (ms). */
  node: { cpuMs: number; wallMs: number };
  apdus: number;
  /** Renderer main-thread CPU ÷ Node process CPU. */
  ratio: number;
  /** Page script size (SDK + test transport, not minified). */
  scriptBytes: number;
}

const f = (n: number, digits = 1) => n.toFixed(digits);

/** The card's synchronous part (the whole applet) in process CPU time, ms. */
function cardCpu(card: SimulatedCard): { readonly ms: number } {
  const original = card.exchange.bind(card);
  const clock = { ms: 0 };
  card.exchange = (apdu: Uint8Array) => {
    const c0 = process.cpuUsage();
    const pending = original(apdu);
    const c = process.cpuUsage(c0);
    clock.ms += (c.user + c.system) / 1000;
    return pending;
  };
  return clock;
}

async function nodeSeries(iterations: number, warmup: number) {
  const image = await benchCard();
  const key = canKey(image.can);
  const trustStore = trustStoreFor(image);
  const samples: { cpu: number; wall: number }[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const transport = freshTransport(image, { extendedLength: true });
    const cardWall = timeCardSide(transport.card);
    const card = cardCpu(transport.card);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await readVerified(transport, key, { trustStore, groups: [...FULL_READ_GROUPS] });
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (r.verification.overall !== 'authentic') throw new Error(`node read: ${r.verification.overall}`);
    if (i >= warmup) samples.push({ cpu: (c.user + c.system) / 1000 - card.ms, wall: wall - cardWall.ms });
  }
  return { cpuMs: median(samples.map((s) => s.cpu)), wallMs: median(samples.map((s) => s.wall)) };
}

export async function measureBrowserCpu(iterations = 10, warmup = 3): Promise<BrowserCpuMeasurement> {
  const image = await benchCard();
  const harness = await startBrowserHarness({
    transportFor: () => freshTransport(image, { extendedLength: true }),
    secrets: secretsOf(image),
  });
  const samples: BrowserCpuMeasurement['browser'][] = [];
  let apdus = 0;
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const before = await harness.rendererTime();
      const out = await harness.read({ ...pageRequest(image, FULL_READ_GROUPS), summary: false });
      const after = await harness.rendererTime();
      if (!out.ok) throw new Error(`browser read failed: ${JSON.stringify(out.error)}`);
      const t = out.timing;
      apdus = t.exchanges;
      if (i >= warmup)
        samples.push({
          taskMs: after.taskMs - before.taskMs,
          computeMs: t.wallMs - t.waitingMs,
          wallMs: t.wallMs,
          waitingMs: t.waitingMs,
        });
    }
  } finally {
    await harness.close();
  }
  const med = (k: keyof BrowserCpuMeasurement['browser']) => median(samples.map((s) => s[k]));
  const browser = {
    taskMs: med('taskMs'),
    computeMs: med('computeMs'),
    wallMs: med('wallMs'),
    waitingMs: med('waitingMs'),
  };
  const node = await nodeSeries(iterations, warmup);
  return {
    iterations,
    chromium: harness.version,
    browser,
    node,
    apdus,
    ratio: browser.taskMs / node.cpuMs,
    scriptBytes: harness.scriptBytes,
  };
}

/** The rows docs/performance.md shows (bench/lib/report.ts). */
export function renderBrowser(m: BrowserCpuMeasurement): string[] {
  const b = m.browser;
  return [
    '',
    '### CPU per full read: headless Chromium vs Node',
    '',
    `readVerified (PACE-CAN, DG1, DG2, DG13, DG14, DG15, EF.SOD, CA, AA, PA; ${m.apdus} APDUs) in Chromium ${m.chromium}`,
    `(SDK bundled by esbuild, APDUs over a WebSocket to the simulator in Node) and in Node; median of ${m.iterations}`,
    'reads after warm-up. Renderer CPU = CDP TaskDuration delta in thread time (main thread only; V8 background',
    'threads not seen); Node CPU = process.cpuUsage minus the simulated card. How: packages/emrtd/browser/, bench/browser.ts.',
    '',
    '| | CPU ms | wall ms | of which awaiting the card ms |',
    '|---|---:|---:|---:|',
    `| Chromium: renderer main thread (TaskDuration) | ${f(b.taskMs)} | ${f(b.wallMs)} | ${f(b.waitingMs)} |`,
    `| Chromium: wall minus awaiting the card | ${f(b.computeMs)} | | |`,
    `| Node: process CPU minus the card | ${f(m.node.cpuMs)} | ${f(m.node.wallMs)} | |`,
    `| ratio Chromium ÷ Node (CPU) | ${f(m.ratio, 2)} × | | |`,
  ];
}
