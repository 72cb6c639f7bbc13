import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CccdAgentError, ERROR_CODES, ERRORS, errorText, rpcError } from './errors.js';
import {
  accessKeySchema,
  METHODS,
  NOTIFICATIONS,
  readResultSchema,
  readStartParamsSchema,
  serverMessageSchema,
  ticketClaimsSchema,
} from './protocol.js';
import { agentSigMessage, canonicalJson, canonicalPayload, signReadResult, verifyAgentSig } from './signature.js';
import { deviceKey, NONCE, ORIGIN, unsignedResult } from './testing/fixtures.js';

const readStart = {
  accessKey: { can: '012345' },
  fields: ['idNumber', 'fullName'],
  purpose: 'clinic-checkin',
  nonce: NONCE,
};

describe('schemas are strict', () => {
  it('accepts a well-formed read.start and rejects an unknown key anywhere', () => {
    expect(readStartParamsSchema.safeParse(readStart).success).toBe(true);
    expect(readStartParamsSchema.safeParse({ ...readStart, extra: 1 }).success).toBe(false);
    expect(readStartParamsSchema.safeParse({ ...readStart, accessKey: { can: '012345', x: 1 } }).success).toBe(false);
  });

  it('rejects unknown fields, duplicates, an empty list, bad purposes and short nonces', () => {
    const bad = [
      { fields: ['idNumber', 'password'] },
      { fields: ['idNumber', 'idNumber'] },
      { fields: [] },
      { purpose: 'Clinic Checkin' },
      { nonce: 'short' },
      { timeoutMs: 500_000 },
    ];
    for (const patch of bad) expect(readStartParamsSchema.safeParse({ ...readStart, ...patch }).success).toBe(false);
  });

  it('access keys: CAN, card data (null expiry), MRZ, QR scanner; nothing else', () => {
    const good = [
      { can: '123456' },
      { idNumber: '001090012345', dateOfBirth: '1990-08-15', dateOfExpiry: null },
      { idNumber: '001090012345', dateOfBirth: '15/08/1990', dateOfExpiry: '15/08/2030' },
      { mrz: `${'I'.repeat(30)}\n${'0'.repeat(30)}\n${'<'.repeat(30)}` },
      { fromQrScanner: true },
    ];
    const bad = [{ can: '12345' }, { can: 123456 }, { fromQrScanner: false }, {}, { can: '123456', mrz: 'X' }];
    for (const k of good) expect(accessKeySchema.safeParse(k).success).toBe(true);
    for (const k of bad) expect(accessKeySchema.safeParse(k).success).toBe(false);
  });

  it('read result: only known fields, verification enums, evidence shape', async () => {
    const signed = await signReadResult(unsignedResult(), { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) });
    expect(readResultSchema.safeParse(signed).success).toBe(true);
    expect(readResultSchema.safeParse({ ...signed, fields: { ...signed.fields, shoeSize: '42' } }).success).toBe(false);
    const overall = { ...signed.verification, overall: 'probably-fine' };
    expect(readResultSchema.safeParse({ ...signed, verification: overall }).success).toBe(false);
  });

  it('read result photo: JPEG, JP2 or J2K bytes; a PNG `display` beside JPEG 2000, covered by agentSig', async () => {
    const png = { mime: 'image/png' as const, b64: 'iVBORw0KGgo=', width: 240, height: 320 };
    const photo = { mime: 'image/jp2' as const, b64: 'AAAADGpQICA=', display: png };
    const signed = await signReadResult(
      { ...unsignedResult(), photo },
      { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) },
    );
    expect(readResultSchema.safeParse(signed).success).toBe(true);
    for (const p of [
      { ...photo, mime: 'image/j2k' },
      { mime: 'image/jpeg', b64: '/9j/4A==' },
    ])
      expect(readResultSchema.safeParse({ ...signed, photo: p }).success).toBe(true);
    for (const p of [
      { ...photo, mime: 'image/png' },
      { ...photo, display: { ...png, mime: 'image/jpeg' } },
      { ...photo, display: { ...png, width: 0 } },
      { ...photo, display: { ...png, extra: 1 } },
    ])
      expect(readResultSchema.safeParse({ ...signed, photo: p }).success).toBe(false);
    const swapped: typeof signed = { ...signed, photo: { ...photo, display: { ...png, b64: 'AAAA' } } };
    expect(await verifyAgentSig(swapped, { origin: ORIGIN, nonce: NONCE })).toBe(false);
  });

  it('read result: `simulated` is always there, a boolean, and covered by agentSig', async () => {
    const signed = await signReadResult(
      { ...unsignedResult(), simulated: true },
      { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) },
    );
    const { simulated: _dropped, ...unlabelled } = signed;
    expect(readResultSchema.safeParse(unlabelled).success).toBe(false);
    expect(readResultSchema.safeParse({ ...signed, simulated: 'yes' }).success).toBe(false);
    expect(await verifyAgentSig(signed, { origin: ORIGIN, nonce: NONCE })).toBe(true);
    expect(await verifyAgentSig({ ...signed, simulated: false }, { origin: ORIGIN, nonce: NONCE })).toBe(false);
  });

  it('evidence: the refused CA/AA records serializeEvidence writes parse; other status words do not', async () => {
    const evidence = {
      format: 'cccd-evidence',
      version: 1,
      createdAt: '2026-01-02T03:04:05.000Z',
      sod: 'dwA=',
      dataGroups: { DG14: 'bgA=', DG15: 'bwA=' },
      chipAuthentication: { succeeded: false, protocol: '0.4.0.127.0.7.2.2.3.2.2', refusedSw: 0x6a86 },
      activeAuthenticationRefused: { sw: 0x6d00 },
    };
    const signed = await signReadResult(unsignedResult(), { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) });
    const result = { ...signed, evidence };
    expect(readResultSchema.safeParse(result).success).toBe(true);
    const bad = [
      { ...evidence, chipAuthentication: { succeeded: false, refusedSw: 0x9000 } },
      { ...evidence, activeAuthenticationRefused: { sw: 0x6d00, extra: 1 } },
    ];
    for (const e of bad) expect(readResultSchema.safeParse({ ...result, evidence: e }).success).toBe(false);
  });

  it('evidenceWithheld: a data group, a known reason and field names only', async () => {
    const signed = await signReadResult(unsignedResult(), { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) });
    const withheld = (w: unknown) => readResultSchema.safeParse({ ...signed, evidenceWithheld: [w] }).success;
    expect(withheld({ group: 'DG13', reason: 'fields-not-released', fields: ['religion', 'spouseName'] })).toBe(true);
    expect(withheld({ group: 'DG11', reason: 'no-field-name', fields: [] })).toBe(true);
    expect(withheld({ group: 'DG13', reason: 'policy', fields: [] })).toBe(false);
    expect(withheld({ group: 'DG13', reason: 'fields-not-released', fields: ['shoeSize'] })).toBe(false);
    expect(withheld({ group: 'DG17', reason: 'no-field-name', fields: [] })).toBe(false);
    expect(withheld({ group: 'DG1', reason: 'no-field-name', fields: [], bytes: 'AA==' })).toBe(false);
  });

  it('envelopes: a response, an error and a notification parse; a mixed one does not', () => {
    const ok = { jsonrpc: '2.0', id: 1, result: {} };
    const err = { jsonrpc: '2.0', id: 1, error: rpcError('ERR_READER_BUSY') };
    const note = { jsonrpc: '2.0', method: 'card.inserted', params: { readerId: 'sim-0' } };
    for (const m of [ok, err, note]) expect(serverMessageSchema.safeParse(m).success).toBe(true);
    expect(serverMessageSchema.safeParse({ ...ok, error: err.error }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ ...ok, jsonrpc: '1.0' }).success).toBe(false);
    expect(NOTIFICATIONS['card.inserted'].safeParse({ readerId: 'sim-0', atr: '3B' }).success).toBe(false);
  });

  it('every method has a params and a result schema; getInfo accepts no params', () => {
    for (const m of Object.values(METHODS)) expect(m.params && m.result).toBeTruthy();
    expect(METHODS['agent.getInfo'].params.safeParse(undefined).success).toBe(true);
    expect(METHODS['agent.getInfo'].params.safeParse({ x: 1 }).success).toBe(false);
  });

  it('ticket claims carry origin, purpose, fields and nonce', () => {
    const now = 1_760_000_000;
    const claims = {
      iss: 'his.example.vn',
      aud: 'cccd-agent',
      origin: 'https://his.example.vn',
      purpose: 'clinic-checkin',
      fields: ['idNumber'],
      nonce: NONCE,
      operatorId: 'op-17',
      iat: now,
      exp: now + 300,
      jti: 'jti-0000001',
    };
    expect(ticketClaimsSchema.safeParse(claims).success).toBe(true);
    expect(ticketClaimsSchema.safeParse({ ...claims, origin: 'https://his.example.vn/path' }).success).toBe(false);
  });
});

describe('error table', () => {
  it('every code has a distinct JSON-RPC number, a message key and both languages', () => {
    const rpcs = new Set(ERROR_CODES.map((c) => ERRORS[c].rpc));
    expect(rpcs.size).toBe(ERROR_CODES.length);
    for (const c of ERROR_CODES) {
      const d = ERRORS[c];
      expect(errorText(d.messageKey, 'vi')).toBe(d.vi);
      expect(errorText(d.messageKey, 'en')).toBe(d.en);
      expect(d.vi).not.toBe(d.en);
    }
    expect(ERRORS.ERR_CANCELLED.rpc).toBe(-32800);
    expect(ERRORS.ERR_PARSE.rpc).toBe(-32700);
  });

  it('rebuilds a typed error from the wire, keeping the agent’s retriable flag', () => {
    const e = CccdAgentError.fromRpc(rpcError('ERR_CARD_REMOVED', { stage: 'dg2' }));
    expect(e).toBeInstanceOf(CccdAgentError);
    expect([e.code, e.retriable, e.details?.stage]).toEqual(['ERR_CARD_REMOVED', true, 'dg2']);
    expect(e.text('vi')).toMatch(/Thẻ đã bị nhấc ra/);
    expect(CccdAgentError.fromRpc({ code: -32099 }).code).toBe('ERR_INTERNAL');
    expect(CccdAgentError.fromRpc({ code: -32012 }).code).toBe('ERR_READER_BUSY');
  });
});

describe('agentSig', () => {
  it('canonical JSON sorts keys, drops undefined and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, é: { z: 0, y: 'ữ' } })).toBe(
      '{"a":[true,null,"x"],"b":1,"é":{"y":"ữ","z":0}}',
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson(new Date())).toThrow(TypeError);
  });

  it('the payload excludes agentSig and is key-order independent', async () => {
    const u = unsignedResult();
    const signed = await signReadResult(u, { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) });
    expect(canonicalPayload(signed)).toBe(canonicalPayload(u));
    const reordered = JSON.parse(
      JSON.stringify({ simulated: u.simulated, verification: u.verification, fields: u.fields, readId: u.readId }),
    );
    expect(canonicalPayload(reordered)).toBe(canonicalPayload(u));
  });

  it('message = H(origin) ‖ H(nonce) ‖ H(payload)', async () => {
    const u = unsignedResult();
    const m = await agentSigMessage(ORIGIN, NONCE, u);
    const h = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
    expect(m.length).toBe(96);
    expect(m.subarray(0, 32)).toEqual(await h(ORIGIN));
    expect(m.subarray(32, 64)).toEqual(await h(NONCE));
    expect(m.subarray(64)).toEqual(await h(canonicalPayload(u)));
  });

  it('verifies for the right origin, nonce, payload and pinned key only', async () => {
    const key = await deviceKey();
    const signed = await signReadResult(unsignedResult(), { origin: ORIGIN, nonce: NONCE, ...key });
    const opts = { origin: ORIGIN, nonce: NONCE };
    expect(await verifyAgentSig(signed, opts)).toBe(true);
    expect(await verifyAgentSig(signed, { ...opts, trustedPublicKey: signed.agentSig.publicKey })).toBe(true);
    expect(await verifyAgentSig(signed, { ...opts, origin: 'https://evil.example' })).toBe(false);
    expect(await verifyAgentSig(signed, { ...opts, nonce: `${NONCE}x` })).toBe(false);
    const tampered = { ...signed, fields: { ...signed.fields, fullName: 'Trần Thị Giả' } };
    expect(await verifyAgentSig(tampered, opts)).toBe(false);
    const other = await signReadResult(unsignedResult(), { origin: ORIGIN, nonce: NONCE, ...(await deviceKey()) });
    expect(await verifyAgentSig(other, { ...opts, trustedPublicKey: signed.agentSig.publicKey })).toBe(false);
    const garbage = { ...signed, agentSig: { ...signed.agentSig, publicKey: 'AAAA' } };
    expect(await verifyAgentSig(garbage, opts)).toBe(false);
  });

  it('Ed25519 (the agent default): verifies a node:crypto signature over agentSigMessage', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const payload = unsignedResult();
    const message = await agentSigMessage(ORIGIN, NONCE, payload);
    const signed = {
      ...payload,
      agentSig: {
        alg: 'Ed25519' as const,
        publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        signature: sign(null, message, privateKey).toString('base64'),
      },
    };
    expect(await verifyAgentSig(signed, { origin: ORIGIN, nonce: NONCE })).toBe(true);
    const viaWebCrypto = await signReadResult(payload, {
      origin: ORIGIN,
      nonce: NONCE,
      ...(await deviceKey('Ed25519')),
    });
    expect(await verifyAgentSig(viaWebCrypto, { origin: ORIGIN, nonce: NONCE })).toBe(true);
    const relabelled = { ...signed, agentSig: { ...signed.agentSig, alg: 'ES256' as const } };
    expect(await verifyAgentSig(relabelled, { origin: ORIGIN, nonce: NONCE })).toBe(false);
  });
});
