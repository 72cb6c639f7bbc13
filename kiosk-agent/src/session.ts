/**
 * One WebSocket connection speaking cccd-agent.v1: JSON-RPC 2.0 framing with strict schemas, the authentication
 * gate (only agent.getInfo, session.authenticate and pair.* before it), one read in flight per session, results
 * and progress only to this session. A malformed frame gets an error answer and never affects other sessions.
 */
import { randomBytes } from 'node:crypto';
import {
  type AdminDiagnoseParams,
  METHODS,
  type MethodName,
  type NotificationName,
  type NotificationParams,
  PROTOCOL,
  type ReadStartParams,
  requestSchema,
  rpcError,
  UNAUTHENTICATED_METHODS,
} from '@cccd/client';
import type { WebSocket } from 'ws';
import { checkAdminToken, performDiagnose } from './diagnose.js';
import { AgentError, toRpcError } from './errors.js';
import type { FieldName } from './fields.js';
import { errorFields, type Logger } from './log.js';
import type { PairedClient, PairingRegistry } from './pairing.js';
import { allowedFields, checkRelease, type EffectivePolicy, policyFor } from './policy.js';
import { performRead, type ReadEnvironment } from './read.js';
import type { Ticket, TicketVerifier } from './tickets.js';
import { AGENT_VERSION } from './version.js';

export const CLOSE = { POLICY: 1008, INTERNAL: 1011, TRY_AGAIN: 1013, EXPIRED: 4001, SHUTDOWN: 4002 } as const;

/** How long a closed socket may take to finish the close handshake before it is cut. */
const CLOSE_GRACE_MS = 2000;

/** A refused credential (ticket, pairing signature, admin token), recorded through the agent's throttled trail. */
export interface AuthFailure {
  event: 'auth-failed' | 'admin-auth-failed';
  sessionId: string;
  origin: string;
  code: string;
  reason: string | undefined;
}

export interface SessionServices {
  agentId: string;
  config: {
    policy: Parameters<typeof policyFor>[0];
    limits: { maxAuthFailures: number; idleSessionMs: number; ticketMaxLifetimeSec: number; clockToleranceSec: number };
  };
  tickets: TicketVerifier;
  pairing: PairingRegistry;
  read: ReadEnvironment;
  /** Token that admin.* methods must present (config adminToken); undefined turns them off. */
  adminToken?: string | undefined;
  log: Logger;
  readersList(): { readerId: string; name: string; kind: 'pcsc' | 'simulated'; cardPresent: boolean }[];
  /** Logs and audits a failure (rate-limited: a hostile client can cause any number of them). */
  authFailed(failure: AuthFailure): void;
  onAuthenticated(session: Session): void;
}

type Auth = { kind: 'ticket'; ticket: Ticket } | { kind: 'paired'; client: PairedClient };
type Credential = { ticket: string } | { clientId: string; signature: string };

type RpcId = string | number;

/** Frames per second a session may send before it is refused (then closed). */
const MESSAGE_RATE = 50;

export class Session {
  readonly id = `s_${randomBytes(9).toString('base64url')}`;
  readonly challenge = randomBytes(32).toString('base64url');
  auth: Auth | undefined;
  expiresAt = 0;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private authFailures = 0;
  /** A session.authenticate is being checked: requests pipelined behind it are refused, not raced. */
  private authenticating = false;
  /** Closing for too many failures: frames still arriving are dropped. */
  private draining = false;
  private inflight: { requestId: RpcId; controller: AbortController } | undefined;
  private closed = false;
  private windowStart = Date.now();
  private windowCount = 0;
  private readonly log: Logger;

  constructor(
    private readonly ws: WebSocket,
    /** Origin header, undefined for native clients. */
    readonly origin: string | undefined,
    private readonly services: SessionServices,
  ) {
    this.log = services.log.child({ sessionId: this.id, origin: origin ?? 'native' });
    this.notify('agent.hello', { protocol: PROTOCOL, agentVersion: AGENT_VERSION, challenge: this.challenge });
  }

  /** Origin as policies and signatures name it. */
  get policyOrigin(): string {
    return this.origin ?? 'native';
  }

  get authenticated(): boolean {
    return this.auth !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(message: unknown): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(message));
  }

  notify<N extends NotificationName>(method: N, params: NotificationParams<N>): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private reply(id: RpcId | null, result: unknown): void {
    this.send({ jsonrpc: '2.0', id, result });
  }

  private fail(id: RpcId | null, error: ReturnType<typeof rpcError>): void {
    this.send({ jsonrpc: '2.0', id, error });
  }

  close(code: number, reason: string): void {
    this.cancelRead();
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // A peer that never answers the close frame must not hold its socket (and a slot) for ws's 30 s default.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection without a close handshake (dead peer, shutdown grace over). */
  terminate(): void {
    this.cancelRead();
    this.closed = true;
    this.ws.terminate();
  }

  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /**
   * The connection went away: a read in flight is cancelled and its reader lease freed, and a pairing request it
   * made is withdrawn (nobody is left to show the code or to use the approval).
   */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.expiryTimer);
    this.cancelRead();
    this.services.pairing.withdraw(this.id);
  }

  /**
   * (Re)arms the end of the authenticated session. The timer is cleared when the connection goes away: a pending
   * timer would keep a closed session (socket, logger) in memory until it fires.
   */
  armExpiry(onExpire: () => void): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(onExpire, Math.max(0, this.expiresAt - Date.now()));
    this.expiryTimer.unref();
  }

  private cancelRead(): void {
    this.inflight?.controller.abort();
  }

  private rateExceeded(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    return ++this.windowCount > MESSAGE_RATE;
  }

  async handle(data: Buffer | string, isBinary: boolean): Promise<void> {
    // Frames that were already buffered when the session started closing (pipelined requests) are dropped.
    if (this.closed || this.draining) return;
    if (this.rateExceeded()) {
      if (this.windowCount > MESSAGE_RATE * 2) this.close(CLOSE.POLICY, 'rate limit');
      else this.fail(null, rpcError('ERR_RATE_LIMITED'));
      return;
    }
    if (isBinary) return this.fail(null, rpcError('ERR_INVALID_REQUEST', { reason: 'binary' }));
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return this.fail(null, rpcError('ERR_PARSE'));
    }
    const id = idOf(message);
    const parsed = requestSchema.safeParse(message);
    if (!parsed.success) {
      // A notification (no id) from the client needs no answer; anything else malformed is an invalid request.
      if (isNotification(message)) return;
      return this.fail(id, rpcError('ERR_INVALID_REQUEST'));
    }
    const { method, params } = parsed.data;
    const requestId = parsed.data.id;
    if (!Object.hasOwn(METHODS, method)) return this.fail(requestId, rpcError('ERR_METHOD_NOT_FOUND'));
    const m = method as MethodName;
    if (!this.auth && !UNAUTHENTICATED_METHODS.includes(m))
      return this.fail(requestId, rpcError('ERR_UNAUTHENTICATED'));
    if (this.auth && Date.now() >= this.expiresAt) {
      this.fail(requestId, rpcError('ERR_UNAUTHENTICATED', { reason: 'expired' }));
      return this.close(CLOSE.EXPIRED, 'session expired');
    }
    const p = METHODS[m].params.safeParse(params);
    if (!p.success) {
      const path = p.error.issues[0]?.path.map(String).join('.') ?? '';
      return this.fail(requestId, rpcError('ERR_INVALID_PARAMS', path ? { field: path.slice(0, 64) } : undefined));
    }
    try {
      const result = await this.dispatch(m, p.data, requestId);
      if (result !== undefined) this.reply(requestId, result);
    } catch (e) {
      if (!(e instanceof AgentError)) this.log.error({ event: 'internal-error', method: m, ...errorFields(e) }, 'bug');
      this.fail(requestId, toRpcError(e));
    }
  }

  private async dispatch(method: MethodName, params: unknown, requestId: RpcId): Promise<unknown> {
    const s = this.services;
    switch (method) {
      case 'agent.getInfo':
        return this.auth
          ? {
              protocol: PROTOCOL,
              agentVersion: AGENT_VERSION,
              agentId: s.agentId,
              capabilities: { pace: true, chipAuth: true, activeAuth: true, photo: this.allowed().includes('photo') },
            }
          : { protocol: PROTOCOL, agentVersion: AGENT_VERSION };
      case 'agent.ping':
        return { t: Date.now() };
      case 'session.authenticate':
        return this.authenticate(params as Credential);
      case 'readers.list':
        return { readers: s.readersList() };
      case 'pair.begin': {
        const { clientName, publicKey } = params as { clientName: string; publicKey: string };
        // The request belongs to this connection: dispose() withdraws it when the socket closes.
        const p = s.pairing.begin(clientName, publicKey, this.policyOrigin, this.id);
        s.log.warn(
          { event: 'pairing-request', pairingId: p.clientId, pairingCode: p.code, origin: p.origin },
          'pairing request: compare the code with the client, approve on /admin',
        );
        return { clientId: p.clientId, code: p.code, expiresAt: new Date(p.expiresAt).toISOString() };
      }
      case 'pair.status':
        return { status: s.pairing.status((params as { clientId: string }).clientId) };
      case 'read.cancel': {
        const target = (params as { requestId: RpcId }).requestId;
        const match = this.inflight !== undefined && this.inflight.requestId === target;
        if (match) this.inflight?.controller.abort();
        return { cancelled: match };
      }
      case 'read.start':
        this.startRead(params as ReadStartParams, requestId);
        return undefined;
      case 'admin.diagnose':
        this.startDiagnose(params as AdminDiagnoseParams, requestId);
        return undefined;
    }
  }

  private policy(purpose: string | '*'): EffectivePolicy {
    return policyFor(this.services.config.policy, this.policyOrigin, purpose);
  }

  private allowed(): FieldName[] {
    if (!this.auth) return [];
    if (this.auth.kind === 'ticket')
      return allowedFields(this.policy(this.auth.ticket.purpose), this.auth.ticket.fields);
    return allowedFields(this.policy('*'));
  }

  private async authenticate(params: Credential) {
    // A second credential on the same socket would silently switch purpose and fields: refuse it, also when
    // it is pipelined behind a first one that is still being checked.
    if (this.auth || this.authenticating) {
      this.authFailed('ERR_INVALID_REQUEST', 'authenticated', 'auth-failed');
      throw new AgentError('ERR_INVALID_REQUEST', 'already authenticated', { reason: 'authenticated' });
    }
    this.authenticating = true;
    try {
      // No await on the paired path: a request pipelined right behind it must find the session authenticated.
      this.auth = 'ticket' in params ? await this.verifyTicket(params.ticket) : this.verifyPaired(params);
    } catch (e) {
      const code = e instanceof AgentError ? e.code : 'ERR_INTERNAL';
      this.authFailed(code, reasonOf(e), 'auth-failed');
      throw e;
    } finally {
      this.authenticating = false;
    }
    if (this.closed) throw new AgentError('ERR_UNAUTHENTICATED', 'session closed', { reason: 'closed' });
    this.expiresAt = Date.now() + this.services.config.limits.idleSessionMs;
    const auth = this.auth;
    const purpose = auth.kind === 'ticket' ? auth.ticket.purpose : undefined;
    this.recordAuthenticated(auth, purpose);
    this.services.onAuthenticated(this);
    return {
      sessionId: this.id,
      expiresAt: new Date(this.expiresAt).toISOString(),
      allowedFields: this.allowed(),
      ...(purpose ? { purpose } : {}),
    };
  }

  /** A backend ticket, checked for this agent and bound to this connection's origin. */
  private async verifyTicket(token: string): Promise<Auth> {
    const s = this.services;
    const ticket = await s.tickets.verify(token, {
      agentId: s.agentId,
      connectionOrigin: this.origin,
      maxLifetimeSec: s.config.limits.ticketMaxLifetimeSec,
      clockToleranceSec: s.config.limits.clockToleranceSec,
    });
    return { kind: 'ticket', ticket };
  }

  /** A paired client's signature over this connection's challenge. */
  private verifyPaired(params: { clientId: string; signature: string }): Auth {
    const client = this.services.pairing.authenticate(
      params.clientId,
      params.signature,
      this.challenge,
      this.policyOrigin,
    );
    return { kind: 'paired', client };
  }

  /** The 'authenticated' log line and audit record: who, by which credential, for which purpose. */
  private recordAuthenticated(auth: Auth, purpose: string | undefined): void {
    this.log.info(
      {
        event: 'authenticated',
        method: auth.kind,
        purpose,
        clientId: auth.kind === 'paired' ? auth.client.clientId : undefined,
      },
      'session authenticated',
    );
    this.services.read.audit?.append({
      event: 'auth',
      outcome: 'ok',
      origin: this.policyOrigin,
      ...(auth.kind === 'ticket' && auth.ticket.operatorId ? { operatorId: auth.ticket.operatorId } : {}),
      ...(auth.kind === 'paired' ? { clientId: auth.client.clientId } : {}),
      ...(purpose ? { purpose } : {}),
    });
  }

  /**
   * Counts a failure and closes the socket at the limit. From then on no frame is processed, so requests pipelined
   * behind the last allowed failure are dropped, not checked and audited one by one.
   */
  private authFailed(code: string, reason: string | undefined, event: AuthFailure['event']): void {
    this.authFailures++;
    this.services.authFailed({ event, sessionId: this.id, origin: this.policyOrigin, code, reason });
    if (this.authFailures < this.services.config.limits.maxAuthFailures) return;
    this.draining = true;
    // After the error answer to this request has gone out.
    setImmediate(() => this.close(CLOSE.POLICY, 'auth failures'));
  }

  private startRead(params: ReadStartParams, requestId: RpcId): void {
    const auth = this.auth!;
    if (this.inflight) throw new AgentError('ERR_ACTION_PENDING', 'read in progress');
    if (auth.kind === 'ticket') {
      // The ticket fixes purpose and nonce: the backend checks the signed result against the nonce it issued.
      if (params.purpose !== auth.ticket.purpose)
        throw new AgentError('ERR_FIELD_NOT_ALLOWED', 'purpose differs from the ticket', { field: 'purpose' });
      if (params.nonce !== auth.ticket.nonce)
        throw new AgentError('ERR_INVALID_PARAMS', 'nonce differs from the ticket', { field: 'nonce' });
    }
    const policy = this.policy(params.purpose);
    checkRelease({
      requested: params.fields,
      policy,
      ...(auth.kind === 'ticket' ? { ticketFields: auth.ticket.fields } : {}),
      ...(params.consentRef ? { consentRef: params.consentRef } : {}),
      includeEvidence: params.includeEvidence ?? false,
    });
    const controller = new AbortController();
    this.inflight = { requestId, controller };
    const s = this.services;
    void performRead(s.read, {
      requestId,
      params,
      origin: this.policyOrigin,
      sessionId: this.id,
      ...(auth.kind === 'ticket' && auth.ticket.operatorId ? { operatorId: auth.ticket.operatorId } : {}),
      ...(auth.kind === 'paired' ? { clientId: auth.client.clientId } : {}),
      includeEvidence: params.includeEvidence ?? false,
      signal: controller.signal,
      onProgress: (stage, percent) => this.notify('read.progress', { requestId, stage, percent }),
    })
      .then(
        (result) => this.reply(requestId, result),
        (e) => this.fail(requestId, toRpcError(e)),
      )
      .finally(() => {
        if (this.inflight?.controller === controller) this.inflight = undefined;
      });
  }

  /** admin.diagnose: the admin token on top of the session; a wrong one counts as a failed authentication. */
  private startDiagnose(params: AdminDiagnoseParams, requestId: RpcId): void {
    const s = this.services;
    try {
      checkAdminToken(params.adminToken, s.adminToken);
    } catch (e) {
      this.authFailed('ERR_UNAUTHENTICATED', reasonOf(e), 'admin-auth-failed');
      throw e;
    }
    if (this.inflight) throw new AgentError('ERR_ACTION_PENDING', 'read in progress');
    const auth = this.auth!;
    const controller = new AbortController();
    this.inflight = { requestId, controller };
    void performDiagnose(s.read, {
      params,
      origin: this.policyOrigin,
      sessionId: this.id,
      ...(auth.kind === 'ticket' && auth.ticket.operatorId ? { operatorId: auth.ticket.operatorId } : {}),
      ...(auth.kind === 'paired' ? { clientId: auth.client.clientId } : {}),
      signal: controller.signal,
    })
      .then(
        (result) => this.reply(requestId, result),
        (e) => this.fail(requestId, toRpcError(e)),
      )
      .finally(() => {
        if (this.inflight?.controller === controller) this.inflight = undefined;
      });
  }
}

function reasonOf(e: unknown): string | undefined {
  const reason = e instanceof AgentError ? e.details?.reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

function idOf(message: unknown): RpcId | null {
  if (typeof message !== 'object' || message === null) return null;
  const id = (message as { id?: unknown }).id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  return null;
}

function isNotification(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    !Array.isArray(message) &&
    (message as { jsonrpc?: unknown }).jsonrpc === '2.0' &&
    typeof (message as { method?: unknown }).method === 'string' &&
    !('id' in message)
  );
}
