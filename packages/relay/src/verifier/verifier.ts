/**
 * The verifier side: a WebSocket endpoint (standalone, or attached to the operator's HTTP server through
 * handleUpgrade) that accepts card-side connections carrying a ticket it issued, and hands each one to the
 * operator's code as a RelaySession — a Transport for readVerified. The operator issues a ticket per read over its
 * own authenticated channel (its app's API), so the ticket binds the connection to that read and its access key.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { EmrtdError } from '@cccd/emrtd';
import { fromHex } from '@cccd/emrtd/codec';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import { RelayError, type RelayFailure } from '../errors.js';
import { type RelayLogger, safeLogger } from '../log.js';
import {
  CloseCode,
  type Hello,
  helloSchema,
  MAX_FRAME_BYTES,
  parseFrame,
  RELAY_PROTOCOL_VERSION,
} from '../protocol.js';
import { addressKey } from './address.js';
import { clampCapabilities } from './capabilities.js';
import { type AccessKeySource, RelaySession, type SessionLimits } from './session.js';
import { TicketBook, validMs } from './tickets.js';

export interface RelayVerifierOptions extends Partial<SessionLimits> {
  /** Frame kinds, lengths, status words, close codes — never bytes, tickets or CANs (docs/relay.md). */
  logger?: RelayLogger;
  /** Lifetime of an issued ticket (ms, default 60 000). */
  ticketTtlMs?: number;
  /**
   * Bound on the first frame (the hello with the ticket) after the WebSocket opens (ms, default 3 000). The card
   * side sends it as soon as it sees the upgrade answer, so it costs one round trip: 3 s covers a 1 s round trip
   * plus one TCP retransmission (RFC 6298 §2.4: RTO ≥ 1 s) on a weak mobile link.
   */
  helloTimeoutMs?: number;
  /**
   * Accept a CAN sent by the card side (default false: the access key comes from `issueTicket`'s `accessKey`, and
   * a hello carrying a CAN is refused with 4403). Turn on only where the card side is where the CAN is typed.
   */
  acceptCanFromCardSide?: boolean;
  /**
   * Connections without a session at once (default 64): waiting for their hello, or refused and still closing.
   * More are closed with 4429. A global cap any client can fill: put a per-client connection limit in front
   * (docs/relay.md).
   */
  maxPendingConnections?: number;
  /** The same, per client address (an IPv6 /64 counts as one; default 8): one client cannot fill the global cap. */
  maxPendingPerAddress?: number;
  /**
   * The client's address for `maxPendingPerAddress` (default the TCP peer's). Behind a reverse proxy every
   * connection comes from the proxy: return the client address your proxy reports (a header only it can set).
   */
  clientAddress?: (request: IncomingMessage) => string | undefined;
  /** Clock for ticket lifetimes (tests). */
  now?: () => number;
}

export interface IssueTicketOptions {
  /** The access key of this read (e.g. the CAN the operator's back office holds); a function is called per read. */
  accessKey?: AccessKeySource;
  ttlMs?: number;
}

export interface IssuedTicket {
  /** Give this to the card side over the operator's authenticated channel; it is presented once, in the hello. */
  ticket: string;
  expiresAt: number;
  /** Resolves when a card side presents the ticket; rejects (RelayError) when it expires or is refused. */
  session: Promise<RelaySession>;
}

interface Waiting {
  accessKey: AccessKeySource | undefined;
  resolve: (s: RelaySession) => void;
  reject: (e: unknown) => void;
  expiry: ReturnType<typeof setTimeout>;
}

const DEFAULTS = {
  apduTimeoutMs: 10_000,
  networkAllowanceMs: 5_000,
  sessionTimeoutMs: 120_000,
  ticketTtlMs: 60_000,
  helloTimeoutMs: 3_000,
  maxPendingConnections: 64,
  maxPendingPerAddress: 8,
};

/**
 * How long a close this side starts may wait for the peer's close frame before the socket is destroyed (ws's
 * default is 30 s). A peer that stops reading after a refusal would otherwise hold a descriptor that long.
 */
export const CLOSE_GRACE_MS = 1_000;

export class RelayVerifier {
  private readonly wss = new WebSocketServer(serverOptions);
  private readonly tickets: TicketBook<Waiting>;
  private readonly sessions = new Set<RelaySession>();
  private readonly log: RelayLogger;
  private readonly limits: typeof DEFAULTS;
  /** Connections without a session (awaiting their hello, or refused and closing), per client address key. */
  private readonly pending = new Map<string, number>();
  private pendingTotal = 0;
  private server: Server | undefined;
  private closing = false;

  constructor(private readonly options: RelayVerifierOptions = {}) {
    this.limits = validLimits(options);
    this.tickets = new TicketBook(options.now);
    this.log = safeLogger(options.logger);
  }

  /** A single-use ticket for one read. */
  issueTicket(options: IssueTicketOptions = {}): IssuedTicket {
    if (this.closing) throw new RelayError('unavailable', 'relay issue ticket');
    const ttlMs = options.ttlMs ?? this.limits.ticketTtlMs;
    let waiting!: Waiting;
    const session = new Promise<RelaySession>((resolve, reject) => {
      waiting = { accessKey: options.accessKey, resolve, reject, expiry: undefined as never };
    });
    // The operator may never await it (the phone never came): that is not an unhandled rejection.
    session.catch(() => {});
    const { ticket, expiresAt } = this.tickets.issue(ttlMs, waiting);
    waiting.expiry = setTimeout(() => {
      this.tickets.withdraw(waiting);
      waiting.reject(new RelayError('ticket-expired', 'relay ticket'));
    }, ttlMs);
    waiting.expiry.unref?.();
    return { ticket, expiresAt, session };
  }

  /** For an existing HTTP server's 'upgrade' event (route by path first: every upgrade given here is taken). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const address = addressKey((this.options.clientAddress ?? peerAddress)(request));
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, address));
  }

  /** A standalone endpoint (its own HTTP server; every path upgrades). Resolves with its ws:// URL. */
  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const server = createServer((_req, res) => {
      res.statusCode = 426;
      res.end();
    });
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    return { url: `ws://${host.includes(':') ? `[${host}]` : host}:${bound}`, port: bound };
  }

  /** Closes every session (1001), refuses new connections, withdraws live tickets. */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.tickets.drain()) {
      clearTimeout(w.expiry);
      w.reject(new RelayError('unavailable', 'relay shutdown'));
    }
    const open = [...this.sessions];
    for (const s of open) s.close(CloseCode.goingAway, 'shutdown');
    for (const ws of this.wss.clients) ws.close(CloseCode.goingAway, 'shutdown');
    await Promise.all(open.map((s) => s.closed));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Live sessions (for health checks and tests). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Open WebSocket connections: sessions, connections awaiting their hello, refused ones still closing. */
  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /**
   * A connection counts against the pending caps from here until it becomes a session or its socket has closed:
   * a refused peer that never answers the close handshake still holds its place (for at most CLOSE_GRACE_MS).
   */
  private accept(ws: WebSocket, address: string): void {
    ws.on('error', () => {});
    const { maxPendingConnections, maxPendingPerAddress } = this.limits;
    if (this.pendingTotal >= maxPendingConnections) {
      this.refuse(ws, CloseCode.busy, 'busy');
      return;
    }
    if ((this.pending.get(address) ?? 0) >= maxPendingPerAddress) {
      this.refuse(ws, CloseCode.busy, 'busy address');
      return;
    }
    const release = this.hold(address);
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      this.refuse(ws, CloseCode.timeout, 'no hello');
    }, this.limits.helloTimeoutMs);
    ws.once('close', () => {
      clearTimeout(timer);
      release();
    });
    ws.once('message', (data, isBinary) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (this.onHello(ws, isBinary ? undefined : data.toString('utf8'))) release();
    });
  }

  /** Counts a connection against the pending caps; the returned function (idempotent) releases it. */
  private hold(address: string): () => void {
    this.pendingTotal++;
    this.pending.set(address, (this.pending.get(address) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.pendingTotal--;
      const left = (this.pending.get(address) ?? 1) - 1;
      if (left > 0) this.pending.set(address, left);
      else this.pending.delete(address);
    };
  }

  /** True when a session opened. */
  private onHello(ws: WebSocket, text: string | undefined): boolean {
    const refusal = this.admit(ws, text);
    if (refusal) this.refuse(ws, refusal.code, refusal.reason);
    return refusal === undefined;
  }

  /** Checks the hello and opens the session; the refusal (close code and reason) when it may not. */
  private admit(ws: WebSocket, text: string | undefined): { code: number; reason: string } | undefined {
    const hello = parseFrame(helloSchema, text);
    this.log({ event: 'frame', direction: 'in', kind: hello ? 'hello' : 'invalid' });
    if (!hello) return { code: CloseCode.protocolViolation, reason: 'protocol' };
    if (hello.v !== RELAY_PROTOCOL_VERSION) return { code: CloseCode.unsupportedVersion, reason: 'version' };
    const redeemed = this.tickets.redeem(hello.ticket);
    if (!redeemed.ok) {
      this.log({ event: 'ticket-rejected', reason: redeemed.reason });
      if (redeemed.value) this.reject(redeemed.value, 'ticket-expired');
      return { code: CloseCode.ticketRejected, reason: 'ticket rejected' };
    }
    if (hello.can !== undefined && !this.options.acceptCanFromCardSide) {
      this.reject(redeemed.value, 'can-refused');
      return { code: CloseCode.canRefused, reason: 'can not accepted' };
    }
    this.open(ws, hello, redeemed.value);
    return undefined;
  }

  private open(ws: WebSocket, hello: Hello, waiting: Waiting): void {
    const capabilities = clampCapabilities(hello.capabilities);
    const id = randomBytes(6).toString('hex');
    const session = new RelaySession(
      id,
      ws,
      capabilities,
      hello.atr === undefined ? undefined : fromHex(hello.atr),
      {
        apduTimeoutMs: this.limits.apduTimeoutMs,
        networkAllowanceMs: this.limits.networkAllowanceMs,
        sessionTimeoutMs: this.limits.sessionTimeoutMs,
      },
      waiting.accessKey,
      this.options.acceptCanFromCardSide ? hello.can : undefined,
      this.log,
    );
    this.sessions.add(session);
    session.signal.addEventListener('abort', () => this.sessions.delete(session), { once: true });
    ws.send(JSON.stringify({ t: 'welcome', v: RELAY_PROTOCOL_VERSION }));
    this.log({ event: 'frame', direction: 'out', kind: 'welcome' });
    this.log({
      event: 'session-open',
      session: id,
      extendedLength: capabilities.extendedLength === true,
      canFromCardSide: hello.can !== undefined,
    });
    clearTimeout(waiting.expiry);
    waiting.resolve(session);
  }

  private reject(waiting: Waiting, reason: RelayFailure): void {
    clearTimeout(waiting.expiry);
    waiting.reject(new RelayError(reason, 'relay hello'));
  }

  /** Sends the close code; the socket is destroyed if the peer has not answered within CLOSE_GRACE_MS. */
  private refuse(ws: WebSocket, code: number, reason: string): void {
    this.log({ event: 'refused', reason, code });
    ws.close(code, reason);
  }
}

/**
 * ws's own bound on the closing handshake (its closeTimeout option, websockets/ws#2308, in the pinned 8.23; not in
 * @types/ws 8.18), for every close this side starts: refusals, the end of a session, shutdown.
 */
const serverOptions: ServerOptions & { closeTimeout: number } = {
  noServer: true,
  maxPayload: MAX_FRAME_BYTES,
  perMessageDeflate: false,
  closeTimeout: CLOSE_GRACE_MS,
};

const peerAddress = (request: IncomingMessage) => request.socket.remoteAddress;

/** The verifier's limits with their defaults, each checked: a bad value is a typed error here, not a timer later. */
function validLimits(options: RelayVerifierOptions): typeof DEFAULTS {
  const limits = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const ok = key.startsWith('max') ? Number.isSafeInteger(value) && value > 0 : validMs(value);
    if (!ok) throw new EmrtdError('invalid-argument', `relay verifier: ${key} out of range`);
    limits[key] = value;
  }
  return limits;
}
