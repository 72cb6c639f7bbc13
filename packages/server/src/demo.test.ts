/**
 * The demo backend's one trust decision of its own: the simulator's test CSCA vouches for results signed
 * `simulated: true` only, and only once the attached agent trusts it. A card forged with that public test key and
 * read on a real reader (simulated: false) stays unknown-csca and is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from './demo.js';
import { kioskDevice, signedResult, simulatedCard } from './test-support/kiosk.js';

const ORIGIN = 'http://127.0.0.1:31500';
const dir = mkdtempSync(join(tmpdir(), 'cccd-demo-backend-'));
let backend: DemoBackend | undefined;
afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startDemoBackend', () => {
  it('trusts the test CSCA for simulated results only, as the attached agent does', async () => {
    backend = await startDemoBackend({ dataDir: dir, pageOrigins: [ORIGIN] });
    const sim = await simulatedCard();
    const device = await kioskDevice('demo-agent-1');
    const fields = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'] as const;
    const read = async (simulated: boolean) => {
      const t = await backend!.server.issueTicket({
        origin: ORIGIN,
        purpose: 'clinic-checkin',
        fields: [...fields],
        agentId: device.agentId,
        ttl: 60,
      });
      const result = await signedResult(device, sim, { origin: ORIGIN, nonce: t.nonce, fields, simulated });
      return backend!.server.verifyResult(result, { ticketId: t.ticketId, origin: ORIGIN });
    };
    // Before the agent is attached nothing is enrolled.
    await expect(read(true)).resolves.toMatchObject({ accepted: false, code: 'agent-not-enrolled' });

    const csca = sim.trustStore().anchors()[0]!.certificate.raw;
    await backend.attachAgent({ agentId: device.agentId, publicKey: device.publicKey, testCsca: csca });
    await expect(read(true)).resolves.toMatchObject({ accepted: true, simulated: true });
    await expect(read(false)).resolves.toMatchObject({
      accepted: false,
      code: 'verdict-not-accepted',
      overall: 'unknown-csca',
    });

    // An agent that does not trust the test CSCA (trustTestCsca: false): neither does its backend.
    await backend.attachAgent({ agentId: device.agentId, publicKey: device.publicKey });
    await expect(read(true)).resolves.toMatchObject({ accepted: false, overall: 'unknown-csca' });
  });
});
