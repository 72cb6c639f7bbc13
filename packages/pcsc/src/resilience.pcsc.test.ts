/**
 * Resilience matrix, PC/SC rows: a full verified read through the real pcscd + vpcd + the simulator's VpcdBridge,
 * with the card pulled (and re-tapped, or never), the bridge gone, another client holding the card exclusively, and
 * no card at all. Every scenario is bounded (transport deadlines + an outer AbortSignal) and recorded in
 * artifacts/reliability/pcsc.json for docs/reliability.md. pcscd restarts stay in pcscd-restart.pcsc.test.ts (the
 * one file allowed to restart the machine's daemon).
 */
import { canKey, readVerified, TrustStore, type VerifiedRead } from '@cccd/emrtd';
import { outcomeOf, type ScenarioRecord, writeReliabilityArtifact } from '@cccd/emrtd/testing';
import {
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
  VPCD_DEFAULT_PORT,
  VpcdBridge,
} from '@cccd/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { vpcdSlotsEmpty } from './test-support/presence.js';
import { PcscTransport } from './transport.js';

const READER = 'Virtual PCD 00 00';
const SCENARIO_BOUND_MS = 25_000;
const GROUPS = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'] as const;

let image: PersonalisedCard;
let store: TrustStore;
const records: ScenarioRecord[] = [];
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 9 });
  store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
}, 60_000);

afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

afterAll(() => writeReliabilityArtifact('pcsc', records));

/** A fresh card on slot 0, once pcscd no longer counts the previous test's card there. */
async function insert(faults: string[] = [], reinsertAfterMs?: number): Promise<VpcdBridge> {
  await vpcdSlotsEmpty([0]);
  const bridge = new VpcdBridge(new SimulatedCard(image, { faults }), {
    port: VPCD_DEFAULT_PORT,
    ...(reinsertAfterMs === undefined ? {} : { reinsertAfterMs }),
  });
  cleanup.push(() => bridge.close());
  await bridge.insert();
  return bridge;
}

function context(): PcscContext {
  const ctx = new PcscContext({ backoff: { initialMs: 50, maxMs: 400 } });
  cleanup.push(() => ctx.close());
  return ctx;
}

type Step = { file: string; bytes: number };

/** Waits for the card, opens the transport, reads and verifies; `during` fires once on the first DG2 progress ≥ 4 KB. */
async function verifiedRead(during?: () => void, reconnectTimeoutMs = 8000) {
  const ctx = context();
  const outer = new AbortController();
  const bound = setTimeout(() => outer.abort(), SCENARIO_BOUND_MS);
  const started = performance.now();
  let fired = false;
  const onProgress = (p: Step) => {
    if (!fired && during && p.file === 'DG2' && p.bytes >= 4000) {
      fired = true;
      during();
    }
  };
  try {
    const settled = await (async () => {
      await ctx.waitForCard(READER, { timeoutMs: 5000, signal: outer.signal });
      const transport = await PcscTransport.open(ctx, READER, {
        extendedLength: false,
        reconnectTimeoutMs,
        signal: outer.signal,
      });
      cleanup.push(() => transport.close());
      return readVerified(transport, canKey(image.can), {
        trustStore: store,
        groups: [...GROUPS],
        signal: outer.signal,
        onProgress,
      });
    })().then(
      (r: VerifiedRead) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    return outcomeOf(settled, { elapsedMs: performance.now() - started, boundHit: outer.signal.aborted });
  } finally {
    clearTimeout(bound);
  }
}

function record(
  id: string,
  stage: string,
  fault: string,
  expected: string,
  o: ReturnType<typeof outcomeOf>,
  pass: boolean,
) {
  records.push({
    id,
    suite: 'pcsc',
    category: 'PC/SC',
    stage,
    fault,
    expected,
    observed: o.label,
    pass,
    status: pass ? 'pass' : 'fail',
    ms: Math.round(o.elapsedMs),
  });
  expect(o.thrownForeign, 'only typed errors').toBe(false);
  expect(o.boundHit, 'bounded').toBe(false);
  expect(pass, `${id}: observed ${o.label}`).toBe(true);
}

const authenticAfterResume = (o: ReturnType<typeof outcomeOf>) =>
  o.outcome === 'completed' && o.overall === 'authentic' && (o.resumes ?? 0) >= 1;

describe('resilience matrix (PC/SC through pcscd + vpcd)', () => {
  it('no card on the reader: Timeout from waitForCard', async () => {
    await vpcdSlotsEmpty([0]);
    const ctx = context();
    const started = performance.now();
    const e = await ctx.waitForCard(READER, { timeoutMs: 600 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    const o = outcomeOf(e === undefined ? { ok: false, e: new Error('a card was found') } : { ok: false, e }, {
      elapsedMs: performance.now() - started,
    });
    record('pcsc/no-card', 'waitForCard', 'empty reader', 'Timeout after the 600 ms budget', o, o.code === 'timeout');
  });

  it('baseline: a clean read through pcscd is authentic', async () => {
    await insert();
    const o = await verifiedRead();
    record('pcsc/baseline', 'full read', 'none', 'success, authentic', o, o.overall === 'authentic');
  });

  it('card pulled mid-DG2 and re-tapped: resumes from the last good offset', async () => {
    await insert(['tag-loss-at-offset=DG2:6000'], 300);
    const o = await verifiedRead();
    record(
      'pcsc/card-pulled-retap',
      'READ BINARY DG2 at byte 6000',
      'tag-loss-at-offset=DG2:6000, re-tap after 300 ms',
      'success after resume, authentic',
      o,
      authenticAfterResume(o),
    );
  });

  it('card pulled mid-DG2 and never returned: CardRemoved within the reconnect budget', async () => {
    const bridge = await insert();
    const o = await verifiedRead(() => void bridge.remove(), 1500);
    record(
      'pcsc/card-pulled-gone',
      'READ BINARY DG2 after 4 KB',
      'VpcdBridge.remove(), no re-tap (reconnect budget 1.5 s)',
      'CardRemoved or Timeout (typed, bounded by the reconnect budget)',
      o,
      o.outcome === 'error' && (o.code === 'card-removed' || o.code === 'timeout'),
    );
  });

  it('reader link gone (bridge closed) mid-read: typed error, no hang', async () => {
    const bridge = await insert();
    const o = await verifiedRead(() => void bridge.close(), 1500);
    record(
      'pcsc/bridge-closed',
      'READ BINARY DG2 after 4 KB',
      'VpcdBridge.close() (the card side of the reader disappears)',
      'CardRemoved or Timeout (typed, bounded)',
      o,
      o.outcome === 'error' && (o.code === 'card-removed' || o.code === 'timeout'),
    );
  });

  it('another client holds the card exclusively: sharing violation, at once', async () => {
    await insert();
    const other = context();
    await other.waitForCard(READER, { timeoutMs: 5000 });
    const holder = await PcscTransport.open(other, READER, { shareMode: 'exclusive', extendedLength: false });
    cleanup.push(() => holder.close());
    const o = await verifiedRead();
    record(
      'pcsc/sharing-violation',
      'SCardConnect',
      'a second PC/SC client connected EXCLUSIVE',
      'PcscError sharing-violation (transport), no wait',
      o,
      o.outcome === 'error' && o.errorName === 'PcscError' && o.label.includes('transport'),
    );
  });
});
