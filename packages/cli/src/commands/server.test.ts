/**
 * `cccd server` through the built CLI as a real process: a configuration it cannot start with, or a port in use,
 * exits 2 within 5 s with one line naming the key (never a value: the config names a private key); a good one
 * serves POST /tickets and stops on SIGTERM with exit 0.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEAN_ENV, cscaPem, MAIN, type Spawned, spawnCli, tmp } from '../test-support/harness.js';

const ORIGIN = 'https://teller.bank.example.vn';
let dir: string;
let keyPem: string;
let held: Server;
let heldPort = 0;

beforeAll(async () => {
  expect(existsSync(MAIN), 'packages/cli/dist is missing: run pnpm exec tsc -b').toBe(true);
  dir = tmp();
  keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  writeFileSync(join(dir, 'ticket-key.pem'), keyPem);
  cscaPem(1, dir);
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(() => held?.close());

const good = () => ({
  port: 0,
  issuer: 'teller.bank.example.vn',
  ticketKeyFile: 'ticket-key.pem',
  origins: [ORIGIN],
  trust: ['csca-1.pem'],
});

function configFile(config: Record<string, unknown>): string {
  const path = join(dir, `server-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function expectStartupFailure(r: Spawned, key: string): void {
  expect(r.signal, 'the process had to be killed: it did not exit').toBeNull();
  expect(r.elapsedMs).toBeLessThan(5000);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(
    new RegExp(`^cccd server: invalid server configuration: ${key.replace(/\./g, '\\.')}: .+\n$`),
  );
  expect(r.stderr).not.toContain('PRIVATE KEY');
  expect(r.stderr).not.toContain('s3cret-pw');
}

describe('cccd server', () => {
  it('exits 2 with one line for a bad configuration, naming the key', async () => {
    const { origins: _o, ...noOrigins } = good();
    const cases: [Record<string, unknown>, string][] = [
      [noOrigins, 'origins'],
      [{ ...good(), colour: 'red' }, 'colour'],
      [{ ...good(), ticketKeyFile: 'csca-1.pem' }, 'ticketKeyFile'],
      [{ ...good(), trust: ['nowhere/'] }, 'trust.0'],
      // Nothing listens on port 1: one line naming the host, never the password in the URL.
      [{ ...good(), redis: { url: 'redis://cccd:s3cret-pw@127.0.0.1:1' } }, 'redis.url'],
    ];
    // One at a time: each process must exit within its own bound, which parallel start-ups would share.
    for (const [config, key] of cases)
      expectStartupFailure(await spawnCli(['server', '--config', configFile(config)]), key);
    const usage = await spawnCli(['server']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/^cccd server: --config FILE is required.*\n$/);
  });

  it('exits 2 with one line when the port is in use', async () => {
    const r = await spawnCli(['server', '--config', configFile(good()), '--port', String(heldPort)]);
    expectStartupFailure(r, 'port');
    expect(r.stderr).toContain('already in use');
  });

  it('serves tickets and stops on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, [MAIN, 'server', '--config', configFile(good())], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: CLEAN_ENV,
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('no "listening on" within 10 s')), 10_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const res = await fetch(`${url}/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ purpose: 'bank-kyc', fields: ['idNumber'] }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
