import { request as httpRequest } from 'node:http';
import { readResultSchema, toBase64, verifyAgentSig } from '@cccd/client';
import { generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AgentHandle } from './server.js';
import {
  authedClient,
  BANK,
  CAN,
  connect,
  HIS,
  ISSUER,
  issuerPublicPem,
  logLines,
  mintTicket,
  newNonce,
  readParams,
  startTestAgent,
  usePrivacyNet,
} from './test-support/harness.js';
import { clientKey } from './test-support/pairing-kit.js';

usePrivacyNet();

async function authenticate(agent: AgentHandle, ticket: string, origin = HIS) {
  const client = await connect(agent, { origin });
  return { client, response: await client.request('session.authenticate', { ticket }) };
}

describe('backend-signed tickets', () => {
  it('accepts a valid ticket once; a replay is refused', async () => {
    const agent = await startTestAgent();
    const ticket = await mintTicket(agent.agentId);
    const first = await authenticate(agent, ticket);
    expect(first.response.result).toMatchObject({ purpose: 'clinic-checkin', allowedFields: expect.any(Array) });
    const replay = await authenticate(agent, ticket);
    expect(replay.response.error?.data).toMatchObject({ code: 'ERR_TICKET_INVALID', details: { reason: 'replayed' } });
  });

  it('refuses expired, over-long, wrong-audience, wrong-origin, unknown-issuer and foreign-key tickets', async () => {
    const agent = await startTestAgent();
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<string>, string][] = [
      ['expired', mintTicket(agent.agentId, { iat: now - 400, exp: now - 100 }), 'ERR_TICKET_EXPIRED'],
      ['lifetime', mintTicket(agent.agentId, { iat: now, exp: now + 600 }), 'ERR_TICKET_INVALID'],
      ['audience', mintTicket(agent.agentId, { aud: 'cccd-agent:someone-else' }), 'ERR_TICKET_INVALID'],
      ['origin', mintTicket(agent.agentId, { origin: BANK }), 'ERR_TICKET_INVALID'],
      ['issuer', mintTicket(agent.agentId, { iss: 'unknown-backend' }), 'ERR_TICKET_INVALID'],
      [
        'foreign key',
        generateKeyPair('ES256').then((k) => mintTicket(agent.agentId, {}, k.privateKey)),
        'ERR_TICKET_INVALID',
      ],
      ['bad field', mintTicket(agent.agentId, { fields: ['idNumber', 'password'] }), 'ERR_TICKET_INVALID'],
      ['short nonce', mintTicket(agent.agentId, { nonce: 'abc' }), 'ERR_TICKET_INVALID'],
    ];
    for (const [name, ticket, code] of cases) {
      const { response } = await authenticate(agent, await ticket);
      expect(response.error?.data?.code, name).toBe(code);
    }
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    expect((await authenticate(agent, unsigned)).response.error?.data?.code).toBe('ERR_TICKET_INVALID');
  });

  it('refuses a ticket for an origin its issuer is not configured for, even from that origin', async () => {
    const publicKey = await issuerPublicPem();
    const agent = await startTestAgent({ issuers: [{ iss: ISSUER, publicKey, origins: [HIS] }] });
    const ticket = await mintTicket(agent.agentId, { origin: BANK, purpose: 'bank-kyc', fields: ['idNumber'] });
    const { response } = await authenticate(agent, ticket, BANK);
    expect(response.error?.data).toMatchObject({ code: 'ERR_TICKET_INVALID', details: { reason: 'issuer-origin' } });
  });

  it('closes a session after repeated authentication failures', async () => {
    const agent = await startTestAgent({ limits: { maxAuthFailures: 2 } });
    const client = await connect(agent);
    const bad = await mintTicket(agent.agentId, { origin: BANK });
    await client.request('session.authenticate', { ticket: bad });
    await client.request('session.authenticate', { ticket: bad });
    expect((await client.closed).code).toBe(1008);
  });

  it('binds purpose and nonce of the ticket, and caps fields by ticket and policy', async () => {
    const agent = await startTestAgent();
    const { client, nonce } = await authedClient(agent, { fields: ['idNumber', 'fullName', 'photo'] });
    const auth = client.messages.find((m) => m.result?.allowedFields);
    // photo is in the ticket but not in the HIS policy: not allowed.
    expect(auth.result.allowedFields).toEqual(['idNumber', 'fullName']);
    const purpose = await client.request(
      'read.start',
      readParams(nonce, { purpose: 'marketing', fields: ['idNumber'] }),
    );
    expect(purpose.error?.data).toMatchObject({ code: 'ERR_FIELD_NOT_ALLOWED', details: { field: 'purpose' } });
    const otherNonce = await client.request('read.start', readParams(newNonce(), { fields: ['idNumber'] }));
    expect(otherNonce.error?.data).toMatchObject({ code: 'ERR_INVALID_PARAMS', details: { field: 'nonce' } });
    const notInTicket = await client.request('read.start', readParams(nonce, { fields: ['idNumber', 'sex'] }));
    expect(notInTicket.error?.data).toMatchObject({ code: 'ERR_FIELD_NOT_ALLOWED', details: { field: 'sex' } });
    const photo = await client.request('read.start', readParams(nonce, { fields: ['photo'] }));
    expect(photo.error?.data).toMatchObject({ code: 'ERR_FIELD_NOT_ALLOWED', details: { field: 'photo' } });
  });
});

describe('field policy for sensitive data', () => {
  const sensitive = ['photo', 'ethnicity', 'religion', 'fatherName', 'motherName'];

  it('denies photo, ethnicity, religion and parents unless the policy allows them', async () => {
    const agent = await startTestAgent();
    for (const field of sensitive) {
      const { client, nonce } = await authedClient(agent, { fields: ['idNumber', field] });
      const r = await client.request('read.start', readParams(nonce, { fields: [field], consentRef: 'consent-1' }));
      expect(r.error?.data, field).toMatchObject({ code: 'ERR_FIELD_NOT_ALLOWED', details: { field } });
    }
  });

  it('releases them when policy AND request ask, with a consent reference; only then is DG2 read', async () => {
    const agent = await startTestAgent({
      policy: [{ origin: BANK, purpose: 'bank-kyc', fields: ['idNumber', ...sensitive] as never, evidence: true }],
    });
    const claims = { origin: BANK, purpose: 'bank-kyc', fields: ['idNumber', ...sensitive] };
    const a = await authedClient(agent, claims, { origin: BANK });
    const noConsent = await a.client.request(
      'read.start',
      readParams(a.nonce, { purpose: 'bank-kyc', fields: ['religion'] }),
    );
    expect(noConsent.error?.data).toMatchObject({ code: 'ERR_CONSENT_REQUIRED', details: { field: 'religion' } });
    // Asked only for idNumber: no sensitive field in the result, DG2 not read.
    const plain = await a.client.request(
      'read.start',
      readParams(a.nonce, { purpose: 'bank-kyc', fields: ['idNumber'], includeEvidence: true }),
    );
    const plainResult = readResultSchema.parse(plain.result);
    expect(Object.keys(plainResult.fields)).toEqual(['idNumber']);
    expect(plainResult.photo).toBeUndefined();
    // DG1 and DG13 were read but hold fields not released: withheld from the evidence (evidence-policy.test.ts).
    expect(Object.keys(plainResult.evidence!.dataGroups).sort()).toEqual(['DG14', 'DG15']);
    const full = await a.client.request(
      'read.start',
      readParams(a.nonce, { purpose: 'bank-kyc', fields: sensitive, consentRef: 'consent-42', includeEvidence: true }),
    );
    expect(full.error).toBeUndefined();
    const result = readResultSchema.parse(full.result);
    expect(Object.keys(result.fields).sort()).toEqual(['ethnicity', 'fatherName', 'motherName', 'religion']);
    expect(result.photo?.b64.length).toBeGreaterThan(1000);
    // DG2 was read (the photo); its raw bytes also hold the gender (`sex`, not released), so they stay out.
    expect(result.evidenceWithheld?.map((w) => w.group)).toEqual(['DG1', 'DG2', 'DG13']);
    expect(await verifyAgentSig(result, { origin: BANK, nonce: a.nonce })).toBe(true);
  });

  it('refuses the evidence bundle where the policy does not allow it', async () => {
    const agent = await startTestAgent();
    const { client, nonce } = await authedClient(agent);
    const r = await client.request('read.start', readParams(nonce, { includeEvidence: true }));
    expect(r.error?.data).toMatchObject({ code: 'ERR_FIELD_NOT_ALLOWED', details: { field: 'evidence' } });
  });
});

function adminPost(agent: AgentHandle, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: agent.port, path, method: 'POST', headers: { 'X-Admin-Token': token } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('pairing for desktop clients', () => {
  const token = 't'.repeat(32);

  it('pairs after admin approval, then authenticates by signing the challenge and reads', async () => {
    const agent = await startTestAgent({
      adminToken: token,
      policy: [{ origin: 'native', purpose: '*', fields: ['idNumber', 'fullName'] }],
    });
    const key = await clientKey();
    const c1 = await connect(agent, { origin: null });
    const begin = await c1.request('pair.begin', { clientName: 'Quầy 3 – HIS desktop', publicKey: key.spki });
    const { clientId, code } = begin.result;
    expect(code).toMatch(/^\d{6}$/);
    // The code is shown in the agent's log for the operator to compare.
    expect(logLines().some((l) => l.includes(code) && l.includes('pairing-request'))).toBe(true);
    expect((await c1.request('pair.status', { clientId })).result.status).toBe('pending');
    const hello1 = await c1.waitFor((m) => m.method === 'agent.hello');
    const early = await c1.request('session.authenticate', {
      clientId,
      signature: await key.sign(hello1.params.challenge),
    });
    expect(early.error?.data?.code).toBe('ERR_UNAUTHENTICATED');
    expect(await adminPost(agent, `/admin/api/pairings/${clientId}/approve`, 'x'.repeat(32))).toBe(401);
    expect(await adminPost(agent, `/admin/api/pairings/${clientId}/approve`, token)).toBe(200);
    expect((await c1.request('pair.status', { clientId })).result.status).toBe('approved');

    const c2 = await connect(agent, { origin: null });
    const hello = await c2.waitFor((m) => m.method === 'agent.hello');
    // A signature over another connection's challenge is refused.
    const stale = await c2.request('session.authenticate', {
      clientId,
      signature: await key.sign(hello1.params.challenge),
    });
    expect(stale.error?.data?.code).toBe('ERR_UNAUTHENTICATED');
    const ok = await c2.request('session.authenticate', {
      clientId,
      signature: await key.sign(hello.params.challenge),
    });
    expect(ok.result.allowedFields).toEqual(['idNumber', 'fullName']);
    const nonce = newNonce();
    const r = await c2.request('read.start', {
      accessKey: { can: CAN },
      fields: ['idNumber'],
      purpose: 'desk-checkin',
      nonce,
    });
    expect(await verifyAgentSig(readResultSchema.parse(r.result), { origin: 'native', nonce })).toBe(true);
  });

  it('a rejected pairing never authenticates, and a paired key is bound to its origin', async () => {
    const agent = await startTestAgent({
      adminToken: token,
      policy: [{ origin: 'native', purpose: '*', fields: ['idNumber'] }],
    });
    const key = await clientKey();
    const c = await connect(agent, { origin: null });
    const { clientId } = (await c.request('pair.begin', { clientName: 'x', publicKey: key.spki })).result;
    expect(await adminPost(agent, `/admin/api/pairings/${clientId}/reject`, token)).toBe(200);
    expect((await c.request('pair.status', { clientId })).result.status).toBe('rejected');
    const hello = await c.waitFor((m) => m.method === 'agent.hello');
    const r = await c.request('session.authenticate', { clientId, signature: await key.sign(hello.params.challenge) });
    expect(r.error?.data?.code).toBe('ERR_UNAUTHENTICATED');
    // Approved from one origin, used from another: refused.
    const web = await connect(agent, { origin: HIS });
    const p2 = (await web.request('pair.begin', { clientName: 'y', publicKey: key.spki })).result.clientId;
    expect(await adminPost(agent, `/admin/api/pairings/${p2}/approve`, token)).toBe(200);
    const native = await connect(agent, { origin: null });
    const h = await native.waitFor((m) => m.method === 'agent.hello');
    const wrongOrigin = await native.request('session.authenticate', {
      clientId: p2,
      signature: await key.sign(h.params.challenge),
    });
    expect(wrongOrigin.error?.data?.code).toBe('ERR_UNAUTHENTICATED');
    const bad = await web.request('pair.begin', { clientName: 'z', publicKey: toBase64(new Uint8Array(64)) });
    expect(bad.error?.data?.code).toBe('ERR_INVALID_PARAMS');
  });
});
