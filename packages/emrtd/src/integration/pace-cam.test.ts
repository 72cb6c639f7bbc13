/**
 * PACE-CAM end to end against the simulator (ICAO 9303-11 §4.4.3.3.3, §4.4.3.5.2, §9.2.2): the read prefers CAM,
 * reads EF.CardSecurity in the master file, checks PK_Map,IC = CA_IC · PK_IC, skips DG14 Chip Authentication when
 * that holds, and the verdict counts CAM only under a valid EF.CardSecurity. A wrong CA_IC is a failure (a clone
 * signal); a missing or badly signed EF.CardSecurity proves nothing either way. The evidence carries the file.
 */
import { InProcessTransport, loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { parsePaceOid } from '../asn1/oids.js';
import { EmrtdError } from '../errors.js';
import { canKey } from '../keys/access-key.js';
import { readCccd, readVerified } from '../read/read.js';
import type { VerifiedRead } from '../read/types.js';
import { verifyRead } from '../read/verification.js';
import type { Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';
import { parseEvidence, serializeEvidence, verifyEvidence } from '../verify/evidence.js';

const images = new Map<string, Promise<PersonalisedCard>>();
const imageFor = (chip: string[]) => {
  const key = chip.join(',');
  if (!images.has(key))
    images.set(key, personalise(loadProfile('cccd-2021-adult'), { seed: 5, chip, activeAuthentication: 'ECDSA' }));
  return images.get(key)!;
};

async function read(chip: string[], faults: string[] = []): Promise<{ image: PersonalisedCard; r: VerifiedRead }> {
  const image = await imageFor(chip);
  const store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  const transport = new InProcessTransport(new SimulatedCard(image, { faults }));
  const r = await readVerified(transport, canKey(image.can), {
    trustStore: store,
    groups: ['DG1', 'DG2', 'DG13'],
    evidence: true,
    timeoutMs: 2000,
  });
  return { image, r };
}

const codes = (r: VerifiedRead) => r.verification.chip?.reasons.map((x) => x.code);

describe('PACE-CAM against EF.CardSecurity', () => {
  it('a CAM chip is authentic by CAM: EF.CardSecurity kept raw and verified, DG14 CA not needed', async () => {
    const { image, r } = await read(['pace-cam=present']);
    expect(parsePaceOid(r.access.pace!.oid)?.mapping).toBe('CAM');
    expect(r.paceCam).toEqual({ result: 'match' });
    expect(r.raw.CardSecurity).toEqual(image.masterFiles!.get(0x011d));
    expect(r.chipAuthentication).toMatchObject({ performed: false, skipped: 'pace-cam' });
    expect(r.verification.chip).toMatchObject({ status: 'valid', method: 'pace-cam', keyVerified: true });
    expect(r.verification.chip?.cardSecurity?.status).toBe('valid');
    expect(codes(r)).toEqual(['cam-verified']);
    expect(r.verification.overall).toBe('authentic');
    // The backend re-checks EF.CardSecurity; the CAM match itself is the reader's claim.
    const backend = verifyEvidence(
      serializeEvidence(r.evidence!),
      (() => {
        const s = new TrustStore();
        s.addCertificate(image.pki!.cscaCertDer);
        return s;
      })(),
    );
    expect(backend.chip).toMatchObject({ status: 'valid', method: 'pace-cam' });
    expect(backend.chip?.reasons.map((x) => x.code)).toEqual(['cam-claimed-only', 'cam-verified']);
    expect(parseEvidence(serializeEvidence(r.evidence!)).paceCam?.result).toBe('match');
  });

  it.each(['ones', 'zero'])(
    "a chip encrypting CA_IC with IV = %s (not ICAO's E(KS_Enc, -1)) still matches",
    async (iv) => {
      const { r } = await read(['pace-cam=present', `pace-cam-iv=${iv}`]);
      expect(r.paceCam).toEqual({ result: 'match' });
      expect(r.chipAuthentication).toMatchObject({ performed: false, skipped: 'pace-cam' });
      expect(r.verification.overall).toBe('authentic');
    },
  );

  it('CA_IC made with another key is a failed chip authentication: invalid, even though DG14 CA then succeeds', async () => {
    const { r } = await read(['pace-cam=wrong-key']);
    expect(r.paceCam).toEqual({ result: 'mismatch' });
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.verification.chip).toMatchObject({ status: 'invalid', method: 'pace-cam' });
    expect(codes(r)).toEqual(['cam-failed']);
    expect(r.verification.overall).toBe('invalid');
  });

  it('a badly signed EF.CardSecurity leaves CAM not verified, never "failed"; readVerified then runs CA', async () => {
    const { r } = await read(['pace-cam=bad-signature', 'aa=absent']);
    expect(r.paceCam).toEqual({ result: 'match' });
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.verification.chip).toMatchObject({ status: 'valid', keyVerified: true });
    expect(codes(r)).toEqual(['cam-card-security-not-valid']);
    expect(r.verification.overall).toBe('authentic');
    // Without CA (switched off) nothing proves the chip: genuine data, and the reason says CAM was not verified.
    const image = await imageFor(['pace-cam=bad-signature', 'aa=absent']);
    const store = new TrustStore();
    store.addCertificate(image.pki!.cscaCertDer);
    const noCa = await readVerified(new InProcessTransport(new SimulatedCard(image)), canKey(image.can), {
      trustStore: store,
      groups: ['DG1'],
      chipAuthentication: 'off',
      timeoutMs: 2000,
    });
    expect(noCa.verification.chip).toMatchObject({ status: 'not-checked', method: 'pace-cam', keyVerified: false });
    expect(noCa.verification.chip?.cardSecurity?.reasons.map((x) => x.code)).toContain(
      'card-security-signature-invalid',
    );
    expect(noCa.verification.passive.status).toBe('valid');
    expect(noCa.verification.overall).toBe('genuine-data');
    expect(noCa.verification.reasons[0]?.message.en).toContain('PACE-CAM: EF.CardSecurity not verified');
  });

  it('readCccd (no trust store) lets a CAM match alone stand in for CA; the verdict still checks the file', async () => {
    const image = await imageFor(['pace-cam=bad-signature', 'aa=absent']);
    const r = await readCccd(new InProcessTransport(new SimulatedCard(image)), canKey(image.can), {
      groups: ['DG1'],
      timeoutMs: 2000,
    });
    expect(r.chipAuthentication).toMatchObject({ performed: false, skipped: 'pace-cam' });
    const store = new TrustStore();
    store.addCertificate(image.pki!.cscaCertDer);
    expect(verifyRead(r, { trustStore: store }).chip).toMatchObject({ status: 'not-checked', method: 'pace-cam' });
  });

  it('without EF.CardSecurity CAM is not checked and Chip Authentication with DG14 runs instead', async () => {
    const { r } = await read(['pace-cam=no-card-security']);
    expect(r.paceCam).toEqual({ result: 'not-checked', notChecked: 'card-security-missing' });
    expect(r.raw.CardSecurity).toBeUndefined();
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.verification.chip).toMatchObject({ status: 'valid' });
    expect(r.verification.chip?.method).toBeUndefined();
    expect(codes(r)?.[0]).toBe('cam-not-checked');
    expect(r.verification.overall).toBe('authentic');
  });

  it('a chip that ends secure messaging on the 6A82 for EF.CardSecurity gets a new PACE, then CA', async () => {
    const { r } = await read(['pace-cam=no-card-security', 'sm-errors=plain']);
    expect(r.paceCam).toEqual({ result: 'not-checked', notChecked: 'card-security-missing' });
    expect(r.verification.chip).toMatchObject({ status: 'valid' });
    expect(r.verification.overall).toBe('authentic');
  });

  it('a tag loss after CAM resumes with a new PACE-CAM run checked against the same key', async () => {
    const { r } = await read(['pace-cam=present'], ['tag-loss-at-offset=DG2:3000']);
    expect(r.report.resumes).toBeGreaterThanOrEqual(1);
    expect(r.verification.chip).toMatchObject({ status: 'valid', method: 'pace-cam' });
    expect(r.verification.overall).toBe('authentic');
  });

  it('a card swapped during a resume, whose CAM fits no longer the first key, stops the read', async () => {
    const first = await imageFor(['pace-cam=present']);
    const clone = await imageFor(['pace-cam=wrong-key']); // same CAN and files, another private key
    const a = new InProcessTransport(new SimulatedCard(first, { faults: ['tag-loss-at-offset=DG2:3000'] }));
    const b = new InProcessTransport(new SimulatedCard(clone));
    let current: Transport = a;
    const swapping: Transport = {
      capabilities: a.capabilities,
      transmit: (command, options) => current.transmit(command, options),
      reconnect: async (options) => {
        current = b;
        await b.reconnect(options);
      },
    };
    const store = new TrustStore();
    store.addCertificate(first.pki!.cscaCertDer);
    const error = await readVerified(swapping, canKey(first.can), {
      trustStore: store,
      groups: ['DG1', 'DG2'],
      timeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmrtdError);
    expect(error).toMatchObject({ code: 'secure-messaging', step: 'PACE-CAM resume' });
    expect((error as Error).message).not.toContain(first.can);
  });

  it('no personal data in the CAM verdict or the evidence transcript', async () => {
    const { image, r } = await read(['pace-cam=wrong-key']);
    const text = JSON.stringify({ chip: r.verification.chip, cam: r.evidence?.paceCam, paceCam: r.paceCam });
    for (const secret of [image.can, image.profile.idNumber, image.mrzInformation.slice(0, 9)])
      expect(text).not.toContain(secret);
  });
});
