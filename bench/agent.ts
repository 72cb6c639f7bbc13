/**
 * Benchmark 5: the kiosk agent, started in process with simulated readers (startAgent).
 *
 * Delivery: from "result ready" (readVerified resolved inside the agent; marked by the '@cccd/emrtd' hook of
 * lib/agent-hook.ts, installed with vi.mock by the file that runs this) to the client holding the parsed
 * read.start response — i.e. the agent's own work after the read (field release, result signing, audit append,
 * serialisation) plus the WebSocket hop. Beside it: a bare `ws` echo round trip of a message of the same size on
 * the same machine. Both ends run in this process, so both use the same clock.
 *
 * Load: 50 authenticated clients and 4 simulated readers, every client reading in a loop on reader (i mod 4):
 * throughput, p50/p99 latency of read.start, and the process RSS (agent + clients: one process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AgentConfigInput } from '../kiosk-agent/src/config.js';
import { startAgent } from '../kiosk-agent/src/server.js';
import {
  baseConfig,
  CAN,
  CLINIC_FIELDS,
  connect,
  mintTicket,
  newNonce,
  type TestClient,
} from '../kiosk-agent/src/test-support/harness.js';
import { startRecording, stopRecording } from './lib/agent-hook.js';
import { median, quantile } from './lib/stats.js';

export type AgentHandle = Awaited<ReturnType<typeof startAgent>>;

export interface AgentDelivery {
  reads: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  echoP50Ms: number;
  echoP99Ms: number;
  /** Bytes of the read.start response frame (the echo uses the same size). */
  frameBytes: number;
  ratio: number;
}

export interface AgentLoad {
  clients: number;
  readers: number;
  reads: number;
  failures: number;
  seconds: number;
  readsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
}

const quiet = () =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });

/** An agent on port 0 with `readers` simulated readers, room for `sessions` clients, quiet logs, a temporary data folder. */
export async function agentWith(
  readers: number,
  sessions: number,
  limits: AgentConfigInput['limits'] = {},
): Promise<{ agent: AgentHandle; done: () => Promise<void> }> {
  const base = await baseConfig();
  const dataDir = mkdtempSync(join(tmpdir(), 'cccd-agent-bench-'));
  const agent = await startAgent({
    env: {},
    logDestination: quiet(),
    print: () => {},
    config: {
      ...base,
      dataDir,
      logLevel: 'info',
      simulation: { readers },
      // The bank read releases sex too, so DG2 (which carries it) goes in the evidence bundle (docs/agent-protocol.md).
      policy: (base.policy ?? []).map((r) => (r.fields.includes('photo') ? { ...r, fields: [...r.fields, 'sex'] } : r)),
      limits: {
        ...base.limits,
        maxSessions: sessions + 8,
        maxSessionsPerOrigin: sessions + 8,
        // Clients connect all at once: none should give way to another before authenticating.
        maxUnauthenticated: sessions + 8,
        maxUnauthenticatedPerOrigin: sessions + 8,
        upgradesPerMinute: 100_000,
        maxQueuePerReader: sessions,
        leaseQueueTimeoutMs: 120_000,
        readTimeoutMs: 120_000,
        ...limits,
      },
    },
  });
  return {
    agent,
    done: async () => {
      await agent.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function authed(agent: AgentHandle): Promise<{ client: TestClient; nonce: string }> {
  const nonce = newNonce();
  const client = await connect(agent);
  const r = await client.request('session.authenticate', { ticket: await mintTicket(agent.agentId, { nonce }) });
  if (r.error) throw new Error(`authentication refused: ${r.error.data?.code}`);
  return { client, nonce };
}

const readParams = (nonce: string, readerId?: string) => ({
  accessKey: { can: CAN },
  fields: [...CLINIC_FIELDS],
  purpose: 'clinic-checkin',
  nonce,
  ...(readerId ? { readerId } : {}),
});

interface WsLike {
  on(event: 'message', f: (data: Buffer) => void): void;
  once(event: 'open', f: () => void): void;
  send(data: string): void;
  close(): void;
}

/** Bare ws echo round trips with a payload of `bytes` characters. */
async function echoRoundTrips(bytes: number, n: number): Promise<number[]> {
  const ws = createRequire(new URL('../kiosk-agent/package.json', import.meta.url))('ws') as {
    WebSocketServer: new (o: {
      port: number;
      host: string;
    }) => {
      on(event: 'connection', f: (s: WsLike) => void): void;
      once(event: 'listening', f: () => void): void;
      address(): { port: number };
      close(f: () => void): void;
    };
    WebSocket: new (url: string) => WsLike;
  };
  const server = new ws.WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', r));
  server.on('connection', (s) => s.on('message', (d) => s.send(d.toString())));
  const client = new ws.WebSocket(`ws://127.0.0.1:${server.address().port}`);
  await new Promise<void>((r) => client.once('open', r));
  let pending: (() => void) | undefined;
  client.on('message', (d) => {
    JSON.parse(d.toString());
    pending?.();
  });
  const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { pad: 'x'.repeat(Math.max(0, bytes - 40)) } });
  const out: number[] = [];
  for (let i = 0; i < n + 5; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      pending = r;
      client.send(payload);
    });
    if (i >= 5) out.push(performance.now() - t0);
  }
  client.close();
  await new Promise<void>((r) => server.close(() => r()));
  return out;
}

export async function measureAgentDelivery(reads = 30): Promise<AgentDelivery> {
  const { agent, done } = await agentWith(1, 4);
  try {
    const { client, nonce } = await authed(agent);
    const deliveries: number[] = [];
    for (let i = 0; i < reads + 3; i++) {
      startRecording();
      const r = await client.request('read.start', readParams(nonce));
      const received = performance.now();
      const ready = stopRecording();
      if (r.error || ready.length !== 1) throw new Error(`agent read failed: ${r.error?.data?.code ?? 'no mark'}`);
      if (i >= 3) deliveries.push(received - ready[0]!);
    }
    const frameBytes = client.raw.at(-1)?.length ?? 0;
    await client.close();
    const echo = await echoRoundTrips(frameBytes, Math.max(reads, 50));
    const deliveryP50Ms = median(deliveries);
    const echoP50Ms = median(echo);
    return {
      reads,
      deliveryP50Ms,
      deliveryP99Ms: quantile(deliveries, 0.99),
      echoP50Ms,
      echoP99Ms: quantile(echo, 0.99),
      frameBytes,
      ratio: deliveryP50Ms / echoP50Ms,
    };
  } finally {
    await done();
  }
}

export async function measureAgentLoad(clients = 50, readers = 4, readsPerClient = 4): Promise<AgentLoad> {
  const { agent, done } = await agentWith(readers, clients);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  try {
    const ids = agent.simulatedReaders.map((r) => r.readerId);
    const sessions = await Promise.all(Array.from({ length: clients }, () => authed(agent)));
    const latencies: number[] = [];
    let failures = 0;
    const t0 = performance.now();
    await Promise.all(
      sessions.map(async ({ client, nonce }, i) => {
        for (let k = 0; k < readsPerClient; k++) {
          const s = performance.now();
          const r = await client.request('read.start', readParams(nonce, ids[i % ids.length]), `r${k}`);
          latencies.push(performance.now() - s);
          if (r.error) failures++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await Promise.all(sessions.map((s) => s.client.close()));
    return {
      clients,
      readers,
      reads: latencies.length,
      failures,
      seconds,
      readsPerSecond: latencies.length / seconds,
      p50Ms: median(latencies),
      p99Ms: quantile(latencies, 0.99),
      peakRssMb: peakRss / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    await done();
  }
}
