import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { PROTOCOL } from '@cccd/client';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from './audit.js';
import {
  authedClient,
  BANK,
  CITIZEN,
  closedAtLeast,
  connect,
  HIS,
  readParams,
  refusedStatus,
  startTestAgent,
  usePrivacyNet,
} from './test-support/harness.js';

usePrivacyNet();

function health(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: '/health' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('resource exhaustion', () => {
  it('100 clients at once: 4 may wait unauthenticated, the others are told to retry; the agent keeps serving', async () => {
    const agent = await startTestAgent({ limits: { upgradesPerMinute: 1000 } });
    const attempts = await Promise.allSettled(Array.from({ length: 100 }, () => connect(agent)));
    const open = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(open.length).toBe(100);
    const codes = await closedAtLeast(open, 96);
    expect(new Set(codes)).toEqual(new Set([1013]));
    expect(await health(agent.port)).toBe(200);
    const { client, nonce } = await authedClient(agent);
    expect((await client.request('read.start', readParams(nonce))).result.fields.idNumber).toBe(CITIZEN.idNumber);
    await Promise.all([client, ...open].map((c) => c.close()));
  });

  it('authenticated sessions are capped per origin and in all: the excess gets 503 before the upgrade', async () => {
    const agent = await startTestAgent({ limits: { maxSessions: 3, maxSessionsPerOrigin: 2 } });
    const his = [await authedClient(agent), await authedClient(agent)];
    expect(await refusedStatus(agent, { origin: HIS })).toBe(503);
    const bank = await authedClient(agent, { origin: BANK, purpose: 'bank-kyc', fields: ['idNumber'] });
    expect(await refusedStatus(agent, { origin: BANK })).toBe(503);
    await Promise.all([...his, bank].map((s) => s.client.close()));
    expect(await refusedStatus(agent, { origin: HIS })).toBe(101);
  });

  it('rate-limits upgrades per client and origin', async () => {
    const agent = await startTestAgent({ limits: { upgradesPerMinute: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        await connect(agent).then(
          (c) => c.close().then(() => 101),
          (e) => e.status,
        ),
      );
    expect(statuses).toEqual([101, 101, 101, 503, 503]);
  });

  it('refuses message floods and closes the flooding session only', async () => {
    const agent = await startTestAgent();
    const { client } = await authedClient(agent);
    const bystander = await authedClient(agent);
    for (let i = 0; i < 150; i++) client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'agent.ping' }));
    expect((await client.closed).code).toBe(1008);
    expect(client.messages.some((m) => m.error?.data?.code === 'ERR_RATE_LIMITED')).toBe(true);
    expect((await bystander.client.request('agent.ping')).result).toBeDefined();
  });

  it('reaps peers that stop answering pings and sockets that never authenticate', async () => {
    const agent = await startTestAgent({ limits: { heartbeatMs: 100, authTimeoutMs: 300 } });
    // A raw peer that completes the handshake and then never answers a ping.
    const dead = netConnect({ host: '127.0.0.1', port: agent.port });
    const ended = new Promise<void>((resolve) => dead.on('close', () => resolve()));
    dead.on('error', () => {});
    dead.resume();
    dead.write(
      [
        'GET /v1 HTTP/1.1',
        `Host: 127.0.0.1:${agent.port}`,
        `Origin: ${HIS}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: ${PROTOCOL}`,
        '',
        '',
      ].join('\r\n'),
    );
    await ended;
    const idle = await connect(agent);
    expect((await idle.closed).code).toBe(1008);
  });

  it('four simulated readers serve four parallel reads', async () => {
    const agent = await startTestAgent({ simulation: { readers: 4 } });
    const clients = await Promise.all([0, 1, 2, 3].map(() => authedClient(agent)));
    const results = await Promise.all(
      clients.map((c, i) => c.client.request('read.start', readParams(c.nonce, { readerId: `sim-${i + 1}` }))),
    );
    for (const r of results) expect(r.result.verification.overall).toBe('authentic');
  });
});

describe('graceful shutdown', () => {
  it('cancels reads, closes sockets with 4002, and leaves a verifiable audit chain', async () => {
    const agent = await startTestAgent({ simulation: { faults: ['latency-ms=15'] } });
    const { client, nonce } = await authedClient(agent);
    void client.request('read.start', readParams(nonce)).catch(() => undefined);
    await client.waitFor((m) => m.method === 'read.progress' && m.params.stage === 'access-control');
    await agent.close();
    expect((await client.closed).code).toBe(4002);
    expect(client.messages.some((m) => m.result?.fields)).toBe(false);
    await expect(connect(agent)).rejects.toThrow();
    const audit = verifyAuditChain(`${agent.config.dataDir}/audit.jsonl`);
    expect(audit.ok).toBe(true);
    expect(audit.records).toBeGreaterThanOrEqual(2);
  });
});
