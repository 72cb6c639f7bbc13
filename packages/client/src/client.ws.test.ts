/** The client against a real `ws` server (the library the agent uses), to check event shapes and subprotocols. */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CccdAgentClient, type WebSocketConstructor } from './client.js';
import type { CccdAgentError } from './errors.js';
import { PROTOCOL } from './protocol.js';
import { fakeTicket } from './testing/fake-agent.js';
import { NONCE } from './testing/fixtures.js';

// 'ws' is a dependency of the kiosk agent, not of this browser-first package.
interface WsSocket {
  protocol: string;
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'message', fn: (data: unknown) => void): void;
}
interface WsServer {
  clients: Set<WsSocket>;
  once(event: 'listening', fn: () => void): void;
  on(
    event: 'connection',
    fn: (socket: WsSocket, req: { url?: string; headers: Record<string, unknown> }) => void,
  ): void;
  address(): AddressInfo;
  close(cb: () => void): void;
}
interface WsModule {
  WebSocket: unknown;
  WebSocketServer: new (options: {
    host: string;
    port: number;
    handleProtocols: (protocols: Set<string>) => string | false;
    verifyClient?: (
      info: { origin: string | undefined; req: { url?: string; headers: Record<string, unknown> } },
      cb: (ok: boolean, status?: number) => void,
    ) => void;
  }) => WsServer;
}
const ws = createRequire(new URL('../../../kiosk-agent/package.json', import.meta.url))('ws') as WsModule;
let server: WsServer;
let url = '';

beforeAll(async () => {
  server = new ws.WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${server.address().port}/v1`;
  server.on('connection', (socket) => {
    socket.send(
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'agent.hello',
        params: { protocol: PROTOCOL, agentVersion: '0.1.0', challenge: 'c'.repeat(32) },
      }),
    );
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id: number; method: string };
      const result =
        msg.method === 'session.authenticate'
          ? { sessionId: 's1', expiresAt: new Date(Date.now() + 60_000).toISOString(), allowedFields: ['idNumber'] }
          : { t: 1 };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    });
  });
});

afterAll(async () => {
  for (const c of server.clients) c.terminate();
  await new Promise<void>((resolve) => server.close(resolve));
});

it('connects through a real ws server with the cccd-agent.v1 subprotocol and survives a server-side close', async () => {
  const client = new CccdAgentClient({
    WebSocket: ws.WebSocket as unknown as WebSocketConstructor,
    pingIntervalMs: 0,
    reconnect: false,
  });
  const session = await client.connect(url, { ticket: fakeTicket(NONCE) });
  expect(session.sessionId).toBe('s1');
  expect(await client.request('agent.ping', {})).toEqual({ t: 1 });
  const closed = new Promise((resolve) => client.on('disconnected', resolve));
  for (const c of server.clients) c.close(4002);
  expect(await closed).toEqual({ code: 4002, willReconnect: false });
  expect(client.state).toBe('closed');
});

describe('an agent that refuses (Node: the HTTP status of the refusal is visible)', () => {
  const ALLOWED = 'https://desk.benhvien.example.vn';
  let gate: WsServer;
  let base = '';
  const origins: unknown[] = [];

  beforeAll(async () => {
    // Like the agent's gate: 503 when busy, 403 without an allowed Origin; 1013 drops a socket before it authenticates.
    gate = new ws.WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
      verifyClient: (info, cb) => {
        origins.push(info.req.headers.origin);
        if (info.req.url === '/busy') cb(false, 503);
        else if (info.origin !== ALLOWED) cb(false, 403);
        else cb(true);
      },
    });
    await new Promise<void>((resolve) => gate.once('listening', () => resolve()));
    base = `ws://127.0.0.1:${gate.address().port}`;
    gate.on('connection', (socket, req) => {
      socket.send(
        JSON.stringify({
          jsonrpc: '2.0',
          method: 'agent.hello',
          params: { protocol: PROTOCOL, agentVersion: '0.1.0', challenge: 'c'.repeat(32) },
        }),
      );
      socket.on('message', () => {
        if (req.url === '/evict') socket.close(1013);
        else
          socket.send(
            JSON.stringify({
              jsonrpc: '2.0',
              id: 1,
              result: {
                sessionId: 's2',
                expiresAt: new Date(Date.now() + 60_000).toISOString(),
                allowedFields: ['idNumber'],
              },
            }),
          );
      });
    });
  });

  afterAll(async () => {
    for (const c of gate.clients) c.terminate();
    await new Promise<void>((resolve) => gate.close(resolve));
  });

  const client = (origin?: string) =>
    new CccdAgentClient({
      WebSocket: ws.WebSocket as unknown as WebSocketConstructor,
      ...(origin === undefined ? {} : { origin }),
      pingIntervalMs: 0,
      reconnect: false,
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => expect.unreachable('connected'),
      (e: CccdAgentError) => e,
    );

  it('without an Origin: ERR_AGENT_REFUSED with the HTTP status and its reason, not "unreachable", not retriable', async () => {
    const e = await failure(client().connect(`${base}/v1`, { ticket: fakeTicket(NONCE) }));
    expect([e.code, e.retriable, e.details]).toEqual([
      'ERR_AGENT_REFUSED',
      false,
      { httpStatus: 403, reason: 'origin' },
    ]);
    expect(e.text('en')).toMatch(/refused/);
  });

  it('with the origin option: sends it as the Origin header and connects', async () => {
    origins.length = 0;
    const c = client(ALLOWED);
    expect((await c.connect(`${base}/v1`, { ticket: fakeTicket(NONCE) })).sessionId).toBe('s2');
    expect(origins).toEqual([ALLOWED]);
    c.close();
  });

  it('a busy agent (503) and a socket dropped with 1013 are retriable refusals', async () => {
    const busy = await failure(client(ALLOWED).connect(`${base}/busy`, { ticket: fakeTicket(NONCE) }));
    expect([busy.code, busy.retriable, busy.details]).toEqual([
      'ERR_AGENT_REFUSED',
      true,
      { httpStatus: 503, reason: 'busy' },
    ]);
    const evicted = await failure(client(ALLOWED).connect(`${base}/evict`, { ticket: fakeTicket(NONCE) }));
    expect([evicted.code, evicted.retriable, evicted.details]).toEqual([
      'ERR_AGENT_REFUSED',
      true,
      { closeCode: 1013, reason: 'busy' },
    ]);
  });

  it('refuses an origin without a constructor that can send it (browsers set Origin themselves)', () => {
    expect(() => new CccdAgentClient({ origin: ALLOWED })).toThrow(TypeError);
  });
});
