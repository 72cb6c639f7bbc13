/** Tickets as the kiosk agent verifies them: the agent's own verifier (kiosk-agent/src/tickets.ts) accepts them. */
import { ticketClaimsSchema } from '@cccd/client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIssuers, TicketVerifier } from '../../../kiosk-agent/src/tickets.js';
import { MemoryStore } from './memory-store.js';
import type { CccdServer } from './server.js';
import { type Fixture, fixture, ISSUER, ORIGIN, OTHER_ORIGIN } from './test-support/setup.js';

let f: Fixture;
let server: CccdServer;
let store: MemoryStore;
beforeAll(async () => {
  f = await fixture();
  store = new MemoryStore();
  server = await f.server({ store });
});

async function agentVerifier() {
  return new TicketVerifier(await loadIssuers([{ iss: ISSUER, publicKey: f.ticketPublicPem, origins: [ORIGIN] }]));
}
const check = (agentId: string, origin: string) => ({
  agentId,
  connectionOrigin: origin,
  maxLifetimeSec: 300,
  clockToleranceSec: 30,
});
const request = { origin: ORIGIN, purpose: 'bank-kyc', fields: ['idNumber', 'fullName'] as const, ttl: 120 };

describe('issueTicket', () => {
  it('mints an ES256 ticket the real agent accepts, bound to the agent, origin, purpose, fields and a fresh nonce', async () => {
    const t = await server.issueTicket({
      ...request,
      fields: [...request.fields],
      agentId: 'desk-1',
      operatorId: 'op-1',
    });
    const verified = await (await agentVerifier()).verify(t.ticket, check('desk-1', ORIGIN));
    expect(verified).toMatchObject({
      iss: ISSUER,
      origin: ORIGIN,
      operatorId: 'op-1',
      purpose: 'bank-kyc',
      fields: ['idNumber', 'fullName'],
      nonce: t.nonce,
      jti: t.ticketId,
    });
    expect(verified.exp - verified.iat).toBe(120);
    expect(decodeProtectedHeader(t.ticket).alg).toBe('ES256');
    // Exactly the agent's claim set (the schema is strict): consentRef stays on the server.
    expect(ticketClaimsSchema.safeParse(decodeJwt(t.ticket)).success).toBe(true);
    expect(new Date(t.expiresAt).getTime()).toBe(verified.exp * 1000);
  });

  it('is refused by the agent for another agent, another origin, and a second time', async () => {
    const verifier = await agentVerifier();
    const t = await server.issueTicket({ ...request, fields: [...request.fields], agentId: 'desk-1' });
    await expect(verifier.verify(t.ticket, check('desk-2', ORIGIN))).rejects.toMatchObject({
      code: 'ERR_TICKET_INVALID',
    });
    await expect(verifier.verify(t.ticket, check('desk-1', OTHER_ORIGIN))).rejects.toMatchObject({
      details: { reason: 'origin' },
    });
    await verifier.verify(t.ticket, check('desk-1', ORIGIN));
    await expect(verifier.verify(t.ticket, check('desk-1', ORIGIN))).rejects.toMatchObject({
      details: { reason: 'replayed' },
    });
  });

  it('records the nonce as pending, with the consent reference, before the ticket leaves', async () => {
    const t = await server.issueTicket({
      ...request,
      fields: [...request.fields],
      agentId: 'desk-1',
      consentRef: 'c-9',
    });
    const taken = await store.consumeTicket(t.ticketId);
    expect(taken).toMatchObject({ status: 'ok', record: { nonce: t.nonce, agentId: 'desk-1', consentRef: 'c-9' } });
    expect(taken.status === 'ok' && taken.record.nonce.length).toBeGreaterThanOrEqual(43); // 256 bits
    const other = await server.issueTicket({ ...request, fields: [...request.fields] });
    expect(other.nonce).not.toBe(t.nonce);
    expect(other.ticketId).not.toBe(t.ticketId);
  });

  it('refuses what the agent would refuse or this server does not serve, with a typed error', async () => {
    const bad = [
      { ...request, origin: 'https://not-ours.example' },
      { ...request, origin: `${ORIGIN}/path` },
      { ...request, ttl: 301 },
      { ...request, ttl: 1.5 },
      { ...request, fields: ['idNumber', 'idNumber'] },
      { ...request, fields: [] },
      { ...request, purpose: 'Bank KYC' },
      { ...request, agentId: 'desk 1' },
    ];
    for (const req of bad)
      await expect(server.issueTicket(req as never)).rejects.toMatchObject({
        name: 'ServerError',
        code: 'ERR_TICKET_REQUEST',
      });
  });
});
