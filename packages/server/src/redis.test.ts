/**
 * Several instances on one Redis (a real redis-server, started here): the store's own contract, then two server
 * instances as separate processes — a result replayed to the other instance is refused, a nonce consumed by both at
 * once is accepted exactly once, and a Redis restart fails closed (503, nothing accepted) and recovers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CccdField } from '@cccd/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfigInput } from './config.js';
import { RedisStore } from './redis-store.js';
import type { TicketRecord } from './store.js';
import { signedResult } from './test-support/kiosk.js';
import { type TestRedis, testRedis, until } from './test-support/redis.js';
import { compiledServer, type ServerProcess, serverProcess } from './test-support/server-process.js';
import { DG1_FIELDS, type Fixture, fixture, ISSUER, ORIGIN } from './test-support/setup.js';

let redis: TestRedis;
let f: Fixture;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  [redis, f] = await Promise.all([testRedis(), fixture()]);
  cleanups.push(() => redis.dispose());
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const record = (ticketId: string): TicketRecord => ({
  ticketId,
  nonce: 'n'.repeat(43),
  origin: ORIGIN,
  purpose: 'bank-kyc',
  fields: ['idNumber'],
  operatorId: 'op',
  iat: 1,
  exp: 2,
});

describe('RedisStore', () => {
  it('consumes a ticket once among many concurrent callers on two connections', async () => {
    const [a, b] = await Promise.all([RedisStore.connect({ url: redis.url }), RedisStore.connect({ url: redis.url })]);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await a.putTicket(record('t-concurrent'), 60_000);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consumeTicket('t-concurrent')));
    expect(all.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(all.filter((r) => r.status === 'replayed')).toHaveLength(19);
    expect(await b.consumeTicket('t-never')).toEqual({ status: 'unknown' });
  });

  it('peeks at a pending ticket without consuming it (review 17, R1)', async () => {
    const s = await RedisStore.connect({ url: redis.url, prefix: 'peek-test:' });
    cleanups.push(() => s.close());
    await s.putTicket(record('t-peek'), 60_000);
    expect(await s.peekTicket('t-peek')).toEqual({ status: 'ok', record: record('t-peek') });
    expect(await s.peekTicket('t-peek')).toMatchObject({ status: 'ok' });
    expect(await s.consumeTicket('t-peek')).toMatchObject({ status: 'ok' });
    expect(await s.peekTicket('t-peek')).toEqual({ status: 'replayed' });
    expect(await s.peekTicket('t-never')).toEqual({ status: 'unknown' });
  });

  it('keeps one key per agent: re-enrolment retires the old key, revocation removes it', async () => {
    const s = await RedisStore.connect({ url: redis.url, prefix: 'enrol-test:' });
    cleanups.push(() => s.close());
    await s.enrol({ agentId: 'a1', publicKey: 'AAAA', enrolledAt: 'x' });
    await s.enrol({ agentId: 'a1', publicKey: 'BBBB', enrolledAt: 'y' });
    expect(await s.enrolmentByKey('AAAA')).toBeUndefined();
    expect(await s.enrolmentByKey('BBBB')).toMatchObject({ agentId: 'a1' });
    expect((await s.enrolments()).map((e) => e.agentId)).toEqual(['a1']);
    // One key, one agent: another agent cannot take a1's key, and nothing changes.
    await expect(s.enrol({ agentId: 'a2', publicKey: 'BBBB', enrolledAt: 'z' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ENROLMENT',
    });
    expect(await s.enrolmentByKey('BBBB')).toMatchObject({ agentId: 'a1' });
    expect((await s.enrolments()).map((e) => e.agentId)).toEqual(['a1']);
    expect(await s.revoke('a1')).toBe(true);
    expect(await s.enrolmentByKey('BBBB')).toBeUndefined();
    expect(await s.revoke('a1')).toBe(false);
    expect([await s.hit('k', 2, 60_000), await s.hit('k', 2, 60_000), await s.hit('k', 2, 60_000)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('with waitReplicas, a consume no replica acknowledged fails closed; with the replica it counts', async () => {
    const store = (waitTimeoutMs: number) =>
      RedisStore.connect({ url: redis.url, prefix: 'wait-test:', waitReplicas: 1, waitTimeoutMs });
    const lone = await store(100);
    await lone.putTicket(record('t-wait-1'), 60_000);
    const started = Date.now();
    await expect(lone.consumeTicket('t-wait-1')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(2000);
    await lone.close();
    const primary = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    primary.on('error', () => {});
    await primary.config('SET', 'repl-diskless-sync-delay', '0'); // a replica in sync at once, not after 5 s
    const replica = await testRedis(['--replicaof', '127.0.0.1', String(redis.port)]);
    const s = await store(5000);
    try {
      await until(
        'the replica to be in sync',
        async () => /slave0:.*state=online/.test(await primary.info('replication')),
        10_000,
      );
      await s.putTicket(record('t-wait-2'), 60_000);
      expect(await s.consumeTicket('t-wait-2')).toMatchObject({ status: 'ok' });
    } finally {
      await s.close();
      primary.disconnect();
      await replica.dispose(); // the instances below run on the primary alone
    }
  });

  it('fails with ERR_STORE_UNAVAILABLE, within its bound, when nothing answers', async () => {
    await expect(RedisStore.connect({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
  });
});

describe('two server instances on one Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const FIELDS: CccdField[] = [...DG1_FIELDS];

  beforeAll(async () => {
    const compiled = compiledServer();
    const dir = mkdtempSync(join(tmpdir(), 'cccd-server-config-'));
    cleanups.push(compiled.dispose, () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ticket-key.pem'), f.ticketKeyPem);
    const csca = f.sim.card.pki?.cscaCertDer;
    if (!csca) throw new Error('no test CSCA');
    writeFileSync(join(dir, 'csca.der'), csca);
    const config: ServerConfigInput = {
      port: 0,
      issuer: ISSUER,
      ticketKeyFile: join(dir, 'ticket-key.pem'),
      origins: [ORIGIN],
      trust: [join(dir, 'csca.der')],
      agentId: 'desk-1',
      agents: [{ agentId: 'desk-1', publicKey: f.desk1.publicKey }],
      redis: { url: redis.url, prefix: 'two:' },
    };
    [a, b] = await Promise.all([serverProcess(compiled.dir, config), serverProcess(compiled.dir, config)]);
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
  });

  const post = async (base: string, path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const ticketAndResult = async (from: ServerProcess) => {
    const t = await post(from.url, '/tickets', { purpose: 'bank-kyc', fields: FIELDS });
    expect(t.status).toBe(201);
    const nonce = String(t.json.nonce);
    const result = await signedResult(f.desk1, f.sim, { origin: ORIGIN, nonce, fields: FIELDS });
    return { ticketId: String(t.json.ticketId), result };
  };

  it('refuses a result replayed to the other instance', async () => {
    const { ticketId, result } = await ticketAndResult(a);
    expect((await post(b.url, '/results', { ticketId, result })).status).toBe(200);
    expect(await post(a.url, '/results', { ticketId, result })).toMatchObject({
      status: 422,
      json: { code: 'replayed' },
    });
  });

  it('accepts a nonce consumed by both instances at once exactly once', async () => {
    const reads = await Promise.all(Array.from({ length: 5 }, (_, i) => ticketAndResult(i % 2 ? a : b)));
    for (const { ticketId, result } of reads) {
      const both = await Promise.all([a, b].map((s) => post(s.url, '/results', { ticketId, result })));
      expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
      expect(both.find((r) => r.status === 422)?.json.code).toBe('replayed');
    }
  });

  it('fails closed while Redis is down (503, nothing accepted) and recovers when it is back', async () => {
    const before = await ticketAndResult(a);
    await redis.stop();
    expect(await post(b.url, '/results', before)).toMatchObject({
      status: 503,
      json: { error: { code: 'ERR_STORE_UNAVAILABLE' } },
    });
    expect((await post(a.url, '/tickets', { purpose: 'bank-kyc', fields: FIELDS })).status).toBe(503);
    await redis.start();
    // The pending ticket died with the Redis data: refused, never accepted.
    await until(
      'instance b to reach Redis again',
      async () => (await post(b.url, '/results', before)).status !== 503,
      10_000,
    );
    expect(await post(a.url, '/results', before)).toMatchObject({ status: 422 });
    // Both instances serve again once they reconnected and re-asserted the enrolment registry.
    for (const s of [a, b])
      await until(
        'a fresh read to be accepted',
        async () => {
          const r = await ticketAndResult(s).catch(() => undefined);
          return r !== undefined && (await post(s.url, '/results', r)).status === 200;
        },
        10_000,
      );
  });
});
