/**
 * `cccd server` configuration keys of review 17: `trustProxy` (express's `trust proxy`, validated at load, applied
 * to the app so the rate limit counts each client behind the proxy) and one device key per agent in `agents`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from './config.js';
import { startCccdServer } from './start.js';

const base = { issuer: 'b', ticketKeyFile: 'k.pem', origins: ['https://a.example.vn'] };
const KEY = 'A'.repeat(88);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('server configuration', () => {
  it('takes trustProxy as express does, and names the key for a value express refuses', () => {
    for (const trustProxy of [true, 1, 'loopback', '10.0.0.0/8, 192.168.1.1', ['uniquelocal']])
      expect(parseServerConfig({ ...base, trustProxy }).trustProxy).toEqual(trustProxy);
    for (const trustProxy of ['not-an-address', ['10.0.0.0/99'], -1])
      expect(() => parseServerConfig({ ...base, trustProxy })).toThrow(/^invalid server configuration: trustProxy: /);
  });

  it('refuses one public key enrolled for two agents, naming the second', () => {
    const agents = [
      { agentId: 'desk-1', publicKey: KEY },
      { agentId: 'desk-2', publicKey: KEY },
    ];
    expect(() => parseServerConfig({ ...base, agents })).toThrow(/agents\.1: publicKey enrolled twice/);
  });

  it('counts the rate limit per forwarded client address behind a trusted proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cccd-proxy-conf-'));
    dirs.push(dir);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(join(dir, 'k.pem'), await exportPKCS8(privateKey));
    const config = { ...base, port: 0, rateLimit: { limit: 1, windowMs: 60_000 }, trustProxy: 'loopback' };
    writeFileSync(join(dir, 's.json'), JSON.stringify(config));
    const server = await startCccdServer({ configFile: join(dir, 's.json') });
    const status = async (client: string) =>
      (
        await fetch(`${server.url}/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: '{}',
        })
      ).status;
    try {
      expect([await status('198.51.100.1'), await status('198.51.100.1')]).toEqual([400, 429]);
      expect(await status('198.51.100.2')).toBe(400);
    } finally {
      await server.close();
    }
  });
});
