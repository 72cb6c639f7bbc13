// The one test file that restarts the machine's pcscd: other PC/SC test files must never do this.
import {
  canKey,
  EmrtdError,
  fromHex,
  readVerified,
  type TransmitOptions,
  type Transport,
  TrustStore,
  type VerifiedRead,
} from '@cccd/emrtd';
import { loadProfile, personalise, SimulatedCard, VPCD_DEFAULT_PORT, VpcdBridge } from '@cccd/simulator';
import { afterAll, afterEach, expect, it } from 'vitest';
import { outcomeOf, type ScenarioRecord, writeReliabilityArtifact } from '../../emrtd/src/testing/reliability.js';
import { PcscContext } from './context.js';
import { nextEvent } from './test-support/events.js';
import { restartPcscd } from './test-support/pcscd-control.js';
import { VpcdTestCard } from './test-support/vpcd-card.js';
import { PcscTransport } from './transport.js';

const SELECT_EMRTD = fromHex('00A4040C07A0000002471001');
const OK = Uint8Array.of(0x90, 0x00);

const ctx = new PcscContext({ backoff: { initialMs: 50, maxMs: 400 } });
const card = new VpcdTestCard({ handler: () => OK });
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  card.remove();
  await ctx.close();
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

// The resilience-matrix row of docs/reliability.md (scripts/reliability-report.mjs).
const records: ScenarioRecord[] = [];
afterAll(() => writeReliabilityArtifact('pcscd-restart', records));

it('keeps the event stream alive across a pcscd restart and transmits again after reconnect()', async () => {
  await card.insert();
  await ctx.waitForCard(card.reader, { timeoutMs: 5000 });
  const transport = await PcscTransport.open(ctx, card.reader, { extendedLength: false });
  expect(await transport.transmit(SELECT_EMRTD)).toEqual(OK);

  const service: string[] = [];
  ctx.on('service-down', () => service.push('down'));
  ctx.on('service-up', () => service.push('up'));
  const detached = nextEvent(ctx, 'reader-detached', (e) => e.name === card.reader, 10_000);
  const down = nextEvent(ctx, 'service-down', undefined, 10_000);
  const up = nextEvent(ctx, 'service-up', undefined, 15_000);
  const reattached = nextEvent(ctx, 'reader-attached', (e) => e.name === card.reader, 15_000);
  await restartPcscd();
  const [{ error }] = await down;
  expect(error.reason).toBe('no-service');
  await detached;
  await up;
  await reattached;
  expect(service).toEqual(['down', 'up']);

  // The old connection died with the daemon: a typed, retriable error, not a hang.
  const stale = await transport.transmit(SELECT_EMRTD, { timeoutMs: 2000 }).catch((e: unknown) => e);
  expect(stale).toBeInstanceOf(EmrtdError);
  expect((stale as EmrtdError).retriable).toBe(true);

  // vpcd dropped the card's socket when pcscd stopped: plug it in again, then the transport recovers.
  await card.insert(5000);
  await transport.reconnect({ timeoutMs: 10_000 });
  expect(await transport.transmit(SELECT_EMRTD)).toEqual(OK);
  expect((await ctx.readers()).map((r) => r.name)).toContain(card.reader);
});

/**
 * Pauses the read at an APDU boundary and restarts pcscd there: the session is mid-DG2 (secure messaging, card
 * handle held) but no APDU is in flight when the daemon dies. With an APDU in flight the pcsclite binding blocks the
 * event loop (see docs/reliability.md, findings), which no JavaScript timer can bound.
 */
class RestartBeforeNextApdu implements Transport {
  due = false;
  restartedAt = 0;
  constructor(private readonly inner: PcscTransport) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    if (this.due && !this.restartedAt) {
      this.restartedAt = performance.now();
      await restartPcscd();
    }
    return this.inner.transmit(command, options);
  }
  reconnect(options?: TransmitOptions) {
    return this.inner.reconnect(options);
  }
  atr() {
    return this.inner.atr();
  }
}

it('pcscd restarted mid-DG2 during a full verified read: resumes once the service and the card are back', async () => {
  const READER = 'Virtual PCD 00 00';
  const BOUND_MS = 30_000;
  const image = await personalise(loadProfile('cccd-2021-adult'), { seed: 9 });
  const store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  // vpcd drops the card's socket when pcscd stops; the bridge presents the card again every 300 ms until it works.
  const bridge = new VpcdBridge(new SimulatedCard(image), { port: VPCD_DEFAULT_PORT, reinsertAfterMs: 300 });
  cleanup.push(() => bridge.close());
  await bridge.insert();
  const own = new PcscContext({ backoff: { initialMs: 50, maxMs: 400 } });
  cleanup.push(() => own.close());
  const service: string[] = [];
  own.on('service-down', () => service.push('down'));
  own.on('service-up', () => service.push('up'));
  const outer = new AbortController();
  const bound = setTimeout(() => outer.abort(), BOUND_MS);
  let link: RestartBeforeNextApdu | undefined;
  const settled = await (async () => {
    await own.waitForCard(READER, { timeoutMs: 5000, signal: outer.signal });
    const transport = await PcscTransport.open(own, READER, {
      extendedLength: false,
      reconnectTimeoutMs: 15_000,
      signal: outer.signal,
    });
    cleanup.push(() => transport.close());
    const l = new RestartBeforeNextApdu(transport);
    link = l;
    return readVerified(l, canKey(image.can), {
      trustStore: store,
      groups: ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'],
      signal: outer.signal,
      onProgress: (p) => {
        if (p.file === 'DG2' && p.bytes >= 4000) l.due = true;
      },
    });
  })().then(
    (r: VerifiedRead) => ({ ok: true as const, r }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  const faultAt = link?.restartedAt ?? 0;
  const elapsedMs = faultAt ? performance.now() - faultAt : 0;
  clearTimeout(bound);
  const o = outcomeOf(settled, { elapsedMs, boundHit: outer.signal.aborted });
  const resumed = o.outcome === 'completed' && o.overall === 'authentic' && (o.resumes ?? 0) >= 1;
  const retriable = !settled.ok && settled.e instanceof EmrtdError && settled.e.retriable;
  const pass = faultAt > 0 && !o.boundHit && !o.thrownForeign && (resumed || retriable);
  records.push({
    id: 'pcsc/pcscd-restart-mid-read',
    suite: 'pcsc',
    category: 'PC/SC',
    stage: 'between two DG2 READ BINARY, after 4 KB',
    fault: 'pcscd stopped (SIGTERM), 300 ms down, started again; vpcd card re-presented every 300 ms',
    expected:
      'success after resume (reconnect + PACE + CA, continue DG2), authentic; else a typed retriable error — within 30 s',
    observed: `${o.label}; service ${service.join('→') || 'no events'}`,
    pass,
    status: pass ? 'pass' : 'fail',
    note:
      'pcscd restarted with an APDU in flight (kill right after a DG2 READ BINARY answer, the next one already sent) ' +
      'froze the test process in 9 of 10 runs (also with the card in another process): the Node main thread waits on a futex inside the pcsclite binding, ' +
      'no timer fires, and the read never ends, even after pcscd is back (PcscTransport/PcscContext or the binding ' +
      'take a native lock on the main thread while a transmit holds it). The matrix row therefore restarts pcscd at ' +
      'an APDU boundary; the in-flight case needs a fix in @cccd/pcsc before it can be a bounded row.',
    ms: Math.round(o.elapsedMs),
  });
  expect(faultAt, 'the restart happened mid-DG2').toBeGreaterThan(0);
  expect(o.thrownForeign, 'only typed errors').toBe(false);
  expect(o.boundHit, 'bounded').toBe(false);
  expect(pass, `observed ${o.label}`).toBe(true);
  expect(service.slice(-2)).toEqual(['down', 'up']);
});
