/**
 * The in-memory store's ticket and enrolment contract (the Redis store's is in redis.test.ts): peeking never
 * consumes, one consume wins, and one device key belongs to one agent only.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import type { TicketRecord } from './store.js';

const record = (ticketId: string): TicketRecord => ({
  ticketId,
  nonce: 'n'.repeat(43),
  origin: 'https://a.example.vn',
  purpose: 'bank-kyc',
  fields: ['idNumber'],
  operatorId: 'op',
  iat: 1,
  exp: 2,
});

describe('MemoryStore', () => {
  it('peeks at a pending ticket without consuming it; after the one consume it reads as replayed', async () => {
    const s = new MemoryStore();
    await s.putTicket(record('t1'), 60_000);
    expect(await s.peekTicket('t1')).toEqual({ status: 'ok', record: record('t1') });
    expect(await s.peekTicket('t1')).toMatchObject({ status: 'ok' });
    expect(await s.consumeTicket('t1')).toMatchObject({ status: 'ok' });
    expect(await s.peekTicket('t1')).toEqual({ status: 'replayed' });
    expect(await s.consumeTicket('t1')).toEqual({ status: 'replayed' });
    expect(await s.peekTicket('t-never')).toEqual({ status: 'unknown' });
  });

  it('refuses to enrol a key another agent holds, and changes nothing', async () => {
    const s = new MemoryStore();
    await s.enrol({ agentId: 'a1', publicKey: 'AAAA', enrolledAt: 'x' });
    await expect(s.enrol({ agentId: 'a2', publicKey: 'AAAA', enrolledAt: 'y' })).rejects.toMatchObject({
      name: 'ServerError',
      code: 'ERR_INVALID_ENROLMENT',
    });
    expect(await s.enrolments()).toEqual([{ agentId: 'a1', publicKey: 'AAAA', enrolledAt: 'x' }]);
    // The same agent again (a relabel) is fine.
    await s.enrol({ agentId: 'a1', publicKey: 'AAAA', enrolledAt: 'z', label: 'desk 1' });
    expect(await s.enrolmentByKey('AAAA')).toMatchObject({ agentId: 'a1', label: 'desk 1' });
  });
});
