/**
 * Single-use relay tickets minted by the verifier itself: 256 random bits (base64url), valid for a short time,
 * accepted once. Only the SHA-256 of a ticket is kept; a presented ticket is hashed and looked up by that hash, and
 * the stored hash is compared with timingSafeEqual, so neither the map lookup nor the comparison leaks the ticket
 * through timing. Spent hashes are remembered until their expiry to tell a replay from a ticket never issued (for
 * the log only: the peer gets the same refusal either way).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EmrtdError } from '@cccd/emrtd';

/** 32 bytes: well above the 128-bit floor for unguessable bearer tokens (NIST SP 800-63B §5.1.1.2 asks ≥ 112). */
export const TICKET_BYTES = 32;

export type TicketRefusal = 'unknown' | 'expired' | 'reused';

/** Largest delay a timer takes (2^31 - 1 ms, ~24.8 days): a longer one fires at once (Node, HTML timers). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration a timer can wait: a number in (0, MAX_TIMER_MS]. */
export const validMs = (ms: unknown): ms is number => typeof ms === 'number' && ms > 0 && ms <= MAX_TIMER_MS;

interface Entry<T> {
  hash: Buffer;
  expiresAt: number;
  value: T;
}

const sha256 = (ticket: string) => createHash('sha256').update(ticket, 'utf8').digest();

export class TicketBook<T> {
  private readonly live = new Map<string, Entry<T>>();
  /** Hashes of spent or expired tickets, until `retainMs` after their expiry (for the log's refusal reason). */
  private readonly retired = new Map<string, { until: number; reason: 'reused' | 'expired' }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly retainMs = 600_000,
  ) {}

  /** A fresh ticket carrying `value`, valid for `ttlMs` (in (0, MAX_TIMER_MS], else EmrtdError invalid-argument). */
  issue(ttlMs: number, value: T): { ticket: string; expiresAt: number } {
    if (!validMs(ttlMs))
      throw new EmrtdError('invalid-argument', `relay ticket: ttlMs out of range (0, ${MAX_TIMER_MS}]`);
    // Swept here too: a verifier whose tickets are never presented still forgets the ones it retired.
    this.sweep();
    const ticket = randomBytes(TICKET_BYTES).toString('base64url');
    const hash = sha256(ticket);
    const expiresAt = this.now() + ttlMs;
    this.live.set(hash.toString('hex'), { hash, expiresAt, value });
    return { ticket, expiresAt };
  }

  /** Spends a ticket: its value once, within its lifetime; a refusal reason otherwise. */
  redeem(ticket: string): { ok: true; value: T } | { ok: false; reason: TicketRefusal; value?: T } {
    this.sweep();
    const hash = sha256(ticket);
    const key = hash.toString('hex');
    const entry = this.live.get(key);
    if (!entry || !timingSafeEqual(entry.hash, hash))
      return { ok: false, reason: this.retired.get(key)?.reason ?? 'unknown' };
    this.live.delete(key);
    const expired = this.now() > entry.expiresAt;
    // Presented again later, it is still the expired ticket, not a replay of a spent one.
    this.retired.set(key, { until: entry.expiresAt + this.retainMs, reason: expired ? 'expired' : 'reused' });
    if (expired) return { ok: false, reason: 'expired', value: entry.value };
    return { ok: true, value: entry.value };
  }

  /** Withdraws every live ticket (shutdown) and returns their values. */
  drain(): T[] {
    const values = [...this.live.values()].map((e) => e.value);
    this.live.clear();
    this.retired.clear();
    return values;
  }

  /** Withdraws one ticket's entry by value (it expired unused). */
  withdraw(value: T): void {
    for (const [key, e] of this.live)
      if (e.value === value) {
        this.live.delete(key);
        this.retired.set(key, { until: e.expiresAt + this.retainMs, reason: 'expired' });
      }
  }

  /** Live tickets. */
  get size(): number {
    return this.live.size;
  }

  /** Spent or expired tickets still remembered for the log (until `retainMs` after their expiry). */
  get retiredSize(): number {
    return this.retired.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, r] of this.retired) if (r.until < now) this.retired.delete(key);
  }
}
