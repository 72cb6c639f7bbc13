/** The two admission decisions startAgent makes after the gate, as tables: caps and rate, and the unauthenticated budget. */
import { describe, expect, it } from 'vitest';
import { budgetVictim } from './sessions.js';
import { type CapRefusal, capRefusal } from './upgrades.js';

const HIS = 'https://his.example.vn';
const BANK = 'https://bank.example.vn';

describe('caps after the gate (503)', () => {
  const limits = { maxSessions: 3, maxSessionsPerOrigin: 2 };
  const cases: [string, { closing?: boolean; authenticated: string[]; rate?: boolean }, CapRefusal | undefined][] = [
    ['room everywhere', { authenticated: [HIS, BANK] }, undefined],
    ['shutting down comes first', { closing: true, authenticated: [HIS, HIS, BANK], rate: false }, 'shutting-down'],
    ['all sessions taken', { authenticated: [BANK, BANK, 'native'] }, 'session-cap'],
    ['the origin has its share', { authenticated: [HIS, HIS] }, 'origin-cap'],
    ['other origins do not count against it', { authenticated: [BANK, BANK] }, undefined],
    ['within the caps, over the rate', { authenticated: [HIS], rate: false }, 'rate'],
  ];
  it.each(cases)('%s', (_, c, expected) => {
    const request = { origin: HIS, closing: c.closing ?? false, authenticatedOrigins: c.authenticated };
    expect(capRefusal(request, limits, () => c.rate ?? true)).toBe(expected);
  });

  it('asks the rate limiter only for requests within the caps (a refused one uses up no rate)', () => {
    let asked = 0;
    const rate = () => ++asked > 0;
    capRefusal({ origin: HIS, closing: true, authenticatedOrigins: [] }, limits, rate);
    capRefusal({ origin: HIS, closing: false, authenticatedOrigins: [HIS, HIS] }, limits, rate);
    expect(asked).toBe(0);
    capRefusal({ origin: HIS, closing: false, authenticatedOrigins: [] }, limits, rate);
    expect(asked).toBe(1);
  });
});

describe('unauthenticated budget: who gives way to a newcomer', () => {
  const limits = { maxUnauthenticated: 4, maxUnauthenticatedPerOrigin: 2 };
  const waiting = (...origins: string[]) => origins.map((policyOrigin, i) => ({ id: i, policyOrigin }));
  const cases: [string, ReturnType<typeof waiting>, number | undefined][] = [
    ['nobody while there is room', waiting(HIS, BANK), undefined],
    ['the oldest of the origin at its share', waiting(BANK, HIS, BANK, HIS), 1],
    ['the oldest of all when the budget is full', waiting(BANK, 'native', BANK, 'native'), 0],
    ['the origin share is checked first', waiting(BANK, BANK, HIS, HIS, 'native'), 2],
  ];
  it.each(cases)('%s', (_, queue, victim) => {
    expect(budgetVictim(queue, HIS, limits)?.id).toBe(victim);
  });
});
