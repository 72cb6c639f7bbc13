import { InProcessTransport, loadProfile, personalise, SimulatedCard } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { canKey } from '../keys/access-key.js';
import { readVerified } from '../read/read.js';
import { TrustStore } from '../trust/store.js';
import { verifyEvidence } from '../verify/evidence.js';

async function card(faults: string[] = [], activeAuthentication: 'RSA' | 'ECDSA' = 'RSA', extendedLength = true) {
  const image = await personalise(loadProfile('cccd-2021-adult'), { seed: 3, activeAuthentication });
  const store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  const transport = new InProcessTransport(new SimulatedCard(image, { extendedLength, faults }));
  return { image, store, transport };
}

describe('readVerified against the simulator', () => {
  it('a genuine card is authentic: PA valid, CA and AA valid, and the evidence re-verifies on a backend', async () => {
    const { image, store, transport } = await card();
    const r = await readVerified(transport, canKey(image.can), { trustStore: store, evidence: true });
    expect(r.verification.passive.status).toBe('valid');
    expect(r.verification.passive.dataGroups).toMatchObject({
      DG1: 'match',
      DG13: 'match',
      DG14: 'match',
      DG15: 'match',
    });
    expect(r.verification.chip?.status).toBe('valid');
    expect(r.verification.active?.status).toBe('valid');
    expect(r.verification.overall).toBe('authentic');
    expect(r.raw.DG2).toBeUndefined();
    const backend = verifyEvidence(r.evidence!, store);
    expect(backend.passive.status).toBe('valid');
    expect(backend.active?.status).toBe('valid');
  });

  it('ECDSA active authentication takes its hash from DG14', async () => {
    const { image, store, transport } = await card([], 'ECDSA');
    const r = await readVerified(transport, canKey(image.can), { trustStore: store });
    expect(r.verification.active?.status).toBe('valid');
  });

  it('RSA-2048 AA on a short-only link is skipped with its reason; CA still makes the card authentic', async () => {
    const { image, store, transport } = await card([], 'RSA', false);
    const r = await readVerified(transport, canKey(image.can), { trustStore: store });
    expect(r.activeAuthentication).toMatchObject({ performed: false, skipped: 'needs-extended-length' });
    expect(r.verification.active).toMatchObject({ status: 'not-checked' });
    expect(r.verification.active?.reasons.map((x) => x.code)).toEqual(['aa-needs-extended-length']);
    expect(r.verification.overall).toBe('authentic');
  });

  it('a chip that refuses CA (protected 6A86 to MSE:Set AT) with AA is authentic, on the same PACE session', async () => {
    const { image, store, transport } = await card(['sw=22:6A86:2']); // MSE #1 is PACE's, #2 is CA's
    const r = await readVerified(transport, canKey(image.can), { trustStore: store, evidence: true });
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: false, refused: { sw: 0x6a86 } });
    expect(r.verification.chip).toMatchObject({ status: 'refused', sw: 0x6a86 });
    expect(r.verification.overall).toBe('authentic');
    expect(r.access.tried).toEqual(['PACE-CAN']);
    expect(r.report.resumes).toBe(0);
    const genuine = await card();
    const normal = await readVerified(genuine.transport, canKey(genuine.image.can), { trustStore: genuine.store });
    // No second PACE (5 exchanges + SELECT): one MSE instead of MSE + GA + the confirming SELECT.
    expect(r.report.apdus).toBeLessThan(normal.report.apdus);
    expect(verifyEvidence(r.evidence!, store).overall).toBe('authentic');
  });

  it('CA refused and AA refused: genuine-data (not invalid), and the reason says why', async () => {
    const { image, store, transport } = await card(['sw=22:6A86:2', 'sw=88:6985']);
    const r = await readVerified(transport, canKey(image.can), { trustStore: store });
    expect(r.verification.overall).toBe('genuine-data');
    expect(r.verification.active).toMatchObject({ status: 'refused', sw: 0x6985 });
    const why = r.verification.reasons.find((x) => x.code === 'no-anti-clone-proof');
    expect(why?.message.en).toContain('CA: refused by the chip SW 6A86; AA: refused by the chip SW 6985');
  });

  it('a DG13 changed after signing is invalid, naming DG13', async () => {
    const { image, store, transport } = await card(['tamper-file=DG13']);
    const r = await readVerified(transport, canKey(image.can), { trustStore: store });
    expect(r.verification.overall).toBe('invalid');
    expect(r.verification.passive.dataGroups.DG13).toBe('mismatch');
  });

  it('without the CSCA the verdict is unknown-csca, never valid', async () => {
    const { image, transport } = await card();
    const r = await readVerified(transport, canKey(image.can), { trustStore: new TrustStore() });
    expect(r.verification.overall).toBe('unknown-csca');
    expect(r.verification.passive.missingIssuer).toMatch(/C=VN/);
  });
});
