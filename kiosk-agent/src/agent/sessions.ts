/**
 * The open sessions and their life cycle: a socket that passed the upgrade gate becomes a Session, makes room for
 * itself in the unauthenticated budget, must authenticate before its deadline, and leaves the table when it
 * closes. Reader, card and status notifications are broadcast to authenticated sessions only.
 */
import type { NotificationName, NotificationParams } from '@cccd/client';
import type { WebSocket } from 'ws';
import type { AbuseLog } from '../abuse-log.js';
import type { AgentConfig, PolicyRule } from '../config.js';
import { errorFields, type Logger } from '../log.js';
import type { PairingRegistry } from '../pairing.js';
import { CLOSE, Session, type SessionServices } from '../session.js';
import type { Heartbeat } from './heartbeat.js';
import type { AgentCore } from './open.js';
import { readerInfo } from './reader-events.js';

type Limits = AgentConfig['limits'];
type BudgetLimits = Pick<Limits, 'maxUnauthenticated' | 'maxUnauthenticatedPerOrigin'>;

/** What each Session needs but the life-cycle hooks, which the SessionTable adds. */
export type SessionContext = Omit<SessionServices, 'authFailed' | 'onAuthenticated'>;

/** `policy` is read on every use: in demo mode it changes once the agent listens (endpoint.ts). */
export function sessionContext(core: AgentCore, policy: () => PolicyRule[]): SessionContext {
  const { config, identity, hub, qr, audit, log, tickets, pairing, trust } = core;
  const limits = config.limits;
  return {
    agentId: identity.agentId,
    config: {
      get policy() {
        return policy();
      },
      limits,
    },
    tickets,
    pairing,
    read: { hub, qr, trust, identity, audit, log, limits },
    adminToken: config.adminToken,
    log,
    readersList: () => hub.readers().map((r) => ({ ...readerInfo(r), cardPresent: r.cardPresent() })),
  };
}

export interface SessionTableOptions {
  services: SessionContext;
  /** The agent.status a session receives as soon as it has authenticated. */
  status: () => NotificationParams<'agent.status'>;
  limits: BudgetLimits & Pick<Limits, 'authTimeoutMs'>;
  abuse: AbuseLog;
  heartbeat: Heartbeat;
}

/**
 * Which waiting socket gives way to a newcomer when the unauthenticated budget is full: the oldest of the
 * newcomer's origin when that origin is at its share, else the oldest of all when the budget is; none while there is
 * room. The oldest, not the newcomer: refusing newcomers would let a local process that refills its sockets keep
 * the real page out for good (docs/security.md, threat 20). `waiting` is in arrival order.
 */
export function budgetVictim<T extends { policyOrigin: string }>(
  waiting: readonly T[],
  newcomerOrigin: string,
  limits: BudgetLimits,
): T | undefined {
  const sameOrigin = waiting.filter((s) => s.policyOrigin === newcomerOrigin);
  if (sameOrigin.length >= limits.maxUnauthenticatedPerOrigin) return sameOrigin[0];
  if (waiting.length >= limits.maxUnauthenticated) return waiting[0];
  return undefined;
}

/**
 * Closes the session if it has not authenticated within `timeoutMs`. A socket waiting for its pairing approval
 * stays open until that request settles (docs/agent-protocol.md §4.2). Returns the function that disarms it.
 */
function armAuthDeadline(session: Session, pairing: PairingRegistry, timeoutMs: number): () => void {
  const check = () => {
    if (session.authenticated) return;
    const pendingUntil = pairing.pendingUntil(session.id);
    if (pendingUntil === undefined) return session.close(CLOSE.POLICY, 'authentication timeout');
    timer = setTimeout(check, Math.max(100, pendingUntil - Date.now()));
    timer.unref();
  };
  let timer = setTimeout(check, timeoutMs);
  timer.unref();
  return () => clearTimeout(timer);
}

export class SessionTable implements Iterable<Session> {
  /** In arrival order, which the unauthenticated budget relies on. */
  private readonly open = new Set<Session>();
  private readonly services: SessionServices;
  private readonly log: Logger;

  constructor(private readonly options: SessionTableOptions) {
    const { services, status, abuse } = options;
    this.log = services.log;
    this.services = {
      ...services,
      // Failed authentications are attacker-triggered: a few full lines per minute, then counts.
      authFailed: (f) => abuse.authFailed(f),
      onAuthenticated: (s) => {
        s.notify('agent.status', status());
        s.armExpiry(() => s.close(CLOSE.EXPIRED, 'session expired'));
      },
    };
  }

  get size(): number {
    return this.open.size;
  }

  [Symbol.iterator](): Iterator<Session> {
    return this.open[Symbol.iterator]();
  }

  authenticated(): Session[] {
    return [...this.open].filter((s) => s.authenticated);
  }

  broadcast<N extends NotificationName>(method: N, params: NotificationParams<N>): void {
    for (const s of this.open) if (s.authenticated) s.notify(method, params);
  }

  /** A revoked credential must not keep working on a session it already opened. */
  closePaired(clientId: string): void {
    for (const s of this.open)
      if (s.auth?.kind === 'paired' && s.auth.client.clientId === clientId) s.close(CLOSE.POLICY, 'pairing revoked');
  }

  /** A socket that passed the upgrade gate: it becomes a session and is wired to its events. */
  admit(ws: WebSocket, origin: string | undefined): Session {
    const { heartbeat, limits } = this.options;
    const session = new Session(ws, origin, this.services);
    this.makeRoomFor(session);
    this.open.add(session);
    heartbeat.seen(session);
    // Debug only: anyone who passes the gate can open sockets; 'authenticated' is the line that matters.
    this.log.debug(
      { event: 'session-open', sessionId: session.id, origin: session.policyOrigin, sessions: this.open.size },
      'session opened',
    );
    const disarm = armAuthDeadline(session, this.services.pairing, limits.authTimeoutMs);
    ws.on('message', (data, isBinary) => {
      heartbeat.seen(session);
      session
        .handle(data as Buffer, isBinary)
        .catch((e) => this.log.error({ event: 'internal-error', ...errorFields(e) }, 'bug'));
    });
    ws.on('pong', () => heartbeat.seen(session));
    ws.on('error', (e) =>
      this.log.warn({ event: 'socket-error', sessionId: session.id, ...errorFields(e) }, 'socket error'),
    );
    ws.on('close', (code) => {
      disarm();
      session.dispose();
      this.open.delete(session);
      this.log[session.authenticated ? 'info' : 'debug'](
        { event: 'session-closed', sessionId: session.id, closeCode: code, sessions: this.open.size },
        'session closed',
      );
    });
    return session;
  }

  /** The unauthenticated budget is full: the oldest waiting socket is closed with 1013 (try again). */
  private makeRoomFor(newcomer: Session): void {
    // Sockets waiting for a pairing approval are not counted: the pending-pairing caps bound them.
    const waiting = [...this.open].filter(
      (s) => !s.authenticated && !s.isClosed && this.services.pairing.pendingUntil(s.id) === undefined,
    );
    const victim = budgetVictim(waiting, newcomer.policyOrigin, this.options.limits);
    if (!victim) return;
    this.options.abuse.evicted(victim.id);
    victim.close(CLOSE.TRY_AGAIN, 'too many unauthenticated connections');
  }
}
