import {
  FID,
  InProcessTransport,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { Cancelled } from '../errors.js';
import { canKey, keyFromCccd } from '../keys/access-key.js';
import type { Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';
import { DIAGNOSE_GROUPS, diagnoseChip } from './diagnose.js';

let image: PersonalisedCard;
let store: TrustStore;

beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 3 });
  store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
});

type CardOptions = ConstructorParameters<typeof SimulatedCard>[1];
const link = (options: CardOptions = {}) => new InProcessTransport(new SimulatedCard(image, options));

/** A PC/SC-like link: it carries extended APDUs but does not know the chip's buffer size. */
function blindLink(options: CardOptions): Transport {
  const inner = link(options);
  return {
    capabilities: { extendedLength: true },
    transmit: (c, o) => inner.transmit(c, o),
    reconnect: (o) => inner.reconnect(o),
    atr: () => inner.atr(),
  };
}

const fileSize = (fid: number) => image.files.get(fid)!.length;
const mrzKey = () => keyFromCccd(image.profile.idNumber, image.profile.dateOfBirth, image.profile.dateOfExpiry);

describe('diagnoseChip against the simulator', () => {
  it('profiles a genuine card: ATR, CardAccess, PACE, file sizes, SOD, DG15, CA, AA, probes, exchanges', async () => {
    const p = await diagnoseChip(link({ extendedLength: true }), canKey(image.can), {
      trustStore: store,
      reader: { name: 'Test Reader 00', protocol: 'T1' },
    });
    expect(p).toMatchObject({ format: 'cccd-chip-profile', version: 1, outcome: 'complete' });
    expect(p.library).toEqual({ name: '@cccd/emrtd', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(Date.parse(p.createdAt)).toBeGreaterThan(0);
    expect(p.reader).toMatchObject({ name: 'Test Reader 00', protocol: 'T1', link: { extendedLength: true } });
    expect(p.atr).toMatchObject({ historicalBytes: '80739401C0', cardCapabilities: { extendedLength: true } });
    // CCCD order: TerminalAuthenticationInfo, ChipAuthenticationInfo, PACEInfo (docs/reference/real-chips.md).
    expect(p.cardAccess?.securityInfos.map((i) => i.type)).toEqual([
      'TerminalAuthenticationInfo',
      'ChipAuthenticationInfo',
      'PACEInfo',
    ]);
    expect(p.cardAccess?.securityInfos[2]).toMatchObject({
      oid: '0.4.0.127.0.7.2.2.4.2.2',
      parameterId: 13,
      parameterName: 'brainpoolP256r1',
    });
    expect(p.access).toMatchObject({
      protocol: 'PACE',
      keyKind: 'CAN',
      pace: { protocol: 'PACE-ECDH-GM-AES-128', parameterId: 13 },
      cipher: 'AES-128',
      tried: ['PACE-CAN'],
      refusals: [],
    });
    expect(p.files.map((f) => f.file)).toEqual([...DIAGNOSE_GROUPS]);
    const size = Object.fromEntries(p.files.map((f) => [f.file, f.bytes]));
    expect(size).toEqual({
      COM: fileSize(FID.com),
      DG1: fileSize(FID.dg(1)),
      DG2: fileSize(FID.dg(2)),
      DG13: fileSize(FID.dg(13)),
      DG14: fileSize(FID.dg(14)),
      DG15: fileSize(FID.dg(15)),
      SOD: fileSize(FID.sod),
    });
    expect(p.files.find((f) => f.file === 'DG13')).toMatchObject({ status: 'read', passive: 'match' });
    expect(p.com).toMatchObject({ ldsVersion: '1.7', dataGroups: [1, 2, 3, 13, 15, 14] });
    expect(p.sod).toMatchObject({
      digestAlgorithm: 'SHA-256',
      signatureAlgorithm: 'ecdsa-brainpoolP256r1-sha256',
      dataGroups: [1, 2, 3, 13, 14, 15],
      documentSigner: { issuer: expect.stringContaining('C=VN'), key: { type: 'EC', bits: 256 } },
    });
    expect(p.dg15).toEqual({ key: { type: 'RSA', bits: 2048, algorithmOid: '1.2.840.113549.1.1.1' } });
    expect(p.dg14?.securityInfos.map((i) => i.type)).toContain('ChipAuthenticationPublicKeyInfo');
    expect(p.chipAuthentication).toMatchObject({
      status: 'valid',
      performed: true,
      success: true,
      protocol: { oid: '0.4.0.127.0.7.2.2.3.2.2', group: 'brainpoolP256r1', command: 'set-at' },
      exchanges: [
        { command: 'MSE:Set AT (CA)', sw: '9000' },
        { command: 'GENERAL AUTHENTICATE', sw: '9000' },
      ],
    });
    expect(p.activeAuthentication).toMatchObject({
      status: 'valid',
      performed: true,
      verified: true,
      signatureBytes: 256,
      exchanges: [{ command: 'INTERNAL AUTHENTICATE', sw: '9000' }],
    });
    expect(p.verification).toMatchObject({ overall: 'authentic', passive: 'valid', chip: 'valid', active: 'valid' });
    expect(p.readBinary.extendedLength).toEqual({ used: true, accepted: true });
    expect(p.readBinary.largestAccepted!.responseBytes).toBeGreaterThan(fileSize(FID.dg(2)));
    expect(p.probes).toMatchObject({
      sfi: { file: 'EF.COM', accepted: true },
      endOfFile: { file: 'EF.COM', behaviour: '6282', atEnd: { sw: '6B00' } },
      maxNe: { file: 'DG2', largestAccepted: fileSize(FID.dg(2)) },
    });
    expect(p.probes?.error).toBeUndefined();
    expect(p.exchanges.length).toBe(p.timing.exchanges);
    expect(p.exchanges[0]).toMatchObject({ command: 'SELECT EF', cla: '00', ins: 'A4', p1: '02', p2: '0C', lc: 2 });
    expect(p.exchanges[0]).toMatchObject({ commandBytes: 7, responseBytes: 2, sw: '9000', sm: false });
    expect(p.exchanges.every((e) => e.phase === 'read' || e.phase === 'probe')).toBe(true);
    expect(p.timing.byCommand.map((c) => c.command)).toContain('GENERAL AUTHENTICATE');
    expect(p.timing.readMs).toBeGreaterThan(0);
    // No key bytes, no key labels, no data: the exchange records carry header, lengths, SW and time only.
    const allowed = ['i', 'phase', 'command', 'cla', 'ins', 'p1', 'p2', 'lc', 'ne', 'le', 'extended', 'sm'];
    allowed.push('commandBytes', 'responseBytes', 'sw', 'ms', 'error');
    for (const e of p.exchanges) for (const k of Object.keys(e)) expect(allowed, k).toContain(k);
  });

  it('measures the chip buffer from the trace when the link does not know it (6700 above 1024 bytes)', async () => {
    const p = await diagnoseChip(blindLink({ extendedLength: 1024 }), canKey(image.can), { trustStore: store });
    expect(p.outcome).toBe('complete');
    expect(p.reader.link).toEqual({ extendedLength: true });
    const refusedLarge = p.readBinary.refused.filter((r) => r.le > 1024);
    expect(refusedLarge.length).toBeGreaterThan(0);
    expect(refusedLarge.every((r) => r.sw === '6700' && r.extended)).toBe(true);
    expect(p.readBinary.largestAccepted!.responseBytes).toBeLessThanOrEqual(1024 + 2 + 64);
    expect(p.probes?.maxNe?.largestAccepted).toBe(1024);
    expect(p.probes?.maxNe?.tried.filter((t) => t.sw === '6700').map((t) => t.le)).toEqual([8192, 4096, 2048]);
  });

  it('on a short-only link: no extended read, AA skipped for its length, no Ne probe', async () => {
    const p = await diagnoseChip(link({ extendedLength: false }), canKey(image.can), { trustStore: store });
    expect(p.readBinary.extendedLength).toEqual({ used: false });
    expect(p.readBinary.largestAccepted?.extended).toBe(false);
    expect(p.activeAuthentication).toMatchObject({ performed: false, skipped: 'needs-extended-length' });
    expect(p.probes?.maxNe).toBeUndefined();
    expect(p.chipAuthentication.status).toBe('valid');
  });

  it('reports a CA refusal (MSE:Set AT 6A86) and an AA refusal (6D00) with their step and SW', async () => {
    const p = await diagnoseChip(
      link({ extendedLength: true, faults: ['sw=22:6A86:2', 'sw=88:6D00'] }),
      canKey(image.can),
      {
        trustStore: store,
        probes: false,
      },
    );
    expect(p.outcome).toBe('complete');
    expect(p.chipAuthentication.exchanges[0]).toMatchObject({ command: 'MSE:Set AT (CA)', sw: '6A86' });
    expect(p.chipAuthentication.failure).toMatchObject({ sw: '6A86' });
    expect(p.chipAuthentication.failure?.step).toMatch(/CA/);
    expect(typeof p.chipAuthentication.status).toBe('string');
    expect(p.activeAuthentication.exchanges[0]).toMatchObject({ command: 'INTERNAL AUTHENTICATE', sw: '6D00' });
    expect(p.activeAuthentication.failure).toMatchObject({ step: 'INTERNAL AUTHENTICATE', sw: '6D00' });
    expect(p.refusals.map((r) => `${r.command} ${r.sw}`)).toEqual(
      expect.arrayContaining(['MSE:Set AT (CA) 6A86', 'INTERNAL AUTHENTICATE 6D00']),
    );
    expect(p.probes).toBeUndefined();
  });

  it('with an MRZ key whose PACE the chip refuses: BAC, and the refusal with its SW', async () => {
    const p = await diagnoseChip(link({ extendedLength: true, faults: ['sw=22:6982:1'] }), mrzKey(), {
      trustStore: store,
    });
    expect(p.access).toMatchObject({ protocol: 'BAC', keyKind: 'MRZ', cipher: '3DES', tried: ['PACE-MRZ', 'BAC-MRZ'] });
    expect(p.access.refusals).toEqual([{ command: 'MSE:Set AT (PACE)', sw: '6982' }]);
    expect(p.outcome).toBe('complete');
    // The probe session goes straight to BAC: it tests no key the chip could count as wrong.
    const probeMse = p.exchanges.filter((e) => e.phase === 'probe' && e.command === 'MSE:Set AT (PACE)');
    expect(probeMse).toEqual([]);
    expect(p.probes?.error).toBeUndefined();
  });

  it('a wrong CAN ends in outcome failed with access-denied, and still lists ATR and EF.CardAccess', async () => {
    const p = await diagnoseChip(link({ extendedLength: true }), canKey('111111'), { trustStore: store });
    expect(p.outcome).toBe('failed');
    expect(p.failure).toMatchObject({ code: 'access-denied' });
    expect(p.atr?.hex).toMatch(/^3B/);
    expect(p.cardAccess?.securityInfos.map((i) => i.type)).toContain('PACEInfo');
    expect(p.access.protocol).toBeUndefined();
    expect(p.access.refusals.length).toBeGreaterThan(0);
    expect(p.files.every((f) => f.status === 'not-read')).toBe(true);
    expect(p.verification).toBeUndefined();
    expect(p.probes).toBeUndefined();
  });

  it('is cancelled by its signal (throws Cancelled, no profile)', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      diagnoseChip(link(), canKey(image.can), { signal: controller.signal, trustStore: store }),
    ).rejects.toBeInstanceOf(Cancelled);
  });
});
