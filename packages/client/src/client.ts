/**
 * CccdAgentClient: one WebSocket to the local agent, JSON-RPC requests with timeouts, strict validation of every
 * incoming frame, reconnection with exponential backoff and jitter. A read in flight when the socket drops fails
 * with ERR_CONNECTION_LOST and is never replayed (the card may have moved; the nonce and ticket are single use).
 */

import { type ChipProfileResult, DIAGNOSE_TIMEOUT_MS } from './chip-profile.js';
import { Emitter } from './emitter.js';
import { CccdAgentError, type ErrorCode } from './errors.js';
import {
  type AccessKeyParam,
  type CccdField,
  METHODS,
  type MethodName,
  type MethodParams,
  type MethodResult,
  NOTIFICATIONS,
  type NotificationParams,
  nonceSchema,
  PROTOCOL,
  READ_TIMEOUT_DEFAULT_MS,
  type ReaderInfo,
  type ReadResult,
  type ReadStage,
  serverMessageSchema,
} from './protocol.js';

/** The part of the WebSocket API the client uses (browser WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: never) => void): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';
export type SessionInfo = MethodResult<'session.authenticate'>;

export interface ReconnectOptions {
  /** First retry delay before jitter (ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this many consecutive failed attempts (then state 'closed'). */
  maxAttempts?: number;
}

export interface CccdAgentClientOptions {
  /** Defaults to globalThis.WebSocket (browsers, Node ≥ 22); pass `ws`'s WebSocket in Node 20. */
  WebSocket?: WebSocketConstructor;
  /** Socket open + agent.hello + authentication (ms). */
  connectTimeoutMs?: number;
  /** Every request but read.start (ms). read.start waits timeoutMs + readGraceMs. */
  requestTimeoutMs?: number;
  readGraceMs?: number;
  /** agent.ping every N ms while ready (browsers cannot send WebSocket pings); 0 = off. */
  pingIntervalMs?: number;
  /** false = no reconnection. */
  reconnect?: ReconnectOptions | false;
  /** Frames larger than this are dropped as protocol errors. */
  maxMessageChars?: number;
  /** For tests: jitter source in [0, 1). */
  random?: () => number;
}

export type TicketSource = { ticket: string } | { getTicket: () => Promise<string> };

export interface ReadProgress {
  stage: ReadStage;
  percent: number;
}

export interface ReadOptions {
  fields: readonly CccdField[];
  accessKey: AccessKeyParam;
  purpose: string;
  /** Defaults to the ticket's nonce claim (what the agent checks), else a fresh 256-bit value. */
  nonce?: string;
  readerId?: string;
  includeEvidence?: boolean;
  consentRef?: string;
  /** How long the agent waits for the card and reads (default 60 s, max 120 s). */
  timeoutMs?: number;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
}

export interface DiagnoseOptions {
  /** The agent's admin token (config adminToken): diagnose is for administrators only. */
  adminToken: string;
  /** A typed key (CAN, card data or MRZ); the diagnosis does not wait for the QR scanner. */
  accessKey: MethodParams<'admin.diagnose'>['accessKey'];
  readerId?: string;
  /** How long the agent waits for the card (default 60 s, max 120 s); the diagnosis has its own bound. */
  timeoutMs?: number;
  /** Probe end-of-file answers, SFI reads and the extended-length cap (default true). */
  probes?: boolean;
  signal?: AbortSignal;
}

export interface ClientEvents extends Record<string, unknown> {
  state: ConnectionState;
  ready: SessionInfo;
  disconnected: { code: number; willReconnect: boolean };
  readers: ReaderInfo[];
  card: { readerId: string; present: boolean };
  status: NotificationParams<'agent.status'>;
  sessionExpiring: { inSeconds: number };
  /** A frame that failed validation and was ignored. `reason` is structural, never the frame's content. */
  protocolError: { reason: string };
}

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (error: CccdAgentError) => void;
  timer: ReturnType<typeof setTimeout>;
  onProgress?: (progress: ReadProgress) => void;
}

const OPEN = 1;
const DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  readGraceMs: 15_000,
  pingIntervalMs: 25_000,
  maxMessageChars: 8 * 1024 * 1024,
};
const RECONNECT_DEFAULTS = { initialDelayMs: 500, maxDelayMs: 15_000, maxAttempts: Number.POSITIVE_INFINITY };

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The nonce claim of a compact JWS, read without verifying it (the agent verifies; we only echo it back). */
export function ticketNonce(ticket: string): string | undefined {
  try {
    const part = ticket.split('.')[1];
    if (!part) return undefined;
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const nonce = (JSON.parse(json) as { nonce?: unknown }).nonce;
    return nonceSchema.safeParse(nonce).success ? (nonce as string) : undefined;
  } catch {
    return undefined;
  }
}

/** Exponential backoff with "equal jitter": half the step is fixed (no hot loops), half random (no herds). */
export function backoffDelay(attempt: number, options: Required<ReconnectOptions>, random: () => number): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}

export class CccdAgentClient extends Emitter<ClientEvents> {
  private readonly opts: typeof DEFAULTS & { random: () => number; WebSocket: WebSocketConstructor | undefined };
  private readonly reconnectOpts: Required<ReconnectOptions> | false;
  private ws: WebSocketLike | undefined;
  private url = '';
  private tickets: TicketSource | undefined;
  private currentState: ConnectionState = 'idle';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readerMap = new Map<string, ReaderInfo>();
  private session: SessionInfo | undefined;
  private lastTicketNonce: string | undefined;
  private helloWaiter: ((params: NotificationParams<'agent.hello'>) => void) | undefined;
  private readInFlight = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Bumped on every new socket so late events of an old socket are ignored. */
  private generation = 0;

  constructor(options: CccdAgentClientOptions = {}) {
    super();
    this.opts = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      readGraceMs: options.readGraceMs ?? DEFAULTS.readGraceMs,
      pingIntervalMs: options.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
      maxMessageChars: options.maxMessageChars ?? DEFAULTS.maxMessageChars,
      random: options.random ?? Math.random,
      WebSocket: options.WebSocket,
    };
    this.reconnectOpts = options.reconnect === false ? false : { ...RECONNECT_DEFAULTS, ...options.reconnect };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The authenticated session (allowed fields, expiry), while ready. */
  get sessionInfo(): SessionInfo | undefined {
    return this.session;
  }

  /** Readers known from readers.list and reader.attached/detached notifications. */
  get knownReaders(): ReaderInfo[] {
    return [...this.readerMap.values()];
  }

  /**
   * Opens the socket, waits for agent.hello, authenticates with a ticket. Rejects with a CccdAgentError
   * (ERR_AGENT_UNREACHABLE, ERR_TIMEOUT, ERR_VERSION_UNSUPPORTED, ERR_TICKET_*). A static `ticket` is single use,
   * so only `getTicket` allows reconnection.
   */
  async connect(url: string, tickets: TicketSource): Promise<SessionInfo> {
    if (this.currentState === 'connecting' || this.currentState === 'ready' || this.currentState === 'reconnecting')
      throw new CccdAgentError('ERR_ACTION_PENDING');
    this.url = url;
    this.tickets = tickets;
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

  /** Closes for good: no reconnection; pending requests fail with ERR_CONNECTION_LOST. */
  close(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.teardownSocket(1000);
    this.failPending('ERR_CONNECTION_LOST');
    this.setState('closed');
  }

  async readers(): Promise<ReaderInfo[]> {
    const { readers } = await this.request('readers.list', {});
    this.readerMap = new Map(readers.map((r) => [r.readerId, r]));
    this.emit('readers', readers);
    return readers;
  }

  async getInfo(): Promise<MethodResult<'agent.getInfo'>> {
    return this.request('agent.getInfo', {});
  }

  /** One read at a time per client (the agent enforces the same: ERR_ACTION_PENDING). */
  async read(options: ReadOptions): Promise<ReadResult> {
    if (options.signal?.aborted) throw new CccdAgentError('ERR_CANCELLED');
    if (this.readInFlight) throw new CccdAgentError('ERR_ACTION_PENDING');
    const timeoutMs = options.timeoutMs ?? READ_TIMEOUT_DEFAULT_MS;
    const params: MethodParams<'read.start'> = {
      accessKey: options.accessKey,
      fields: [...options.fields],
      purpose: options.purpose,
      nonce: options.nonce ?? this.lastTicketNonce ?? randomNonce(),
      timeoutMs,
    };
    if (options.readerId !== undefined) params.readerId = options.readerId;
    if (options.includeEvidence !== undefined) params.includeEvidence = options.includeEvidence;
    if (options.consentRef !== undefined) params.consentRef = options.consentRef;
    this.readInFlight = true;
    try {
      const result = await this.request('read.start', params, {
        timeoutMs: timeoutMs + this.opts.readGraceMs,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      this.checkOnlyRequested(result, options.fields);
      return result;
    } finally {
      this.readInFlight = false;
    }
  }

  /**
   * The chip profile of the card on a reader: protocols, sizes, status words and timings, no personal data. Needs
   * the admin token on top of the authenticated session; a read that stopped comes back with outcome 'failed'.
   */
  async diagnose(options: DiagnoseOptions): Promise<ChipProfileResult> {
    const timeoutMs = options.timeoutMs ?? READ_TIMEOUT_DEFAULT_MS;
    const params: MethodParams<'admin.diagnose'> = {
      adminToken: options.adminToken,
      accessKey: options.accessKey,
      timeoutMs,
    };
    if (options.readerId !== undefined) params.readerId = options.readerId;
    if (options.probes !== undefined) params.probes = options.probes;
    return this.request('admin.diagnose', params, {
      timeoutMs: timeoutMs + DIAGNOSE_TIMEOUT_MS + this.opts.readGraceMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Sends one request. Params are validated locally first (ERR_INVALID_PARAMS without a round trip); the result
   * is validated against the method's schema (ERR_PROTOCOL otherwise).
   */
  request<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    options: { timeoutMs?: number; signal?: AbortSignal; onProgress?: (p: ReadProgress) => void } = {},
  ): Promise<MethodResult<M>> {
    const checked = METHODS[method].params.safeParse(params);
    if (!checked.success) {
      const field = checked.error.issues[0]?.path.join('.') ?? '';
      return Promise.reject(new CccdAgentError('ERR_INVALID_PARAMS', { details: { field: field.slice(0, 64) } }));
    }
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return Promise.reject(new CccdAgentError('ERR_CONNECTION_LOST'));
    const id = this.nextId++;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        cleanup();
        reject(new CccdAgentError('ERR_TIMEOUT'));
      }, options.timeoutMs ?? this.opts.requestTimeoutMs);
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        // Tell the agent, but do not wait for it: the caller asked to stop now.
        if (method === 'read.start' || method === 'admin.diagnose')
          this.request('read.cancel', { requestId: id }).catch(() => undefined);
        reject(new CccdAgentError('ERR_CANCELLED'));
      };
      const cleanup = () => options.signal?.removeEventListener('abort', onAbort);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const entry: Pending = {
        method,
        resolve: (v) => {
          cleanup();
          resolve(v as MethodResult<M>);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        timer,
      };
      if (options.onProgress) entry.onProgress = options.onProgress;
      this.pending.set(id, entry);
      try {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: checked.data }));
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        entry.reject(new CccdAgentError('ERR_CONNECTION_LOST', { cause: e }));
      }
    });
  }

  // ---------- connection ----------

  private async establish(): Promise<SessionInfo> {
    const deadline = this.opts.connectTimeoutMs;
    // The ticket first: the agent gives unauthenticated sockets a small budget and a short deadline, so the
    // socket should not sit unauthenticated during the backend round trip.
    const ticket = await this.nextTicket();
    const hello = await this.openSocket(deadline);
    if (hello.protocol !== PROTOCOL) throw new CccdAgentError('ERR_VERSION_UNSUPPORTED');
    this.lastTicketNonce = ticketNonce(ticket);
    const session = await this.request('session.authenticate', { ticket }, { timeoutMs: deadline });
    this.session = session;
    this.attempt = 0;
    this.setState('ready');
    this.startPing();
    this.emit('ready', session);
    // Best effort: a fresh reader list for the 'readers' event; failures surface on the next call instead.
    this.readers().catch(() => undefined);
    return session;
  }

  private async nextTicket(): Promise<string> {
    const t = this.tickets;
    if (!t) throw new CccdAgentError('ERR_UNAUTHENTICATED');
    if ('ticket' in t) {
      // single use: forget it so a reconnection cannot replay it
      this.tickets = undefined;
      return t.ticket;
    }
    try {
      return await t.getTicket();
    } catch (e) {
      throw new CccdAgentError('ERR_UNAUTHENTICATED', { retriable: true, cause: e });
    }
  }

  /** Resolves with agent.hello once the socket is open with our subprotocol; bounded by timeoutMs. */
  private openSocket(timeoutMs: number): Promise<NotificationParams<'agent.hello'>> {
    const Ctor = this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) return Promise.reject(new CccdAgentError('ERR_AGENT_UNREACHABLE', { retriable: false }));
    const generation = ++this.generation;
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
        ws = new Ctor(this.url, PROTOCOL);
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
        if (generation === this.generation) this.onFrame(event.data);
      });
      ws.addEventListener('error', () => finish(new CccdAgentError('ERR_AGENT_UNREACHABLE')));
      ws.addEventListener('close', (event: { code?: number }) => {
        finish(new CccdAgentError('ERR_AGENT_UNREACHABLE'));
        if (generation === this.generation) this.onClose(event.code ?? 1006);
      });
    });
  }

  private onClose(code: number): void {
    this.ws = undefined;
    this.session = undefined;
    this.stopPing();
    this.failPending('ERR_CONNECTION_LOST');
    if (this.currentState !== 'ready') return; // connect()/attempt handles its own failure
    const willReconnect = this.reconnectOpts !== false && this.tickets !== undefined && 'getTicket' in this.tickets;
    this.emit('disconnected', { code, willReconnect });
    if (willReconnect) this.scheduleReconnect();
    else this.setState('closed');
  }

  private scheduleReconnect(): void {
    const opts = this.reconnectOpts;
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
    this.session = undefined;
    try {
      ws?.close(code);
    } catch {
      // already closing
    }
  }

  private failPending(code: ErrorCode): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new CccdAgentError(code));
    }
  }

  private startPing(): void {
    this.stopPing();
    if (this.opts.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      this.request('agent.ping', {}).catch((e: CccdAgentError) => {
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
    this.emit('state', state);
  }

  // ---------- incoming frames ----------

  private protocolError(reason: string): void {
    this.emit('protocolError', { reason });
  }

  private onFrame(data: unknown): void {
    const problem = this.handleFrame(data);
    if (problem) this.protocolError(problem);
  }

  /** Returns why the frame was ignored, or undefined when it was handled. */
  private handleFrame(data: unknown): string | undefined {
    if (typeof data !== 'string') return 'binary frame';
    if (data.length > this.opts.maxMessageChars) return 'frame too large';
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return 'invalid JSON';
    }
    const msg = serverMessageSchema.safeParse(json);
    if (!msg.success) return 'invalid JSON-RPC envelope';
    const m = msg.data;
    if ('method' in m) return this.handleNotification(m.method, m.params);
    if (m.id === null || typeof m.id !== 'number') return 'response without a request';
    const p = this.pending.get(m.id);
    if (!p) return 'response to an unknown request';
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if ('error' in m) {
      p.reject(CccdAgentError.fromRpc(m.error));
      return undefined;
    }
    const result = METHODS[p.method].result.safeParse(m.result);
    if (!result.success) {
      p.reject(new CccdAgentError('ERR_PROTOCOL'));
      return `invalid ${p.method} result`;
    }
    p.resolve(result.data);
    return undefined;
  }

  private handleNotification(method: string, params: unknown): string | undefined {
    if (!Object.hasOwn(NOTIFICATIONS, method)) return 'unknown notification';
    const name = method as keyof typeof NOTIFICATIONS;
    const parsed = NOTIFICATIONS[name].safeParse(params);
    if (!parsed.success) return `invalid ${name} params`;
    const v = parsed.data as NotificationParams<typeof name>;
    switch (name) {
      case 'agent.hello':
        this.helloWaiter?.(v as NotificationParams<'agent.hello'>);
        break;
      case 'agent.status':
        this.emit('status', v as NotificationParams<'agent.status'>);
        break;
      case 'session.expiring':
        this.emit('sessionExpiring', v as NotificationParams<'session.expiring'>);
        break;
      case 'read.progress': {
        const { requestId, stage, percent } = v as NotificationParams<'read.progress'>;
        const p = typeof requestId === 'number' ? this.pending.get(requestId) : undefined;
        if (p?.method !== 'read.start') return 'progress for an unknown read';
        try {
          p.onProgress?.({ stage, percent });
        } catch {
          // the page's progress handler must not break the read
        }
        break;
      }
      case 'reader.attached': {
        const r = v as NotificationParams<'reader.attached'>;
        this.readerMap.set(r.readerId, { ...r, cardPresent: false });
        this.emit('readers', this.knownReaders);
        break;
      }
      case 'reader.detached':
        this.readerMap.delete((v as NotificationParams<'reader.detached'>).readerId);
        this.emit('readers', this.knownReaders);
        break;
      case 'card.inserted':
      case 'card.removed': {
        const { readerId } = v as NotificationParams<'card.inserted'>;
        const present = name === 'card.inserted';
        const known = this.readerMap.get(readerId);
        if (known) this.readerMap.set(readerId, { ...known, cardPresent: present });
        this.emit('card', { readerId, present });
        break;
      }
    }
    return undefined;
  }

  /** A result carrying a field nobody asked for is a protocol violation (and a privacy one): refuse it. */
  private checkOnlyRequested(result: ReadResult, fields: readonly CccdField[]): void {
    const asked = new Set<string>(fields);
    const extra = Object.keys(result.fields).some((k) => !asked.has(k)) || (result.photo && !asked.has('photo'));
    if (extra) {
      this.protocolError('result carries fields that were not requested');
      throw new CccdAgentError('ERR_PROTOCOL');
    }
  }
}

function randomNonce(): string {
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}
