import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PORT, loadConfig, parseConfig } from './config.js';

const file = (content: unknown) => {
  const dir = mkdtempSync(join(tmpdir(), 'cccd-agent-config-'));
  const path = join(dir, 'agent.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('config loader', () => {
  it('has safe defaults: fixed port, no origins, no demo, no simulation, audit on', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: DEFAULT_PORT, allowedOrigins: [], demo: false, simulate: false, audit: true });
    expect(c.limits.ticketMaxLifetimeSec).toBe(300);
  });

  it('merges file < env < flags, limits key by key', () => {
    const path = file({
      port: 31600,
      allowedOrigins: ['https://a.example'],
      limits: { maxSessions: 5, heartbeatMs: 1000 },
    });
    const c = loadConfig({
      file: path,
      env: { CCCD_AGENT_PORT: '31700', CCCD_AGENT_ALLOWED_ORIGINS: 'https://b.example, https://c.example' },
      overrides: { port: 0, limits: { maxSessions: 7 } },
    });
    expect(c.port).toBe(0);
    expect(c.allowedOrigins).toEqual(['https://b.example', 'https://c.example']);
    expect(c.limits).toMatchObject({ maxSessions: 7, heartbeatMs: 1000 });
    expect(loadConfig({ env: { CCCD_AGENT_CONFIG: path } }).port).toBe(31600);
  });

  it('names the bad key, never the secret value', () => {
    expect(errorOf(() => parseConfig({ port: 70000 })).key).toBe('port');
    expect(errorOf(() => parseConfig({ limits: { maxSessions: 0 } })).key).toBe('limits.maxSessions');
    expect(errorOf(() => parseConfig({ limits: { maxSesions: 3 } })).key).toBe('limits.maxSesions');
    expect(errorOf(() => parseConfig({ colour: 'blue' })).message).toContain('colour');
    expect(errorOf(() => parseConfig({ allowedOrigins: ['https://a.example/path'] })).key).toBe('allowedOrigins.0');
    expect(errorOf(() => parseConfig({ allowedOrigins: ['https://A.example'] })).key).toBe('allowedOrigins.0');
    expect(
      errorOf(() => parseConfig({ policy: [{ origin: 'https://a.example', purpose: 'x', fields: ['pin'] }] })).key,
    ).toBe('policy.0.fields.0');
    const secret = 'short-secret-value';
    const e = errorOf(() => parseConfig({ adminToken: secret }));
    expect(e.key).toBe('adminToken');
    expect(e.message).not.toContain(secret);
    expect(errorOf(() => loadConfig({ env: { CCCD_AGENT_PORT: 'eighty' } })).key).toBe('CCCD_AGENT_PORT');
    expect(errorOf(() => loadConfig({ env: { CCCD_AGENT_DEMO: 'maybe' } })).key).toBe('CCCD_AGENT_DEMO');
    expect(errorOf(() => loadConfig({ env: { CCCD_AGENT_TYPO: '1' } })).key).toBe('CCCD_AGENT_TYPO');
    expect(errorOf(() => loadConfig({ file: file('{ not json') })).message).toContain('not valid JSON');
    expect(errorOf(() => loadConfig({ file: '/nonexistent/agent.json' })).key).toBe('file');
  });

  it('requires every issuer to list the origins it may issue tickets for (no "any origin" default)', () => {
    const publicKey = '-----BEGIN PUBLIC KEY-----\nMFkw…\n-----END PUBLIC KEY-----\n';
    const his = { iss: 'his-backend', publicKey, origins: ['https://his.example.vn'] };
    const missing = errorOf(() => parseConfig({ issuers: [his, { iss: 'bank-backend', publicKey }] }));
    expect(missing.key).toBe('issuers.1.origins');
    expect(missing.message).toMatch(/missing: list the origins/);
    expect(errorOf(() => parseConfig({ issuers: [{ ...his, origins: [] }] })).key).toBe('issuers.0.origins');
    expect(errorOf(() => parseConfig({ issuers: [{ ...his, origins: '*' }] })).key).toBe('issuers.0.origins');
    expect(errorOf(() => parseConfig({ issuers: [{ ...his, origins: ['*'] }] })).key).toBe('issuers.0.origins.0');
    expect(errorOf(() => parseConfig({ issuers: [his, { ...his }] })).key).toBe('issuers.1.iss');
    expect(parseConfig({ issuers: [his] }).issuers[0]?.origins).toEqual(['https://his.example.vn']);
  });
});
