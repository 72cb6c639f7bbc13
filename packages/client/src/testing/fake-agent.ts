/**
 * An in-memory agent behind a fake WebSocket class: scripted JSON-RPC handlers, raw frame injection, and
 * connection drops, so client tests run without sockets, ports or timers of their own.
 */
import type { WebSocketConstructor, WebSocketLike } from '../client.js';
import { type ErrorCode, rpcError } from '../errors.js';
import { PROTOCOL } from '../protocol.js';
import { signReadResult } from '../signature.js';
import { deviceKey, ORIGIN, unsignedResult } from './fixtures.js';

export const NO_REPLY = Symbol('no reply');
type Reply = unknown | typeof NO_REPLY | { error: ErrorCode };
export type Handler = (params: Record<string, unknown>, conn: FakeConnection, id: number) => Reply | Promise<Reply>;

type Listener = (event: unknown) => void;

class FakeSocket implements WebSocketLike {
  readyState = 0;
  protocol = '';
  private readonly listeners = new Map<string, Listener[]>();
  constructor(private readonly conn: FakeConnection) {}

  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener as Listener]);
  }

  fire(type: string, event: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.conn.receive(data);
  }

  close(code = 1000): void {
    this.conn.drop(code);
  }
}

export class FakeConnection {
  readonly socket: FakeSocket;
  /** Every parsed frame the client sent. */
  readonly received: Array<{ id?: number; method: string; params?: Record<string, unknown> }> = [];

  constructor(private readonly agent: FakeAgent) {
    this.socket = new FakeSocket(this);
  }

  open(protocol: string): void {
    this.socket.readyState = 1;
    this.socket.protocol = protocol;
    this.socket.fire('open', {});
  }

  /** Sends a raw frame (string) or an object as JSON. */
  push(frame: unknown): void {
    if (this.socket.readyState !== 1) return;
    this.socket.fire('message', {
      data: typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame),
    });
  }

  notify(method: string, params: unknown): void {
    this.push({ jsonrpc: '2.0', method, params });
  }

  drop(code = 1006): void {
    if (this.socket.readyState === 3) return;
    this.socket.readyState = 3;
    queueMicrotask(() => this.socket.fire('close', { code }));
  }

  async receive(data: string): Promise<void> {
    const msg = JSON.parse(data) as { id?: number; method: string; params?: Record<string, unknown> };
    this.received.push(msg);
    const handler = this.agent.handlers[msg.method];
    if (msg.id === undefined) return;
    const reply = handler ? await handler(msg.params ?? {}, this, msg.id) : { error: 'ERR_METHOD_NOT_FOUND' as const };
    if (reply === NO_REPLY) return;
    if (reply && typeof reply === 'object' && 'error' in reply)
      this.push({ jsonrpc: '2.0', id: msg.id, error: rpcError((reply as { error: ErrorCode }).error) });
    else this.push({ jsonrpc: '2.0', id: msg.id, result: reply });
  }
}

/** A compact JWS-shaped ticket whose payload carries `nonce` (unsigned: the fake agent does not check it). */
export function fakeTicket(nonce: string): string {
  const payload = btoa(JSON.stringify({ nonce, jti: Math.random().toString(36) }))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return `eyJhbGciOiJFUzI1NiJ9.${payload}.c2ln`;
}

export class FakeAgent {
  readonly connections: FakeConnection[] = [];
  /** What the connection does on open: 'ok', refuse it, open with a wrong subprotocol, or stay silent (no hello). */
  mode: 'ok' | 'refuse' | 'wrong-protocol' | 'silent' = 'ok';
  readonly handlers: Record<string, Handler> = {
    'session.authenticate': () => ({
      sessionId: `s-${this.connections.length}`,
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
      allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'],
    }),
    'readers.list': () => ({
      readers: [{ readerId: 'sim-0', name: 'Simulated', kind: 'simulated', cardPresent: true }],
    }),
    'agent.ping': () => ({ t: Date.now() }),
    'read.cancel': () => ({ cancelled: true }),
    'read.start': async (params, conn, id) => {
      conn.notify('read.progress', { requestId: id, stage: 'access-control', percent: 10 });
      conn.notify('read.progress', { requestId: id, stage: 'dg13', percent: 60 });
      const fields = params.fields as string[];
      const all = unsignedResult();
      const picked = Object.fromEntries(Object.entries(all.fields).filter(([k]) => fields.includes(k)));
      return signReadResult(
        { ...all, fields: picked },
        { origin: ORIGIN, nonce: params.nonce as string, ...(await this.key) },
      );
    },
  };
  private readonly key = deviceKey();

  get last(): FakeConnection {
    const c = this.connections.at(-1);
    if (!c) throw new Error('no connection yet');
    return c;
  }

  readonly WebSocket: WebSocketConstructor = ((agent: FakeAgent) =>
    class {
      constructor(_url: string, protocols?: string | string[]) {
        const conn = new FakeConnection(agent);
        agent.connections.push(conn);
        const asked = Array.isArray(protocols) ? protocols[0] : protocols;
        setTimeout(() => {
          if (agent.mode === 'refuse') {
            conn.socket.fire('error', {});
            conn.drop(1006);
            return;
          }
          conn.open(agent.mode === 'wrong-protocol' ? 'other.v9' : (asked ?? ''));
          if (agent.mode === 'ok')
            conn.notify('agent.hello', { protocol: PROTOCOL, agentVersion: '0.1.0', challenge: 'c'.repeat(32) });
        }, 0);
        // biome-ignore lint/correctness/noConstructorReturn: the fake hands out the connection's socket
        return conn.socket;
      }
    } as unknown as WebSocketConstructor)(this);
}
