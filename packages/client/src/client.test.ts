import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, CccdAgentClient, type CccdAgentClientOptions, ticketNonce } from './client.js';
import { CccdAgentError } from './errors.js';
import { verifyAgentSig } from './signature.js';
import { FakeAgent, fakeTicket, NO_REPLY } from './testing/fake-agent.js';
import { CITIZEN, NONCE, ORIGIN } from './testing/fixtures.js';

const URL = 'ws://127.0.0.1:1/v1';
const clients: CccdAgentClient[] = [];

function setup(options: CccdAgentClientOptions = {}) {
  const agent = new FakeAgent();
  const client = new CccdAgentClient({
    WebSocket: agent.WebSocket,
    pingIntervalMs: 0,
    reconnect: { initialDelayMs: 1, maxDelayMs: 4 },
    connectTimeoutMs: 500,
    requestTimeoutMs: 500,
    ...options,
  });
  clients.push(client);
  const errors: string[] = [];
  client.on('protocolError', (e) => errors.push(e.reason));
  return { agent, client, errors };
}

const readOpts = {
  fields: ['idNumber', 'fullName', 'dateOfBirth'] as const,
  accessKey: { can: '012345' },
  purpose: 'clinic-checkin',
};

async function rejection(p: Promise<unknown>): Promise<CccdAgentError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CccdAgentError);
  return e as CccdAgentError;
}

function waitFor<T>(fn: () => T | undefined, ms = 1000): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = fn();
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() - start > ms) return reject(new Error('waitFor timed out'));
      setTimeout(tick, 2);
    };
    tick();
  });
}

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe('connect', () => {
  it('waits for agent.hello, authenticates with the ticket, lists readers', async () => {
    const { agent, client } = setup();
    const states: string[] = [];
    client.on('state', (s) => states.push(s));
    const readers = new Promise((r) => client.on('readers', r));
    const session = await client.connect(URL, { ticket: fakeTicket(NONCE) });
    expect(session.allowedFields).toContain('idNumber');
    expect(client.state).toBe('ready');
    expect(states).toEqual(['connecting', 'ready']);
    expect(agent.last.received[0]).toMatchObject({
      method: 'session.authenticate',
      params: { ticket: expect.any(String) },
    });
    expect(await readers).toEqual([{ readerId: 'sim-0', name: 'Simulated', kind: 'simulated', cardPresent: true }]);
  });

  it('fails clearly: refused, wrong subprotocol, no hello, no WebSocket at all', async () => {
    const cases = [
      ['refuse', 'ERR_AGENT_UNREACHABLE'],
      ['wrong-protocol', 'ERR_VERSION_UNSUPPORTED'],
      ['silent', 'ERR_TIMEOUT'],
    ] as const;
    for (const [mode, code] of cases) {
      const { agent, client } = setup({ connectTimeoutMs: 50 });
      agent.mode = mode;
      expect((await rejection(client.connect(URL, { ticket: fakeTicket(NONCE) }))).code).toBe(code);
      expect(client.state).toBe('closed');
    }
    const bare = new CccdAgentClient({ WebSocket: undefined });
    const hadGlobal = 'WebSocket' in globalThis;
    if (!hadGlobal) expect((await rejection(bare.connect(URL, { ticket: 'x' }))).code).toBe('ERR_AGENT_UNREACHABLE');
  });

  it('a rejected ticket surfaces as the agent’s typed error', async () => {
    const { agent, client } = setup();
    agent.handlers['session.authenticate'] = () => ({ error: 'ERR_TICKET_EXPIRED' });
    const e = await rejection(client.connect(URL, { ticket: fakeTicket(NONCE) }));
    expect([e.code, e.rpcCode, e.retriable]).toEqual(['ERR_TICKET_EXPIRED', -32003, false]);
    expect(e.text('vi')).toBe('Vé truy cập đã hết hạn. Hãy thử lại.');
    expect(e.text('en')).toBe('The access ticket has expired. Try again.');
  });
});

describe('read', () => {
  it('returns the validated, signed result with progress, using the ticket’s nonce', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    const progress: string[] = [];
    const result = await client.read({ ...readOpts, onProgress: (p) => progress.push(`${p.stage}:${p.percent}`) });
    expect(progress).toEqual(['access-control:10', 'dg13:60']);
    expect(result.fields).toEqual({
      idNumber: CITIZEN.idNumber,
      fullName: CITIZEN.fullName,
      dateOfBirth: CITIZEN.dateOfBirth,
    });
    const sent = agent.last.received.find((m) => m.method === 'read.start');
    expect(sent?.params).toMatchObject({ nonce: NONCE, purpose: 'clinic-checkin', accessKey: { can: '012345' } });
    expect(await verifyAgentSig(result, { origin: ORIGIN, nonce: NONCE })).toBe(true);
    // Integrators always get the signed simulated flag (the fake agent stands for a real reader).
    expect(result.simulated).toBe(false);
  });

  it('rejects invalid params locally, without a round trip', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    const before = agent.last.received.length;
    const e = await rejection(client.read({ ...readOpts, accessKey: { can: '12' } }));
    expect(e.code).toBe('ERR_INVALID_PARAMS');
    expect(e.details?.field).toMatch(/^accessKey/);
    expect(agent.last.received.length).toBe(before);
  });

  it('one read at a time', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    agent.handlers['read.start'] = () => NO_REPLY;
    const first = client.read({ ...readOpts, timeoutMs: 1000 });
    expect((await rejection(client.read(readOpts))).code).toBe('ERR_ACTION_PENDING');
    client.close();
    expect((await rejection(first)).code).toBe('ERR_CONNECTION_LOST');
  });

  it('refuses a result that carries a field nobody asked for', async () => {
    const { agent, client, errors } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    const honest = agent.handlers['read.start']!;
    agent.handlers['read.start'] = async (params, conn, id) =>
      honest({ ...params, fields: [...(params.fields as string[]), 'placeOfResidence'] }, conn, id);
    expect((await rejection(client.read(readOpts))).code).toBe('ERR_PROTOCOL');
    expect(errors).toContain('result carries fields that were not requested');
  });

  it('abort sends read.cancel for that request and rejects with ERR_CANCELLED', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    agent.handlers['read.start'] = () => NO_REPLY;
    const ac = new AbortController();
    const p = client.read({ ...readOpts, signal: ac.signal });
    const start = await waitFor(() => agent.last.received.find((m) => m.method === 'read.start'));
    ac.abort();
    expect((await rejection(p)).code).toBe('ERR_CANCELLED');
    const cancel = await waitFor(() => agent.last.received.find((m) => m.method === 'read.cancel'));
    expect(cancel.params).toEqual({ requestId: start.id });
  });

  it('every request is bounded: an agent that never answers gives ERR_TIMEOUT', async () => {
    const { agent, client } = setup({ requestTimeoutMs: 30, readGraceMs: 0 });
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    agent.handlers['readers.list'] = () => NO_REPLY;
    agent.handlers['read.start'] = () => NO_REPLY;
    expect((await rejection(client.readers())).code).toBe('ERR_TIMEOUT');
    expect((await rejection(client.read({ ...readOpts, timeoutMs: 1000 }))).code).toBe('ERR_TIMEOUT');
  });
});

describe('hostile or broken agent', () => {
  it('ignores garbage frames with a protocolError event and keeps working', async () => {
    const { agent, client, errors } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    const conn = agent.last;
    conn.push('{not json');
    conn.push(new Uint8Array([1, 2, 3]));
    conn.push({ jsonrpc: '2.0', id: 999, result: {} });
    conn.push({ jsonrpc: '2.0', method: 'card.inserted', params: { readerId: 'sim-0', atr: '3B8F' } });
    conn.push({ jsonrpc: '2.0', method: 'agent.selfDestruct', params: {} });
    conn.push({ jsonrpc: '2.0', method: 'read.progress', params: { requestId: 5, stage: 'dg2', percent: 50 } });
    conn.push({ jsonrpc: '2.0', id: 1, result: {}, extra: true });
    conn.push('x'.repeat(100));
    expect(errors).toEqual([
      'invalid JSON',
      'binary frame',
      'response to an unknown request',
      'invalid card.inserted params',
      'unknown notification',
      'progress for an unknown read',
      'invalid JSON-RPC envelope',
      'invalid JSON',
    ]);
    expect((await client.read(readOpts)).fields.idNumber).toBe(CITIZEN.idNumber);
  });

  it('a result of the wrong shape fails the request with ERR_PROTOCOL', async () => {
    const { agent, client, errors } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    agent.handlers['readers.list'] = () => ({ readers: [{ readerId: 'x', name: 'x', kind: 'usb', cardPresent: 1 }] });
    expect((await rejection(client.readers())).code).toBe('ERR_PROTOCOL');
    expect(errors).toEqual(['invalid readers.list result']);
  });

  it('frames over maxMessageChars are dropped', async () => {
    const { agent, client, errors } = setup({ maxMessageChars: 200 });
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    agent.last.notify('agent.status', { pcsc: 'up', simulated: true, pad: 'x'.repeat(300) });
    expect(errors).toEqual(['frame too large']);
  });

  it('broadcast events: readers, cards, status', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    await client.readers();
    const seen: unknown[] = [];
    client.on('card', (c) => seen.push(c));
    client.on('status', (s) => seen.push(s));
    client.on('readers', (r) => seen.push(r.map((x) => x.readerId)));
    const conn = agent.last;
    conn.notify('card.removed', { readerId: 'sim-0' });
    conn.notify('agent.status', { pcsc: 'down' });
    conn.notify('reader.attached', { readerId: 'pcsc-1', name: 'ACS ACR1252', kind: 'pcsc' });
    conn.notify('reader.detached', { readerId: 'sim-0' });
    expect(seen).toEqual([{ readerId: 'sim-0', present: false }, { pcsc: 'down' }, ['sim-0', 'pcsc-1'], ['pcsc-1']]);
  });
});

describe('connection loss', () => {
  it('a read in flight fails with ERR_CONNECTION_LOST, is not replayed, and the client reconnects with a new ticket', async () => {
    const { agent, client } = setup();
    const nonces = [NONCE, `${NONCE}-second`];
    let calls = 0;
    await client.connect(URL, { getTicket: async () => fakeTicket(nonces[calls++]!) });
    agent.handlers['read.start'] = () => NO_REPLY;
    const events: unknown[] = [];
    client.on('disconnected', (d) => events.push(d));
    const pending = client.read(readOpts);
    await waitFor(() => agent.last.received.find((m) => m.method === 'read.start'));
    agent.last.drop(1006);
    expect((await rejection(pending)).code).toBe('ERR_CONNECTION_LOST');
    await waitFor(() => client.state === 'ready');
    expect(events).toEqual([{ code: 1006, willReconnect: true }]);
    expect(calls).toBe(2);
    expect(agent.connections).toHaveLength(2);
    expect(agent.last.received.some((m) => m.method === 'read.start')).toBe(false);
    delete agent.handlers['read.start'];
    agent.handlers['read.start'] = (p) => (p.nonce === nonces[1] ? { error: 'ERR_CARD_TIMEOUT' } : NO_REPLY);
    const e = await rejection(client.read(readOpts));
    expect([e.code, e.retriable]).toEqual(['ERR_CARD_TIMEOUT', true]);
  });

  it('keeps retrying with backoff while the agent is down, then gives up after maxAttempts', async () => {
    const { agent, client } = setup({ reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 } });
    await client.connect(URL, { getTicket: async () => fakeTicket(NONCE) });
    agent.mode = 'refuse';
    agent.last.drop(1006);
    await waitFor(() => client.state === 'closed');
    expect(agent.connections).toHaveLength(4);
  });

  it('a static ticket is single use: no reconnection after a drop', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    const events: unknown[] = [];
    client.on('disconnected', (d) => events.push(d));
    agent.last.drop(4001);
    await waitFor(() => client.state === 'closed');
    expect(events).toEqual([{ code: 4001, willReconnect: false }]);
    expect(agent.connections).toHaveLength(1);
  });

  it('an unanswered agent.ping drops the dead link and reconnects', async () => {
    const { agent, client } = setup({ pingIntervalMs: 10, requestTimeoutMs: 20 });
    await client.connect(URL, { getTicket: async () => fakeTicket(NONCE) });
    agent.handlers['agent.ping'] = () => NO_REPLY;
    await waitFor(() => agent.connections.length >= 2 && client.state === 'ready');
  });
});

describe('diagnose', () => {
  const TOKEN = 'a'.repeat(32);

  it('sends admin.diagnose with the token and key, and an abort sends read.cancel for it', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    agent.handlers['admin.diagnose'] = () => NO_REPLY;
    const ac = new AbortController();
    const p = client.diagnose({ adminToken: TOKEN, accessKey: { can: '012345' }, probes: false, signal: ac.signal });
    const sent = await waitFor(() => agent.last.received.find((m) => m.method === 'admin.diagnose'));
    expect(sent.params).toEqual({ adminToken: TOKEN, accessKey: { can: '012345' }, timeoutMs: 60_000, probes: false });
    ac.abort();
    expect((await rejection(p)).code).toBe('ERR_CANCELLED');
    const cancel = await waitFor(() => agent.last.received.find((m) => m.method === 'read.cancel'));
    expect(cancel.params).toEqual({ requestId: sent.id });
  });

  it('refuses locally a short token or a QR-scanner key, and a result that is not a chip profile', async () => {
    const { agent, client } = setup();
    await client.connect(URL, { ticket: fakeTicket(NONCE) });
    const short = await rejection(client.diagnose({ adminToken: 'short', accessKey: { can: '012345' } }));
    expect(short).toMatchObject({ code: 'ERR_INVALID_PARAMS', details: { field: 'adminToken' } });
    const qr = { fromQrScanner: true } as unknown as { can: string };
    expect((await rejection(client.diagnose({ adminToken: TOKEN, accessKey: qr }))).code).toBe('ERR_INVALID_PARAMS');
    agent.handlers['admin.diagnose'] = () => ({ format: 'cccd-chip-profile', idNumber: '001090012345' });
    expect((await rejection(client.diagnose({ adminToken: TOKEN, accessKey: { can: '012345' } }))).code).toBe(
      'ERR_PROTOCOL',
    );
  });
});

describe('helpers', () => {
  it('backoff doubles up to the cap with bounded jitter', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('ticketNonce reads the claim without trusting anything else', () => {
    expect(ticketNonce(fakeTicket(NONCE))).toBe(NONCE);
    expect(ticketNonce('not-a-jws')).toBeUndefined();
    expect(ticketNonce(fakeTicket('short'))).toBeUndefined();
  });
});
