/**
 * Paired clients over their lifetime: the operator revokes them on /admin (which also ends their live sessions),
 * they expire after limits.pairedClientTtlDays, and a damaged paired-clients.json stops the agent with one clear
 * line instead of a stack. Names stored by older versions are shown sanitised.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResultSchema } from '@cccd/client';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import type { AgentHandle } from './server.js';
import { CAN, connect, newNonce, startTestAgent, usePrivacyNet } from './test-support/harness.js';
import {
  ADMIN_TOKEN,
  admin,
  type ClientKey,
  clientKey,
  dataDirWith,
  NATIVE_POLICY,
  pairedAuth,
  removePreparedDirs,
} from './test-support/pairing-kit.js';

usePrivacyNet();
afterAll(removePreparedDirs);

const DAY = 24 * 3600_000;

/** Pairs `key` as a native client through pair.begin and /admin approval; returns its clientId. */
async function pairNative(agent: AgentHandle, key: ClientKey, clientName = 'Quầy 3'): Promise<string> {
  const c = await connect(agent, { origin: null });
  const { clientId } = (await c.request('pair.begin', { clientName, publicKey: key.spki })).result;
  expect((await admin(agent, 'POST', `/admin/api/pairings/${clientId}/approve`)).status).toBe(200);
  await c.close();
  return clientId;
}

const listing = async (agent: AgentHandle) => JSON.parse((await admin(agent, 'GET', '/admin/api/pairings')).body);

/** A paired-clients.json entry as version ≤ h12 wrote it (no expiresAt). */
const legacyEntry = (key: ClientKey, clientId: string, approvedDaysAgo: number, clientName = 'Quầy cũ') => ({
  clientId,
  clientName,
  publicKey: key.spki,
  origin: 'native',
  approvedAt: new Date(Date.now() - approvedDaysAgo * DAY).toISOString(),
});

describe('revoking a paired client', () => {
  it('DELETE /admin/api/clients/:id revokes, closes its live session, audits, and later logins fail', async () => {
    const agent = await startTestAgent({ adminToken: ADMIN_TOKEN, policy: NATIVE_POLICY });
    const key = await clientKey();
    const clientId = await pairNative(agent, key);
    const live = await connect(agent, { origin: null });
    expect((await pairedAuth(live, clientId, key)).result).toBeDefined();
    const bystanderKey = await clientKey();
    const bystanderId = await pairNative(agent, bystanderKey, 'Quầy 4');
    const bystander = await connect(agent, { origin: null });
    expect((await pairedAuth(bystander, bystanderId, bystanderKey)).result).toBeDefined();

    const path = `/admin/api/clients/${clientId}`;
    expect((await admin(agent, 'DELETE', path, { 'X-Admin-Token': 'x'.repeat(32) })).status).toBe(401);
    expect((await admin(agent, 'DELETE', path, { Origin: 'https://evil.example' })).status).toBe(403);
    const revoked = await admin(agent, 'DELETE', path);
    expect(revoked.status).toBe(200);
    expect(JSON.parse(revoked.body)).toEqual({ clientId, status: 'revoked' });
    const stillOpen = new Promise((resolve) => setTimeout(() => resolve('still open'), 5_000).unref());
    expect(await Promise.race([live.closed, stillOpen])).toEqual({ code: 1008, reason: 'pairing revoked' });
    expect((await admin(agent, 'DELETE', path)).status).toBe(404);
    expect((await bystander.request('pair.status', { clientId })).result?.status).not.toBe('approved');

    const again = await connect(agent, { origin: null });
    expect((await pairedAuth(again, clientId, key)).error?.data).toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      details: { reason: 'credential' },
    });
    // Other paired clients and their sessions are untouched.
    expect((await bystander.request('agent.ping')).result).toBeDefined();
    expect((await listing(agent)).paired.map((c: { clientId: string }) => c.clientId)).toEqual([bystanderId]);
    const audit = readFileSync(join(agent.config.dataDir!, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toContainEqual(expect.objectContaining({ event: 'pair', outcome: 'revoked', clientId }));
  });

  it('the /admin page offers a revoke button and shows expiry and last use', async () => {
    const agent = await startTestAgent({ adminToken: ADMIN_TOKEN, policy: NATIVE_POLICY });
    const script = (await admin(agent, 'GET', '/admin/admin.js')).body;
    expect(script).toContain("method: 'DELETE'");
    expect(script).toContain('/admin/api/clients/');
    expect((await admin(agent, 'GET', '/admin')).body).toContain('Expires');
    const key = await clientKey();
    const clientId = await pairNative(agent, key);
    const before = (await listing(agent)).paired[0];
    expect(before).toMatchObject({ clientId, status: 'active' });
    expect(before.lastUsedAt).toBeUndefined();
    expect(Date.parse(before.expiresAt) - Date.parse(before.approvedAt)).toBe(180 * DAY);
    await pairedAuth(await connect(agent, { origin: null }), clientId, key);
    expect(Date.parse((await listing(agent)).paired[0].lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('pairing expiry', () => {
  it('defaults to 180 days (limits.pairedClientTtlDays)', () => {
    expect(parseConfig({}).limits.pairedClientTtlDays).toBe(180);
    expect(() => parseConfig({ limits: { pairedClientTtlDays: 0 } })).toThrow(ConfigError);
  });

  it('an expired pairing fails with reason pairing-expired, then is pruned', async () => {
    const key = await clientKey();
    const dataDir = dataDirWith([legacyEntry(key, 'c_old-desk', 200)]);
    const agent = await startTestAgent({ adminToken: ADMIN_TOKEN, policy: NATIVE_POLICY, dataDir });
    // Old entries get approvedAt + TTL as their expiry, and the file is rewritten with it.
    const stored = JSON.parse(readFileSync(join(dataDir, 'paired-clients.json'), 'utf8'));
    expect(Date.parse(stored[0].expiresAt)).toBe(Date.parse(stored[0].approvedAt) + 180 * DAY);
    expect((await listing(agent)).paired[0]).toMatchObject({ clientId: 'c_old-desk', status: 'expired' });

    const c = await connect(agent, { origin: null });
    expect((await pairedAuth(c, 'c_old-desk', key)).error?.data).toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      details: { reason: 'pairing-expired' },
    });
    expect((await pairedAuth(c, 'c_old-desk', key)).error?.data).toMatchObject({ details: { reason: 'credential' } });
    expect((await listing(agent)).paired).toEqual([]);
    expect(JSON.parse(readFileSync(join(dataDir, 'paired-clients.json'), 'utf8'))).toEqual([]);
  });

  it('a pairing within its TTL still reads; a lower TTL in the config shortens existing pairings', async () => {
    const key = await clientKey();
    const entry = { ...legacyEntry(key, 'c_recent', 10), expiresAt: new Date(Date.now() + 170 * DAY).toISOString() };
    const ok = await startTestAgent({ policy: NATIVE_POLICY, dataDir: dataDirWith([entry]) });
    const c = await connect(ok, { origin: null });
    expect((await pairedAuth(c, 'c_recent', key)).result).toBeDefined();
    const nonce = newNonce();
    const read = await c.request('read.start', {
      accessKey: { can: CAN },
      fields: ['idNumber'],
      purpose: 'desk',
      nonce,
    });
    expect(readResultSchema.safeParse(read.result).success).toBe(true);

    const shortened = await startTestAgent({
      policy: NATIVE_POLICY,
      dataDir: dataDirWith([entry]),
      limits: { pairedClientTtlDays: 7 },
    });
    const d = await connect(shortened, { origin: null });
    expect((await pairedAuth(d, 'c_recent', key)).error?.data?.details?.reason).toBe('pairing-expired');
  });
});

describe('paired-clients.json from disk', () => {
  it('bad JSON, a non-array or a broken entry stop the agent with a ConfigError naming the file', async () => {
    const key = await clientKey();
    const cases: [unknown, RegExp][] = [
      ['[{"clientId": "c_1",', /paired-clients\.json is not valid JSON/],
      [{ clientId: 'c_1' }, /paired-clients\.json must hold a JSON array/],
      [[{ ...legacyEntry(key, 'c_1', 1), publicKey: undefined }], /entry 0: publicKey is missing or invalid/],
      [[{ ...legacyEntry(key, 'c_1', 1), publicKey: 'AAAA' }], /entry 0: publicKey is not an ECDSA P-256 key/],
      [[legacyEntry(key, 'c_1', 1), { ...legacyEntry(key, 'c_2', 1), approvedAt: 'yesterday' }], /entry 1/],
    ];
    for (const [content, message] of cases) {
      const start = startTestAgent({ dataDir: dataDirWith(content) });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(message);
    }
  });

  it('names stored by older versions are shown without their hidden characters', async () => {
    const key = await clientKey();
    const dataDir = dataDirWith([legacyEntry(key, 'c_spoof', 1, 'Quầy 3\u202E\u200Bexe.txt')]);
    const agent = await startTestAgent({ adminToken: ADMIN_TOKEN, dataDir });
    const [shown] = (await listing(agent)).paired;
    expect(shown.clientName).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(shown.clientName).toBe('Quầy 3\uFFFD\uFFFDexe.txt');
  });
});
