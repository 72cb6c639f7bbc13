/**
 * Hostile pairing clients: one socket must not fill the pending list, a request dies with its socket, and client
 * names cannot carry characters that disguise them on /admin.
 */
import { clientNameSchema } from '@cccd/client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AgentError } from './errors.js';
import { checkClientName, displayClientName, PairingRegistry, PENDING_CAPS } from './pairing.js';
import type { AgentHandle } from './server.js';
import { BANK, connect, HIS, startTestAgent, type TestClient, usePrivacyNet } from './test-support/harness.js';
import {
  ADMIN_TOKEN,
  admin,
  clientKey,
  dataDirWith,
  NATIVE_POLICY,
  removePreparedDirs,
} from './test-support/pairing-kit.js';

usePrivacyNet();
afterAll(removePreparedDirs);

const startPairingAgent = () => startTestAgent({ adminToken: ADMIN_TOKEN, policy: NATIVE_POLICY });

async function begin(client: TestClient, clientName = 'Quầy 3 – HIS desktop') {
  return client.request('pair.begin', { clientName, publicKey: (await clientKey()).spki });
}

async function pendingIds(agent: AgentHandle): Promise<string[]> {
  const r = await admin(agent, 'GET', '/admin/api/pairings');
  return JSON.parse(r.body).pending.map((p: { clientId: string }) => p.clientId);
}

describe('pending pairing caps', () => {
  it('one socket holds one pending request and cannot lock other clients out', async () => {
    const agent = await startPairingAgent();
    const hog = await connect(agent, { origin: null });
    expect((await begin(hog)).result.code).toMatch(/^\d{6}$/);
    // Before the per-connection cap, these 16 filled the agent-wide list (16) for the pairing TTL.
    for (let i = 0; i < 16; i++) {
      const r = await begin(hog);
      expect(r.error?.data).toMatchObject({ code: 'ERR_RATE_LIMITED', details: { reason: 'connection' } });
    }
    const desk = await connect(agent, { origin: null });
    expect((await begin(desk)).result.code).toMatch(/^\d{6}$/);
  });

  it('an origin holds at most four pending requests; other origins still pair', async () => {
    const agent = await startPairingAgent();
    for (let i = 0; i < 4; i++) expect((await begin(await connect(agent, { origin: HIS }))).error).toBeUndefined();
    const fifth = await begin(await connect(agent, { origin: HIS }));
    expect(fifth.error?.data).toMatchObject({ code: 'ERR_RATE_LIMITED', details: { reason: 'origin' } });
    expect((await begin(await connect(agent, { origin: BANK }))).error).toBeUndefined();
  });

  it('a request is withdrawn when its socket closes: no longer pending, listed or approvable', async () => {
    const agent = await startPairingAgent();
    const asker = await connect(agent, { origin: null });
    const { clientId } = (await begin(asker)).result;
    expect(await pendingIds(agent)).toEqual([clientId]);
    await asker.close();
    const other = await connect(agent, { origin: null });
    await vi.waitFor(async () => expect(await pendingIds(agent)).toEqual([]), { timeout: 5_000, interval: 20 });
    const status = await other.request('pair.status', { clientId });
    expect(status.error?.data).toMatchObject({ code: 'ERR_PAIRING_REJECTED', details: { reason: 'unknown' } });
    expect((await admin(agent, 'POST', `/admin/api/pairings/${clientId}/approve`)).status).toBe(404);
    // The slot is free again for the origin.
    expect((await begin(other)).error).toBeUndefined();
  });

  it('the socket that waits keeps its request, polls it and authenticates on it once approved', async () => {
    const agent = await startPairingAgent();
    const key = await clientKey();
    const c = await connect(agent, { origin: null });
    const { clientId } = (await c.request('pair.begin', { clientName: 'Quầy 1', publicKey: key.spki })).result;
    expect((await c.request('pair.status', { clientId })).result.status).toBe('pending');
    expect((await admin(agent, 'POST', `/admin/api/pairings/${clientId}/approve`)).status).toBe(200);
    expect((await c.request('pair.status', { clientId })).result.status).toBe('approved');
    const hello = await c.waitFor((m) => m.method === 'agent.hello');
    const auth = await c.request('session.authenticate', {
      clientId,
      signature: await key.sign(hello.params.challenge),
    });
    expect(auth.result.allowedFields).toEqual(['idNumber']);
  });
});

describe('a socket waiting for approval', () => {
  it('outlives the auth timeout until its request expires; idle sockets do not', async () => {
    const agent = await startTestAgent({
      adminToken: ADMIN_TOKEN,
      policy: NATIVE_POLICY,
      limits: { authTimeoutMs: 200, pairingTtlMs: 1500 },
    });
    const waiting = await connect(agent, { origin: null });
    const idle = await connect(agent, { origin: null });
    const { clientId } = (await begin(waiting)).result;
    expect((await idle.closed).code).toBe(1008);
    expect((await waiting.request('pair.status', { clientId })).result.status).toBe('pending');
    const t0 = Date.now();
    expect((await waiting.closed).code).toBe(1008);
    expect(Date.now() - t0).toBeGreaterThan(800);
  });

  it('is not pushed out by sockets that never authenticate', async () => {
    const agent = await startPairingAgent();
    const waiting = await connect(agent, { origin: null });
    const { clientId } = (await begin(waiting)).result;
    const squatters: TestClient[] = [];
    for (let i = 0; i < 8; i++) squatters.push(await connect(agent, { origin: null }));
    // The unauthenticated budget (4 per origin) pushed out the four oldest squatters, not the waiting client.
    await Promise.all(squatters.slice(0, 4).map((c) => c.closed));
    expect((await waiting.request('pair.status', { clientId })).result.status).toBe('pending');
    await Promise.all([waiting, ...squatters.slice(4)].map((c) => c.close()));
  });
});

describe('pairing registry (unit)', () => {
  const limits = { pendingTtlMs: 60_000, pairedTtlMs: 86_400_000 };

  it('caps pending requests per connection, per origin and in total; withdraw frees them', async () => {
    const registry = new PairingRegistry(dataDirWith([]), new Uint8Array(91), limits);
    const { spki } = await clientKey();
    const rateLimited = (f: () => unknown, reason: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AgentError);
        expect(e).toMatchObject({ code: 'ERR_RATE_LIMITED', details: { reason } });
        return;
      }
      expect.unreachable(`expected ERR_RATE_LIMITED (${reason})`);
    };
    registry.begin('a', spki, 'o1', 's1');
    rateLimited(() => registry.begin('a', spki, 'o1', 's1'), 'connection');
    for (let i = 2; i <= PENDING_CAPS.perOrigin; i++) registry.begin('a', spki, 'o1', `s${i}`);
    rateLimited(() => registry.begin('a', spki, 'o1', 's9'), 'origin');
    for (let i = 0; registry.list().length < PENDING_CAPS.total; i++)
      registry.begin('a', spki, `o${2 + Math.floor(i / PENDING_CAPS.perOrigin)}`, `t${i}`);
    rateLimited(() => registry.begin('a', spki, 'fresh-origin', 'fresh-socket'), 'total');
    expect(registry.pendingUntil('s1')).toBeGreaterThan(Date.now());
    expect(registry.withdraw('s1')).toBe(1);
    expect(registry.pendingUntil('s1')).toBeUndefined();
    expect(registry.begin('a', spki, 'fresh-origin', 'fresh-socket').status).toBe('pending');
  });

  it('checks the client name itself, whatever the transport validated (defence in depth)', async () => {
    const registry = new PairingRegistry(dataDirWith([]), new Uint8Array(91), limits);
    const { spki } = await clientKey();
    expect(() => registry.begin('Quầy\u202E3', spki, 'native', 's1')).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_PARAMS',
        details: expect.objectContaining({ field: 'clientName' }),
      }),
    );
    expect(registry.list()).toEqual([]);
  });
});

describe('pairing client names', () => {
  const hidden: [string, string][] = [
    ['RLO', 'Quầy 3\u202Etxt.exe'],
    ['LRE', '\u202AQuầy 3'],
    ['PDF', 'Quầy 3\u202C'],
    ['FSI', '\u2068Quầy 3\u2069'],
    ['RLI', '\u2067Quầy 3'],
    ['ZWSP', 'Quầy\u200B3'],
    ['ZWJ', 'Quầy\u200D3'],
    ['RLM', 'Quầy 3\u200F'],
    ['BOM', '\uFEFFQuầy 3'],
    ['BEL', 'Quầy 3\u0007'],
    ['NEL', 'Quầy 3\u0085'],
    ['LSEP', 'Quầy\u20283'],
    ['lone surrogate', 'Quầy 3\uD800'],
    ['blank', '   '],
  ];

  it('refuses names with control or format characters (ERR_INVALID_PARAMS, field clientName)', async () => {
    const agent = await startPairingAgent();
    const c = await connect(agent, { origin: null });
    for (const [label, name] of hidden) {
      const r = await begin(c, name);
      expect(r.error?.data, label).toMatchObject({ code: 'ERR_INVALID_PARAMS', details: { field: 'clientName' } });
    }
    expect(await pendingIds(agent)).toEqual([]);
  });

  it('stores names NFC-normalised and trimmed, as the operator sees them', async () => {
    const agent = await startPairingAgent();
    const c = await connect(agent, { origin: null });
    expect((await begin(c, '  Quầy 3 – Bệnh viện  '.normalize('NFD'))).error).toBeUndefined();
    const listed = JSON.parse((await admin(agent, 'GET', '/admin/api/pairings')).body).pending[0];
    expect(listed.clientName).toBe('Quầy 3 – Bệnh viện'.normalize('NFC'));
  });

  it('checkClientName, the protocol schema and displayClientName agree on what is hidden', () => {
    for (const [label, name] of hidden) {
      expect(() => checkClientName(name), label).toThrow(AgentError);
      expect(clientNameSchema.safeParse(name).success, label).toBe(false);
      expect(displayClientName(name), label).not.toMatch(/[\p{C}\p{Zl}\p{Zp}]/u);
    }
    expect(() => checkClientName('x'.repeat(65))).toThrow(AgentError);
    expect(() => checkClientName(`Zalgo e${'\u0301'.repeat(6)}`)).toThrow(AgentError);
    expect(checkClientName('Quầy 3 – HIS desktop')).toBe('Quầy 3 – HIS desktop');
    expect(displayClientName('Quầy\u202E3')).toBe('Quầy\uFFFD3');
    expect([...displayClientName('y'.repeat(500))].length).toBe(65);
  });
});
