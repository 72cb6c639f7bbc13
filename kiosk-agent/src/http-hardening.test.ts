/**
 * No agent page can be framed by another site (clickjacking of /admin or a demo page), and the demo pages with the
 * client bundle they load exist only in demo mode.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestAgent, usePrivacyNet } from './test-support/harness.js';
import { ADMIN_TOKEN, http } from './test-support/pairing-kit.js';

usePrivacyNet();

const demoDir = mkdtempSync(join(tmpdir(), 'cccd-demo-'));
writeFileSync(join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
afterAll(() => rmSync(demoDir, { recursive: true, force: true }));

const DEMO_ASSETS = ['/demo/', '/client/index.js', '/vendor/zod/package.json'];

describe('anti-framing headers', () => {
  it('every HTTP answer forbids framing: pages, API, 404, 401 and the 421 Host refusal', async () => {
    const agent = await startTestAgent({ adminToken: ADMIN_TOKEN, demo: true }, { demoDir });
    const answers = await Promise.all([
      http(agent, '/health'),
      http(agent, '/.well-known/cccd-agent'),
      http(agent, '/demo/'),
      http(agent, '/client/index.js'),
      http(agent, '/admin'),
      http(agent, '/admin/admin.js'),
      http(agent, '/admin/api/pairings'),
      http(agent, '/no-such-page'),
      http(agent, '/health', { headers: { Host: `rebind.evil.example:${agent.port}` } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 401, 404, 421]);
    for (const a of answers) {
      expect(a.headers['x-frame-options']).toBe('DENY');
      expect(a.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    }
  });
});

describe('demo pages', () => {
  it('are not served when demo mode is off, even with the folder present', async () => {
    const agent = await startTestAgent({}, { demoDir });
    for (const path of DEMO_ASSETS) expect((await http(agent, path)).status, path).toBe(404);
    expect(agent.demoUrl).toBeUndefined();
  });

  it('are served in demo mode, from the agent origin', async () => {
    const agent = await startTestAgent({ demo: true }, { demoDir });
    for (const path of DEMO_ASSETS) expect((await http(agent, path)).status, path).toBe(200);
  });

  it('never frame another page (so frame-ancestors none cannot break them)', () => {
    const dir = fileURLToPath(new URL('../demo/', import.meta.url));
    const pages = readdirSync(dir).filter((f) => /\.(html|js)$/.test(f));
    expect(pages.length).toBeGreaterThan(4);
    for (const f of pages)
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/<i?frame|createElement\(['"]i?frame/i);
  });
});
