/**
 * Soak through the kiosk agent: the agent started in process (startAgent, simulated readers) and a few
 * CccdAgentClient instances (the published client over the `ws` WebSocket, as a Node front-desk app would use it)
 * reading in a loop for a configurable time. Each round every client runs one read.start on its own reader —
 * alternately a clinic check-in (no photo) and a bank KYC read (photo + evidence bundle, so DG2 and the whole
 * SOD cross the socket) — and every `reconnectEvery` rounds each client drops its socket and authenticates again
 * with a fresh ticket (session churn, as page reloads cause). Between rounds no read is in flight: GC forced, then
 * a sample of RSS, heap used, external + array buffers and active handles, and least-squares slopes exactly as in
 * the in-process soak (soak.ts).
 *
 * Agent, clients and simulated cards share this one process: a leak in any of them shows, and the figures are the
 * sum of the three (a kiosk's agent process holds only the agent and its readers).
 */
import { createRequire } from 'node:module';
import {
  CccdAgentClient,
  CccdAgentError,
  type CccdField,
  type ReadOptions,
  type WebSocketConstructor,
} from '@cccd/client';
import { BANK, CAN, CLINIC_FIELDS, HIS, mintTicket, newNonce } from '../kiosk-agent/src/test-support/harness.js';
import { type AgentHandle, agentWith } from './agent.js';
import {
  activeResources,
  collectWarnings,
  forcedGc,
  type SoakSample,
  type SoakSlopes,
  soakSlopes,
  takeSample,
} from './lib/sampling.js';

export interface AgentSoakOptions {
  /** Concurrent clients (default 4); client i reads on reader i mod readers. */
  clients?: number;
  /** Simulated readers (default 4). */
  readers?: number;
  /** Rounds between each client's disconnect + re-authentication; 0 = one session per client for the whole soak. */
  reconnectEvery?: number;
  sampleEveryMs?: number;
}

export interface AgentSoakResult extends SoakSlopes {
  via: 'agent';
  clients: number;
  readers: number;
  reconnectEvery: number;
  durationMs: number;
  rounds: number;
  reads: number;
  failures: number;
  /** Failed reads by error code (client-side CccdAgentError code, or 'not-authentic'). */
  failureCodes: Record<string, number>;
  /** Sessions authenticated over the soak (clients × (1 + reconnections)). */
  sessions: number;
  samples: number;
  first: SoakSample;
  last: SoakSample;
  /** Active handles/requests by type at the first and last sample. */
  resourcesFirst: Record<string, number>;
  resourcesLast: Record<string, number>;
  gcForced: boolean;
  warnings: string[];
}

interface WsModule {
  WebSocket: new (
    url: string,
    protocols: string | string[] | undefined,
    options: { headers: Record<string, string> },
  ) => object;
}

/** `ws`'s WebSocket with the Origin header a browser would send (the agent's gate refuses sockets without one). */
function originWebSocket(origin: string): WebSocketConstructor {
  // 'ws' is a dependency of the kiosk agent (the client package is browser-first and has none).
  const ws = createRequire(new URL('../kiosk-agent/package.json', import.meta.url))('ws') as WsModule;
  return class extends ws.WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { Origin: origin } });
    }
  } as unknown as WebSocketConstructor;
}

interface ReadKind {
  origin: string;
  purpose: string;
  fields: CccdField[];
  extra: Partial<ReadOptions>;
}

const CLINIC: ReadKind = { origin: HIS, purpose: 'clinic-checkin', fields: [...CLINIC_FIELDS], extra: {} };
const KYC: ReadKind = {
  origin: BANK,
  purpose: 'bank-kyc',
  fields: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'photo'],
  extra: { includeEvidence: true, consentRef: 'soak-consent' },
};

const sockets = new Map<string, WebSocketConstructor>();

async function connectClient(agent: AgentHandle, kind: ReadKind): Promise<CccdAgentClient> {
  let WebSocket = sockets.get(kind.origin);
  if (!WebSocket) {
    WebSocket = originWebSocket(kind.origin);
    sockets.set(kind.origin, WebSocket);
  }
  const client = new CccdAgentClient({ WebSocket, reconnect: false });
  await client.connect(`ws://127.0.0.1:${agent.port}/v1`, {
    getTicket: () =>
      mintTicket(agent.agentId, { origin: kind.origin, purpose: kind.purpose, fields: kind.fields, nonce: newNonce() }),
  });
  return client;
}

export async function runAgentSoak(durationMs: number, options: AgentSoakOptions = {}): Promise<AgentSoakResult> {
  const clients = options.clients ?? 4;
  const readers = options.readers ?? 4;
  const reconnectEvery = options.reconnectEvery ?? 25;
  const sampleEveryMs = options.sampleEveryMs ?? 250;
  // Sessions must outlive the soak when there is no churn.
  const { agent, done } = await agentWith(readers, clients, { idleSessionMs: 24 * 3600_000 });
  const gc = forcedGc();
  const warnings = collectWarnings();
  const ids = agent.simulatedReaders.map((r) => r.readerId);
  const kinds = Array.from({ length: clients }, (_, i) => (i % 2 === 0 ? CLINIC : KYC));
  const failureCodes: Record<string, number> = {};
  const fail = (code: string) => {
    failureCodes[code] = (failureCodes[code] ?? 0) + 1;
  };
  const samples: SoakSample[] = [];
  const resources: Record<string, number>[] = [];
  let active: CccdAgentClient[] = [];
  let sessions = 0;
  let rounds = 0;
  let reads = 0;
  let warned: string[] = [];
  const start = performance.now();
  let end = start;
  try {
    active = await Promise.all(kinds.map((k) => connectClient(agent, k)));
    sessions += clients;
    let nextSample = 0;
    while (performance.now() - start < durationMs) {
      await Promise.all(
        active.map(async (client, i) => {
          const kind = kinds[i]!;
          try {
            const r = await client.read({
              accessKey: { can: CAN },
              fields: kind.fields,
              purpose: kind.purpose,
              readerId: ids[i % ids.length]!,
              ...kind.extra,
            });
            if (r.verification.overall !== 'authentic') fail('not-authentic');
          } catch (e) {
            fail(e instanceof CccdAgentError ? e.code : 'unexpected');
          }
        }),
      );
      rounds++;
      reads += clients;
      const churn = reconnectEvery > 0 && rounds % reconnectEvery === 0;
      if (churn) {
        for (const c of active) c.close();
        active = await Promise.all(kinds.map((k) => connectClient(agent, k)));
        sessions += clients;
      }
      const t = performance.now() - start;
      // A churn round is not sampled: the agent may still be tearing the old sockets down.
      if (t >= nextSample && !churn) {
        samples.push(takeSample(t, reads, gc));
        resources.push(activeResources());
        nextSample = t + sampleEveryMs;
      }
    }
    end = performance.now();
  } finally {
    for (const c of active) c.close();
    await done();
    warned = warnings.stop();
  }
  const failures = Object.values(failureCodes).reduce((a, b) => a + b, 0);
  if (samples.length === 0) throw new Error('agent soak took no sample: duration too short');
  return {
    via: 'agent',
    clients,
    readers,
    reconnectEvery,
    durationMs: end - start,
    rounds,
    reads,
    failures,
    failureCodes,
    sessions,
    samples: samples.length,
    ...soakSlopes(samples),
    first: samples[0]!,
    last: samples[samples.length - 1]!,
    resourcesFirst: resources[0]!,
    resourcesLast: resources[resources.length - 1]!,
    gcForced: gc !== undefined,
    warnings: warned,
  };
}
