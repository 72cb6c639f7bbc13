/** The default store: one process, zero setup. Single-use holds within this process only (use Redis for several). */
import { keyInUse } from './errors.js';
import type { CccdStore, ConsumeResult, Enrolment, PeekResult, TicketRecord } from './store.js';

interface Pending {
  record: TicketRecord;
  used: boolean;
  forgetAt: number;
}

export class MemoryStore implements CccdStore {
  private readonly tickets = new Map<string, Pending>();
  private readonly agents = new Map<string, Enrolment>();
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Live tickets kept at most; beyond it the oldest pending tickets are dropped (they then read as unknown). */
    private readonly capacity = 100_000,
  ) {}

  async putTicket(record: TicketRecord, retainMs: number): Promise<void> {
    this.sweep();
    if (this.tickets.size >= this.capacity) {
      const oldest = this.tickets.keys().next().value;
      if (oldest !== undefined) this.tickets.delete(oldest);
    }
    this.tickets.set(record.ticketId, { record, used: false, forgetAt: this.now() + retainMs });
  }

  async peekTicket(ticketId: string): Promise<PeekResult> {
    const p = this.tickets.get(ticketId);
    if (!p || p.forgetAt <= this.now()) return { status: 'unknown' };
    return p.used ? { status: 'replayed' } : { status: 'ok', record: p.record };
  }

  async consumeTicket(ticketId: string): Promise<ConsumeResult> {
    const p = this.tickets.get(ticketId);
    if (!p || p.forgetAt <= this.now()) return { status: 'unknown' };
    if (p.used) return { status: 'replayed' };
    p.used = true;
    return { status: 'ok', record: p.record };
  }

  async enrol(enrolment: Enrolment): Promise<void> {
    for (const e of this.agents.values())
      if (e.publicKey === enrolment.publicKey && e.agentId !== enrolment.agentId) throw keyInUse();
    this.agents.set(enrolment.agentId, { ...enrolment });
  }

  async revoke(agentId: string): Promise<boolean> {
    return this.agents.delete(agentId);
  }

  async enrolmentByKey(publicKey: string): Promise<Enrolment | undefined> {
    for (const e of this.agents.values()) if (e.publicKey === publicKey) return { ...e };
    return undefined;
  }

  async enrolments(): Promise<Enrolment[]> {
    return [...this.agents.values()].map((e) => ({ ...e }));
  }

  async hit(bucket: string, limit: number, windowMs: number): Promise<boolean> {
    const now = this.now();
    let w = this.windows.get(bucket);
    if (!w || w.endsAt <= now) {
      if (this.windows.size > 10_000) for (const [k, v] of this.windows) if (v.endsAt <= now) this.windows.delete(k);
      w = { count: 0, endsAt: now + windowMs };
      this.windows.set(bucket, w);
    }
    w.count++;
    return w.count <= limit;
  }

  async close(): Promise<void> {
    this.tickets.clear();
  }

  private sweep(): void {
    const now = this.now();
    // Insertion order is close to expiry order (ticket lifetimes are short and alike): stop at the first live one.
    for (const [id, p] of this.tickets) {
      if (p.forgetAt > now) break;
      this.tickets.delete(id);
    }
  }
}
