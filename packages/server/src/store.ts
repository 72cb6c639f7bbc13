/**
 * The server's shared state behind one small interface: pending tickets (single-use nonces), the enrolment registry
 * of kiosk device keys, and rate-limit counters. In memory for one instance (memory-store.ts), Redis for several
 * (redis-store.ts). Nothing personal is ever stored: a ticket record holds origin, purpose, field names, the agent
 * and operator IDs and the nonce. Any store failure is a ServerError ERR_STORE_UNAVAILABLE: callers fail closed.
 */
import type { CccdField } from '@cccd/client';

/** What the server remembers about a ticket it issued, until `exp` plus a retention window. */
export interface TicketRecord {
  ticketId: string;
  nonce: string;
  origin: string;
  purpose: string;
  fields: CccdField[];
  /** The one agent the ticket is for (aud `cccd-agent:<agentId>`); absent: any enrolled agent. */
  agentId?: string;
  operatorId: string;
  consentRef?: string;
  /** Seconds since the epoch, as in the JWT. */
  iat: number;
  exp: number;
}

/** `ok`: the ticket is pending (not consumed by this call); `replayed`: it was already consumed. */
export type PeekResult = { status: 'ok'; record: TicketRecord } | { status: 'unknown' } | { status: 'replayed' };

/** `ok`: this call consumed the ticket (exactly one caller ever gets it); `replayed`: an earlier call did. */
export type ConsumeResult = { status: 'ok'; record: TicketRecord } | { status: 'unknown' } | { status: 'replayed' };

/** A kiosk agent's device key, registered by an administrator. */
export interface Enrolment {
  agentId: string;
  /** SPKI DER, base64: `agentSig.publicKey` of that agent's results. */
  publicKey: string;
  /** A label for administrators (e.g. the branch and desk); never shown to customers. */
  label?: string;
  enrolledAt: string;
}

export interface CccdStore {
  /** Records a pending ticket, forgotten `retainMs` after now. */
  putTicket(record: TicketRecord, retainMs: number): Promise<void>;
  /** Reads a ticket without consuming it: what the server checks a submission against before consuming. */
  peekTicket(ticketId: string): Promise<PeekResult>;
  /** Atomically marks the ticket used: across every instance sharing this store, one call gets `ok`. */
  consumeTicket(ticketId: string): Promise<ConsumeResult>;
  /**
   * Registers (or replaces) an agent's key; the agent's previous key stops being accepted. A key already enrolled
   * for another agent is refused (ServerError ERR_INVALID_ENROLMENT): one key, one agent.
   */
  enrol(enrolment: Enrolment): Promise<void>;
  /** Removes the agent's key: its results are refused from now on. False when it was not enrolled. */
  revoke(agentId: string): Promise<boolean>;
  /** The enrolment whose key is exactly this SPKI (base64), if any. */
  enrolmentByKey(publicKey: string): Promise<Enrolment | undefined>;
  enrolments(): Promise<Enrolment[]>;
  /** Counts one hit in `bucket`'s current window; false when the window already had `limit` hits. */
  hit(bucket: string, limit: number, windowMs: number): Promise<boolean>;
  close(): Promise<void>;
}
