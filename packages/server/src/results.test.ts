/**
 * verifyResult: one typed decision per result. Each way a result can be wrong (forged, replayed, expired,
 * cross-origin, cross-agent, field-widened, simulated, truncated, unknown CSCA, unenrolled or revoked agent) gets
 * its own refusal code, and nothing personal appears in any refusal, reason or error.
 */
import { CCCD_FIELDS, type CccdField, type ReadResult } from '@cccd/client';
import { VerificationCache } from '@cccd/emrtd';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServerError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { REFUSAL_CODES } from './reasons.js';
import type { Decision } from './results.js';
import type { CccdServer } from './server.js';
import { kioskDevice, resign, signedResult } from './test-support/kiosk.js';
import { DG1_FIELDS, emptyTrust, type Fixture, fixture, ORIGIN, OTHER_ORIGIN } from './test-support/setup.js';

let f: Fixture;
let server: CccdServer;
beforeAll(async () => {
  f = await fixture();
  server = await f.server();
});

const FIELDS: CccdField[] = [...DG1_FIELDS];
const decisions: Decision[] = [];
const keep = (d: Decision) => {
  decisions.push(d);
  return d;
};

async function issueAndRead(
  opts: { fields?: CccdField[]; agentId?: string; signFields?: CccdField[]; simulated?: boolean } = {},
  s: CccdServer = server,
) {
  const fields = opts.fields ?? FIELDS;
  const t = await s.issueTicket({
    origin: ORIGIN,
    purpose: 'bank-kyc',
    fields,
    agentId: opts.agentId ?? 'desk-1',
    operatorId: 'teller-7',
    ttl: 120,
  });
  const device = opts.agentId === 'desk-2' ? f.desk2 : f.desk1;
  const result = await signedResult(device, f.sim, {
    origin: ORIGIN,
    nonce: t.nonce,
    fields: opts.signFields ?? fields,
    ...(opts.simulated ? { simulated: true } : {}),
  });
  return { t, result };
}

describe('verifyResult', () => {
  it('accepts a genuine result once: the server re-verifies PA and AA and reports CA as a claim', async () => {
    const { t, result } = await issueAndRead();
    const d = keep(await server.verifyResult(result, { ticketId: t.ticketId, origin: ORIGIN }));
    expect(d.accepted).toBe(true);
    if (!d.accepted) return;
    expect(d).toMatchObject({ agentId: 'desk-1', operatorId: 'teller-7', purpose: 'bank-kyc', simulated: false });
    expect(d.fields.sort()).toEqual([...FIELDS].sort());
    expect(d.verdict?.overall).toBe('authentic');
    expect(d.verdict?.passive.status).toBe('valid');
    expect(d.verdict?.active?.status).toBe('valid');
    expect(d.chipAuthenticationClaimed).toBe(true);
    expect(d.reasons.map((r) => r.code)).toContain('ca-claimed-only');
    // DG1 in the bundle: every released field is checked against the MRZ.
    expect([...d.verifiedFields].sort()).toEqual([...FIELDS].sort());
    expect(d.claimedFields).toEqual([]);
    // The replay of that very result, byte for byte.
    const again = keep(await server.verifyResult(result, { ticketId: t.ticketId, origin: ORIGIN }));
    expect(again).toMatchObject({ accepted: false, code: 'replayed' });
  });

  it('refuses a forged result: a field edited after signing', async () => {
    const { t, result } = await issueAndRead();
    const edited = { ...result, fields: { ...result.fields, fullName: 'NGUOI KHAC' } };
    expect(keep(await server.verifyResult(edited, { ticketId: t.ticketId }))).toMatchObject({
      accepted: false,
      code: 'signature-invalid',
    });
  });

  it('a forged, unenrolled or cross-origin submission does not burn the ticket (review 17, R1)', async () => {
    const { t, result } = await issueAndRead();
    const forged: ReadResult = { ...result, agentSig: { ...result.agentSig, signature: 'AAAA' } };
    expect(keep(await server.verifyResult(forged, { ticketId: t.ticketId }))).toMatchObject({
      code: 'signature-invalid',
    });
    const stranger = await kioskDevice('stranger');
    const unenrolled = await resign(stranger, result, ORIGIN, t.nonce);
    expect(keep(await server.verifyResult(unenrolled, { ticketId: t.ticketId }))).toMatchObject({
      code: 'agent-not-enrolled',
    });
    expect(keep(await server.verifyResult(result, { ticketId: t.ticketId, origin: OTHER_ORIGIN }))).toMatchObject({
      code: 'cross-origin',
    });
    const other = await signedResult(f.desk2, f.sim, { origin: ORIGIN, nonce: t.nonce, fields: FIELDS });
    expect(keep(await server.verifyResult(other, { ticketId: t.ticketId }))).toMatchObject({ code: 'cross-agent' });
    // The genuine result still goes through, once.
    expect(await server.verifyResult(result, { ticketId: t.ticketId, origin: ORIGIN })).toMatchObject({
      accepted: true,
    });
    expect(await server.verifyResult(result, { ticketId: t.ticketId })).toMatchObject({ code: 'replayed' });
  });

  it('refuses a result signed for another ticket (another nonce)', async () => {
    const a = await issueAndRead();
    const b = await issueAndRead();
    expect(keep(await server.verifyResult(a.result, { ticketId: b.t.ticketId }))).toMatchObject({
      code: 'signature-invalid',
    });
  });

  it('refuses an expired ticket', async () => {
    let now = new Date();
    const s = await f.server({ now: () => now });
    const { t, result } = await issueAndRead({}, s);
    now = new Date(now.getTime() + 121_000 + 31_000);
    expect(keep(await s.verifyResult(result, { ticketId: t.ticketId }))).toMatchObject({ code: 'expired' });
  });

  it('refuses a result posted from another origin than the ticket was issued for', async () => {
    const { t, result } = await issueAndRead();
    expect(keep(await server.verifyResult(result, { ticketId: t.ticketId, origin: OTHER_ORIGIN }))).toMatchObject({
      code: 'cross-origin',
    });
  });

  it('refuses a result signed for the same nonce under another origin (the signature binds the origin)', async () => {
    const t = await server.issueTicket({ origin: ORIGIN, purpose: 'bank-kyc', fields: FIELDS, ttl: 60 });
    const result = await signedResult(f.desk1, f.sim, { origin: OTHER_ORIGIN, nonce: t.nonce, fields: FIELDS });
    expect(keep(await server.verifyResult(result, { ticketId: t.ticketId }))).toMatchObject({
      code: 'signature-invalid',
    });
  });

  it('refuses a result from an enrolled agent other than the ticket names', async () => {
    const t = await server.issueTicket({
      origin: ORIGIN,
      purpose: 'bank-kyc',
      fields: FIELDS,
      agentId: 'desk-1',
      ttl: 60,
    });
    const result = await signedResult(f.desk2, f.sim, { origin: ORIGIN, nonce: t.nonce, fields: FIELDS });
    expect(keep(await server.verifyResult(result, { ticketId: t.ticketId }))).toMatchObject({ code: 'cross-agent' });
  });

  it('refuses unenrolled and revoked agents; an unbound ticket takes any enrolled agent', async () => {
    const s = await f.server();
    const unbound = await s.issueTicket({ origin: ORIGIN, purpose: 'bank-kyc', fields: FIELDS, ttl: 60 });
    const r2 = await signedResult(f.desk2, f.sim, { origin: ORIGIN, nonce: unbound.nonce, fields: FIELDS });
    expect((await s.verifyResult(r2, { ticketId: unbound.ticketId })).accepted).toBe(true);
    expect(await s.revoke('desk-1')).toBe(true);
    const { t, result } = await issueAndRead({}, s);
    expect(keep(await s.verifyResult(result, { ticketId: t.ticketId }))).toMatchObject({ code: 'agent-not-enrolled' });
    expect(await s.revoke('desk-1')).toBe(false);
  });

  it('refuses fields the ticket did not ask for, and data groups that would disclose them', async () => {
    const a = await issueAndRead({
      fields: ['idNumber', 'fullName'],
      signFields: ['idNumber', 'fullName', 'religion'],
    });
    const widened = keep(await server.verifyResult(a.result, { ticketId: a.t.ticketId }));
    expect(widened).toMatchObject({ code: 'field-widened' });
    expect(JSON.stringify(widened.reasons)).toContain('religion');
    // Only the fields asked for, but DG1 in the evidence: it discloses the rest of the MRZ.
    const b = await issueAndRead({ fields: ['idNumber', 'fullName'] });
    const unsigned = await signedResult(f.desk1, f.sim, { origin: ORIGIN, nonce: b.t.nonce, fields: FIELDS });
    const narrowed = await resign(
      f.desk1,
      { ...unsigned, fields: { idNumber: unsigned.fields.idNumber, fullName: unsigned.fields.fullName } },
      ORIGIN,
      b.t.nonce,
    );
    const dg = keep(await server.verifyResult(narrowed, { ticketId: b.t.ticketId }));
    expect(dg).toMatchObject({ code: 'field-widened' });
    expect(JSON.stringify(dg.reasons)).toContain('nationality');
  });

  it("refuses a result whose agent found it not valid, though the bundle's data groups verify", async () => {
    // The agent checked a data group the bundle withholds (DG13 not released whole) and found it altered.
    const a = await issueAndRead();
    const verification = {
      ...a.result.verification,
      overall: 'invalid' as const,
      passive: {
        status: 'invalid' as const,
        dataGroups: { DG1: 'match' as const, DG13: 'mismatch' as const },
        reasons: [{ code: 'dg-hash-mismatch', severity: 'error' as const, message: { vi: 'DG13', en: 'DG13' } }],
      },
    };
    const claimed = await resign(f.desk1, { ...a.result, verification }, ORIGIN, a.t.nonce);
    const d = keep(await server.verifyResult(claimed, { ticketId: a.t.ticketId }));
    expect(d).toMatchObject({ accepted: false, code: 'verdict-not-accepted', overall: 'invalid' });
    expect(d.reasons.map((r) => r.code)).toEqual(['verdict-not-accepted', 'dg-hash-mismatch']);
  });

  it('refuses simulated results unless the server allows them', async () => {
    const a = await issueAndRead({ simulated: true });
    expect(keep(await server.verifyResult(a.result, { ticketId: a.t.ticketId }))).toMatchObject({ code: 'simulated' });
    const demo = await f.server({ allowSimulated: true });
    const b = await issueAndRead({ simulated: true }, demo);
    const d = await demo.verifyResult(b.result, { ticketId: b.t.ticketId });
    expect(d).toMatchObject({ accepted: true, simulated: true });
  });

  it('refuses truncated results: missing keys, a cut evidence bundle, no evidence', async () => {
    const a = await issueAndRead();
    const { agentSig: _cut, ...noSig } = a.result;
    expect(keep(await server.verifyResult(noSig, { ticketId: a.t.ticketId }))).toMatchObject({
      code: 'malformed',
      reasons: [{ message: { en: expect.stringContaining('agentSig') } }],
    });
    // The ticket is still pending: a malformed body does not burn it.
    expect((await server.verifyResult(a.result, { ticketId: a.t.ticketId })).accepted).toBe(true);
    expect(keep(await server.verifyResult('{"readId":"r-1","fie', { ticketId: a.t.ticketId }))).toMatchObject({
      code: 'malformed',
    });

    const b = await issueAndRead();
    const ev = b.result.evidence;
    if (!ev) throw new Error('fixture without evidence');
    // A compromised agent cutting the SOD short and signing that: the server's own PA catches it.
    const cut = await resign(
      f.desk1,
      { ...b.result, evidence: { ...ev, sod: ev.sod.slice(0, 200) } },
      ORIGIN,
      b.t.nonce,
    );
    expect(keep(await server.verifyResult(cut, { ticketId: b.t.ticketId }))).toMatchObject({
      code: 'verdict-not-accepted',
      overall: 'invalid',
    });
    // A bundle that cannot be: an AA exchange and an AA refusal side by side.
    const d = await issueAndRead();
    const both = { ...ev, activeAuthenticationRefused: { sw: 0x6d00 } };
    const odd = await resign(f.desk1, { ...d.result, evidence: both }, ORIGIN, d.t.nonce);
    expect(keep(await server.verifyResult(odd, { ticketId: d.t.ticketId }))).toMatchObject({
      code: 'evidence-malformed',
    });

    const c = await issueAndRead();
    const { evidence: _e, evidenceWithheld: _w, ...bare } = c.result;
    const none = await resign(f.desk1, bare as ReadResult, ORIGIN, c.t.nonce);
    expect(keep(await server.verifyResult(none, { ticketId: c.t.ticketId }))).toMatchObject({
      code: 'evidence-missing',
    });
  });

  it('refuses released fields and photos that differ from the verified evidence, and accepts the genuine ones', async () => {
    const every = CCCD_FIELDS.filter((x) => x !== 'photo');
    const a = await issueAndRead({ fields: every });
    expect(Object.keys(a.result.evidence?.dataGroups ?? {}).sort()).toEqual(['DG1', 'DG13', 'DG14', 'DG15']);
    const edited = await resign(
      f.desk1,
      { ...a.result, fields: { ...a.result.fields, placeOfResidence: 'Hà Nội' } },
      ORIGIN,
      a.t.nonce,
    );
    expect(keep(await server.verifyResult(edited, { ticketId: a.t.ticketId }))).toMatchObject({
      code: 'fields-mismatch',
      reasons: [{ message: { en: expect.stringContaining('placeOfResidence') } }],
    });
    const b = await issueAndRead({ fields: every });
    expect(await server.verifyResult(b.result, { ticketId: b.t.ticketId })).toMatchObject({ accepted: true });

    // DG1 alone: the MRZ holds the ID exactly.
    const c = await issueAndRead();
    const otherId = await resign(
      f.desk1,
      { ...c.result, fields: { ...c.result.fields, idNumber: '079099000001' } },
      ORIGIN,
      c.t.nonce,
    );
    expect(keep(await server.verifyResult(otherId, { ticketId: c.t.ticketId }))).toMatchObject({
      code: 'fields-mismatch',
    });

    const withPhoto: CccdField[] = [...FIELDS, 'photo'];
    const d = await issueAndRead({ fields: withPhoto });
    expect(d.result.evidence?.dataGroups.DG2).toBeDefined();
    expect(await server.verifyResult(d.result, { ticketId: d.t.ticketId })).toMatchObject({ accepted: true });
    const e = await issueAndRead({ fields: withPhoto });
    const photo = e.result.photo;
    if (!photo) throw new Error('fixture without photo');
    const swapped = await resign(
      f.desk1,
      { ...e.result, photo: { ...photo, b64: btoa('not the face in DG2') } },
      ORIGIN,
      e.t.nonce,
    );
    expect(keep(await server.verifyResult(swapped, { ticketId: e.t.ticketId }))).toMatchObject({
      code: 'fields-mismatch',
      reasons: [{ message: { en: expect.stringContaining('photo') } }],
    });
  });

  it('refuses MRZ fields edited and re-signed by an enrolled key on a DG1 + DG2 read (review 17, R2b)', async () => {
    const withPhoto: CccdField[] = [...FIELDS, 'photo'];
    const a = await issueAndRead({ fields: withPhoto });
    expect(Object.keys(a.result.evidence?.dataGroups ?? {}).sort()).toEqual(['DG1', 'DG14', 'DG15', 'DG2']);
    const sex = a.result.fields.sex === 'M' ? 'F' : 'M';
    const edited = await resign(
      f.desk1,
      {
        ...a.result,
        fields: {
          ...a.result.fields,
          fullName: 'TRẦN THỊ KHÁC',
          dateOfBirth: '1950-01-01',
          dateOfExpiry: '2099-12-31',
          sex,
        },
      },
      ORIGIN,
      a.t.nonce,
    );
    const d = keep(await server.verifyResult(edited, { ticketId: a.t.ticketId }));
    expect(d).toMatchObject({ accepted: false, code: 'fields-mismatch' });
    for (const name of ['fullName', 'dateOfBirth', 'dateOfExpiry', 'sex'])
      expect(JSON.stringify(d.reasons)).toContain(name);
  });

  it('accepts fields the bundle cannot check only as claimed (review 17, R2), and photo.display always (R3)', async () => {
    // The clinic desk: DG13 not released whole, DG1 not either: only DG14/DG15 travel.
    const clinic: CccdField[] = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'];
    const a = await issueAndRead({ fields: clinic });
    expect(Object.keys(a.result.evidence?.dataGroups ?? {}).sort()).toEqual(['DG14', 'DG15']);
    const invented = await resign(
      f.desk1,
      { ...a.result, fields: { ...a.result.fields, idNumber: '001099000001', fullName: 'NGUYEN VAN BIA' } },
      ORIGIN,
      a.t.nonce,
    );
    const d = await server.verifyResult(invented, { ticketId: a.t.ticketId });
    if (!d.accepted) throw new Error(`refused: ${d.code}`);
    expect(d.verifiedFields).toEqual([]);
    expect([...d.claimedFields].sort()).toEqual([...clinic].sort());

    const withPhoto: CccdField[] = [...FIELDS, 'photo'];
    const b = await issueAndRead({ fields: withPhoto });
    const photo = b.result.photo;
    if (!photo) throw new Error('fixture without photo');
    const display = { mime: 'image/png' as const, b64: btoa('another face'), width: 10, height: 10 };
    const swapped = await resign(f.desk1, { ...b.result, photo: { ...photo, display } }, ORIGIN, b.t.nonce);
    const e = await server.verifyResult(swapped, { ticketId: b.t.ticketId });
    if (!e.accepted) throw new Error(`refused: ${e.code}`);
    expect(e.verifiedFields).toContain('photo');
    expect(e.claimedFields).toEqual(['photo.display']);
  });

  it('refuses a verdict it does not accept: no CSCA on the server is unknown-csca, never valid', async () => {
    const s = await f.server({ trustStore: emptyTrust() });
    const { t, result } = await issueAndRead({}, s);
    const d = keep(await s.verifyResult(result, { ticketId: t.ticketId }));
    expect(d).toMatchObject({ accepted: false, code: 'verdict-not-accepted', overall: 'unknown-csca' });
  });

  it('remembers certificate verdicts in one VerificationCache, which never stands in for the trust store', async () => {
    const cache = new VerificationCache();
    const s = await f.server({ evidenceOptions: { cache } });
    for (let i = 0; i < 2; i++) {
      const { t, result } = await issueAndRead({}, s);
      expect(keep(await s.verifyResult(result, { ticketId: t.ticketId })).accepted).toBe(true);
    }
    expect(cache.stats).toMatchObject({ verdictMisses: 1, verdictHits: 1 });
    // The same warm cache behind a server without the CSCA: still unknown-csca.
    const bare = await f.server({ trustStore: emptyTrust(), evidenceOptions: { cache } });
    const { t, result } = await issueAndRead({}, bare);
    const d = keep(await bare.verifyResult(result, { ticketId: t.ticketId }));
    expect(d).toMatchObject({ accepted: false, code: 'verdict-not-accepted', overall: 'unknown-csca' });
  });

  it('refuses unknown tickets', async () => {
    const { result } = await issueAndRead();
    expect(keep(await server.verifyResult(result, { ticketId: 'never-issued-here' }))).toMatchObject({
      code: 'ticket-unknown',
    });
  });

  it('fails closed with a typed error when the store fails, and accepts nothing', async () => {
    const broken = new MemoryStore();
    const s = await f.server({ store: broken });
    const { t, result } = await issueAndRead({}, s);
    broken.consumeTicket = async () => {
      throw new ServerError('ERR_STORE_UNAVAILABLE', 'the ticket store (Redis) is unavailable');
    };
    await expect(s.verifyResult(result, { ticketId: t.ticketId })).rejects.toMatchObject({
      name: 'ServerError',
      code: 'ERR_STORE_UNAVAILABLE',
    });
    // The read before the consume fails closed too.
    broken.peekTicket = async () => {
      throw new ServerError('ERR_STORE_UNAVAILABLE', 'the ticket store (Redis) is unavailable');
    };
    await expect(s.verifyResult(result, { ticketId: t.ticketId })).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
  });

  it('every refusal code has vi and en text, and no refusal carries personal data', () => {
    const seen = new Set(decisions.filter((d) => !d.accepted).map((d) => (d.accepted ? '' : d.code)));
    for (const code of REFUSAL_CODES) expect(seen).toContain(code);
    const text = JSON.stringify(decisions.filter((d) => !d.accepted));
    for (const d of decisions) for (const r of d.reasons) expect(r.message.vi && r.message.en).toBeTruthy();
    const personal = [f.sim.fields.idNumber, f.sim.fields.fullName, f.sim.fields.dateOfBirth].map(String);
    for (const value of personal) {
      expect(value.length).toBeGreaterThan(5);
      expect(text).not.toContain(value);
    }
  });
});
