/**
 * The agent on the machine's real pcscd: a simulated card inserted through vpcd ("Virtual PCD 00 00") is read over
 * PC/SC, verified against a CSCA loaded from the `trust` config (the PC/SC trust store never contains the
 * simulator's CSCA by itself), and card events reach authenticated sessions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResultSchema, verifyAgentSig } from '@cccd/client';
import { loadProfile, personalise, SimulatedCard, VPCD_DEFAULT_PORT, VpcdBridge } from '@cccd/simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil, vpcdSlotsEmpty } from '../../packages/pcsc/src/test-support/presence.js';
import { pcscReaderId } from './readers/pcsc.js';
import { authedClient, CITIZEN, HIS, readParams, startTestAgent, usePrivacyNet } from './test-support/harness.js';

usePrivacyNet();

const READER = 'Virtual PCD 00 00';
const bridges: VpcdBridge[] = [];
afterAll(async () => {
  await Promise.allSettled(bridges.map((b) => b.close()));
});

describe('agent over PC/SC', () => {
  it('reads a card on a vpcd reader, verifies it with the configured CSCA, and reports card removal', async () => {
    const image = await personalise(loadProfile('cccd-2021-adult'), { seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'cccd-agent-trust-'));
    writeFileSync(join(dir, 'csca.der'), image.pki!.cscaCertDer);
    const bridge = new VpcdBridge(new SimulatedCard(image), { port: VPCD_DEFAULT_PORT });
    bridges.push(bridge);
    // A card an earlier file left on the slot must be gone from pcscd's view, or the agent would read into its end.
    await vpcdSlotsEmpty([0]);
    await bridge.insert();
    const agent = await startTestAgent({ simulate: false, pcsc: true, trust: [dir] });
    const { client, nonce } = await authedClient(agent);
    await client.waitFor((m) => m.method === 'agent.status' && m.params.pcsc === 'up');
    const readerId = pcscReaderId(READER);
    type Listed = { readerId: string; kind: string; cardPresent: boolean }[];
    const listed = await pollUntil(
      async (): Promise<Listed> => (await client.request('readers.list')).result.readers,
      (readers) => readers.some((r) => r.readerId === readerId && r.cardPresent),
      { timeoutMs: 10_000 },
    );
    expect(listed.find((r) => r.readerId === readerId)).toMatchObject({ kind: 'pcsc', cardPresent: true });
    const r = await client.request('read.start', readParams(nonce, { readerId }));
    const result = readResultSchema.parse(r.result);
    expect(result.fields.idNumber).toBe(CITIZEN.idNumber);
    expect(result.verification.passive.status).toBe('valid');
    expect(await verifyAgentSig(result, { origin: HIS, nonce })).toBe(true);
    await bridge.remove();
    expect(await client.waitFor((m) => m.method === 'card.removed' && m.params.readerId === readerId)).toBeDefined();
  });
});
