/**
 * `cccd agent` with PC/SC on (the default) failing after the reader hub has started: the process must still exit
 * within 5 s with one line. Left open, the PC/SC host process kept it alive with nothing listening. Runs in the
 * 'pcsc' project: without --simulate the CLI may start or reuse the machine's one pcscd.
 */
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Spawned, spawnCli, tmp } from '../test-support/harness.js';

const EXAMPLE = fileURLToPath(new URL('../../../../kiosk-agent/config/agent.example.json', import.meta.url));

let held: Server;
let port = 0;
beforeAll(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  port = (held.address() as { port: number }).port;
});
afterAll(() => held?.close());

function expectOneLineExit2(r: Spawned, key: string): void {
  expect(r.signal, 'the process had to be killed: it did not exit').toBeNull();
  expect(r.elapsedMs).toBeLessThan(5000);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^cccd agent: invalid agent configuration: ${key}: [^\n]+\n$`));
}

describe('cccd agent with PC/SC on: a failed start exits', () => {
  it('port in use after the reader hub started: exit 2 within 5 s, one line', async () => {
    const r = await spawnCli(['agent', '--port', String(port)], { env: { CCCD_AGENT_DATA_DIR: tmp() } });
    expectOneLineExit2(r, 'port');
    expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
  });

  it('the same where the agent cannot reach pcscd: the hub does not wait for it', async () => {
    // pcsc-lite's client library takes its socket from PCSCLITE_CSOCK_NAME: a path nobody serves is "no pcscd".
    const env = { CCCD_AGENT_DATA_DIR: tmp(), PCSCLITE_CSOCK_NAME: `${tmp()}/no-pcscd.comm` };
    expectOneLineExit2(await spawnCli(['agent', '--port', String(port)], { env }), 'port');
  });

  it('the shipped example config, as a new user runs it: names the trust folder to fill in', async () => {
    const r = await spawnCli(['agent', '--config', EXAMPLE], { env: { CCCD_AGENT_DATA_DIR: tmp() } });
    expectOneLineExit2(r, 'trust\\.0');
  });
});
