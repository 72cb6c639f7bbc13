/**
 * Regression tests for the hostile-client review (docs/security.md, threats 11 and 18–20): a local process that
 * forges an allowed Origin, pipelines authentication attempts or floods refused upgrades must neither keep the
 * real page out nor fill the disk with log and audit lines.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { PROTOCOL } from '@cccd/client';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { verifyAuditChain } from './audit.js';
import type { AgentHandle } from './server.js';
import {
  authedClient,
  BANK,
  CITIZEN,
  connect,
  HIS,
  logLines,
  mintTicket,
  newNonce,
  readParams,
  startTestAgent,
  type TestClient,
  usePrivacyNet,
} from './test-support/harness.js';

usePrivacyNet();

const parsed = (from: number) =>
  logLines()
    .slice(from)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function auditLines(agent: AgentHandle): Record<string, unknown>[] {
  const file = join(agent.config.dataDir!, 'audit.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Sends a raw upgrade request (any Origin bytes, which Node's own client would refuse) and resolves the status. */
function rawUpgrade(port: number, origin: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => {
      socket.write(
        Buffer.concat([
          Buffer.from(
            `GET /v1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
              `Sec-WebSocket-Protocol: ${PROTOCOL}\r\nOrigin: `,
          ),
          origin,
          Buffer.from('\r\n\r\n'),
        ]),
      );
    });
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('no answer to the upgrade'));
    });
  });
}

const isOpen = (c: TestClient) => c.ws.readyState === WebSocket.OPEN;

describe('hostile local clients', () => {
  it('sockets that never authenticate cannot keep the real page out: they get a small budget of their own', async () => {
    const agent = await startTestAgent();
    // As many squatters as the origin has session slots (16): on the old agent the page then got 503.
    const squatters: TestClient[] = [];
    for (let i = 0; i < 16; i++) squatters.push(await connect(agent, { origin: HIS }));
    const { client, nonce } = await authedClient(agent);
    const read = await client.request('read.start', readParams(nonce));
    expect(read.result.fields.idNumber).toBe(CITIZEN.idNumber);
    // The budget is 4 waiting sockets per origin: the oldest gave way, told to try again later (1013).
    const evicted = await Promise.all(squatters.slice(0, 12).map((c) => c.closed));
    expect(new Set(evicted.map((e) => e.code))).toEqual(new Set([1013]));
    expect(squatters.filter(isOpen).length).toBeLessThanOrEqual(4);
    await Promise.all([client, ...squatters.filter(isOpen)].map((c) => c.close()));
  });

  it('five failed authentications close the socket even when 45 arrive back to back', async () => {
    const agent = await startTestAgent();
    const client = await connect(agent);
    const foreign = await mintTicket(agent.agentId, { origin: BANK });
    const frame = (id: number) =>
      JSON.stringify({ jsonrpc: '2.0', id, method: 'session.authenticate', params: { ticket: foreign } });
    for (let i = 0; i < 45; i++) client.sendRaw(frame(i));
    expect((await client.closed).code).toBe(1008);
    const answered = client.messages.filter((m) => m.id !== undefined && m.error);
    expect(answered.length).toBeLessThanOrEqual(5);
  });

  it('failed authentications write a few audit and log lines per minute, then one count', async () => {
    const agent = await startTestAgent();
    const from = logLines().length;
    const foreign = await mintTicket(agent.agentId, { origin: BANK });
    for (let s = 0; s < 10; s++) {
      const client = await connect(agent);
      for (let i = 0; i < 5; i++) await client.request('session.authenticate', { ticket: foreign });
      await client.closed;
    }
    await agent.close();
    const audit = auditLines(agent).filter((r) => r.event === 'auth');
    expect(audit.filter((r) => r.outcome !== 'suppressed').length).toBe(5);
    expect(audit.filter((r) => r.outcome === 'suppressed')).toEqual([
      expect.objectContaining({ origin: HIS, count: 45 }),
    ]);
    expect(verifyAuditChain(join(agent.config.dataDir!, 'audit.jsonl')).ok).toBe(true);
    const logs = parsed(from);
    expect(logs.filter((l) => l.event === 'auth-failed').length).toBe(5);
    expect(logs.filter((l) => l.event === 'auth-failed-summary')).toEqual([
      expect.objectContaining({ origin: HIS, count: 45 }),
    ]);
  });

  it('refused upgrades are logged a few times a minute, with a bounded, printable Origin', async () => {
    const agent = await startTestAgent();
    const from = logLines().length;
    const evil = Buffer.concat([
      Buffer.from('https://evil.example/'),
      // Node's parser answers 400 to control characters itself; bidi overrides and other UTF-8 get through.
      Buffer.from('\u202e\u200b\tx', 'utf8'),
      Buffer.alloc(4000, 'A'),
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => rawUpgrade(agent.port, evil)))));
    expect(new Set(statuses)).toEqual(new Set([403]));
    await agent.close();
    const logs = parsed(from);
    const refused = logs.filter((l) => l.event === 'upgrade-refused');
    expect(refused.length).toBe(10);
    for (const l of refused) {
      expect(l.origin).toMatch(/^[\x21-\x7e]{1,64}…?$/);
      expect(String(l.origin)).toContain('https://evil.example/');
    }
    expect(logs.filter((l) => l.event === 'upgrade-refused-summary')).toEqual([
      expect.objectContaining({ reason: 'origin', count: 190 }),
    ]);
  });

  it('a second session.authenticate is refused, also when pipelined behind the first', async () => {
    const agent = await startTestAgent();
    const client = await connect(agent);
    const nonce = newNonce();
    const narrow = await mintTicket(agent.agentId, { fields: ['idNumber'], nonce });
    const wide = await mintTicket(agent.agentId, { fields: ['idNumber', 'fullName', 'dateOfBirth'] });
    const [first, second] = await Promise.all([
      client.request('session.authenticate', { ticket: narrow }),
      client.request('session.authenticate', { ticket: wide }),
    ]);
    expect(first.result.allowedFields).toEqual(['idNumber']);
    expect(second.error?.data).toMatchObject({ code: 'ERR_INVALID_REQUEST', details: { reason: 'authenticated' } });
    const later = await client.request('session.authenticate', {
      ticket: await mintTicket(agent.agentId, { fields: ['idNumber', 'fullName'] }),
    });
    expect(later.error?.data?.code).toBe('ERR_INVALID_REQUEST');
    // The session still carries the first ticket: its nonce, its fields.
    const wider = await client.request('read.start', readParams(nonce, { fields: ['idNumber', 'fullName'] }));
    expect(wider.error?.data).toMatchObject({ code: 'ERR_FIELD_NOT_ALLOWED', details: { field: 'fullName' } });
    await client.close();
  });
});
