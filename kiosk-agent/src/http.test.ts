import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL } from '@cccd/client';
import { describe, expect, it } from 'vitest';
import { connect, HIS, mintTicket, refusedStatus, startTestAgent, usePrivacyNet } from './test-support/harness.js';
import { http } from './test-support/pairing-kit.js';

usePrivacyNet();

describe('HTTP endpoints', () => {
  it('/health reports PC/SC state, simulated readers, reader count and uptime only', async () => {
    const agent = await startTestAgent({ simulation: { readers: 2 } });
    const r = await http(agent, '/health');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(Object.keys(body).sort()).toEqual(['pcsc', 'readers', 'sessions', 'simulated', 'status', 'uptimeSec']);
    expect(body).toMatchObject({ status: 'ok', pcsc: 'disabled', simulated: true, readers: 2 });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('/.well-known/cccd-agent gives the protocol version only, with CORS for allowed origins only', async () => {
    const agent = await startTestAgent();
    const ok = await http(agent, '/.well-known/cccd-agent', { headers: { Origin: HIS } });
    expect(JSON.parse(ok.body)).toEqual({ protocol: PROTOCOL, version: expect.any(String) });
    expect(ok.headers['access-control-allow-origin']).toBe(HIS);
    const evil = await http(agent, '/.well-known/cccd-agent', { headers: { Origin: 'https://evil.example' } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http(agent, '/.well-known/cccd-agent', {
      method: 'OPTIONS',
      headers: { Origin: HIS, 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(preflight.headers['access-control-allow-private-network']).toBe('true');
  });

  it('refuses HTTP requests whose Host is not a loopback name (DNS rebinding)', async () => {
    const agent = await startTestAgent();
    expect((await http(agent, '/health', { headers: { Host: `rebind.evil.example:${agent.port}` } })).status).toBe(421);
    expect((await http(agent, '/health', { headers: { Host: `localhost:${agent.port}` } })).status).toBe(200);
    expect((await http(agent, '/health', { headers: { Host: `[::1]:${agent.port}` } })).status).toBe(200);
    expect((await http(agent, '/health', { headers: { Host: 'localhost:1' } })).status).toBe(421);
  });

  it('listens on 127.0.0.1 only (no IPv6 or LAN listener)', async () => {
    const agent = await startTestAgent();
    expect(agent.url).toBe(`http://127.0.0.1:${agent.port}`);
    const refused = await new Promise<string>((resolve) => {
      const s = netConnect({ host: '::1', port: agent.port });
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).not.toBe('connected');
  });
});

describe('upgrade gate', () => {
  it('refuses wrong Host (421), Origin (403), subprotocol (400) and path (404) before any socket exists', async () => {
    const agent = await startTestAgent();
    const p = agent.port;
    expect(await refusedStatus(agent, { host: `attacker.example:${p}` })).toBe(421);
    expect(await refusedStatus(agent, { host: `127.0.0.1:${p + 1}` })).toBe(421);
    expect(await refusedStatus(agent, { origin: 'https://evil.example' })).toBe(403);
    // Exact match: look-alike origins are not allowed.
    expect(await refusedStatus(agent, { origin: `${HIS}.evil.example` })).toBe(403);
    expect(await refusedStatus(agent, { origin: 'http://his.example.vn' })).toBe(403);
    expect(await refusedStatus(agent, { origin: `${HIS}:443` })).toBe(403);
    expect(await refusedStatus(agent, { origin: 'null' })).toBe(403);
    expect(await refusedStatus(agent, { origin: null })).toBe(403);
    expect(await refusedStatus(agent, { protocol: 'cccd-agent.v0' })).toBe(400);
    expect(await refusedStatus(agent, { protocol: null })).toBe(400);
    expect(await refusedStatus(agent, { path: '/v2' })).toBe(404);
    expect(await refusedStatus(agent, {})).toBe(101);
  });

  it('lets clients without Origin in only when native clients are configured, and they cannot use tickets', async () => {
    const agent = await startTestAgent({
      policy: [{ origin: 'native', purpose: '*', fields: ['idNumber'] }],
    });
    const client = await connect(agent, { origin: null });
    const ticket = await mintTicket(agent.agentId, { origin: HIS });
    const r = await client.request('session.authenticate', { ticket });
    expect(r.error?.data).toMatchObject({ code: 'ERR_TICKET_INVALID', details: { reason: 'origin' } });
  });
});

describe('demo mode (dev only)', () => {
  it('is off by default: no demo pages, no backend address, own origin not allowed', async () => {
    const agent = await startTestAgent({ demoBackend: 'http://127.0.0.1:9/' });
    expect((await http(agent, '/demo/backend.json')).status).toBe(404);
    expect(await refusedStatus(agent, { origin: `http://127.0.0.1:${agent.port}` })).toBe(403);
  });

  it('serves /demo/ and where its backend is; the agent mints no tickets itself', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'cccd-demo-'));
    writeFileSync(join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
    const agent = await startTestAgent({ demo: true, demoBackend: 'http://127.0.0.1:31501' }, { demoDir });
    const own = `http://127.0.0.1:${agent.port}`;
    expect(agent.demoUrl).toBe(`${own}/demo/`);
    expect((await http(agent, '/demo/')).body).toContain('<title>demo</title>');
    expect(JSON.parse((await http(agent, '/demo/backend.json')).body)).toEqual({ url: 'http://127.0.0.1:31501' });
    // The demo-mode ticket shortcut is gone: tickets come from a backend in the agent's issuers (docs/demo.md).
    const mint = await http(agent, '/demo/ticket', {
      method: 'POST',
      headers: { Origin: own, 'Content-Type': 'application/json' },
      body: JSON.stringify({ purpose: 'bank-teller', fields: ['photo'] }),
    });
    expect(mint.status).toBe(404);
    const without = await startTestAgent({ demo: true }, { demoDir });
    expect((await http(without, '/demo/backend.json')).status).toBe(404);
  });
});

describe('admin page', () => {
  it('is absent without an admin token, and guarded by token and origin with one', async () => {
    const off = await startTestAgent();
    expect((await http(off, '/admin')).status).toBe(404);
    const token = 'a'.repeat(32);
    const agent = await startTestAgent({ adminToken: token });
    expect((await http(agent, '/admin')).body).toContain('Client pairing');
    expect((await http(agent, '/admin/api/pairings')).status).toBe(401);
    expect((await http(agent, '/admin/api/pairings', { headers: { 'X-Admin-Token': 'b'.repeat(32) } })).status).toBe(
      401,
    );
    expect(
      (
        await http(agent, '/admin/api/pairings', {
          headers: { 'X-Admin-Token': token, Origin: 'https://evil.example' },
        })
      ).status,
    ).toBe(403);
    const ok = await http(agent, '/admin/api/pairings', { headers: { 'X-Admin-Token': token } });
    expect(JSON.parse(ok.body)).toEqual({ pending: [], paired: [] });
  });
});
