import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPem } from '@cccd/emrtd/codec';
import { createTestPki, DEFAULT_SIGNATURE } from '@cccd/simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditTrail } from './audit.js';
import { ConfigError } from './config.js';
import { startAgent } from './server.js';
import { inDataDir, listenError, loadTrustPaths, StartupResources } from './startup.js';
import { issuerPublicPem } from './test-support/harness.js';
import { loadIssuers } from './tickets.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cccd-agent-startup-'));

const configErrorOf = async (f: () => unknown): Promise<ConfigError> => {
  try {
    await f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
};

/** A port something else already listens on. */
async function heldPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return { port: address.port, server };
}

const csca = (dir: string) => {
  const path = join(dir, 'csca.pem');
  writeFileSync(path, `${toPem(createTestPki({ seed: 1, signature: DEFAULT_SIGNATURE }).csca.certDer)}\n`);
  return path;
};

describe('start-up checks: one ConfigError naming the key, never a file content', () => {
  it('trust: a missing path, a file that does not parse, or a folder that loads nothing is refused', async () => {
    const dir = tmp();
    const good = csca(dir);
    expect(() => loadTrustPaths([good, dir])).not.toThrow();

    const missing = await configErrorOf(() => loadTrustPaths([good, join(dir, 'nope')]));
    expect(missing.key).toBe('trust.1');
    expect(missing.message).toBe(`invalid agent configuration: trust.1: ${join(dir, 'nope')}: does not exist`);

    const secretLooking = 'not-a-certificate-c2VjcmV0';
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, `-----BEGIN CERTIFICATE-----\n${secretLooking}!\n-----END CERTIFICATE-----\n`);
    const badPem = await configErrorOf(() => loadTrustPaths([bad]));
    expect(badPem.key).toBe('trust.0');
    expect(badPem.message).toContain(`${bad}: not a valid certificate file`);
    expect(badPem.message).not.toContain(secretLooking);

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'README.txt'), 'put the CSCA certificates here');
    const nothing = await configErrorOf(() => loadTrustPaths([empty]));
    expect(nothing.key).toBe('trust.0');
    expect(nothing.message).toMatch(/holds no CSCA certificate, CRL, master list or LDIF/);
  });

  it('issuers: a key that is not an ES256 public key names issuers.N.publicKey, without the key text', async () => {
    const origins = ['https://his.example.vn'];
    const placeholder = '-----BEGIN PUBLIC KEY-----\nMFkw…replace-me…\n-----END PUBLIC KEY-----\n';
    const good = { iss: 'his', publicKey: await issuerPublicPem(), origins };
    const e = await configErrorOf(() => loadIssuers([good, { iss: 'bank', publicKey: placeholder, origins }]));
    expect(e.key).toBe('issuers.1.publicKey');
    expect(e.message).not.toContain('replace-me');
    const rsaJwk = { kty: 'RSA', n: 'AQAB', e: 'AQAB' };
    expect((await configErrorOf(() => loadIssuers([{ ...good, publicKey: rsaJwk }]))).key).toBe('issuers.0.publicKey');
  });

  it('dataDir: a folder that cannot be used, or a damaged file in it, names dataDir and the file only', async () => {
    const dir = tmp();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const notDir = await configErrorOf(() => inDataDir(file, 'device-key.pem', () => mkdirSync(file)));
    expect(notDir.key).toBe('dataDir');
    expect(notDir.message).toContain(`${file}: exists and is not a folder (opening device-key.pem)`);

    const damaged = await configErrorOf(() =>
      inDataDir(dir, 'paired-clients.json', () => JSON.parse('{"clientId": "c-secret-content"')),
    );
    expect(damaged.message).toBe(
      `invalid agent configuration: dataDir: ${dir}: paired-clients.json is not usable (damaged or not written by this agent)`,
    );

    const trail = join(dir, 'audit.jsonl');
    writeFileSync(trail, '{"seq": 1, "origin": "https://his.example.vn"\n');
    const audit = await configErrorOf(() =>
      inDataDir(dir, 'audit.jsonl', () => new AuditTrail(trail, new Uint8Array(32))),
    );
    expect(audit.key).toBe('dataDir');
    expect(audit.message).toContain(`audit trail ${trail}: last line is not JSON`);
    expect(audit.message).not.toContain('his.example.vn');
  });

  it('port: in use or not permitted says so and names every way to change it', () => {
    const inUse = listenError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), 31500);
    expect(inUse).toBeInstanceOf(ConfigError);
    expect((inUse as ConfigError).key).toBe('port');
    expect((inUse as Error).message).toMatch(/127\.0\.0\.1:31500 is already in use.*--port.*"port".*CCCD_AGENT_PORT/);
    const other = new Error('something else');
    expect(listenError(other, 31500)).toBe(other);
  });
});

describe('a failed start closes what it opened', () => {
  const held: Server[] = [];
  afterAll(() => {
    for (const s of held) s.close();
  });

  it('closes resources in reverse order, each within a bound, and keeps going past a failing close', async () => {
    const order: string[] = [];
    const resources = new StartupResources();
    resources.add(() => order.push('readers'));
    resources.add(() => {
      throw new Error('close failed');
    });
    resources.add(async () => order.push('server'));
    await resources.closeAll();
    expect(order).toEqual(['server', 'readers']);
  });

  it('port in use: startAgent rejects with ConfigError(port) after closing the QR scanner it had opened', async () => {
    const { port, server } = await heldPort();
    held.push(server);
    let closed = 0;
    const device = Object.assign(new EventEmitter(), { close: () => void closed++ });
    const e = await configErrorOf(() =>
      startAgent({
        env: {},
        print: () => undefined,
        logDestination: { write: () => undefined },
        qrDevices: [{ device }],
        config: { port, simulate: true, pcsc: false, audit: false, dataDir: tmp(), logLevel: 'silent' },
      }),
    );
    expect(e.key).toBe('port');
    expect(closed).toBe(1);
  });
});
