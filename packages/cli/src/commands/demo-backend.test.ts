/**
 * `cccd agent --demo-backend` (what `npm start` runs) as a real process: the demo backend starts beside the agent,
 * the agent tells its pages where it is, the backend issues desk tickets for the agent's own origin only (the
 * generic POST /tickets is closed), serves the trust bundle the agent's feed took, and SIGTERM stops both with
 * exit 0. Its keys are made once in <data folder>/demo-backend (0600). The read through a browser is
 * kiosk-agent/demo/demo.browser.test.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEAN_ENV, MAIN, tmp } from '../test-support/harness.js';

function waitFor(out: () => string, re: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const m = re.exec(out());
      if (m?.[1]) {
        clearInterval(poll);
        resolve(m[1]);
      } else if (Date.now() - started > 20_000) {
        clearInterval(poll);
        reject(new Error(`no ${what} within 20 s: ${out()}`));
      }
    }, 20);
  });
}

describe('cccd agent --demo-backend', () => {
  it('runs the demo backend beside the agent, wired to it, and stops both on SIGTERM', async () => {
    const dataDir = tmp();
    const child = spawn(process.execPath, [MAIN, 'agent', '--simulate', '--demo-backend', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...CLEAN_ENV, CCCD_AGENT_DATA_DIR: dataDir, CCCD_AGENT_PCSC: 'false', CCCD_AGENT_LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let backend = '';
    try {
      const agent = await waitFor(() => out, /listening on (http:\/\/\S+)/, '"listening on"');
      backend = await waitFor(() => out, /demo backend: (http:\/\/\S+)/, '"demo backend:"');
      expect(JSON.parse(await (await fetch(`${agent}/demo/backend.json`)).text())).toEqual({ url: backend });

      const desk = (origin: string, path = '/desks/clinic/tickets') =>
        fetch(`${backend}${path}`, { method: 'POST', headers: { origin } });
      const ticket = await desk(agent);
      expect(ticket.status).toBe(201);
      expect(ticket.headers.get('access-control-allow-origin')).toBe(agent);
      expect(await ticket.json()).toMatchObject({
        purpose: 'clinic-checkin',
        fields: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'],
        includeEvidence: true,
        ticketId: expect.any(String),
      });
      expect((await desk('https://evil.example')).status).toBe(403);
      expect((await desk(agent, '/desks/nowhere/tickets')).status).toBe(404);
      expect((await desk(agent, '/desks/constructor/tickets')).status).toBe(404);
      // The page never chooses its own purpose and fields: the generic route is closed.
      const generic = await fetch(`${backend}/tickets`, {
        method: 'POST',
        headers: { origin: agent, 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'x', fields: ['photo'] }),
      });
      expect(generic.status).toBe(403);

      const bundle = await fetch(`${backend}/trust-bundle`);
      expect(bundle.headers.get('content-type')).toMatch(/^application\/jose/);
      const health = await (await fetch(`${agent}/health`)).json();
      expect(health.trustFeed).toMatchObject({ state: 'current', issuer: 'demo backend', lastError: null });

      for (const key of ['ticket-key.pem', 'trust-bundle-key.pem']) {
        const file = join(dataDir, 'demo-backend', key);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Nothing left listening.
    await expect(fetch(`${backend}/trust-bundle`)).rejects.toThrow();
  }, 40_000);
});
