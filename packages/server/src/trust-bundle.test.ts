/**
 * Signing the fleet trust bundle: what the agent verifies (ES256, typ, trustBundleSchema), typed errors that name
 * the problem and never the key or a value, and `cccd server`'s trustBundle keys failing start-up by name.
 * The agent taking what the server serves is kiosk-agent/src/trust/server-feed.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRUST_BUNDLE_TYP, trustBundleSchema } from '@cccd/client';
import { TrustStore } from '@cccd/emrtd';
import { compactVerify, exportPKCS8, exportSPKI, generateKeyPair, importSPKI } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ServerError } from './errors.js';
import { startCccdServer } from './start.js';
import { createTrustBundlePublisher, signTrustBundle } from './trust-bundle.js';

const pair = await generateKeyPair('ES256', { extractable: true });
const pem = await exportPKCS8(pair.privateKey);
const payload = { v: 1 as const, version: 2, issuedAt: 1, expiresAt: 2, issuer: 'x', cscas: [], crls: [] };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('signTrustBundle', () => {
  it('signs ES256 with the bundle typ over the schema-checked payload', async () => {
    const jws = await signTrustBundle(payload, pem);
    const v = await compactVerify(jws, await importSPKI(await exportSPKI(pair.publicKey), 'ES256'));
    expect(v.protectedHeader).toEqual({ alg: 'ES256', typ: TRUST_BUNDLE_TYP });
    expect(trustBundleSchema.parse(JSON.parse(new TextDecoder().decode(v.payload)))).toEqual({
      ...payload,
      provenance: [],
    });
  });

  it('refuses a payload outside the schema and a key that is not P-256, naming neither value', async () => {
    const bad = signTrustBundle({ ...payload, version: 0, issuer: 'secret-issuer-name' }, pem);
    await expect(bad).rejects.toMatchObject({ name: 'ServerError', code: 'ERR_TRUST_BUNDLE' });
    await expect(bad).rejects.toThrow(/^trust bundle version: too_small$/);
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const rsaPem = await exportPKCS8(rsa.privateKey);
    const wrong = signTrustBundle(payload, rsaPem);
    await expect(wrong).rejects.toBeInstanceOf(ServerError);
    await expect(wrong).rejects.not.toThrow(rsaPem.slice(40, 80));
    expect(() =>
      createTrustBundlePublisher({ key: pem, trustStore: new TrustStore(), issuer: 'x', ttlSec: 60 }),
    ).toThrow(ServerError);
  });
});

describe("createTrustBundlePublisher version 'auto'", () => {
  const decode = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString());
  const at = (ttlHours: number, ms: number) =>
    createTrustBundlePublisher({
      key: pem,
      trustStore: new TrustStore(),
      issuer: 'x',
      ttlSec: ttlHours * 3600,
      now: () => ms,
    });

  it('steps on the hour whatever the ttl: raising the ttl never lowers the version (review 17, R4)', async () => {
    const hour = Date.UTC(2026, 11, 7, 2) / 1000;
    for (const minute of [0, 30, 59]) {
      const ms = (hour + minute * 60) * 1000;
      const versions = await Promise.all(
        [2, 3, 24, 168, 24 * 365].map(async (h) => (await at(h, ms).current()).version),
      );
      expect(new Set(versions)).toEqual(new Set([hour]));
    }
    const b = decode((await at(168, (hour + 1800) * 1000).current()).jws);
    expect(b).toMatchObject({ version: hour, issuedAt: hour, expiresAt: hour + 168 * 3600 });
    // Two instances within the hour sign the same payload; the next hour is a higher version.
    const [x, y] = [at(168, (hour + 60) * 1000), at(168, (hour + 3000) * 1000)];
    expect(decode((await x.current()).jws)).toEqual(decode((await y.current()).jws));
    expect((await at(2, (hour + 3600) * 1000).current()).version).toBe(hour + 3600);
  });

  it('refuses a ttl under two hours (a fresh bundle keeps at least ttl minus one hour)', () => {
    expect(() => at(1, 0)).toThrow(/at least 7200/);
  });
});

describe('cccd server trustBundle configuration', () => {
  it('fails start-up naming the key: a missing key file, a key that is not ES256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cccd-bundle-conf-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'ticket.pem'), pem);
    writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
    const config = { port: 0, issuer: 'b', ticketKeyFile: 'ticket.pem', origins: ['https://a.example.vn'] };
    const start = (trustBundle: object) => {
      writeFileSync(join(dir, 's.json'), JSON.stringify({ ...config, trustBundle }));
      return startCccdServer({ configFile: join(dir, 's.json') });
    };
    await expect(start({ keyFile: 'missing.pem' })).rejects.toMatchObject({ key: 'trustBundle.keyFile' });
    await expect(start({ keyFile: 'not-a-key.pem' })).rejects.toMatchObject({ key: 'trustBundle.keyFile' });
    await expect(start({ keyFile: 'ticket.pem', ttlHours: 0 })).rejects.toMatchObject({ key: 'trustBundle.ttlHours' });
    await expect(start({ keyFile: 'ticket.pem', ttlHours: 1 })).rejects.toMatchObject({ key: 'trustBundle.ttlHours' });
    await expect(start({ keyFile: 'ticket.pem', trust: ['nowhere'] })).rejects.toBeInstanceOf(ConfigError);
    const ok = await start({ keyFile: 'ticket.pem', version: 4 });
    const body = await (await fetch(`${ok.url}/trust-bundle`)).text();
    expect(JSON.parse(Buffer.from(body.split('.')[1]!, 'base64url').toString())).toMatchObject({ version: 4 });
    await ok.close();
  });
});
