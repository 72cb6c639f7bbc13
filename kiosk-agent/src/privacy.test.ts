import { CCCD_FIELDS } from '@cccd/client';
import { describe, expect, it } from 'vitest';
import {
  authedClient,
  BANK,
  CITIZEN,
  connect,
  leaks,
  mintTicket,
  producedText,
  readParams,
  SECRETS,
  startTestAgent,
  usePrivacyNet,
} from './test-support/harness.js';

// Every agent test file registers this net: after the file, all log lines (debug level), printed lines, audit
// lines and data-folder files are searched for the test citizen's ID, name, birth date, address, parents and CAN.
usePrivacyNet();

describe('privacy net', () => {
  it('catches a planted value (the check is not vacuous)', () => {
    expect(SECRETS).toContain(CITIZEN.idNumber);
    expect(leaks(['{"msg":"x"}', `{"v":"${CITIZEN.fullName}"}`])).toEqual([CITIZEN.fullName]);
  });

  it('reads every field, fails in every way, and leaves no personal value in logs, audit or data folder', async () => {
    const all = [...CCCD_FIELDS];
    const agent = await startTestAgent({
      policy: [{ origin: BANK, purpose: '*', fields: all, evidence: true }],
    });
    const a = await authedClient(agent, { origin: BANK, purpose: 'bank-kyc', fields: all }, { origin: BANK });
    const full = await a.client.request(
      'read.start',
      readParams(a.nonce, { purpose: 'bank-kyc', fields: all, consentRef: 'c-1', includeEvidence: true }),
    );
    expect(full.result.fields.fullName).toBe(CITIZEN.fullName);
    await a.client.request(
      'read.start',
      readParams(a.nonce, { purpose: 'bank-kyc', fields: ['idNumber'], accessKey: { can: '111111' } }),
    );
    await a.client.request(
      'read.start',
      readParams(a.nonce, {
        purpose: 'bank-kyc',
        fields: ['idNumber'],
        accessKey: { idNumber: CITIZEN.idNumber, dateOfBirth: '31/02/1990', dateOfExpiry: null },
      }),
    );
    await a.client.request('read.start', { ...readParams(a.nonce), fullName: CITIZEN.fullName });
    a.client.sendRaw(`{"id": "${CITIZEN.idNumber}", "broken`);
    await a.client.waitFor((m) => m.error?.code === -32700);
    const forged = await mintTicket(agent.agentId, {
      origin: BANK,
      operatorId: CITIZEN.fullName,
      aud: CITIZEN.idNumber,
    });
    const b = await connect(agent, { origin: BANK });
    expect((await b.request('session.authenticate', { ticket: forged })).error?.data?.code).toBe('ERR_TICKET_INVALID');
    const audit = producedText().filter((l) => l.includes('"event":"read"'));
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(audit.some((l) => /"idHash":"[0-9a-f]{64}"/.test(l))).toBe(true);
  });
});
