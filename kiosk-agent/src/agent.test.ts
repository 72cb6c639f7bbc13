import { readResultSchema, verifyAgentSig } from '@cccd/client';
import { describe, expect, it } from 'vitest';
import {
  authedClient,
  BANK,
  CITIZEN,
  connect,
  HIS,
  leaks,
  readParams,
  startTestAgent,
  usePrivacyNet,
} from './test-support/harness.js';

usePrivacyNet();

describe('full read through the agent', () => {
  it('returns the requested fields, the verdict and a valid agentSig; progress only to the reader', async () => {
    const agent = await startTestAgent();
    const { client, nonce } = await authedClient(agent);
    const other = await authedClient(agent);
    const r = await client.request('read.start', readParams(nonce));
    expect(r.error).toBeUndefined();
    const result = readResultSchema.parse(r.result);
    expect(result.fields).toEqual({
      idNumber: CITIZEN.idNumber,
      fullName: CITIZEN.fullName,
      dateOfBirth: CITIZEN.dateOfBirth,
      sex: 'M',
      placeOfResidence: CITIZEN.placeOfResidence,
    });
    expect(result.photo).toBeUndefined();
    expect(result.verification.overall).toBe('authentic');
    expect(result.verification.passive.status).toBe('valid');
    expect(await verifyAgentSig(result, { origin: HIS, nonce, trustedPublicKey: agent.publicKey })).toBe(true);
    // Bound to origin and nonce: a result replayed for another request does not verify.
    expect(await verifyAgentSig(result, { origin: BANK, nonce })).toBe(false);
    expect(await verifyAgentSig(result, { origin: HIS, nonce: `${nonce}x` })).toBe(false);
    const tampered = { ...result, fields: { ...result.fields, fullName: 'Someone Else' } };
    expect(await verifyAgentSig(tampered, { origin: HIS, nonce })).toBe(false);
    // The access key is never echoed.
    expect(JSON.stringify(r.result)).not.toMatch(/"(can|accessKey|mrz)"/);
    expect(result.verification.passive.dataGroups.DG2 ?? 'not-read').toBe('not-read');
    const stages = client.notifications.filter((n) => n.method === 'read.progress').map((n) => n.params.stage);
    expect(stages[0]).toBe('queued');
    expect(stages).toContain('dg13');
    expect(stages.at(-1)).toBe('done');
    expect(stages).not.toContain('dg2');
    // The other session saw no read traffic and nothing personal.
    expect(other.client.messages.some((m) => m.method === 'read.progress' || m.result?.fields)).toBe(false);
    expect(leaks(other.client.raw)).toEqual([]);
  });
});

describe('hostile and malformed input', () => {
  it('answers garbage JSON with -32700 and keeps this and other sessions alive', async () => {
    const agent = await startTestAgent();
    const { client } = await authedClient(agent);
    const bystander = await authedClient(agent);
    client.sendRaw('{"jsonrpc": "2.0", "id": 1, "method": ');
    const parse = await client.waitFor((m) => m.error?.code === -32700);
    expect(parse).toMatchObject({
      id: null,
      error: { data: { code: 'ERR_PARSE', retriable: false, messageKey: 'parse' } },
    });
    client.sendRaw(Buffer.from([0xff, 0x00, 0x13]));
    await client.waitFor((m) => m.error?.data?.details?.reason === 'binary');
    client.sendRaw('[{"jsonrpc":"2.0","id":9,"method":"agent.ping"}]');
    await client.waitFor((m) => m.error?.code === -32600);
    expect((await client.request('agent.ping')).result.t).toBeTypeOf('number');
    expect((await bystander.client.request('agent.ping')).result.t).toBeTypeOf('number');
  });

  it('rejects unknown methods (no file, shell or APDU surface) and unknown keys', async () => {
    const agent = await startTestAgent();
    const { client, nonce } = await authedClient(agent);
    for (const method of ['fs.readFile', 'card.transmit', 'apdu.send', 'shell.exec', '__proto__', 'constructor']) {
      const r = await client.request(method, {});
      expect(r.error?.code).toBe(-32601);
      expect(r.error?.data?.code).toBe('ERR_METHOD_NOT_FOUND');
    }
    const extraKey = await client.request('read.start', { ...readParams(nonce), callback: 'window.alert' });
    expect(extraKey.error?.code).toBe(-32602);
    const extraKeyInKey = await client.request('read.start', readParams(nonce, { accessKey: { can: '123456', x: 1 } }));
    expect(extraKeyInKey.error?.code).toBe(-32602);
    client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'agent.ping', extra: true }));
    expect((await client.waitFor((m) => m.id === 77)).error.code).toBe(-32600);
    const badField = await client.request('read.start', readParams(nonce, { fields: ['idNumber', 'bloodType'] }));
    expect(badField.error?.data).toMatchObject({ code: 'ERR_INVALID_PARAMS', details: { field: 'fields.1' } });
  });

  it('closes a socket that sends a frame over 64 KiB (1009) and keeps serving the others', async () => {
    const agent = await startTestAgent();
    const { client } = await authedClient(agent);
    const bystander = await authedClient(agent);
    client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'agent.ping', pad: 'x'.repeat(70_000) }));
    expect((await client.closed).code).toBe(1009);
    expect((await bystander.client.request('agent.ping')).result).toBeDefined();
  });

  it('needs authentication for everything but getInfo, authenticate and pairing', async () => {
    const agent = await startTestAgent();
    const client = await connect(agent);
    const hello = await client.waitFor((m) => m.method === 'agent.hello');
    expect(Object.keys(hello.params).sort()).toEqual(['agentVersion', 'challenge', 'protocol']);
    const info = await client.request('agent.getInfo');
    // No agentId or capabilities before authentication (fingerprinting).
    expect(Object.keys(info.result).sort()).toEqual(['agentVersion', 'protocol']);
    for (const method of ['readers.list', 'read.start', 'read.cancel', 'agent.ping']) {
      const r = await client.request(method, method === 'read.cancel' ? { requestId: 1 } : undefined);
      expect(r.error?.data?.code, method).toBe('ERR_UNAUTHENTICATED');
    }
    // Broadcasts go to authenticated sessions only.
    agent.simulatedReaders[0]!.removeCard();
    agent.simulatedReaders[0]!.insertCard();
    const { client: authed } = await authedClient(agent);
    const after = await authed.request('agent.getInfo');
    expect(after.result.agentId).toBe(agent.agentId);
    expect(client.notifications.map((n) => n.method)).toEqual(['agent.hello']);
  });

  it('a second read in the same session is refused while one is in flight', async () => {
    const agent = await startTestAgent();
    const { client, nonce } = await authedClient(agent);
    const first = client.request('read.start', readParams(nonce), 'a');
    const second = await client.request('read.start', readParams(nonce), 'b');
    expect(second.error?.data?.code).toBe('ERR_ACTION_PENDING');
    expect((await first).result.fields.idNumber).toBe(CITIZEN.idNumber);
  });
});
