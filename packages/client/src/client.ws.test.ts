/** The client against a real `ws` server (the library the agent uses), to check event shapes and subprotocols. */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CccdAgentClient, type WebSocketConstructor } from './client.js';
import { PROTOCOL } from './protocol.js';
import { fakeTicket } from './testing/fake-agent.js';
import { NONCE } from './testing/fixtures.js';

// 'ws' is a dependency of the kiosk agent, not of this browser-first package.
interface WsSocket {
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'message', fn: (data: unknown) => void): void;
}
interface WsServer {
  clients: Set<WsSocket>;
  once(event: 'listening', fn: () => void): void;
  on(event: 'connection', fn: (socket: WsSocket) => void): void;
  address(): AddressInfo;
  close(cb: () => void): void;
}
interface WsModule {
  WebSocket: unknown;
  WebSocketServer: new (options: {
    host: string;
    port: number;
    handleProtocols: (protocols: Set<string>) => string | false;
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
