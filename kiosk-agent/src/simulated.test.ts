/**
 * Simulated is never genuine: a read on a simulated reader is signed `simulated: true` (and says so in its verdict),
 * a production agent does not fall back to simulated readers unless told to, and when the fallback switches, the
 * log, agent.status and /health all say it. PC/SC is a stand-in source here (no pcscd): a "PC/SC" reader holding a
 * simulated chip, which the agent must treat as a real reader.
 */
import type { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import { readResultSchema, verifyAgentSig } from '@cccd/client';
import { InProcessTransport, type PersonalisedCard, SimulatedCard } from '@cccd/simulator';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './config.js';
import type { Reader, ReaderSourceEvents } from './readers/types.js';
import type { AgentHandle } from './server.js';
import { authedClient, logLines, readParams, startTestAgent, usePrivacyNet } from './test-support/harness.js';

/** The stand-in PC/SC source of the agent under test: attach() and detach() play a reader being plugged. */
const pcsc = vi.hoisted(() => ({
  source: undefined as { attach(r: Reader): void; detach(r: Reader): void } | undefined,
}));

vi.mock('./readers/pcsc.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./readers/pcsc.js')>();
  class PcscSource {
    context = undefined;
    up = true;
    readonly readers = new Map<string, Reader>();
    constructor(private readonly events: EventEmitter<ReaderSourceEvents>) {
      pcsc.source = this;
    }
    async start() {}
    async close() {}
    attach(r: Reader) {
      this.readers.set(r.name, r);
      this.events.emit('attached', r);
    }
    detach(r: Reader) {
      this.readers.delete(r.name);
      this.events.emit('detached', r);
    }
  }
  return { ...actual, PcscSource };
});

usePrivacyNet();

/** A PC/SC reader as the hub sees one; the chip behind it happens to be simulated (the agent cannot know). */
class StandInPcscReader implements Reader {
  readonly kind = 'pcsc' as const;
  readonly readerId = 'pcsc-standin';
  readonly name = 'Stand-in PC/SC reader';
  constructor(private readonly image: PersonalisedCard) {}
  cardPresent() {
    return true;
  }
  async open() {
    const transport = new InProcessTransport(new SimulatedCard(this.image, { extendedLength: true }));
    return { transport, close: async () => {} };
  }
}

function health(agent: AgentHandle): Promise<{ simulated?: boolean; pcsc?: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: agent.port, path: '/health' }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}

/** The agent's `simulated-readers` log records since line `from`. */
const simulationLogs = (from = 0) =>
  logLines()
    .slice(from)
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((r) => r.event === 'simulated-readers');

const FALLBACK = { simulate: false, simulateWhenNoReader: true, allowSimulatedReaders: true, pcsc: true } as const;

describe('simulated reads are signed as simulated', () => {
  it('a simulated reader: simulated: true under agentSig, and the verdict says it is not a real card', async () => {
    const agent = await startTestAgent();
    const a = await authedClient(agent);
    const r = readResultSchema.parse((await a.client.request('read.start', readParams(a.nonce))).result);
    expect(r.simulated).toBe(true);
    expect(r.verification.reasons?.[0]).toMatchObject({ code: 'simulated-card', severity: 'warning' });
    const origin = 'https://his.example.vn';
    expect(await verifyAgentSig(r, { origin, nonce: a.nonce })).toBe(true);
    // Relabelling it as a real card breaks the signature.
    expect(await verifyAgentSig({ ...r, simulated: false }, { origin, nonce: a.nonce })).toBe(false);
    const { simulated: _dropped, ...unlabelled } = r;
    expect(readResultSchema.safeParse(unlabelled).success).toBe(false);
  });
});

describe('simulated readers on a production agent', () => {
  it('refuses to start with the no-reader fallback unless demo or allowSimulatedReaders says so', async () => {
    const production = { simulate: false, simulateWhenNoReader: true, pcsc: false } as const;
    const refused = await startTestAgent(production).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).key).toBe('simulateWhenNoReader');
    expect((refused as ConfigError).message).toContain('allowSimulatedReaders');
    const fromEnv = () => loadConfig({ env: { CCCD_AGENT_SIMULATE_WHEN_NO_READER: 'true' } });
    expect(fromEnv).toThrow(ConfigError);
    expect(parseConfig({ simulateWhenNoReader: true, demo: true }).simulateWhenNoReader).toBe(true);
    expect(parseConfig({ simulateWhenNoReader: true, allowSimulatedReaders: true }).allowSimulatedReaders).toBe(true);
    expect(
      loadConfig({
        env: { CCCD_AGENT_SIMULATE_WHEN_NO_READER: 'true', CCCD_AGENT_ALLOW_SIMULATED_READERS: 'true' },
      }).allowSimulatedReaders,
    ).toBe(true);
    // `simulate` names simulated readers outright (and turns PC/SC off): nothing is swapped silently.
    expect(parseConfig({ simulate: true }).simulate).toBe(true);
  });

  it('the fallback is never silent: warning, agent.status and /health follow it both ways', async () => {
    const before = logLines().length;
    const agent = await startTestAgent(FALLBACK);
    expect(simulationLogs(before)).toMatchObject([{ simulated: true, reason: 'no-reader', level: 40 }]);
    expect(await health(agent)).toMatchObject({ simulated: true, pcsc: 'up' });
    const a = await authedClient(agent);
    await a.client.waitFor((m) => m.method === 'agent.status' && m.params.simulated === true);

    const standIn = new StandInPcscReader(agent.simulatedReaders[0]!.image);
    const attachedAt = logLines().length;
    pcsc.source!.attach(standIn);
    await a.client.waitFor((m) => m.method === 'agent.status' && m.params.simulated === false);
    expect(simulationLogs(attachedAt)).toMatchObject([{ simulated: false, reason: 'reader-attached', level: 40 }]);
    expect(await health(agent)).toMatchObject({ simulated: false });
    const readers = (await a.client.request('readers.list')).result.readers;
    expect(readers.map((r: { readerId: string }) => r.readerId)).toEqual(['pcsc-standin']);

    const detachedAt = logLines().length;
    const seen = a.client.messages.length;
    pcsc.source!.detach(standIn);
    await a.client.waitFor(
      (m) => m.method === 'agent.status' && m.params.simulated === true && a.client.messages.indexOf(m) >= seen,
    );
    expect(simulationLogs(detachedAt)).toMatchObject([{ simulated: true, reason: 'no-reader' }]);
    expect(await health(agent)).toMatchObject({ simulated: true });
  });

  it('a PC/SC reader: simulated: false, and the simulator test CSCA is not trusted for it', async () => {
    const agent = await startTestAgent(FALLBACK);
    const standIn = new StandInPcscReader(agent.simulatedReaders[0]!.image);
    pcsc.source!.attach(standIn);
    const a = await authedClient(agent);
    const real = readResultSchema.parse(
      (await a.client.request('read.start', readParams(a.nonce, { readerId: standIn.readerId }))).result,
    );
    expect(real.simulated).toBe(false);
    expect(real.verification.overall).toBe('unknown-csca');
    expect(real.verification.reasons?.map((x) => x.code) ?? []).not.toContain('simulated-card');
    pcsc.source!.detach(standIn);
    const b = await authedClient(agent);
    const sim = readResultSchema.parse((await b.client.request('read.start', readParams(b.nonce))).result);
    expect(sim.simulated).toBe(true);
    expect(sim.verification.overall).toBe('authentic');
  });
});
