/**
 * The fleet trust feed against a hostile or broken feed (docs/security.md row 12): every refusal keeps the last
 * good bundle, the highest version seen is a floor across restarts, an expired bundle stops being trusted, and no
 * line logs the bundle's content. Then end to end: an agent whose only CSCA comes from the feed reads authentic.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readResultSchema, TRUST_BUNDLE_TYP, type TrustBundleInput, toBase64 } from '@cccd/client';
import { TrustStore } from '@cccd/emrtd';
import { personalise } from '@cccd/simulator';
import { CompactSign, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { authedClient, CITIZEN, readParams, startTestAgent, usePrivacyNet } from '../test-support/harness.js';
import { AgentTrust } from './agent-trust.js';
import { TRUST_BUNDLE_FILE, TrustFeed, type TrustFeedOptions } from './feed.js';

usePrivacyNet();

const CSCA = (await personalise(CITIZEN)).pki!.cscaCertDer;
const keys = generateKeyPair('ES256', { extractable: true });
const otherKeys = generateKeyPair('ES256', { extractable: true });
const nowS = () => Math.floor(Date.now() / 1000);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function payload(over: Partial<TrustBundleInput> = {}): TrustBundleInput {
  return {
    v: 1,
    version: 3,
    issuedAt: nowS() - 60,
    expiresAt: nowS() + 3600,
    issuer: 'bank-backend',
    cscas: [{ der: toBase64(CSCA), source: 'simulator test CSCA' }],
    crls: [],
    provenance: [{ name: 'test' }],
    ...over,
  };
}

async function sign(p: unknown, o: { key?: CryptoKey; typ?: string } = {}): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(p)))
    .setProtectedHeader({ alg: 'ES256', typ: o.typ ?? TRUST_BUNDLE_TYP })
    .sign(o.key ?? (await keys).privateKey);
}

/** A feed whose responses the test sets; `hang` never answers (the feed's own timeout must end the wait). */
function fakeFeed() {
  const state = { body: '' as string, status: 200, hang: false, calls: 0 };
  const fetchFn = (async (_url: string, init?: RequestInit) => {
    state.calls++;
    if (state.hang)
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    return new Response(state.body, { status: state.status });
  }) as typeof fetch;
  return { state, fetchFn };
}

function logSink() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination }) };
}

async function openFeed(o: Partial<TrustFeedOptions> & { fetch: typeof fetch; dataDir?: string }) {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'cccd-feed-'));
  dirs.push(dataDir);
  const trust = o.trust ?? new AgentTrust(new TrustStore());
  const { lines, log } = logSink();
  const feed = await TrustFeed.open({
    url: 'https://backend.example.vn/trust-bundle',
    publicKey: await exportSPKI((await keys).publicKey),
    refreshMinutes: 60,
    timeoutMs: 500,
    dataDir,
    log,
    ...o,
    trust,
  });
  return { feed, trust, dataDir, lines };
}

describe('trust feed', () => {
  it('takes a signed bundle on start, keeps it on disk, and reports its version', async () => {
    const { state, fetchFn } = fakeFeed();
    state.body = await sign(payload());
    const { feed, trust, dataDir } = await openFeed({ fetch: fetchFn });
    expect(trust.forReader('pcsc').size).toBe(1);
    expect(feed.status()).toMatchObject({ version: 3, state: 'current', lastError: null, issuer: 'bank-backend' });
    expect(readFileSync(join(dataDir, TRUST_BUNDLE_FILE), 'utf8')).toBe(state.body);
    await expect(feed.refresh()).resolves.toBe('unchanged');
    feed.stop();
  });

  it('refuses forged, retyped, malformed, rolled-back, reused, expired and future bundles, keeping the last good', async () => {
    const { state, fetchFn } = fakeFeed();
    state.body = await sign(payload({ version: 5 }));
    const { feed, trust, lines } = await openFeed({ fetch: fetchFn });
    const cases: Array<[string, string]> = [
      ['bad-signature', await sign(payload({ version: 6 }), { key: (await otherKeys).privateKey })],
      ['bad-signature', 'not a jws at all'],
      ['bad-signature', `${state.body.slice(0, -4)}AAAA`],
      ['malformed', await sign(payload({ version: 6 }), { typ: 'JWT' })],
      ['malformed', await sign({ ...payload({ version: 6 }), extra: 1 })],
      ['bad-entry', await sign(payload({ version: 6, cscas: [{ der: toBase64(new Uint8Array(40)) }] }))],
      ['rollback', await sign(payload({ version: 4 }))],
      ['version-reused', await sign(payload({ version: 5, cscas: [] }))],
      ['expired', await sign(payload({ version: 6, expiresAt: nowS() - 1 }))],
      ['not-yet-valid', await sign(payload({ version: 6, issuedAt: nowS() + 3600, expiresAt: nowS() + 7200 }))],
    ];
    for (const [reason, body] of cases) {
      state.body = body;
      await expect(feed.refresh(), reason).rejects.toMatchObject({ name: 'TrustFeedError', reason });
      expect(feed.status()).toMatchObject({ version: 5, state: 'current', lastError: reason });
      expect(trust.forReader('pcsc').size).toBe(1);
    }
    // Logged by reason only: nothing of a bundle (base64 DER, the issuer's label) reaches a log line.
    expect(lines.some((l) => l.includes('"reason":"rollback"'))).toBe(true);
    expect(lines.filter((l) => l.includes('MII') || l.includes('test CSCA') || l.includes('bank-backend'))).toEqual([]);
    feed.stop();
  });

  it('bounds the wait and the size: a stalled feed times out, an oversized or failing one is refused', async () => {
    const { state, fetchFn } = fakeFeed();
    state.status = 503;
    const { feed } = await openFeed({ fetch: fetchFn });
    expect(feed.status()).toMatchObject({ version: null, state: 'none', lastError: 'http-status' });
    state.status = 200;
    state.hang = true;
    const started = Date.now();
    await expect(feed.refresh()).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    state.hang = false;
    const big = await openFeed({ fetch: fetchFn, maxBytes: 1000 });
    state.body = 'x'.repeat(5000);
    await expect(big.feed.refresh()).rejects.toMatchObject({ reason: 'too-large' });
    const down = await openFeed({
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    expect(down.feed.status().lastError).toBe('unreachable');
    for (const f of [feed, big.feed, down.feed]) f.stop();
  });

  it('restarts from the disk copy without network; its version stays the floor', async () => {
    const { state, fetchFn } = fakeFeed();
    state.body = await sign(payload({ version: 7 }));
    const first = await openFeed({ fetch: fetchFn });
    first.feed.stop();
    state.status = 500;
    const again = await openFeed({ fetch: fetchFn, dataDir: first.dataDir });
    expect(again.feed.status()).toMatchObject({ version: 7, state: 'current', lastError: 'http-status' });
    expect(again.trust.forReader('pcsc').size).toBe(1);
    state.status = 200;
    state.body = await sign(payload({ version: 6 }));
    await expect(again.feed.refresh()).rejects.toMatchObject({ reason: 'rollback' });
    // A damaged disk copy is ignored, not fatal, and the floor (kept in its own file) still holds.
    writeFileSync(join(first.dataDir, TRUST_BUNDLE_FILE), 'garbage');
    const damaged = await openFeed({ fetch: fetchFn, dataDir: first.dataDir });
    expect(damaged.lines.some((l) => l.includes('disk-copy-ignored'))).toBe(true);
    expect(damaged.feed.status()).toMatchObject({ version: null, lastError: 'rollback' });
    for (const f of [again.feed, damaged.feed]) f.stop();
  });

  it('stops trusting a bundle once it expires (fail closed), while the configured paths stay', async () => {
    let now = Date.now();
    const configured = new TrustStore();
    const trust = new AgentTrust(configured, { now: () => now, testCsca: CSCA });
    trust.apply(payload({ cscas: [{ der: toBase64(CSCA) }], expiresAt: Math.floor(now / 1000) + 10 }) as never);
    expect(trust.forReader('pcsc').size).toBe(1);
    now += 11_000;
    expect(trust.forReader('pcsc').size).toBe(0);
    expect(trust.bundleExpired()).toBe(true);
    // The test CSCA stays for simulated readers only.
    expect(trust.forReader('simulated').size).toBe(1);
  });
});

describe('an agent on a trust feed', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('reads authentic with a CSCA that only the feed supplied, and shows the bundle in /health', async () => {
    const body = await sign(payload({ version: 9 }));
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/jose' }).end(body));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trust-bundle`;
    const publicKey = await exportSPKI((await keys).publicKey);
    const agent = await startTestAgent({
      simulation: { trustTestCsca: false },
      trustFeed: { url, publicKey, timeoutMs: 2000 },
    });
    const a = await authedClient(agent);
    const r = readResultSchema.parse((await a.client.request('read.start', readParams(a.nonce))).result);
    expect(r.verification.passive.status).toBe('valid');
    const health = await (await fetch(`${agent.url}/health`)).json();
    expect(health.trustFeed).toMatchObject({ version: 9, state: 'current', lastError: null });
  });

  it('a feed signed with another key changes nothing: the card stays unknown-csca', async () => {
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/trust-bundle`;
    const publicKey = await exportSPKI((await otherKeys).publicKey);
    const agent = await startTestAgent({
      simulation: { trustTestCsca: false },
      trustFeed: { url, publicKey, timeoutMs: 2000 },
    });
    const a = await authedClient(agent);
    const r = readResultSchema.parse((await a.client.request('read.start', readParams(a.nonce))).result);
    expect(r.verification.passive.status).toBe('unknown-csca');
    const health = await (await fetch(`${agent.url}/health`)).json();
    expect(health.trustFeed).toMatchObject({ version: null, state: 'none', lastError: 'bad-signature' });
  });

  it('a bad feed key is a start-up ConfigError naming the key', async () => {
    await expect(
      startTestAgent({ trustFeed: { url: 'https://backend.example.vn/t', publicKey: 'nope' } }),
    ).rejects.toMatchObject({ name: 'ConfigError', key: 'trustFeed.publicKey' });
  });
});
