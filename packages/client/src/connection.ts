/**
 * The client's link to the agent: one socket at a time, from ticket to ready — the ticket is fetched first, then
 * the socket opened with the cccd-agent.v1 subprotocol, agent.hello awaited, the session authenticated — then kept
 * alive with agent.ping and, when it drops, re-established with exponential backoff and jitter. A request in
 * flight when the socket drops fails with ERR_CONNECTION_LOST and is never replayed (the card may have moved; the
 * nonce and ticket are single use).
 */
import { CccdAgentError } from './errors.js';
import { type MethodResult, type NotificationParams, PROTOCOL } from './protocol.js';
import type { RpcChannel } from './rpc.js';
import { type TicketSource, Tickets, ticketNonce } from './tickets.js';

/** The part of the WebSocket API the client uses (browser WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Events are read defensively; `any` so that `ws`'s WebSocket (typed per event) fits as well as the browser's. */
  // biome-ignore lint/suspicious/noExplicitAny: the two libraries type their event objects differently
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void): void;
}
/**
 * A WebSocket constructor. The third argument is what the `ws` package takes (`{ headers }`): the client passes it
 * only when `origin` is set, so the browser's WebSocket (which sets Origin itself) never sees it.
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike;

/** Close code the agent uses when it drops an unauthenticated socket for a newer one (its budget is full). */
export const CLOSE_TRY_AGAIN = 1013;

/** The reason the agent refuses an upgrade with a given HTTP status (kiosk-agent gate.ts: checks in this order). */
const REFUSAL_REASONS: Record<number, string> = {
  400: 'subprotocol',
  403: 'origin',
  404: 'path',
  421: 'host',
  503: 'busy',
};

/**
 * The agent's refusal of the upgrade, when the socket's error event shows it. Only Node's `ws` reports the HTTP
 * status ("Unexpected server response: 403"); browsers hide it, so there the failure stays ERR_AGENT_UNREACHABLE.
 */
export function refusalOf(event: unknown): CccdAgentError | undefined {
  const e = event as { message?: unknown; error?: { message?: unknown } } | undefined;
  const text = [e?.message, e?.error?.message].filter((m) => typeof m === 'string').join(' ');
  const m = /Unexpected server response: (\d{3})/.exec(text);
  if (!m) return undefined;
  const httpStatus = Number(m[1]);
  return new CccdAgentError('ERR_AGENT_REFUSED', {
    retriable: httpStatus === 503 || httpStatus === 429,
    details: { httpStatus, reason: REFUSAL_REASONS[httpStatus] ?? 'http' },
  });
}

function tryAgainLater(): CccdAgentError {
  return new CccdAgentError('ERR_AGENT_REFUSED', {
    retriable: true,
    details: { closeCode: CLOSE_TRY_AGAIN, reason: 'busy' },
  });
}

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';
export type SessionInfo = MethodResult<'session.authenticate'>;

export interface ReconnectOptions {
  /** First retry delay before jitter (ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this many consecutive failed attempts (then state 'closed'). */
  maxAttempts?: number;
}

export const RECONNECT_DEFAULTS = { initialDelayMs: 500, maxDelayMs: 15_000, maxAttempts: Number.POSITIVE_INFINITY };

/** Exponential backoff with "equal jitter": half the step is fixed (no hot loops), half random (no herds). */
export function backoffDelay(attempt: number, options: Required<ReconnectOptions>, random: () => number): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}

export interface ConnectionOptions {
  WebSocket: WebSocketConstructor | undefined;
  /** Sent as the upgrade's Origin header (Node clients; needs a constructor that takes headers, like `ws`'s). */
  origin: string | undefined;
  /** Socket open + agent.hello + authentication (ms). */
  connectTimeoutMs: number;
  /** 0 = off. */
  pingIntervalMs: number;
  reconnect: Required<ReconnectOptions> | false;
  random: () => number;
}

/** What the connection reports to the client that owns it. */
export interface ConnectionHooks {
  state(state: ConnectionState): void;
  /** Authenticated (first connection and every reconnection). */
  ready(session: SessionInfo): void;
  disconnected(info: { code: number; willReconnect: boolean }): void;
  /** A frame of the current socket, not yet validated. */
  frame(data: unknown): void;
}

export class Connection {
  private ws: WebSocketLike | undefined;
  private url = '';
  private tickets = new Tickets(undefined);
  private currentState: ConnectionState = 'idle';
  private currentSession: SessionInfo | undefined;
  private lastTicketNonce: string | undefined;
  private helloWaiter: ((params: NotificationParams<'agent.hello'>) => void) | undefined;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Bumped on every new socket so late events of an old socket are ignored. */
  private generation = 0;
  /** Close code of the socket being established, if it closed. */
  private establishCloseCode: number | undefined;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly rpc: RpcChannel,
    private readonly hooks: ConnectionHooks,
  ) {}

  get state(): ConnectionState {
    return this.currentState;
  }

  get socket(): WebSocketLike | undefined {
    return this.ws;
  }

  /** The authenticated session, while ready. */
  get session(): SessionInfo | undefined {
    return this.currentSession;
  }

  /** The nonce claim of the ticket that authenticated the current session. */
  get ticketNonce(): string | undefined {
    return this.lastTicketNonce;
  }

  async connect(url: string, tickets: TicketSource): Promise<SessionInfo> {
    if (this.currentState === 'connecting' || this.currentState === 'ready' || this.currentState === 'reconnecting')
      throw new CccdAgentError('ERR_ACTION_PENDING');
    this.url = url;
    this.tickets = new Tickets(tickets);
    this.attempt = 0;
    this.setState('connecting');
    try {
      return await this.establish();
    } catch (e) {
      this.teardownSocket(1000);
      this.setState('closed');
      throw e;
    }
  }

  close(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.teardownSocket(1000);
    this.rpc.failAll('ERR_CONNECTION_LOST');
    this.setState('closed');
  }

  /** agent.hello arrived on the current socket. */
  hello(params: NotificationParams<'agent.hello'>): void {
    this.helloWaiter?.(params);
  }

  private async establish(): Promise<SessionInfo> {
    const deadline = this.opts.connectTimeoutMs;
    // The ticket first: the agent gives unauthenticated sockets a small budget and a short deadline, so the
    // socket should not sit unauthenticated during the backend round trip.
    const ticket = await this.tickets.next();
    const hello = await this.openSocket(deadline);
    if (hello.protocol !== PROTOCOL) throw new CccdAgentError('ERR_VERSION_UNSUPPORTED');
    this.lastTicketNonce = ticketNonce(ticket);
    let session: SessionInfo;
    try {
      session = await this.rpc.request('session.authenticate', { ticket }, { timeoutMs: deadline });
    } catch (e) {
      // dropped before authenticating because the agent's unauthenticated budget is full: try again later
      if (this.establishCloseCode === CLOSE_TRY_AGAIN) throw tryAgainLater();
      throw e;
    }
    this.currentSession = session;
    this.attempt = 0;
    this.setState('ready');
    this.startPing();
    this.hooks.ready(session);
    return session;
  }

  /** Resolves with agent.hello once the socket is open with our subprotocol; bounded by timeoutMs. */
  private openSocket(timeoutMs: number): Promise<NotificationParams<'agent.hello'>> {
    const Ctor = this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) return Promise.reject(new CccdAgentError('ERR_AGENT_UNREACHABLE', { retriable: false }));
    const generation = ++this.generation;
    this.establishCloseCode = undefined;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error?: CccdAgentError, hello?: NotificationParams<'agent.hello'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.helloWaiter = undefined;
        if (error) reject(error);
        else resolve(hello!);
      };
      const timer = setTimeout(() => finish(new CccdAgentError('ERR_TIMEOUT')), timeoutMs);
      let ws: WebSocketLike;
      try {
        const origin = this.opts.origin;
        ws =
          origin === undefined
            ? new Ctor(this.url, PROTOCOL)
            : new Ctor(this.url, PROTOCOL, { headers: { Origin: origin } });
      } catch (e) {
        finish(new CccdAgentError('ERR_AGENT_UNREACHABLE', { cause: e }));
        return;
      }
      this.ws = ws;
      this.helloWaiter = (hello) => finish(undefined, hello);
      ws.addEventListener('open', () => {
        if (ws.protocol !== PROTOCOL) finish(new CccdAgentError('ERR_VERSION_UNSUPPORTED'));
      });
      ws.addEventListener('message', (event: { data: unknown }) => {
        if (generation === this.generation) this.hooks.frame(event.data);
      });
      ws.addEventListener('error', (event: unknown) =>
        finish(refusalOf(event) ?? new CccdAgentError('ERR_AGENT_UNREACHABLE')),
      );
      ws.addEventListener('close', (event: { code?: number }) => {
        if (generation === this.generation) this.establishCloseCode = event.code;
        finish(event.code === CLOSE_TRY_AGAIN ? tryAgainLater() : new CccdAgentError('ERR_AGENT_UNREACHABLE'));
        if (generation === this.generation) this.onClose(event.code ?? 1006);
      });
    });
  }

  private onClose(code: number): void {
    this.ws = undefined;
    this.currentSession = undefined;
    this.stopPing();
    this.rpc.failAll('ERR_CONNECTION_LOST');
    if (this.currentState !== 'ready') return; // connect()/attempt handles its own failure
    const willReconnect = this.opts.reconnect !== false && this.tickets.renewable;
    this.hooks.disconnected({ code, willReconnect });
    if (willReconnect) this.scheduleReconnect();
    else this.setState('closed');
  }

  private scheduleReconnect(): void {
    const opts = this.opts.reconnect;
    if (opts === false || this.attempt >= opts.maxAttempts) {
      this.setState('closed');
      return;
    }
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt++, opts, this.opts.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.establish().catch(() => {
        if (this.currentState !== 'reconnecting') return; // close() was called meanwhile
        this.teardownSocket(1000);
        this.scheduleReconnect();
      });
    }, delay);
  }

  private teardownSocket(code: number): void {
    this.generation++;
    this.stopPing();
    const ws = this.ws;
    this.ws = undefined;
    this.currentSession = undefined;
    try {
      ws?.close(code);
    } catch {
      // already closing
    }
  }

  private startPing(): void {
    this.stopPing();
    if (this.opts.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      this.rpc.request('agent.ping', {}).catch((e: CccdAgentError) => {
        // an unanswered ping means a dead link the browser has not noticed: drop it and reconnect
        if (e.code === 'ERR_TIMEOUT' && this.ws) this.forceDrop();
      });
    }, this.opts.pingIntervalMs);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private forceDrop(): void {
    const ws = this.ws;
    this.generation++;
    try {
      ws?.close(4000);
    } catch {
      // ignore
    }
    this.onClose(1006);
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.hooks.state(state);
  }
}
