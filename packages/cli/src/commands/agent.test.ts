/**
 * `cccd agent` start-up failures as a new user meets them, through the built CLI as a real process: each exits 2
 * within 5 s with one line naming the key to fix, no stack, no secret, no file content. With --simulate (no PC/SC);
 * the PC/SC-on cases are in agent.pcsc.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cscaPem, MAIN, type Spawned, spawnCli, tmp } from '../test-support/harness.js';

const EXAMPLE = fileURLToPath(new URL('../../../../kiosk-agent/config/agent.example.json', import.meta.url));
const example = () => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;

/** Writes a config file; the data folder is a fresh temporary one unless the config names its own. */
function configFile(config: Record<string, unknown>): string {
  const path = join(tmp(), 'agent.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const agent = (config: string, ...argv: string[]) =>
  spawnCli(['agent', '--simulate', '--config', config, ...argv], { env: { CCCD_AGENT_DATA_DIR: tmp() } });

/** Exit 2, within 5 s, one line on stderr that starts with the command and names `key`; on stdout at most JSON logs. */
function expectStartupFailure(r: Spawned, key: string): string {
  expect(r.signal, 'the process had to be killed: it did not exit').toBeNull();
  expect(r.elapsedMs).toBeLessThan(5000);
  expect(r.code).toBe(2);
  // The JSON log (stdout) may already hold start-up records (e.g. the simulated-readers warning), never prose.
  for (const line of r.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  expect(r.stderr).toMatch(new RegExp(`^cccd agent: invalid agent configuration: ${key.replace(/\./g, '\\.')}: .+\n$`));
  expect(r.stderr).not.toMatch(/unexpected error|\n {4}at /);
  return r.stderr;
}

let held: Server;
let heldPort = 0;
beforeAll(async () => {
  expect(existsSync(MAIN), 'packages/cli/dist is missing: run pnpm exec tsc -b').toBe(true);
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(() => held?.close());

describe('cccd agent: a configuration it cannot start with exits 2 with one line naming the key', () => {
  it('the shipped example, as is: names the first thing to fill in (its trust folder does not exist)', async () => {
    const line = expectStartupFailure(await agent(EXAMPLE), 'trust.0');
    expect(line).toContain('/etc/cccd-agent/csca: does not exist');
  });

  it('the example with its trust filled in: names the placeholder issuer key, without echoing it', async () => {
    const line = expectStartupFailure(
      await agent(configFile({ ...example(), trust: [cscaPem(1)] })),
      'issuers.0.publicKey',
    );
    expect(line).toContain('not an ES256');
    expect(line).not.toContain('replace with');
  });

  it('an issuer without origins, a trust file that does not parse, an unusable data folder, a short admin token', async () => {
    const base = { ...example(), trust: [cscaPem(1)], issuers: [] };
    const noOrigins = { iss: 'his-backend', publicKey: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----' };
    expectStartupFailure(await agent(configFile({ ...base, issuers: [noOrigins] })), 'issuers.0.origins');

    const badPem = join(tmp(), 'csca.pem');
    writeFileSync(badPem, '-----BEGIN CERTIFICATE-----\nc2VjcmV0LWJ5dGVz!!\n-----END CERTIFICATE-----\n');
    const pem = expectStartupFailure(await agent(configFile({ ...base, trust: [badPem] })), 'trust.0');
    expect(pem).toContain(`${badPem}: not a valid certificate file`);
    expect(pem).not.toContain('c2VjcmV0');

    const notAFolder = join(tmp(), 'state');
    writeFileSync(notAFolder, '');
    const dataDir = await spawnCli(['agent', '--simulate', '--config', configFile({ ...base, dataDir: notAFolder })]);
    expect(expectStartupFailure(dataDir, 'dataDir')).toContain(notAFolder);

    const token = 'too-short-secret';
    const admin = expectStartupFailure(await agent(configFile({ ...base, adminToken: token })), 'adminToken');
    expect(admin).not.toContain(token);
  });

  it('a port already in use says so and names --port, "port" and CCCD_AGENT_PORT', async () => {
    const config = configFile({ ...example(), trust: [cscaPem(1)], issuers: [] });
    const line = expectStartupFailure(await agent(config, '--port', String(heldPort)), 'port');
    expect(line).toContain(`127.0.0.1:${heldPort} is already in use`);
    expect(line).toMatch(/--port.*"port" in the config file.*CCCD_AGENT_PORT/);
  });
});
