/**
 * PACE-CAM end to end against the simulator (ICAO 9303-11 §4.4.3.3.3, §4.4.3.5.2, §9.2.2): the read prefers CAM,
 * reads EF.CardSecurity in the master file, checks PK_Map,IC = CA_IC · PK_IC, skips DG14 Chip Authentication when
 * that holds, and the verdict counts CAM only under a valid EF.CardSecurity. A wrong CA_IC is a clone signal unless
 * DG14 Chip Authentication then proves the same key (DO'8A' has no MAC: the path may have changed it); a missing
 * DO'8A' or a missing or badly signed EF.CardSecurity proves nothing either way. The evidence carries the file.
 */
import {
  createTestPki,
  DEFAULT_SIGNATURE,
  InProcessTransport,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { parsePaceOid } from '../asn1/oids.js';
import { EmrtdError } from '../errors.js';
import { canKey } from '../keys/access-key.js';
import { readCccd, readVerified } from '../read/read.js';
import type { VerifiedRead } from '../read/types.js';
import { verifyRead } from '../read/verification.js';
import type { Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';
import { type EvidenceBundle, parseEvidence, serializeEvidence, verifyEvidence } from '../verify/evidence.js';

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

  it('a CA_IC that fits no key, then a DG14 CA with the same key that succeeds: the chip is proven by CA', async () => {
    const { r } = await read(['pace-cam=wrong-key']);
    expect(r.paceCam).toEqual({ result: 'mismatch' });
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.verification.chip).toMatchObject({ status: 'valid', method: 'ca', keyVerified: true });
    expect(r.verification.chip?.cardSecurity?.status).toBe('valid');
    expect(codes(r)?.[0]).toBe('cam-mismatch-ca-valid');
    expect(r.verification.chip?.reasons[0]?.severity).toBe('warning');
    expect(r.verification.overall).toBe('authentic');
  });

  it.each([
    ['refused', 'ca=refuse-mse:6A86', 'cam-failed'],
    ['failing', 'ca=fails-new-keys', 'ca-failed'],
  ])('a CAM mismatch with CA %s stays invalid: the clone signal', async (_, ca, code) => {
    const { r } = await read(['pace-cam=wrong-key', ca]);
    expect(r.paceCam).toEqual({ result: 'mismatch' });
    expect(r.chipAuthentication.success).toBe(false);
    expect(r.verification.chip?.status).toBe('invalid');
    expect(codes(r)).toContain(code);
    expect(r.verification.overall).toBe('invalid');
  });

  // DO'8A' (encrypted CA_IC) is the one PACE value without a MAC: the path can change it, the chip cannot be
  // blamed for it (review 16). Last GA: 7C L 86 08 T_IC 8A L A_IC 90 00.
  const tampering = (inner: Transport, change: (response: Uint8Array) => Uint8Array): Transport => ({
    capabilities: inner.capabilities,
    reconnect: (o) => inner.reconnect!(o),
    transmit: async (command, options) => {
      const response = await inner.transmit(command, options);
      const lastGa = command[0] === 0x00 && command[1] === 0x86 && response[2] === 0x86 && response[12] === 0x8a;
      return lastGa ? change(response) : response;
    },
  });
  const readThrough = async (change: (response: Uint8Array) => Uint8Array) => {
    const image = await imageFor(['pace-cam=present']);
    const store = new TrustStore();
    store.addCertificate(image.pki!.cscaCertDer);
    const transport = tampering(new InProcessTransport(new SimulatedCard(image)), change);
    return readVerified(transport, canKey(image.can), { trustStore: store, groups: ['DG1'], timeoutMs: 2000 });
  };

  it("one flipped bit in DO'8A' on the way: a mismatch, answered by CA — the genuine chip stays valid", async () => {
    const r = await readThrough((response) => {
      const out = response.slice();
      out[14]! ^= 0x01;
      return out;
    });
    expect(r.paceCam).toEqual({ result: 'mismatch' });
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.verification.chip).toMatchObject({ status: 'valid', method: 'ca' });
    expect(codes(r)?.[0]).toBe('cam-mismatch-ca-valid');
    expect(r.verification.overall).not.toBe('invalid');
  });

  it.each([
    // Outer 7C and DO'8A' lengths shortened by 1, the last byte of A_IC dropped: ragged ciphertext.
    [
      'ragged',
      (r: Uint8Array) =>
        Uint8Array.of(r[0]!, r[1]! - 1, ...r.subarray(2, 13), r[13]! - 1, ...r.subarray(14, -3), 0x90, 0),
    ],
    // DO'8A' removed (the GA answers only T_IC).
    ['absent', (r: Uint8Array) => Uint8Array.of(0x7c, 0x0a, ...r.subarray(2, 12), 0x90, 0x00)],
  ])("DO'8A' %s: CAM not checked (cam-data-missing), never a mismatch; CA decides", async (_, change) => {
    const r = await readThrough(change);
    expect(r.paceCam).toEqual({ result: 'not-checked', notChecked: 'cam-data-missing' });
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.verification.chip?.status).toBe('valid');
    expect(codes(r)?.[0]).toBe('cam-not-checked');
    expect(r.verification.chip?.reasons[0]?.message.en).toContain("DO'8A'");
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

  describe("the backend ties a reader's CAM claim to the document", () => {
    const backendOf = async (evidence: EvidenceBundle, ...cscas: Uint8Array[]) => {
      const s = new TrustStore();
      for (const c of cscas) s.addCertificate(c);
      return verifyEvidence(serializeEvidence(evidence), s);
    };
    const evidenceWithDg14 = async () => {
      const image = await imageFor(['pace-cam=present']);
      const store = new TrustStore();
      store.addCertificate(image.pki!.cscaCertDer);
      const transport = new InProcessTransport(new SimulatedCard(image));
      const r = await readVerified(transport, canKey(image.can), {
        trustStore: store,
        groups: ['DG1', 'DG14'],
        evidence: true,
        timeoutMs: 2000,
      });
      return { image, evidence: r.evidence! };
    };

    it("EF.CardSecurity holding DG14's key: the claim counts", async () => {
      const { image, evidence } = await evidenceWithDg14();
      const v = await backendOf(evidence, image.pki!.cscaCertDer);
      expect(v.chip).toMatchObject({ status: 'valid', method: 'pace-cam' });
      expect(v.chip?.reasons.map((x) => x.code)).toEqual(['cam-claimed-only', 'cam-verified']);
    });

    it("another chip's EF.CardSecurity from the same Document Signer, next to DG14: not tied, not counted", async () => {
      const { image, evidence } = await evidenceWithDg14();
      const other = await personalise(loadProfile('cccd-2021-adult'), {
        seed: 6,
        chip: ['pace-cam=present'],
        pki: createTestPki({ seed: 5, signature: DEFAULT_SIGNATURE }),
      });
      expect(other.pki!.dsCertDer).toEqual(image.pki!.dsCertDer);
      const swapped = { ...evidence, cardSecurity: other.masterFiles!.get(0x011d)! };
      const v = await backendOf(swapped, image.pki!.cscaCertDer);
      expect(v.chip?.cardSecurity?.status).toBe('valid'); // validly signed, for all that
      expect(v.chip).toMatchObject({ status: 'not-checked', keyVerified: false });
      expect(v.chip?.reasons.map((x) => x.code)).toEqual(['cam-claimed-only', 'cam-not-tied']);
    });

    it('without DG14, an EF.CardSecurity signed by another Document Signer of the country: not tied', async () => {
      const { image, r } = await read(['pace-cam=present']);
      const other = await personalise(loadProfile('cccd-2021-adult'), { seed: 7, chip: ['pace-cam=present'] });
      // A CAM-only chip's bundle: no DG14 (this read fetched it for the AA algorithm; drop it).
      const { DG14: _, ...dataGroups } = r.evidence!.dataGroups;
      const ownFile = { ...r.evidence!, dataGroups };
      const own = await backendOf(ownFile, image.pki!.cscaCertDer, other.pki!.cscaCertDer);
      expect(own.chip?.reasons.map((x) => x.code)).toEqual(['cam-claimed-only', 'cam-verified']);
      const swapped = { ...ownFile, cardSecurity: other.masterFiles!.get(0x011d)! };
      const v = await backendOf(swapped, image.pki!.cscaCertDer, other.pki!.cscaCertDer);
      expect(v.chip?.cardSecurity?.status).toBe('valid');
      expect(v.chip).toMatchObject({ status: 'not-checked', keyVerified: false });
      expect(v.chip?.reasons.map((x) => x.code)).toEqual(['cam-claimed-only', 'cam-not-tied']);
    });
  });

  it('the backend applies the mismatch rule too: a CA claim with the same key answers a CAM mismatch', async () => {
    const { image, r } = await read(['pace-cam=wrong-key']);
    const s = new TrustStore();
    s.addCertificate(image.pki!.cscaCertDer);
    const v = verifyEvidence(serializeEvidence(r.evidence!), s);
    expect(v.chip).toMatchObject({ status: 'valid', method: 'ca' });
    expect(v.chip?.reasons.map((x) => x.code)?.[0]).toBe('cam-mismatch-ca-valid');
    const refused = await read(['pace-cam=wrong-key', 'ca=refuse-mse:6A86']);
    const w = verifyEvidence(serializeEvidence(refused.r.evidence!), s);
    expect(w.chip?.status).toBe('invalid');
    expect(w.chip?.reasons.map((x) => x.code)).toContain('cam-failed');
  });

  it('no personal data in the CAM verdict or the evidence transcript', async () => {
    const { image, r } = await read(['pace-cam=wrong-key']);
    const text = JSON.stringify({ chip: r.verification.chip, cam: r.evidence?.paceCam, paceCam: r.paceCam });
    for (const secret of [image.can, image.profile.idNumber, image.mrzInformation.slice(0, 9)])
      expect(text).not.toContain(secret);
  });
});
