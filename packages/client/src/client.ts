/**
 * CccdAgentClient: the public face of the client — connect, read, diagnose, the reader list, and events. The link
 * itself (socket, hello, authentication, ping, reconnection) is connection.ts; requests, timeouts and the
 * validation of every incoming frame are rpc.ts; where tickets come from is tickets.ts.
 */

import { type ChipProfileResult, DIAGNOSE_TIMEOUT_MS } from './chip-profile.js';
import {
  Connection,
  type ConnectionState,
  RECONNECT_DEFAULTS,
  type ReconnectOptions,
  type SessionInfo,
  type WebSocketConstructor,
} from './connection.js';
import { Emitter } from './emitter.js';
import { CccdAgentError } from './errors.js';
import {
  type AccessKeyParam,
  type CccdField,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type NotificationParams,
  READ_TIMEOUT_DEFAULT_MS,
  type ReaderInfo,
  type ReadResult,
} from './protocol.js';
import { parseServerFrame, type ReadProgress, RpcChannel, type ServerFrame } from './rpc.js';
import type { TicketSource } from './tickets.js';

export {
  backoffDelay,
  type ConnectionState,
  type ReconnectOptions,
  type SessionInfo,
  type WebSocketConstructor,
  type WebSocketLike,
} from './connection.js';
export type { ReadProgress } from './rpc.js';
export { type TicketSource, ticketNonce } from './tickets.js';

export interface CccdAgentClientOptions {
  /** Defaults to globalThis.WebSocket (browsers, Node ≥ 22); pass `ws`'s WebSocket in Node 20. */
  WebSocket?: WebSocketConstructor;
  /**
   * Node and desktop programs only: the Origin header of the upgrade, one of the agent's allowed origins (its
   * config `allowedOrigins`, with a ticket issuer for it). Browsers send the page's origin themselves and ignore this;
   * it needs a WebSocket constructor that takes headers (`ws`'s): pass `WebSocket` with it.
   */
  origin?: string;
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

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  readGraceMs: 15_000,
  pingIntervalMs: 25_000,
  maxMessageChars: 8 * 1024 * 1024,
};

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function randomNonce(): string {
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

export class CccdAgentClient extends Emitter<ClientEvents> {
  private readonly readGraceMs: number;
  private readonly maxMessageChars: number;
  private readonly rpc: RpcChannel;
  private readonly connection: Connection;
  private readerMap = new Map<string, ReaderInfo>();
  private readInFlight = false;

  constructor(options: CccdAgentClientOptions = {}) {
    super();
    this.readGraceMs = options.readGraceMs ?? DEFAULTS.readGraceMs;
    this.maxMessageChars = options.maxMessageChars ?? DEFAULTS.maxMessageChars;
    this.rpc = new RpcChannel(() => this.connection.socket, options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
    if (options.origin !== undefined && options.WebSocket === undefined)
      throw new TypeError(
        'CccdAgentClient: `origin` needs a WebSocket constructor that sends headers (the ws package)',
      );
    const connection = {
      WebSocket: options.WebSocket,
      origin: options.origin,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      pingIntervalMs: options.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
      reconnect: options.reconnect === false ? (false as const) : { ...RECONNECT_DEFAULTS, ...options.reconnect },
      random: options.random ?? Math.random,
    };
    this.connection = new Connection(connection, this.rpc, {
      state: (state) => this.emit('state', state),
      ready: (session) => {
        this.emit('ready', session);
        // Best effort: a fresh reader list for the 'readers' event; failures surface on the next call instead.
        this.readers().catch(() => undefined);
      },
      disconnected: (info) => this.emit('disconnected', info),
      frame: (data) => this.onFrame(data),
    });
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The authenticated session (allowed fields, expiry), while ready. */
  get sessionInfo(): SessionInfo | undefined {
    return this.connection.session;
  }

  /** Readers known from readers.list and reader.attached/detached notifications. */
  get knownReaders(): ReaderInfo[] {
    return [...this.readerMap.values()];
  }

  /**
   * Opens the socket, waits for agent.hello, authenticates with a ticket. Rejects with a CccdAgentError
   * (ERR_AGENT_UNREACHABLE; ERR_AGENT_REFUSED with details {httpStatus, reason} in Node, or {closeCode: 1013} when
   * the agent's unauthenticated budget is full; ERR_TIMEOUT, ERR_VERSION_UNSUPPORTED, ERR_TICKET_*). A static `ticket` is single use,
   * so only `getTicket` allows reconnection.
   */
  async connect(url: string, tickets: TicketSource): Promise<SessionInfo> {
    return this.connection.connect(url, tickets);
  }

  /** Closes for good: no reconnection; pending requests fail with ERR_CONNECTION_LOST. */
  close(): void {
    this.connection.close();
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
      nonce: options.nonce ?? this.connection.ticketNonce ?? randomNonce(),
      timeoutMs,
    };
    if (options.readerId !== undefined) params.readerId = options.readerId;
    if (options.includeEvidence !== undefined) params.includeEvidence = options.includeEvidence;
    if (options.consentRef !== undefined) params.consentRef = options.consentRef;
    this.readInFlight = true;
    try {
      const result = await this.request('read.start', params, {
        timeoutMs: timeoutMs + this.readGraceMs,
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
      timeoutMs: timeoutMs + DIAGNOSE_TIMEOUT_MS + this.readGraceMs,
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
    return this.rpc.request(method, params, options);
  }

  // ---------- incoming frames ----------

  private protocolError(reason: string): void {
    this.emit('protocolError', { reason });
  }

  private onFrame(data: unknown): void {
    const problem = this.route(parseServerFrame(data, this.maxMessageChars));
    if (problem) this.protocolError(problem);
  }

  /** Returns why the frame was ignored, or undefined when it was handled. */
  private route(frame: ServerFrame): string | undefined {
    if ('problem' in frame) return frame.problem;
    if ('response' in frame) return this.rpc.settle(frame.response);
    const { name, params } = frame.notification;
    switch (name) {
      case 'agent.hello':
        this.connection.hello(params);
        break;
      case 'agent.status':
        this.emit('status', params);
        break;
      case 'session.expiring':
        this.emit('sessionExpiring', params);
        break;
      case 'read.progress':
        return this.rpc.progress(params);
      case 'reader.attached':
        this.readerMap.set(params.readerId, { ...params, cardPresent: false });
        this.emit('readers', this.knownReaders);
        break;
      case 'reader.detached':
        this.readerMap.delete(params.readerId);
        this.emit('readers', this.knownReaders);
        break;
      case 'card.inserted':
      case 'card.removed': {
        const present = name === 'card.inserted';
        const known = this.readerMap.get(params.readerId);
        if (known) this.readerMap.set(params.readerId, { ...known, cardPresent: present });
        this.emit('card', { readerId: params.readerId, present });
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
