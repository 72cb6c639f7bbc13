/**
 * Resilience matrix, agent rows: the kiosk agent in process (port 0, simulated readers, no pcscd) under client,
 * reader, network and PC/SC faults — a client gone mid-read, a reader unplugged, a card lifted, connection and
 * message floods, hostile frames, replayed tickets, foreign origins and hosts, no card, cancellation, two clients on
 * one reader, a mute chip, pcscd down (a stand-in binding), shutdown. Each scenario states its expected outcome,
 * asserts it, is bounded by an outer timer, and records the time from the fault to the outcome in
 * artifacts/reliability/agent.json for scripts/reliability-report.mjs (docs/reliability.md).
 */
import type { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import { readResultSchema } from '@cccd/client';
import { type ScenarioRecord, writeReliabilityArtifact } from '@cccd/emrtd/testing';
import type { PcscContextOptions } from '@cccd/pcsc';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { verifyAuditChain } from './audit.js';
import type { AgentHandle } from './server.js';
import {
  authedClient,
  CITIZEN,
  closedAtLeast,
  connect,
  mintTicket,
  newNonce,
  type RpcResponse,
  readParams,
  refusedStatus,
  startTestAgent,
  type TestClient,
  usePrivacyNet,
  type Wire,
} from './test-support/harness.js';

// ---------------------------------------------------------------- PC/SC stand-in

/**
 * pcsclite stand-in for the agent's PcscContext: while `down`, SCardEstablishContext fails with
 * SCARD_E_NO_SERVICE; while up, the service answers with no readers. `kill()` makes the live context report the
 * service gone, as the binding does when pcscd exits.
 */
const pcscd = vi.hoisted(() => ({ down: true, live: undefined as (EventEmitter & { close(): void }) | undefined }));

vi.mock('@cccd/pcsc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@cccd/pcsc')>();
  const { EventEmitter: Emitter } = await import('node:events');
  const factory = () => {
    if (pcscd.down) throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
    const native = Object.assign(new Emitter(), {
      close() {},
      start(cb: (err: unknown, readers?: Buffer) => void) {
        cb(undefined, Buffer.from('\0'));
      },
    });
    // The binding enumerates on the next tick, like pcsclite's JS glue.
    process.nextTick(() => native.start(() => {}));
    pcscd.live = native;
    return native as never;
  };
  class PcscContext extends actual.PcscContext {
    constructor(options: PcscContextOptions = {}) {
      super({ ...options, factory, backoff: { initialMs: 50, maxMs: 100 } });
    }
  }
  return { ...actual, PcscContext };
});

// ---------------------------------------------------------------- scenario bookkeeping

usePrivacyNet();

/** Outer bound per scenario: nothing may take longer, whatever the fault. */
const SCENARIO_BOUND_MS = 8_000;
/** A slow card (each answer 15 ms later) so a read can be interrupted in the middle. */
const SLOW = ['latency-ms=15'];

const records: ScenarioRecord[] = [];
afterAll(() => writeReliabilityArtifact('agent', records));

interface Row {
  id: string;
  stage: string;
  fault: string;
  expected: string;
}

interface Outcome {
  observed: string;
  pass: boolean;
  /** A safe deviation from `expected` (typed, bounded, no data to the wrong party): accepted, reported as a finding. */
  failSafe?: string;
  /** Time to the outcome when it is not the end of the scenario (checks on bystanders follow it). */
  ms?: number;
}

/** Time to outcome runs from mark() (the fault), or from the start of the scenario when it is never called. */
interface Clock {
  mark(): void;
  since(): number;
}

async function scenario(row: Row, run: (clock: Clock) => Promise<Outcome>): Promise<void> {
  let t0 = performance.now();
  const clock: Clock = {
    mark: () => {
      t0 = performance.now();
    },
    since: () => Math.round(performance.now() - t0),
  };
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ observed: `no outcome within ${SCENARIO_BOUND_MS} ms — outer bound hit`, pass: false }),
      SCENARIO_BOUND_MS,
    );
  });
  const settled = run(clock).catch(
    (e: unknown): Outcome => ({
      observed: `scenario broke: ${e instanceof Error ? e.message : String(e)}`,
      pass: false,
    }),
  );
  const o = await Promise.race([settled, bound]);
  clearTimeout(timer);
  const ms = o.ms ?? clock.since();
  const status = o.pass ? 'pass' : o.failSafe ? 'fail-safe' : 'fail';
  records.push({
    ...row,
    suite: 'agent',
    category: 'agent',
    observed: o.observed,
    pass: o.pass,
    status,
    ...(status === 'fail-safe' ? { note: o.failSafe } : {}),
    ms,
  });
  expect(status, `${row.id}: observed ${o.observed}`).not.toBe('fail');
}

const codeOf = (r: RpcResponse | Wire) => r?.error?.data?.code as string | undefined;
const errorLabel = (r: RpcResponse) => {
  if (!r.error) return 'a result';
  const reason = r.error.data?.details?.reason;
  const notes = [r.error.data?.retriable ? 'retriable' : '', typeof reason === 'string' ? `reason ${reason}` : ''];
  const extra = notes.filter(Boolean).join(', ');
  return `${codeOf(r)}${extra ? ` (${extra})` : ''}`;
};
const authentic = (r: RpcResponse) =>
  r.result !== undefined &&
  readResultSchema.safeParse(r.result).success &&
  r.result.verification.overall === 'authentic' &&
  r.result.fields.idNumber === CITIZEN.idNumber;
const progressed = (client: TestClient, stage: string) =>
  client.waitFor((m) => m.method === 'read.progress' && m.params.stage === stage, SCENARIO_BOUND_MS);
/** When a client's read reached the chip (access control) and when its result arrived. */
function chipSpan(client: TestClient): { start: number; end: number } {
  const span = { start: Number.NaN, end: Number.NaN };
  client.ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.method === 'read.progress' && m.params.stage === 'access-control' && Number.isNaN(span.start))
      span.start = performance.now();
    if (m.result?.fields) span.end = performance.now();
  });
  return span;
}
const errorsTo = (client: TestClient) => client.messages.filter((m) => m.error !== undefined);

function health(agent: AgentHandle): Promise<{ status: number; body: Wire }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: agent.port, path: '/health', timeout: 2000 }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    })
      .on('error', reject)
      .end();
  });
}

// ---------------------------------------------------------------- scenarios

describe('resilience matrix (agent, in process)', () => {
  it('client disconnects mid-read: the lease is freed and the next client reads', async () => {
    await scenario(
      {
        id: 'agent/client-gone',
        stage: 'read.start, DG13',
        fault: 'client socket terminated mid-read (no close frame)',
        expected: 'read cancelled, lease freed; the next client on the same reader reads (authentic)',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW }, limits: { leaseQueueTimeoutMs: 3_000 } });
        const a = await authedClient(agent);
        void a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' })).catch(() => undefined);
        await progressed(a.client, 'dg13');
        clock.mark();
        a.client.ws.terminate();
        const b = await authedClient(agent);
        const r = await b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-1' }));
        return {
          observed: `next client: ${authentic(r) ? 'authentic read' : errorLabel(r)} ${clock.since()} ms after the drop`,
          pass: authentic(r),
        };
      },
    );
  });

  it('reader unplugged mid-read: typed retriable error to that client only', async () => {
    await scenario(
      {
        id: 'agent/reader-unplugged',
        stage: 'read.start, DG13',
        fault: 'simulated reader sim-1 unplugged while another client reads on sim-2',
        expected:
          'ERR_READER_REMOVED/ERR_CARD_REMOVED (retriable) to the reader’s client only; the other read authentic',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { readers: 2, faults: SLOW } });
        const a = await authedClient(agent);
        const b = await authedClient(agent);
        const readA = a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' }));
        const readB = b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-2' }));
        await progressed(a.client, 'dg13');
        clock.mark();
        agent.simulatedReaders[0]!.unplug();
        const ra = await readA;
        const msA = clock.since();
        const rb = await readB;
        const typed = ['ERR_READER_REMOVED', 'ERR_CARD_REMOVED'].includes(codeOf(ra) ?? '');
        const onlyA = errorsTo(b.client).length === 0 && authentic(rb);
        return {
          observed: `${errorLabel(ra)} after ${msA} ms; other client: ${authentic(rb) ? 'authentic' : errorLabel(rb)}, ${errorsTo(b.client).length} errors`,
          pass: typed && ra.error?.data?.retriable === true && onlyA,
          ms: msA,
        };
      },
    );
  });

  it('tag lost mid-DG13, card straight back: the read resumes', async () => {
    await scenario(
      {
        id: 'agent/tag-loss-resume',
        stage: 'READ BINARY DG13 at byte 200',
        fault: 'tag-loss-at-offset=DG13:200 (the card is back at the next activation)',
        expected: 'success after resume, authentic',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: ['tag-loss-at-offset=DG13:200'] } });
        const a = await authedClient(agent);
        clock.mark();
        const r = await a.client.request('read.start', readParams(a.nonce));
        return { observed: authentic(r) ? 'authentic read' : errorLabel(r), pass: authentic(r) };
      },
    );
  });

  it('card lifted mid-read and re-tapped 300 ms later', async () => {
    await scenario(
      {
        id: 'agent/lift-retap',
        stage: 'read.start, DG13',
        fault: 'removeCard() mid-DG13, insertCard() 300 ms later',
        expected: 'success after resume (the reader waits for the re-tap), authentic',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW } });
        const reader = agent.simulatedReaders[0]!;
        const a = await authedClient(agent);
        const read = a.client.request('read.start', readParams(a.nonce));
        await progressed(a.client, 'dg13');
        clock.mark();
        reader.removeCard();
        const retap = setTimeout(() => reader.insertCard(), 300);
        const r = await read;
        const first = clock.since();
        if (authentic(r)) return { observed: `resumed, authentic after ${first} ms`, pass: true };
        clearTimeout(retap);
        reader.insertCard();
        // The safe fallback: the client is told to retry, and the retry after the re-tap reads the card.
        const again = await a.client.request('read.start', readParams(a.nonce));
        const safe = codeOf(r) === 'ERR_CARD_REMOVED' && r.error?.data?.retriable === true && authentic(again);
        return {
          observed: `${errorLabel(r)} after ${first} ms (no resume); client retry after the re-tap: ${authentic(again) ? 'authentic' : errorLabel(again)}`,
          pass: false,
          ...(safe
            ? {
                failSafe:
                  'agent/lift-retap: a simulated reader does not wait for a re-tap — SimulatedLink.reconnect ' +
                  '(kiosk-agent/src/readers/simulated.ts) throws CardRemoved at once when the card is off the reader, ' +
                  'so a lift-and-re-tap ends the read with ERR_CARD_REMOVED (retriable) and the client must retry; ' +
                  'PcscTransport.reconnect waits (re-tap grace, reconnectTimeoutMs) and resumes.',
              }
            : {}),
        };
      },
    );
  });

  it('100 connections at once: only 4 may wait unauthenticated, the existing session keeps reading', async () => {
    await scenario(
      {
        id: 'agent/connection-flood',
        stage: 'WebSocket upgrade, during a read',
        fault: '100 simultaneous upgrades from one origin, none authenticating (budget: 4 waiting per origin)',
        expected:
          'each newcomer replaces the oldest waiting socket (close 1013, try again): 96 closed, 4 left; the session already reading gets its authentic result',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW }, limits: { upgradesPerMinute: 1000 } });
        const a = await authedClient(agent);
        const read = a.client.request('read.start', readParams(a.nonce));
        await progressed(a.client, 'access-control');
        clock.mark();
        const attempts = await Promise.allSettled(Array.from({ length: 100 }, () => connect(agent)));
        const open = attempts.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
        const codes = await closedAtLeast(open, open.length - 4).catch(() => [] as number[]);
        const flooded = clock.since();
        const r = await read;
        const ping = await a.client.request('agent.ping');
        const h = await health(agent);
        const waiting = open.filter((c) => c.ws.readyState === c.ws.OPEN);
        await Promise.all(open.map((c) => c.close()));
        const all1013 = codes.every((c) => c === 1013);
        return {
          observed:
            `${open.length} upgraded, ${codes.length} closed (${[...new Set(codes)].join(', ')}), ${waiting.length} left waiting in ${flooded} ms; ` +
            `existing session: ${authentic(r) ? 'authentic read' : errorLabel(r)}, ping ${ping.result ? 'ok' : 'failed'}; /health ${h.status}`,
          pass:
            open.length === 100 &&
            codes.length === 96 &&
            waiting.length === 4 &&
            all1013 &&
            authentic(r) &&
            !!ping.result &&
            h.status === 200,
        };
      },
    );
  });

  it('message flood from one client: rate-limited, then closed; others unaffected', async () => {
    await scenario(
      {
        id: 'agent/message-flood',
        stage: 'authenticated session',
        fault: '150 JSON-RPC frames sent at once by one client',
        expected: 'ERR_RATE_LIMITED, then close 1008 for that client; a bystander reads normally',
      },
      async (clock) => {
        const agent = await startTestAgent();
        const { client } = await authedClient(agent);
        const bystander = await authedClient(agent);
        clock.mark();
        for (let i = 0; i < 150; i++) client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'agent.ping' }));
        const closed = await client.closed;
        const limited = client.messages.some((m) => codeOf(m) === 'ERR_RATE_LIMITED');
        const ms = clock.since();
        const r = await bystander.client.request('read.start', readParams(bystander.nonce));
        return {
          observed: `${limited ? 'ERR_RATE_LIMITED, ' : ''}close ${closed.code} after ${ms} ms; bystander: ${authentic(r) ? 'authentic read' : errorLabel(r)}`,
          pass: limited && closed.code === 1008 && authentic(r),
        };
      },
    );
  });

  it('garbage JSON mid-session: -32700, the session and others carry on', async () => {
    await scenario(
      {
        id: 'agent/garbage-json',
        stage: 'authenticated session',
        fault: 'truncated JSON, a binary frame, a batch array',
        expected: 'ERR_PARSE (-32700), invalid-request answers; same session pings, a bystander reads',
      },
      async (clock) => {
        const agent = await startTestAgent();
        const { client } = await authedClient(agent);
        const bystander = await authedClient(agent);
        clock.mark();
        client.sendRaw('{"jsonrpc": "2.0", "id": 1, "method": ');
        const parse = await client.waitFor((m) => m.error?.code === -32700);
        client.sendRaw(Buffer.from([0xff, 0x00, 0x13]));
        const binary = await client.waitFor((m) => m.error?.data?.details?.reason === 'binary');
        client.sendRaw('[{"jsonrpc":"2.0","id":9,"method":"agent.ping"}]');
        const batch = await client.waitFor((m) => m.error?.code === -32600);
        const ms = clock.since();
        const ping = await client.request('agent.ping');
        const r = await bystander.client.request('read.start', readParams(bystander.nonce));
        return {
          observed: `${codeOf(parse)}, ${codeOf(binary)}, ${codeOf(batch)} within ${ms} ms; session ping ${ping.result ? 'ok' : 'failed'}; bystander: ${authentic(r) ? 'authentic read' : errorLabel(r)}`,
          pass: codeOf(parse) === 'ERR_PARSE' && !!binary && !!batch && !!ping.result && authentic(r),
        };
      },
    );
  });

  it('oversize frame mid-session: close 1009, a read in progress elsewhere is unaffected', async () => {
    await scenario(
      {
        id: 'agent/oversize-frame',
        stage: 'authenticated session, another client reading',
        fault: '70 KB frame (limit 64 KiB)',
        expected: 'close 1009 for the sender only; the other client’s read completes, authentic',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW } });
        const { client } = await authedClient(agent);
        const reading = await authedClient(agent);
        const read = reading.client.request('read.start', readParams(reading.nonce));
        await progressed(reading.client, 'access-control');
        clock.mark();
        client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'agent.ping', pad: 'x'.repeat(70_000) }));
        const closed = await client.closed;
        const ms = clock.since();
        const r = await read;
        return {
          observed: `close ${closed.code} after ${ms} ms; other client: ${authentic(r) ? 'authentic read' : errorLabel(r)}`,
          pass: closed.code === 1009 && authentic(r),
        };
      },
    );
  });

  it('replayed ticket: refused; the session that used it first is unaffected', async () => {
    await scenario(
      {
        id: 'agent/ticket-replay',
        stage: 'session.authenticate',
        fault: 'a used ticket presented again on a new connection',
        expected: 'ERR_TICKET_INVALID (replayed); the first session still reads',
      },
      async (clock) => {
        const agent = await startTestAgent();
        const nonce = newNonce();
        const ticket = await mintTicket(agent.agentId, { nonce });
        const first = await connect(agent);
        const ok = await first.request('session.authenticate', { ticket });
        const thief = await connect(agent);
        clock.mark();
        const replay = await thief.request('session.authenticate', { ticket });
        const ms = clock.since();
        const denied = await thief.request('readers.list');
        const r = await first.request('read.start', readParams(nonce));
        const reason = replay.error?.data?.details?.reason;
        return {
          observed: `${codeOf(replay)} (${reason}) in ${ms} ms; replayer then ${codeOf(denied)}; first session: ${authentic(r) ? 'authentic read' : errorLabel(r)}`,
          pass:
            !!ok.result &&
            codeOf(replay) === 'ERR_TICKET_INVALID' &&
            reason === 'replayed' &&
            codeOf(denied) === 'ERR_UNAUTHENTICATED' &&
            authentic(r),
        };
      },
    );
  });

  for (const [id, fault, options, status] of [
    ['wrong-origin', 'Origin https://evil.example (not allow-listed)', { origin: 'https://evil.example' }, 403],
    ['wrong-host', 'Host rebind.example:port (DNS rebinding)', { host: 'rebind.example:31500' }, 421],
    ['no-subprotocol', 'no Sec-WebSocket-Protocol cccd-agent.v1', { protocol: null }, 400],
  ] as const) {
    it(`upgrade gate: ${id}`, async () => {
      await scenario(
        {
          id: `agent/${id}`,
          stage: 'WebSocket upgrade',
          fault,
          expected: `HTTP ${status}, no socket; the agent keeps serving`,
        },
        async (clock) => {
          const agent = await startTestAgent();
          clock.mark();
          const got = await refusedStatus(agent, options);
          const ms = clock.since();
          const { client } = await authedClient(agent);
          const ping = await client.request('agent.ping');
          return {
            observed: `HTTP ${got} in ${ms} ms; a legitimate client then ${ping.result ? 'pings' : 'fails'}`,
            pass: got === status && !!ping.result,
          };
        },
      );
    });
  }

  it('no card on the reader: ERR_CARD_TIMEOUT at the requested timeout', async () => {
    await scenario(
      {
        id: 'agent/no-card',
        stage: 'read.start, waiting for a card',
        fault: 'empty reader, read.start timeoutMs 1000',
        expected: 'ERR_CARD_TIMEOUT (retriable) after ~1 s; the reader is free again',
      },
      async (clock) => {
        const agent = await startTestAgent();
        const reader = agent.simulatedReaders[0]!;
        reader.removeCard();
        const a = await authedClient(agent);
        clock.mark();
        const r = await a.client.request('read.start', readParams(a.nonce, { timeoutMs: 1000 }));
        const ms = clock.since();
        reader.insertCard();
        const again = await a.client.request('read.start', readParams(a.nonce));
        return {
          observed: `${errorLabel(r)} after ${ms} ms; next read with the card: ${authentic(again) ? 'authentic' : errorLabel(again)}`,
          pass:
            codeOf(r) === 'ERR_CARD_TIMEOUT' &&
            r.error?.data?.retriable === true &&
            ms >= 950 &&
            ms < 3000 &&
            authentic(again),
        };
      },
    );
  });

  it('cancel mid-read: ERR_CANCELLED, the reader is freed', async () => {
    await scenario(
      {
        id: 'agent/cancel',
        stage: 'read.start, DG13',
        fault: 'read.cancel from the client mid-read',
        expected: 'ERR_CANCELLED; the next read on the reader is authentic',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW } });
        const a = await authedClient(agent);
        const read = a.client.request('read.start', readParams(a.nonce), 'read-1');
        await progressed(a.client, 'dg13');
        clock.mark();
        const cancel = await a.client.request('read.cancel', { requestId: 'read-1' });
        const r = await read;
        const ms = clock.since();
        const again = await a.client.request('read.start', readParams(a.nonce));
        return {
          observed: `cancel ${cancel.result?.cancelled ? 'accepted' : 'refused'}, ${errorLabel(r)} after ${ms} ms; next read: ${authentic(again) ? 'authentic' : errorLabel(again)}`,
          pass: cancel.result?.cancelled === true && codeOf(r) === 'ERR_CANCELLED' && authentic(again),
        };
      },
    );
  });

  it('two clients race for one reader: the second queues, both read', async () => {
    await scenario(
      {
        id: 'agent/race-queued',
        stage: 'reader lease',
        fault: 'two read.start on sim-1 in the same tick',
        expected: 'the second waits in the reader queue; both reads authentic, one after the other',
      },
      async () => {
        const agent = await startTestAgent();
        const a = await authedClient(agent);
        const b = await authedClient(agent);
        const spans = [a.client, b.client].map(chipSpan);
        const [ra, rb] = await Promise.all([
          a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' })),
          b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-1' })),
        ]);
        const [first, second] = [...spans].sort((x, y) => x.start - y.start);
        const gap = Math.round(second!.start - first!.end);
        return {
          observed: `both ${authentic(ra) && authentic(rb) ? 'authentic' : `${errorLabel(ra)} / ${errorLabel(rb)}`}; the second reached the chip ${gap} ms after the first one's result`,
          pass: authentic(ra) && authentic(rb) && gap >= 0,
        };
      },
    );
  });

  it('two clients race for one reader, queue wait too short: ERR_READER_BUSY', async () => {
    await scenario(
      {
        id: 'agent/race-busy',
        stage: 'reader lease',
        fault: 'second read.start on a busy sim-1, leaseQueueTimeoutMs 50',
        expected: 'ERR_READER_BUSY (retriable) to the second after ~50 ms; the first read authentic',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW }, limits: { leaseQueueTimeoutMs: 50 } });
        const a = await authedClient(agent);
        const b = await authedClient(agent);
        const first = a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' }));
        await progressed(a.client, 'access-control');
        clock.mark();
        const busy = await b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-1' }));
        const ms = clock.since();
        const ra = await first;
        return {
          observed: `second: ${errorLabel(busy)} after ${ms} ms; first: ${authentic(ra) ? 'authentic' : errorLabel(ra)}`,
          pass: codeOf(busy) === 'ERR_READER_BUSY' && busy.error?.data?.retriable === true && authentic(ra),
        };
      },
    );
  });

  it('chip goes mute mid-read: the read deadline ends it', async () => {
    await scenario(
      {
        id: 'agent/mute-chip',
        stage: 'read.start, after 20 APDUs',
        fault: 'mute-after=20 (the chip stops answering), readTimeoutMs 1500',
        expected: 'ERR_CARD_IO (timeout) at the read deadline; the reader is free again',
      },
      async (clock) => {
        const agent = await startTestAgent({
          simulation: { faults: ['mute-after=20'] },
          limits: { readTimeoutMs: 1500 },
        });
        const a = await authedClient(agent);
        clock.mark();
        const r = await a.client.request('read.start', readParams(a.nonce));
        const ms = clock.since();
        const list = await a.client.request('readers.list');
        return {
          observed: `${errorLabel(r)} after ${ms} ms; reader listed again: ${list.result?.readers?.length === 1}`,
          pass: codeOf(r) === 'ERR_CARD_IO' && ms < 1500 + 1000 && list.result?.readers?.length === 1,
        };
      },
    );
  });

  it('pcscd down (stand-in binding): agent.status pcsc down, no crash, back up when the service returns', async () => {
    await scenario(
      {
        id: 'agent/pcsc-down',
        stage: 'PC/SC service',
        fault: 'pcscd dies (stand-in binding reports SCARD_E_NO_SERVICE), then returns',
        expected:
          'agent.status {pcsc: down} to sessions, /health 200 pcsc down, read.start → ERR_PCSC_UNAVAILABLE; agent.status up when it returns',
      },
      async (clock) => {
        pcscd.down = false;
        const agent = await startTestAgent({ simulate: false, simulateWhenNoReader: false, pcsc: true });
        const a = await authedClient(agent);
        await a.client.waitFor((m) => m.method === 'agent.status' && m.params.pcsc === 'up', 3000);
        clock.mark();
        pcscd.down = true;
        pcscd.live?.emit('error', new Error('SCardGetStatusChange error: Service not available.(0x8010001d)'));
        const down = await a.client.waitFor((m) => m.method === 'agent.status' && m.params.pcsc === 'down', 3000);
        const downAt = a.client.messages.indexOf(down);
        const downMs = clock.since();
        const h = await health(agent);
        const r = await a.client.request('read.start', readParams(a.nonce));
        pcscd.down = false;
        const back = performance.now();
        await a.client.waitFor(
          (m) => m.method === 'agent.status' && m.params.pcsc === 'up' && a.client.messages.indexOf(m) > downAt,
          3000,
        );
        const upMs = Math.round(performance.now() - back);
        return {
          observed: `agent.status down after ${downMs} ms; /health ${h.status} pcsc ${h.body.pcsc}; read.start ${errorLabel(r)}; agent.status up ${upMs} ms after the service returned`,
          pass: h.status === 200 && h.body.pcsc === 'down' && codeOf(r) === 'ERR_PCSC_UNAVAILABLE',
        };
      },
    );
  });

  it('agent shut down mid-read: sockets closed with 4002, no partial result, audit chain intact', async () => {
    await scenario(
      {
        id: 'agent/shutdown-mid-read',
        stage: 'read.start, access control',
        fault: 'agent.close() while a read is in progress',
        expected: 'close 4002, no result sent, new connections refused, audit chain verifies',
      },
      async (clock) => {
        const agent = await startTestAgent({ simulation: { faults: SLOW } });
        const { client, nonce } = await authedClient(agent);
        void client.request('read.start', readParams(nonce)).catch(() => undefined);
        await progressed(client, 'access-control');
        clock.mark();
        await agent.close();
        const closed = await client.closed;
        const ms = clock.since();
        const refused = await connect(agent).then(
          (c) => c.close().then(() => false),
          () => true,
        );
        const audit = verifyAuditChain(`${agent.config.dataDir}/audit.jsonl`);
        const partial = client.messages.some((m) => m.result?.fields);
        return {
          observed: `close ${closed.code} after ${ms} ms; result sent: ${partial}; reconnect refused: ${refused}; audit chain ${audit.ok ? 'ok' : 'broken'}`,
          pass: closed.code === 4002 && !partial && refused && audit.ok,
        };
      },
    );
  });
});
