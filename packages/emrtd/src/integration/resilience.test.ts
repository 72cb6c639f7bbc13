/**
 * Resilience matrix, in process: a full verified read (PACE-CAN, CA, DG1/2/13/14/15, SOD, AA, PA) against the
 * simulator with one fault per scenario — tag loss at every stage, the status words real cards give, SM failures,
 * truncated, slow and mute answers, tampered and garbage files. Each scenario states its expected outcome (success
 * after resume, or which typed error/verdict), asserts it, and is bounded twice: the reader's per-exchange
 * deadline and an outer AbortSignal. Results go to artifacts/reliability/in-process.json for
 * scripts/reliability-report.mjs (docs/reliability.md).
 *
 * Stages are located in a clean run's transcript (the Nth GENERAL AUTHENTICATE, the SELECT before DG2's body…) so
 * the faults keep hitting the named step when the reader's APDU sequence changes.
 */
import {
  type CardOptions,
  InProcessTransport,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardRemoved } from '../errors.js';
import { type AccessKey, canKey, mrzKey } from '../keys/access-key.js';
import { readVerified } from '../read/read.js';
import type { VerifiedReadOptions } from '../read/types.js';
import {
  type Observed,
  outcomeOf,
  type ScenarioRecord,
  TAG_LOSS_OFFSETS,
  TAG_LOSS_STEPS,
  writeReliabilityArtifact,
} from '../testing/reliability.js';
import type { TransmitOptions, Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';

const GROUPS: VerifiedReadOptions['groups'] = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'];
/** Outer bound per scenario: nothing may take longer, whatever the fault. */
const SCENARIO_BOUND_MS = 10_000;
/** Reader deadline per exchange (in-process answers are instant unless a latency fault says otherwise). */
const EXCHANGE_TIMEOUT_MS = 400;

interface Exchange {
  ins: number;
  sm: boolean;
  responseBytes: number;
}

class RecordingTransport implements Transport {
  readonly log: Exchange[] = [];
  constructor(readonly inner: InProcessTransport) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    const r = await this.inner.transmit(command, options);
    this.log.push({ ins: command[1]!, sm: (command[0]! & 0x0c) === 0x0c, responseBytes: r.length });
    return r;
  }
  reconnect(options?: TransmitOptions) {
    return this.inner.reconnect(options);
  }
}

/** A reader whose card never comes back: reconnect fails as a real one does after its wait. */
class NoReturnTransport implements Transport {
  constructor(readonly inner: InProcessTransport) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  transmit(command: Uint8Array, options?: TransmitOptions) {
    return this.inner.transmit(command, options);
  }
  async reconnect(): Promise<void> {
    throw new CardRemoved({ step: 'reconnect' });
  }
}

let image: PersonalisedCard;
let store: TrustStore;
/** Positions in a clean full read: index into the exchange list (0-based) and per-INS ordinal (1-based). */
const at: Record<string, { index: number; nth: number; smNth: number }> = {};
const records: ScenarioRecord[] = [];

function locate(log: Exchange[]) {
  const pick = (name: string, index: number) => {
    if (index < 0) throw new Error(`stage ${name} not found in the clean transcript`);
    const ins = log[index]!.ins;
    const upTo = log.slice(0, index + 1);
    at[name] = { index, nth: upTo.filter((e) => e.ins === ins).length, smNth: upTo.filter((e) => e.sm).length };
  };
  const nthIndex = (ins: number, n: number) => {
    let seen = 0;
    return log.findIndex((e) => e.ins === ins && ++seen === n);
  };
  pick('CardAccess READ', nthIndex(0xb0, 1));
  pick('PACE MSE:Set AT', nthIndex(0x22, 1));
  for (let k = 1; k <= 4; k++) pick(`PACE GA ${k}`, nthIndex(0x86, k));
  pick(
    'SELECT application',
    log.findIndex((e) => e.ins === 0xa4 && e.sm),
  );
  pick('CA MSE:Set AT', nthIndex(0x22, 2));
  pick('CA GENERAL AUTHENTICATE', nthIndex(0x86, 5));
  pick('AA INTERNAL AUTHENTICATE', nthIndex(0x88, 1));
  const dg2Body = log.reduce(
    (best, e, i) => (e.ins === 0xb0 && e.responseBytes > log[best]!.responseBytes ? i : best),
    0,
  );
  pick('DG2 READ (body)', dg2Body);
  let sel = dg2Body;
  while (sel > 0 && log[sel]!.ins !== 0xa4) sel--;
  pick('SELECT DG2', sel);
  pick(
    'SELECT DG13',
    log.findIndex((e, i) => i > dg2Body && e.ins === 0xa4),
  );
}

beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 5 });
  store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  const clean = new RecordingTransport(new InProcessTransport(new SimulatedCard(image, { extendedLength: true })));
  const r = await readVerified(clean, canKey(image.can), { trustStore: store, groups: GROUPS });
  expect(r.verification.overall).toBe('authentic');
  locate(clean.log);
}, 60_000);

afterAll(() => writeReliabilityArtifact('in-process', records));

const mrzOf = (card: PersonalisedCard): AccessKey => {
  const m = card.mrzInformation;
  return mrzKey(m.slice(0, 9), m.slice(10, 16), m.slice(17, 23));
};

interface Scenario {
  id: string;
  category: string;
  stage: string;
  fault: string;
  expected: string;
  check: (o: Observed) => boolean;
  /**
   * A known deviation from `expected` that is still safe (typed, bounded, never a false "authentic"): accepted,
   * and reported as a finding in docs/reliability.md until the reader meets `expected`.
   */
  failSafe?: { check: (o: Observed) => boolean; note: string };
  card?: () => CardOptions;
  reader?: Partial<VerifiedReadOptions>;
  key?: 'can' | 'mrz' | 'wrong-can';
  wrap?: (t: InProcessTransport) => Transport;
  /** Abort from a progress event (operator cancels). */
  abortWhen?: (p: { file: string; bytes: number }) => boolean;
}

const authentic = (o: Observed) => o.outcome === 'completed' && o.overall === 'authentic';
const resumed = (o: Observed) => authentic(o) && (o.reconnects ?? 0) >= 1;
const failed = (code: string) => (o: Observed) => o.outcome === 'error' && o.code === code;
const lossAt = (stage: string) => () => ({ faults: [`tag-loss-after-apdus=${at[stage]!.index}`] });
const swAt = (stage: string, sw: string) => () => ({ faults: [`sw=${ins(stage)}:${sw}:${at[stage]!.nth}`] });
const ins = (stage: string) => {
  const s = stage.toUpperCase();
  if (s.includes('MSE')) return '22';
  if (s.includes('GA') || s.includes('GENERAL')) return '86';
  if (s.includes('INTERNAL')) return '88';
  if (s.includes('SELECT')) return 'A4';
  return 'B0';
};

const SUCCESS_AFTER_RESUME = 'success after resume/restart, authentic';

const TAG_LOSS: Scenario[] = [
  ...TAG_LOSS_STEPS.map(
    (stage): Scenario => ({
      id: `tag-loss/${stage}`,
      category: 'tag loss',
      stage,
      fault: `tag-loss-after-apdus (at ${stage})`,
      expected: SUCCESS_AFTER_RESUME,
      check: resumed,
      card: lossAt(stage),
    }),
  ),
  ...TAG_LOSS_OFFSETS.map(
    ([file, offset]): Scenario => ({
      id: `tag-loss/${file}`,
      category: 'tag loss',
      stage: `READ BINARY ${file} at byte ${offset}`,
      fault: `tag-loss-at-offset=${file}:${offset}`,
      expected: SUCCESS_AFTER_RESUME,
      check: resumed,
      card: () => ({ faults: [`tag-loss-at-offset=${file}:${offset}`] }),
    }),
  ),
  {
    id: 'tag-loss/AA',
    category: 'tag loss',
    stage: 'AA INTERNAL AUTHENTICATE',
    fault: 'tag-loss-after-apdus (at INTERNAL AUTHENTICATE)',
    expected: 'completes; AA failure recorded (card-removed); verdict authentic on PA + CA',
    check: (o) => o.outcome === 'completed' && o.aa === 'failed:card-removed' && o.overall === 'authentic',
    card: lossAt('AA INTERNAL AUTHENTICATE'),
  },
  {
    id: 'tag-loss/no-return',
    category: 'tag loss',
    stage: 'READ BINARY DG2 at byte 4000, card never returns',
    fault: 'tag-loss-at-offset=DG2:4000 + reconnect fails',
    expected: 'CardRemoved',
    check: failed('card-removed'),
    card: () => ({ faults: ['tag-loss-at-offset=DG2:4000'] }),
    wrap: (t) => new NoReturnTransport(t),
  },
];

const STATUS_WORDS: Scenario[] = [
  {
    id: 'sw/6700-read',
    category: 'status word',
    stage: 'DG2 READ (extended)',
    fault: 'sw=B0:6700 on the DG2 body read',
    expected: 'success, block size stepped down (retries ≥ 1), authentic',
    check: (o) => authentic(o) && (o.retries ?? 0) >= 1,
    card: swAt('DG2 READ (body)', '6700'),
  },
  {
    id: 'sw/6Cxx-read',
    category: 'status word',
    stage: 'DG2 READ (extended)',
    fault: 'sw=B0:6CDF on the DG2 body read',
    expected: 'success at the size the card named (retries ≥ 1), authentic',
    check: (o) => authentic(o) && (o.retries ?? 0) >= 1,
    card: swAt('DG2 READ (body)', '6CDF'),
  },
  {
    id: 'sw/6F00-read',
    category: 'status word',
    stage: 'DG2 READ (extended)',
    fault: 'sw=B0:6F00 on the DG2 body read',
    expected: 'success after a step down (retries ≥ 1), authentic',
    check: (o) => authentic(o) && (o.retries ?? 0) >= 1,
    card: swAt('DG2 READ (body)', '6F00'),
  },
  {
    id: 'sw/6282-read-no-data',
    category: 'status word',
    stage: 'DG2 READ (extended)',
    fault: 'sw=B0:6282 with no data on the DG2 body read',
    expected: 'MalformedData (no data before the end of the file)',
    check: failed('malformed-data'),
    card: swAt('DG2 READ (body)', '6282'),
  },
  {
    id: 'sw/6A82-select',
    category: 'status word',
    stage: 'SELECT DG2',
    fault: 'sw=A4:6A82 on SELECT DG2',
    expected: 'completes; DG2 reported missing (not-found); verdict authentic for the rest',
    check: (o) => o.outcome === 'completed' && (o.missing ?? []).includes('DG2:not-found'),
    card: swAt('SELECT DG2', '6A82'),
  },
  {
    id: 'sw/6982-select',
    category: 'status word',
    stage: 'SELECT DG13',
    fault: 'sw=A4:6982 on SELECT DG13',
    expected: 'completes; DG13 reported missing (access-denied)',
    check: (o) => o.outcome === 'completed' && (o.missing ?? []).includes('DG13:access-denied'),
    card: swAt('SELECT DG13', '6982'),
  },
  ...['6987', '6988'].map(
    (sw): Scenario => ({
      id: `sw/${sw}-read`,
      category: 'status word',
      stage: 'DG2 READ (extended)',
      fault: `sw=B0:${sw} (SM error, in clear) on the DG2 body read`,
      expected: SUCCESS_AFTER_RESUME,
      check: resumed,
      card: swAt('DG2 READ (body)', sw),
    }),
  ),
  {
    id: 'sw/6300-pace',
    category: 'status word',
    stage: 'PACE GA 4',
    fault: 'sw=86:6300 on PACE mutual authentication',
    expected: 'AccessDenied (PACE), no retry storm',
    check: (o) => failed('access-denied')(o) && (o.exchanges ?? 99) < 20,
    card: swAt('PACE GA 4', '6300'),
  },
  {
    id: 'sw/6300-bac',
    category: 'status word',
    stage: 'BAC MUTUAL AUTHENTICATE',
    fault: 'sw=82:6300 (BAC with the MRZ key, PACE not preferred)',
    expected: 'AccessDenied (BAC)',
    check: failed('access-denied'),
    key: 'mrz',
    reader: { preferPace: false },
    card: () => ({ faults: ['sw=82:6300'] }),
  },
  {
    id: 'sw/6A80-mse-pace',
    category: 'status word',
    stage: 'PACE MSE:Set AT',
    fault: 'sw=22:6A80:1 (chip refuses PACE), MRZ key',
    expected: 'success via BAC fallback, authentic',
    check: (o) => authentic(o) && o.protocol === 'BAC',
    key: 'mrz',
    card: () => ({ faults: ['sw=22:6A80:1'] }),
  },
  {
    id: 'sw/6700-ca',
    category: 'status word',
    stage: 'CA GENERAL AUTHENTICATE',
    fault: 'sw=86:6700 on the CA general authenticate',
    expected: 'completes; CA refused before any proof (a warning, not a failure); verdict authentic on PA + AA',
    check: (o) => o.outcome === 'completed' && o.ca === 'refused' && o.overall === 'authentic',
    card: swAt('CA GENERAL AUTHENTICATE', '6700'),
  },
  {
    id: 'sw/6D00-aa',
    category: 'status word',
    stage: 'AA INTERNAL AUTHENTICATE',
    fault: 'sw=88:6D00 (INS not supported)',
    expected: 'completes; AA refused (6D00), a warning; verdict authentic on PA + CA',
    check: (o) => o.outcome === 'completed' && o.aa === 'refused:6D00' && o.overall === 'authentic',
    card: swAt('AA INTERNAL AUTHENTICATE', '6D00'),
  },
  {
    id: 'wrong-can',
    category: 'access',
    stage: 'PACE',
    fault: 'wrong CAN (no fault on the card)',
    expected: 'AccessDenied (PACE), ≤ 1 attempt',
    check: failed('access-denied'),
    key: 'wrong-can',
  },
];

const SM_AND_LINK: Scenario[] = [
  {
    id: 'sm/bad-mac',
    category: 'secure messaging',
    stage: '10th SM response',
    fault: 'corrupt-mac=10',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    card: () => ({ faults: ['corrupt-mac=10'] }),
  },
  {
    id: 'sm/ssc-desync-read',
    category: 'secure messaging',
    stage: 'DG2 READ (body) onwards',
    fault: 'wrong-ssc (from the DG2 body answer)',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    card: () => ({ faults: [`wrong-ssc=${at['DG2 READ (body)']!.smNth}`] }),
  },
  {
    id: 'sm/ssc-desync-ca',
    category: 'secure messaging',
    stage: 'CA GENERAL AUTHENTICATE answer (old keys)',
    fault: 'wrong-ssc (from the CA answer)',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    failSafe: {
      check: (o) => o.outcome === 'completed' && o.ca === 'failed' && o.overall !== 'authentic',
      note:
        'F1: an SM failure on the CA answer (still under the PACE keys) is recorded as a CA failure and the verdict ' +
        'is invalid — a false rejection of a genuine card (never a false accept). Ideal: treat it as transient, ' +
        'resume and redo CA.',
    },
    card: () => ({ faults: [`wrong-ssc=${at['CA GENERAL AUTHENTICATE']!.smNth}`] }),
  },
  {
    id: 'sm/bad-mac-ca',
    category: 'secure messaging',
    stage: 'CA GENERAL AUTHENTICATE answer (old keys)',
    fault: 'corrupt-mac (the CA answer)',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    failSafe: {
      check: (o) => o.outcome === 'completed' && o.ca === 'failed' && o.overall !== 'authentic',
      note: 'F1 (as above): a corrupted MAC on the CA answer ends as CA failed, verdict invalid.',
    },
    card: () => ({ faults: [`corrupt-mac=${at['CA GENERAL AUTHENTICATE']!.smNth}`] }),
  },
  {
    id: 'link/truncated-pace',
    category: 'link',
    stage: 'PACE GA 3',
    fault: 'truncate-response (PACE key agreement answer)',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    failSafe: {
      check: (o) => o.outcome === 'error' && o.code === 'access-denied',
      note:
        'F2: the cut answer leaves two payload bytes where the SW should be; PACE took a 6x/9x one (e.g. 9146) ' +
        'as "chip refuses PACE" and ended in AccessDenied. Data before an error or proprietary SW of a plain ' +
        'command is now a retriable transport error (ISO 7816-4 §5.6); only a cut leaving a bare SW lands here.',
    },
    card: () => ({ faults: [`truncate-response=${at['PACE GA 3']!.index + 1}`] }),
  },
  {
    id: 'link/truncated-read',
    category: 'link',
    stage: 'DG2 READ (body)',
    fault: 'truncate-response (DG2 body)',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    card: () => ({ faults: [`truncate-response=${at['DG2 READ (body)']!.index + 1}`] }),
  },
  {
    id: 'link/slow-card',
    category: 'link',
    stage: 'every exchange',
    fault: 'latency-ms=5',
    expected: 'success, authentic (slower)',
    check: authentic,
    card: () => ({ faults: ['latency-ms=5'] }),
  },
  {
    id: 'link/too-slow-card',
    category: 'link',
    stage: 'every exchange',
    fault: 'latency-ms=150 with a 60 ms reader deadline',
    expected: 'Timeout',
    check: failed('timeout'),
    card: () => ({ faults: ['latency-ms=150'] }),
    reader: { timeoutMs: 60 },
  },
  {
    id: 'link/mute-resume',
    category: 'link',
    stage: 'DG2 READ (body)',
    fault: 'mute-after (at the DG2 body), re-tap wakes it',
    expected: SUCCESS_AFTER_RESUME,
    check: resumed,
    card: () => ({ faults: [`mute-after=${at['DG2 READ (body)']!.index}`] }),
  },
  {
    id: 'link/mute-no-resume',
    category: 'link',
    stage: 'DG2 READ (body)',
    fault: 'mute-after (at the DG2 body), maxResumes 0',
    expected: 'Timeout',
    check: failed('timeout'),
    card: () => ({ faults: [`mute-after=${at['DG2 READ (body)']!.index}`] }),
    reader: { maxResumes: 0 },
  },
  {
    id: 'cancel/mid-dg2',
    category: 'cancellation',
    stage: 'DG2 after 4 KB',
    fault: 'operator aborts (AbortSignal) during DG2',
    expected: 'Cancelled',
    check: failed('cancelled'),
    abortWhen: (p) => p.file === 'DG2' && p.bytes >= 4000,
  },
];

const DATA: Scenario[] = [
  {
    id: 'data/tampered-dg13',
    category: 'data',
    stage: 'passive authentication',
    fault: 'tamper-file=DG13',
    expected: 'PA invalid (DG13 mismatch), verdict invalid',
    check: (o) => o.outcome === 'completed' && o.overall === 'invalid' && (o.mismatch ?? []).includes('DG13'),
    card: () => ({ faults: ['tamper-file=DG13'] }),
  },
  {
    id: 'data/tampered-dg2',
    category: 'data',
    stage: 'passive authentication',
    fault: 'tamper-file=DG2:5000',
    expected: 'PA invalid (DG2 mismatch), verdict invalid',
    check: (o) => o.outcome === 'completed' && o.overall === 'invalid' && (o.mismatch ?? []).includes('DG2'),
    card: () => ({ faults: ['tamper-file=DG2:5000'] }),
  },
  {
    id: 'data/garbage-sod',
    category: 'data',
    stage: 'passive authentication',
    fault: 'garbage-file=SOD',
    expected: 'typed outcome: MalformedData, or PA invalid — never authentic',
    check: (o) => failed('malformed-data')(o) || (o.outcome === 'completed' && o.overall === 'invalid'),
    card: () => ({ faults: ['garbage-file=SOD'], random: seeded(11) }),
  },
  {
    id: 'data/garbage-dg13',
    category: 'data',
    stage: 'DG13 parse',
    fault: 'garbage-file=DG13',
    expected: 'typed error (MalformedData or CardError), never a crash',
    check: (o) => o.outcome === 'error' && (o.code === 'malformed-data' || o.code === 'card-error'),
    card: () => ({ faults: ['garbage-file=DG13'], random: seeded(12) }),
  },
  {
    id: 'data/garbage-dg1',
    category: 'data',
    stage: 'DG1 parse',
    fault: 'garbage-file=DG1',
    expected: 'typed error (MalformedData or CardError), never a crash',
    check: (o) => o.outcome === 'error' && (o.code === 'malformed-data' || o.code === 'card-error'),
    card: () => ({ faults: ['garbage-file=DG1'], random: seeded(13) }),
  },
];

/** Deterministic card randomness, so a garbage file is the same bytes on every run. */
function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

async function run(s: Scenario): Promise<Observed> {
  const inner = new InProcessTransport(new SimulatedCard(image, { extendedLength: true, ...s.card?.() }));
  let reconnects = 0;
  const reconnect = inner.reconnect.bind(inner);
  inner.reconnect = (options) => {
    reconnects++;
    return reconnect(options);
  };
  const transport = s.wrap ? s.wrap(inner) : inner;
  const key =
    s.key === 'mrz'
      ? mrzOf(image)
      : s.key === 'wrong-can'
        ? canKey(image.can === '000000' ? '111111' : '000000')
        : canKey(image.can);
  const outer = new AbortController();
  const bound = setTimeout(() => outer.abort(), SCENARIO_BOUND_MS);
  const started = performance.now();
  try {
    const read = readVerified(transport, key, {
      trustStore: store,
      groups: GROUPS,
      timeoutMs: EXCHANGE_TIMEOUT_MS,
      signal: outer.signal,
      ...(s.abortWhen ? { onProgress: (p) => s.abortWhen!(p) && outer.abort() } : {}),
      ...s.reader,
    });
    const result = await read.then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    const elapsed = performance.now() - started;
    const boundHit = outer.signal.aborted && !s.abortWhen;
    return outcomeOf(result, { elapsedMs: elapsed, stats: inner.card.stats, boundHit, reconnects });
  } finally {
    clearTimeout(bound);
  }
}

describe('resilience matrix (in process)', () => {
  for (const s of [...TAG_LOSS, ...STATUS_WORDS, ...SM_AND_LINK, ...DATA]) {
    it(`${s.id}: ${s.expected}`, async () => {
      const observed = await run(s);
      const ideal = !observed.boundHit && s.check(observed);
      const safe = !ideal && !observed.boundHit && s.failSafe?.check(observed) === true;
      const pass = ideal || safe;
      records.push({
        id: s.id,
        suite: 'in-process',
        category: s.category,
        stage: s.stage,
        fault: s.fault,
        expected: s.expected,
        observed: observed.label,
        pass,
        status: ideal ? 'pass' : safe ? 'fail-safe' : 'fail',
        ...(safe ? { note: s.failSafe!.note } : {}),
        ms: Math.round(observed.elapsedMs),
        modelledMs: Math.round(observed.modelledMs ?? 0),
      });
      expect(observed.thrownForeign, 'only typed errors').toBe(false);
      expect(observed.label).not.toMatch(new RegExp(image.can));
      expect(pass, `${s.id}: observed ${observed.label}`).toBe(true);
    });
  }

  it('covers at least 30 fault scenarios in process', () => {
    expect(TAG_LOSS.length + STATUS_WORDS.length + SM_AND_LINK.length + DATA.length).toBeGreaterThanOrEqual(30);
  });
});
