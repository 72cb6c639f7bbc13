/**
 * The resilience matrix's tag-loss rows (packages/emrtd/src/integration/resilience.test.ts) across the relay: the
 * simulator's faults fire on the card side, the SDK on the verifier side sees them as CardRemoved / Timeout through
 * the relay, asks the card side to reconnect, and resumes. Every row is a full readVerified (PACE-CAN, CA,
 * DG14/1/2/13/SOD/15, AA, PA) over a real WebSocket on loopback, bounded by the SDK's per-exchange deadline, the
 * relay's deadlines and an outer AbortSignal. Rows go to artifacts/reliability/relay.json for
 * scripts/reliability-report.mjs (docs/reliability.md).
 */
import { CardRemoved, type TransmitOptions, type Transport } from '@cccd/emrtd';
import {
  type Observed,
  outcomeOf,
  type ScenarioRecord,
  TAG_LOSS_OFFSETS,
  TAG_LOSS_STEPS,
  writeReliabilityArtifact,
} from '@cccd/emrtd/testing';
import type { CardOptions, InProcessTransport } from '@cccd/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, relayCardImage, relayedRead, startVerifier } from './test-support/harness.js';
import type { RelayVerifier } from './verifier/verifier.js';

/** Outer bound per scenario. */
const SCENARIO_BOUND_MS = 10_000;
/** The SDK's per-exchange deadline: card time plus a loopback round trip. */
const EXCHANGE_TIMEOUT_MS = 600;

interface Exchange {
  ins: number;
  responseBytes: number;
}

/** The card side's local link, recording each exchange's INS (to find the stages) and counting reconnects. */
class CountingTransport implements Transport {
  readonly log: Exchange[] = [];
  reconnects = 0;
  constructor(
    readonly inner: InProcessTransport,
    private readonly cardReturns = true,
  ) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    const r = await this.inner.transmit(command, options);
    this.log.push({ ins: command[1]!, responseBytes: r.length });
    return r;
  }
  async reconnect(options?: TransmitOptions): Promise<void> {
    this.reconnects++;
    if (!this.cardReturns) throw new CardRemoved({ step: 'reconnect' });
    return this.inner.reconnect(options);
  }
  atr() {
    return this.inner.atr();
  }
}

let verifier: RelayVerifier;
let url: string;
const at: Record<string, number> = {};
const records: ScenarioRecord[] = [];

/** Index (0-based) of the nth exchange with this INS in the clean relayed read. */
function locate(log: Exchange[]) {
  const nth = (ins: number, n: number) => {
    let seen = 0;
    const i = log.findIndex((e) => e.ins === ins && ++seen === n);
    if (i < 0) throw new Error(`INS ${ins.toString(16)} #${n} not in the clean transcript`);
    return i;
  };
  at['CardAccess READ'] = nth(0xb0, 1);
  at['PACE MSE:Set AT'] = nth(0x22, 1);
  for (let k = 1; k <= 4; k++) at[`PACE GA ${k}`] = nth(0x86, k);
  // The first SELECT under the PACE session (after GA 4).
  at['SELECT application'] = log.findIndex((e, i) => i > at['PACE GA 4']! && e.ins === 0xa4);
  at['CA MSE:Set AT'] = nth(0x22, 2);
  at['CA GENERAL AUTHENTICATE'] = nth(0x86, 5);
  at['AA INTERNAL AUTHENTICATE'] = nth(0x88, 1);
  at['DG2 READ (body)'] = log.reduce(
    (best, e, i) => (e.ins === 0xb0 && e.responseBytes > log[best]!.responseBytes ? i : best),
    0,
  );
}

beforeAll(async () => {
  ({ verifier, url } = await startVerifier({ networkAllowanceMs: 1_000 }));
  const { image, store } = await relayCardImage();
  let clean: CountingTransport | undefined;
  const r = await relayedRead(verifier, url, image, {
    read: { trustStore: store, groups: GROUPS },
    wrap: (t) => {
      clean = new CountingTransport(t);
      return clean;
    },
  });
  expect(r.result.ok && r.result.read.verification.overall).toBe('authentic');
  locate(clean!.log);
}, 60_000);

afterAll(async () => {
  writeReliabilityArtifact('relay', records);
  await verifier.close();
});

interface Scenario {
  id: string;
  stage: string;
  fault: string;
  expected: string;
  check: (o: Observed) => boolean;
  card: () => CardOptions;
  cardReturns?: boolean;
}

const resumed = (o: Observed) => o.outcome === 'completed' && o.overall === 'authentic' && (o.reconnects ?? 0) >= 1;
const SUCCESS_AFTER_RESUME = 'success after resume/restart across the relay, authentic';
const lossAt = (stage: string) => () => ({ faults: [`tag-loss-after-apdus=${at[stage]!}`] });

const SCENARIOS: Scenario[] = [
  ...TAG_LOSS_STEPS.map(
    (stage): Scenario => ({
      id: `relay/tag-loss/${stage}`,
      stage,
      fault: `tag-loss-after-apdus (at ${stage})`,
      expected: SUCCESS_AFTER_RESUME,
      check: resumed,
      card: lossAt(stage),
    }),
  ),
  ...TAG_LOSS_OFFSETS.map(
    ([file, offset]): Scenario => ({
      id: `relay/tag-loss/${file}`,
      stage: `READ BINARY ${file} at byte ${offset}`,
      fault: `tag-loss-at-offset=${file}:${offset}`,
      expected: SUCCESS_AFTER_RESUME,
      check: resumed,
      card: () => ({ faults: [`tag-loss-at-offset=${file}:${offset}`] }),
    }),
  ),
  {
    id: 'relay/tag-loss/AA',
    stage: 'AA INTERNAL AUTHENTICATE',
    fault: 'tag-loss-after-apdus (at INTERNAL AUTHENTICATE)',
    expected: 'completes; AA failure recorded (card-removed); verdict authentic on PA + CA',
    check: (o) => o.outcome === 'completed' && o.aa === 'failed:card-removed' && o.overall === 'authentic',
    card: lossAt('AA INTERNAL AUTHENTICATE'),
  },
  {
    id: 'relay/link/mute-resume',
    stage: 'DG2 READ (body)',
    fault: 'mute-after (at the DG2 body), re-tap wakes it',
    expected:
      'the SDK gives up on the exchange, the card side times out locally and answers late (dropped); reconnect, resume, authentic',
    check: resumed,
    card: () => ({ faults: [`mute-after=${at['DG2 READ (body)']!}`] }),
  },
  {
    id: 'relay/tag-loss/no-return',
    stage: 'READ BINARY DG2 at byte 4000, card never returns',
    fault: 'tag-loss-at-offset=DG2:4000 + reconnect fails on the card side',
    expected: 'CardRemoved',
    check: (o) => o.outcome === 'error' && o.code === 'card-removed',
    card: () => ({ faults: ['tag-loss-at-offset=DG2:4000'] }),
    cardReturns: false,
  },
];

describe('tag loss across the relay', () => {
  for (const s of SCENARIOS) {
    it(`${s.id}: ${s.expected}`, async () => {
      const { image, store } = await relayCardImage();
      const outer = new AbortController();
      const bound = setTimeout(() => outer.abort(), SCENARIO_BOUND_MS);
      let local: CountingTransport | undefined;
      try {
        const r = await relayedRead(verifier, url, image, {
          card: s.card(),
          read: { trustStore: store, groups: GROUPS, timeoutMs: EXCHANGE_TIMEOUT_MS, signal: outer.signal },
          wrap: (t) => {
            local = new CountingTransport(t, s.cardReturns ?? true);
            return local;
          },
        });
        const settled = r.result.ok
          ? { ok: true as const, r: r.result.read }
          : { ok: false as const, e: r.result.error };
        const observed = outcomeOf(settled, {
          elapsedMs: r.elapsedMs,
          stats: local!.inner.card.stats,
          boundHit: outer.signal.aborted,
          reconnects: local!.reconnects,
        });
        const pass = !observed.boundHit && s.check(observed);
        records.push({
          id: s.id,
          suite: 'relay',
          category: s.id.startsWith('relay/link/') ? 'link (relay)' : 'tag loss (relay)',
          stage: s.stage,
          fault: s.fault,
          expected: s.expected,
          observed: observed.label,
          pass,
          status: pass ? 'pass' : 'fail',
          ms: Math.round(observed.elapsedMs),
          modelledMs: Math.round(observed.modelledMs ?? 0),
        });
        expect(observed.thrownForeign, 'only typed errors').toBe(false);
        expect(observed.label).not.toMatch(new RegExp(image.can));
        expect(pass, `${s.id}: observed ${observed.label}`).toBe(true);
        // The card side always ends with the verifier's close, never with an error of its own.
        expect(r.card).toMatchObject({ ok: true, outcome: { code: 1000 } });
      } finally {
        clearTimeout(bound);
      }
    });
  }
});
