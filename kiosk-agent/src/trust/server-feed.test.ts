/**
 * The agent's trust feed against what @cccd/server really serves over HTTP (docs/trust-feed.md): `cccd server`'s
 * trustBundle config feeds an agent (its /health reports the version); then, on the express router, a version bump
 * is taken, a lower version is refused as rollback, the same version with other content as version-reused, and the
 * 'auto' version moves forward window by window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { TrustStore } from '@cccd/emrtd';
import {
  createCccdBackend,
  createTrustBundlePublisher,
  startCccdServer,
  type TrustBundlePublisher,
} from '@cccd/server';
import { personalise } from '@cccd/simulator';
import express from 'express';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { CITIZEN, startTestAgent, usePrivacyNet } from '../test-support/harness.js';
import { http } from '../test-support/pairing-kit.js';
import { AgentTrust } from './agent-trust.js';
import { TrustFeed, TrustFeedError } from './feed.js';

usePrivacyNet();

const CSCA = (await personalise(CITIZEN)).pki!.cscaCertDer;
const dirs: string[] = [];
const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cccd-server-feed-'));
  dirs.push(d);
  return d;
};

async function keyPem() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  return { privatePem: await exportPKCS8(pair.privateKey), publicPem: await exportSPKI(pair.publicKey) };
}

const quietLog = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe('trust bundle from @cccd/server to the agent', () => {
  it('cccd server publishes its trust paths (with provenance) and an agent takes the bundle', async () => {
    const dir = tmp();
    const ticket = await keyPem();
    const bundle = await keyPem();
    writeFileSync(join(dir, 'ticket.pem'), ticket.privatePem);
    writeFileSync(join(dir, 'bundle.pem'), bundle.privatePem);
    writeFileSync(join(dir, 'csca.der'), CSCA);
    const config = {
      port: 0,
      issuer: 'bank-backend',
      ticketKeyFile: 'ticket.pem',
      origins: ['https://teller.bank.example.vn'],
      trust: ['csca.der'],
      trustBundle: { keyFile: 'bundle.pem', ttlHours: 24 },
    };
    writeFileSync(join(dir, 'server.json'), JSON.stringify(config));
    const server = await startCccdServer({ configFile: join(dir, 'server.json') });
    closers.push(server.close);
    const url = `${server.url}/trust-bundle`;

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jose/);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const jws = await res.text();
    const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ v: 1, issuer: 'bank-backend', cscas: [{ source: 'file:csca.der' }], crls: [] });
    expect(payload.provenance).toEqual([
      { name: 'csca.der', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), note: 'certificates' },
    ]);
    expect(payload.expiresAt - payload.issuedAt).toBe(24 * 3600);
    const etag = res.headers.get('etag')!;
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const agent = await startTestAgent({ trustFeed: { url, publicKey: bundle.publicPem, timeoutMs: 5000 } });
    const health = JSON.parse((await http(agent, '/health')).body);
    expect(health.trustFeed).toMatchObject({ version: payload.version, issuer: 'bank-backend', state: 'current' });
    expect(health.trustFeed.lastError).toBeNull();
  });

  it('on the router: a version bump is taken, rollback and a reused version are refused, auto moves forward', async () => {
    const bundleKey = await keyPem();
    const ticketKey = await keyPem();
    const store = new TrustStore();
    store.addCertificate(CSCA, 'csca');
    let clock = Date.now();
    const publisher = (version: 'auto' | number) =>
      createTrustBundlePublisher({
        key: bundleKey.privatePem,
        trustStore: store,
        issuer: 'hospital',
        ttlSec: 3600 * 24,
        version,
        now: () => clock,
      });
    let active: TrustBundlePublisher = publisher(5);
    const app = express();
    app.use(
      '/cccd',
      createCccdBackend({
        issuer: 'hospital',
        ticketKey: ticketKey.privatePem,
        origins: ['https://his.example.vn'],
        trustStore: new TrustStore(),
        trustBundle: { current: () => active.current() },
      }),
    );
    const srv: Server = app.listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    closers.push(() => new Promise<void>((r) => srv.close(() => r())));
    const trust = new AgentTrust(new TrustStore());
    const feed = await TrustFeed.open({
      url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/cccd/trust-bundle`,
      publicKey: bundleKey.publicPem,
      refreshMinutes: 60,
      timeoutMs: 5000,
      dataDir: tmp(),
      trust,
      log: quietLog(),
      now: () => clock,
    });
    closers.push(() => feed.stop());
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'taken',
        (e: unknown) => (e instanceof TrustFeedError ? e.reason : 'other'),
      );
    expect(feed.status()).toMatchObject({ version: 5, state: 'current' });
    expect(trust.forReader('pcsc').size).toBe(1);
    await expect(feed.refresh()).resolves.toBe('unchanged');

    active = publisher(7);
    await expect(feed.refresh()).resolves.toBe('updated');
    active = publisher(6);
    expect(await refusal(feed.refresh())).toBe('rollback');
    clock += 60_000; // a restart later with the same pinned version signs other times
    active = publisher(7);
    expect(await refusal(feed.refresh())).toBe('version-reused');
    expect(feed.status()).toMatchObject({ version: 7, lastError: 'version-reused' });

    // 'auto': the start of the half-ttl window — far above a pinned 7, the same within a window, higher in the next.
    active = publisher('auto');
    await expect(feed.refresh()).resolves.toBe('updated');
    const first = feed.status().version!;
    expect(first).toBeGreaterThan(7);
    active = publisher('auto');
    await expect(feed.refresh()).resolves.toBe('unchanged');
    clock += 12 * 3600_000;
    await expect(feed.refresh()).resolves.toBe('updated');
    expect(feed.status().version).toBe(first + 12 * 3600);
  });
});
