/**
 * The express router inside an existing app: typed JSON errors for malformed JSON (400), oversized bodies (413),
 * the wrong media type (415), bad requests (400), rate limits (429), a store outage (503); refusals are 422; no log
 * line and no error body carries personal data.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendLogRecord, createCccdBackend } from './backend.js';
import { ServerError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import type { CccdServer } from './server.js';
import { signedResult } from './test-support/kiosk.js';
import { DG1_FIELDS, type Fixture, fixture, ORIGIN } from './test-support/setup.js';

let f: Fixture;
let server: CccdServer;
let store: MemoryStore;
let base: string;
let close: () => void;
const logs: BackendLogRecord[] = [];
const bodies: string[] = [];
const accepted: string[] = [];

beforeAll(async () => {
  f = await fixture();
  store = new MemoryStore();
  server = await f.server({ store });
  const app = express();
  app.get('/health', (_req, res) => res.json({ ok: true }));
  app.use(
    '/cccd',
    createCccdBackend({
      server,
      maxBodyBytes: 64 * 1024,
      rateLimit: { limit: 30, windowMs: 60_000 },
      authorize: (req) => (req.get('x-user') === 'nobody' ? false : { operatorId: 'teller-7', agentId: 'desk-1' }),
      onAccepted: (d) => {
        accepted.push(d.ticketId);
      },
      log: (r) => logs.push(r),
    }),
  );
  const http = app.listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/cccd`;
  close = () => http.close();
});
afterAll(() => close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, json: JSON.parse(text) };
}

const FIELDS = [...DG1_FIELDS];
const ticketBody = { purpose: 'bank-kyc', fields: FIELDS };

describe('createCccdBackend', () => {
  it('issues a ticket for the page origin and accepts its signed result once (200, then 422 replayed)', async () => {
    const t = await post('/tickets', ticketBody);
    expect(t.status).toBe(201);
    expect(t.json).toMatchObject({ ticketId: expect.any(String), nonce: expect.any(String) });
    const result = await signedResult(f.desk1, f.sim, { origin: ORIGIN, nonce: t.json.nonce, fields: FIELDS });
    const ok = await post('/results', { ticketId: t.json.ticketId, result });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ accepted: true, overall: 'authentic', agentId: 'desk-1', claimedFields: [] });
    expect([...ok.json.verifiedFields].sort()).toEqual([...FIELDS].sort());
    expect(ok.json.result).toBeUndefined();
    expect(accepted).toEqual([t.json.ticketId]);
    const again = await post('/results', { ticketId: t.json.ticketId, result });
    expect(again).toMatchObject({ status: 422, json: { accepted: false, code: 'replayed' } });
  });

  it('answers 400 to malformed JSON and 413 to an oversized body, as typed JSON', async () => {
    expect(await post('/results', '{"ticketId": "abc', {})).toMatchObject({
      status: 400,
      json: { error: { code: 'ERR_MALFORMED_JSON' } },
    });
    const big = JSON.stringify({ ticketId: 'x'.repeat(20), result: { pad: 'x'.repeat(70 * 1024) } });
    expect(await post('/results', big)).toMatchObject({ status: 413, json: { error: { code: 'ERR_BODY_TOO_LARGE' } } });
    // Anyone may ask for a ticket: its body is never parsed beyond 16 KiB, whatever maxBodyBytes says.
    const padded = JSON.stringify({ ...ticketBody, consentRef: 'x'.repeat(17 * 1024) });
    expect(await post('/tickets', padded)).toMatchObject({
      status: 413,
      json: { error: { code: 'ERR_BODY_TOO_LARGE' } },
    });
  });

  it('answers 415 to a body that is not JSON and 400 to a body of the wrong shape', async () => {
    const res = await fetch(`${base}/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'ERR_UNSUPPORTED_MEDIA_TYPE' } });
    expect(await post('/tickets', { ...ticketBody, fields: ['idNumber', 'nope'] })).toMatchObject({
      status: 400,
      json: { error: { code: 'ERR_INVALID_REQUEST', message: expect.stringContaining('fields') } },
    });
    expect(await post('/results', { ticketId: 'abcdefgh', result: {}, extra: 1 })).toMatchObject({ status: 400 });
    expect(await post('/tickets', { ...ticketBody, origin: 'https://not-ours.example' })).toMatchObject({
      status: 403,
    });
  });

  it('names the desk agent authorize gives; a page asking for another desk is refused (403)', async () => {
    const t = await post('/tickets', { ...ticketBody, agentId: 'desk-1' });
    expect(t.status).toBe(201);
    expect(JSON.parse(atob(String(t.json.ticket).split('.')[1] ?? '')).aud).toBe('cccd-agent:desk-1');
    expect(await post('/tickets', { ...ticketBody, agentId: 'desk-2' })).toMatchObject({
      status: 403,
      json: { error: { code: 'ERR_FORBIDDEN' } },
    });
  });

  it('refuses tickets to whom the app says no (403) and for an origin it does not serve (400)', async () => {
    expect(await post('/tickets', ticketBody, { 'x-user': 'nobody' })).toMatchObject({
      status: 403,
      json: { error: { code: 'ERR_FORBIDDEN' } },
    });
    expect(await post('/tickets', ticketBody, { origin: 'https://not-ours.example' })).toMatchObject({
      status: 400,
      json: { error: { code: 'ERR_TICKET_REQUEST' } },
    });
  });

  it('answers 503 when the store is down and 429 over the rate limit', async () => {
    const t = await post('/tickets', ticketBody);
    const result = await signedResult(f.desk1, f.sim, { origin: ORIGIN, nonce: t.json.nonce, fields: FIELDS });
    const consume = store.consumeTicket;
    store.consumeTicket = async () => {
      throw new ServerError('ERR_STORE_UNAVAILABLE', 'the ticket store (Redis) is unavailable');
    };
    expect(await post('/results', { ticketId: t.json.ticketId, result })).toMatchObject({
      status: 503,
      json: { error: { code: 'ERR_STORE_UNAVAILABLE' } },
    });
    store.consumeTicket = consume;
    let last = 0;
    for (let i = 0; i < 40 && last !== 429; i++) last = (await post('/tickets', ticketBody)).status;
    expect(last).toBe(429);
  });

  it('counts the rate limit before parsing, per client address behind a trusted proxy, or per rateLimit.key', async () => {
    const app = express();
    const own = await f.server(); // its own store: the counters above are not these
    const limited = (options: Omit<Parameters<typeof createCccdBackend>[0], 'server'>) =>
      createCccdBackend({ ...options, server: own });
    app.use('/proxied', limited({ rateLimit: { limit: 2, windowMs: 60_000 }, trustProxy: 'loopback' }));
    app.use(
      '/keyed',
      limited({ rateLimit: { limit: 2, windowMs: 60_000, key: (req) => req.get('x-user') ?? 'anonymous' } }),
    );
    app.use('/direct', limited({ rateLimit: { limit: 2, windowMs: 60_000 } }));
    const http = app.listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
    const root = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const status = async (path: string, headers: Record<string, string>, body = '{"not json') =>
      (
        await fetch(`${root}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        })
      ).status;
    try {
      // Two malformed bodies each, then the limit answers before any parse: 429, not 400.
      for (const who of ['198.51.100.1', '198.51.100.2']) {
        const h = { 'x-forwarded-for': who };
        expect([await status('/proxied/tickets', h), await status('/proxied/tickets', h)]).toEqual([400, 400]);
        expect(await status('/proxied/tickets', h)).toBe(429);
      }
      for (const who of ['ana', 'binh']) {
        const h = { 'x-user': who };
        expect([await status('/keyed/results', h), await status('/keyed/results', h)]).toEqual([400, 400]);
        expect(await status('/keyed/results', h)).toBe(429);
      }
      // Without trustProxy the header is not believed: every client is the one TCP peer.
      expect(await status('/direct/tickets', { 'x-forwarded-for': '198.51.100.1' })).toBe(400);
      expect(await status('/direct/tickets', { 'x-forwarded-for': '198.51.100.2' })).toBe(400);
      expect(await status('/direct/tickets', { 'x-forwarded-for': '198.51.100.3' })).toBe(429);
    } finally {
      http.close();
    }
  });

  it('logs and answers nothing personal', () => {
    const everything = JSON.stringify(logs) + bodies.join('\n');
    expect(logs.map((l) => l.event)).toContain('result-accepted');
    for (const value of [f.sim.fields.idNumber, f.sim.fields.fullName, f.sim.fields.dateOfBirth].map(String))
      expect(everything).not.toContain(value);
  });
});
