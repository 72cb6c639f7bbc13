/**
 * Where the client's tickets come from. A ticket is single use (the agent remembers its jti), so a static one
 * authenticates one connection and is then forgotten; only `getTicket` lets the client reconnect.
 */
import { CccdAgentError } from './errors.js';
import { nonceSchema } from './protocol.js';

export type TicketSource = { ticket: string } | { getTicket: () => Promise<string> };

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

export class Tickets {
  constructor(private source: TicketSource | undefined) {}

  /** Whether a lost connection can be re-established (it needs a fresh ticket). */
  get renewable(): boolean {
    return this.source !== undefined && 'getTicket' in this.source;
  }

  /** The ticket for the next connection: ERR_UNAUTHENTICATED when there is none or the backend fails. */
  async next(): Promise<string> {
    const t = this.source;
    if (!t) throw new CccdAgentError('ERR_UNAUTHENTICATED');
    if ('ticket' in t) {
      // single use: forget it so a reconnection cannot replay it
      this.source = undefined;
      return t.ticket;
    }
    try {
      return await t.getTicket();
    } catch (e) {
      throw new CccdAgentError('ERR_UNAUTHENTICATED', { retriable: true, cause: e });
    }
  }
}
