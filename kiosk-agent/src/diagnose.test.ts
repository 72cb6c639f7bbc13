import { createRequire } from 'node:module';
import { CccdAgentClient, CccdAgentError, METHODS, type WebSocketConstructor } from '@cccd/client';
import { personalLeaks, personalValues } from '@cccd/emrtd/testing';
import { describe, expect, it } from 'vitest';
import {
  authedClient,
  CAN,
  connect,
  HIS,
  mintTicket,
  producedText,
  startTestAgent,
  usePrivacyNet,
} from './test-support/harness.js';

// Logs, audit lines and data folders of this file are searched for the citizen's values afterwards.
usePrivacyNet();

const TOKEN = 'admin-token-for-tests-0123456789';
const diagnose = (extra: Record<string, unknown> = {}) => ({ adminToken: TOKEN, accessKey: { can: CAN }, ...extra });
const auditLines = () =>
  producedText()
    .filter((l) => l.includes('"event":"diagnose"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('admin.diagnose', () => {
  it('gives an administrator the chip profile: strict schema, reader, sizes, CA/AA, and nothing personal', async () => {
    const agent = await startTestAgent({ adminToken: TOKEN });
    const image = agent.simulatedReaders[0]!.image;
    const { client } = await authedClient(agent);
    const r = await client.request('admin.diagnose', diagnose());
    expect(r.error).toBeUndefined();
    const profile = METHODS['admin.diagnose'].result.parse(r.result);
    expect(profile).toMatchObject({ format: 'cccd-chip-profile', outcome: 'complete' });
    expect(profile.reader.name).toBe(agent.simulatedReaders[0]!.name);
    expect(profile.access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN' });
    const sizes = Object.fromEntries(profile.files.map((f) => [f.file, f.bytes]));
    expect(sizes.DG2).toBe(image.files.get(0x0102)!.length);
    expect(sizes.DG13).toBe(image.files.get(0x010d)!.length);
    expect(profile.chipAuthentication.status).toBe('valid');
    expect(profile.activeAuthentication.status).toBe('valid');
    expect(profile.verification?.overall).toBe('authentic');
    expect(personalLeaks(client.raw.join('\n'), personalValues(image))).toEqual([]);
    const audit = auditLines().filter((a) => a.outcome === 'ok');
    expect(audit).toEqual([
      expect.objectContaining({
        event: 'diagnose',
        readerId: agent.simulatedReaders[0]!.readerId,
        verdict: 'authentic',
        operatorId: 'nurse-07',
      }),
    ]);
  });

  it('is refused without the admin token, with a wrong one, before authentication, and when none is configured', async () => {
    const agent = await startTestAgent({ adminToken: TOKEN });
    const { client } = await authedClient(agent);
    const missing = await client.request('admin.diagnose', { accessKey: { can: CAN } });
    expect(missing.error?.data).toMatchObject({ code: 'ERR_INVALID_PARAMS', details: { field: 'adminToken' } });
    const wrong = await client.request('admin.diagnose', diagnose({ adminToken: `x${TOKEN.slice(1)}` }));
    expect(wrong.error?.data).toMatchObject({ code: 'ERR_UNAUTHENTICATED', details: { reason: 'admin-token' } });
    const anonymous = await connect(agent);
    const before = await anonymous.request('admin.diagnose', diagnose());
    expect(before.error?.data?.code).toBe('ERR_UNAUTHENTICATED');
    const off = await startTestAgent();
    const { client: other } = await authedClient(off);
    const disabled = await other.request('admin.diagnose', diagnose());
    expect(disabled.error?.data).toMatchObject({ code: 'ERR_UNAUTHENTICATED', details: { reason: 'admin-disabled' } });
    expect(auditLines().filter((a) => a.outcome === 'ERR_UNAUTHENTICATED').length).toBe(2);
    expect(producedText().some((l) => l.includes(TOKEN.slice(0, 20)))).toBe(false);
  });

  it('returns the partial profile of a wrong CAN (outcome failed, access-denied) and audits the outcome', async () => {
    const agent = await startTestAgent({ adminToken: TOKEN });
    const { client } = await authedClient(agent);
    const r = await client.request('admin.diagnose', diagnose({ accessKey: { can: '111111' }, probes: false }));
    expect(r.result).toMatchObject({ outcome: 'failed', failure: { code: 'access-denied' } });
    expect(r.result.cardAccess.securityInfos.length).toBeGreaterThan(0);
    expect(auditLines().some((a) => a.outcome === 'access-denied')).toBe(true);
  });

  it('is cancelled by read.cancel like a read', async () => {
    const agent = await startTestAgent({ adminToken: TOKEN });
    const { client } = await authedClient(agent);
    const pending = client.request('admin.diagnose', diagnose(), 'diag-1');
    const cancel = await client.request('read.cancel', { requestId: 'diag-1' });
    expect(cancel.result).toEqual({ cancelled: true });
    expect((await pending).error?.data?.code).toBe('ERR_CANCELLED');
  });

  it('has a typed client call: CccdAgentClient.diagnose validates the profile; a wrong token rejects', async () => {
    const agent = await startTestAgent({ adminToken: TOKEN });
    const ws = createRequire(import.meta.url)('ws') as {
      WebSocket: new (u: string, p: string | string[] | undefined, o: object) => object;
    };
    const WebSocket = class extends ws.WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { Origin: HIS } });
      }
    } as unknown as WebSocketConstructor;
    const client = new CccdAgentClient({ WebSocket, reconnect: false });
    try {
      await client.connect(agent.url.replace('http', 'ws') + '/v1', { ticket: await mintTicket(agent.agentId) });
      const profile = await client.diagnose({ adminToken: TOKEN, accessKey: { can: CAN }, probes: false });
      expect(profile).toMatchObject({ outcome: 'complete', chipAuthentication: { status: 'valid' } });
      expect(profile.probes).toBeUndefined();
      const refused = await client
        .diagnose({ adminToken: TOKEN.toUpperCase(), accessKey: { can: CAN } })
        .catch((e) => e);
      expect(refused).toBeInstanceOf(CccdAgentError);
      expect(refused.code).toBe('ERR_UNAUTHENTICATED');
    } finally {
      client.close();
    }
  });
});
