/**
 * Full verified reads (PACE-CAN, CA, DG1/2/13/14/15, SOD, AA, PA) through NfcTransport over a fake of
 * react-native-nfc-manager's native side that forwards to the simulator: Android IsoDep with extended length off
 * and on (from getMaxTransceiveLength), iOS NFCISO7816Tag; tag loss, transceive failures, a native call that never
 * settles, Core NFC's session limit and the user's cancel. Every read is bounded by an outer AbortSignal too.
 */
import { type AccessKey, Cancelled, canKey, EmrtdError, readVerified, Timeout, TrustStore } from '@cccd/emrtd';
import { loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeNfc, FakeNfcError, type FakeNfcOptions, FakeNfcTech } from './test-support/fake-nfc.js';
import { type NfcLinkEvent, NfcTransport, type NfcTransportOptions } from './transport.js';

const GROUPS = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'] as const;
/** Nothing here may take longer, whatever the fault. */
const READ_BOUND_MS = 20_000;

let image: PersonalisedCard;
let store: TrustStore;
let key: AccessKey;

beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 16 });
  store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  key = canKey(image.can);
}, 60_000);

interface Rig {
  fake: FakeNfc;
  transport: NfcTransport;
  events: NfcLinkEvent[];
}

async function rig(
  fakeOptions: Omit<FakeNfcOptions, 'card'> & { extendedCard?: boolean; faults?: string[] },
  options: Partial<NfcTransportOptions> = {},
): Promise<Rig> {
  const { extendedCard, faults, ...rest } = fakeOptions;
  const card = new SimulatedCard(image, { extendedLength: extendedCard ?? true, faults: faults ?? [] });
  const fake = new FakeNfc({ ...rest, card });
  const events: NfcLinkEvent[] = [];
  const transport = await NfcTransport.open({
    platform: fakeOptions.platform,
    nfcManager: fake.manager,
    nfcTech: FakeNfcTech,
    nfcErrors: FakeNfcError,
    tapTimeoutMs: 2000,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { fake, transport, events };
}

const read = (transport: NfcTransport, extra: { timeoutMs?: number } = {}) =>
  readVerified(transport, key, {
    trustStore: store,
    groups: [...GROUPS],
    signal: AbortSignal.timeout(READ_BOUND_MS),
    ...extra,
  });

const largestBlock = (r: Awaited<ReturnType<typeof read>>) => Math.max(...r.report.files.flatMap((f) => f.blockSizes));

describe('a full verified read through the fake native module', () => {
  it('Android, maxTransceiveLength 261: short APDUs only, authentic; IsoDep timeout set from the deadline', async () => {
    const { fake, transport } = await rig({ platform: 'android', maxTransceiveLength: 261 });
    expect(transport.capabilities).toEqual({ extendedLength: false, maxCommandLength: 261, maxResponseLength: 258 });
    const r = await read(transport);
    expect(r.verification.overall).toBe('authentic');
    expect(r.missing).toEqual([]);
    expect(largestBlock(r)).toBeLessThanOrEqual(0xdf);
    expect(fake.largestCommand).toBeLessThanOrEqual(261);
    // One IsoDep.setTimeout for the reader's per-exchange deadline, not one per APDU.
    expect(fake.timeouts).toEqual([15_000]);
    await transport.close();
  });

  it('Android, maxTransceiveLength 65279: extended length on, large blocks, authentic', async () => {
    const { fake, transport } = await rig({ platform: 'android', maxTransceiveLength: 65_279 });
    expect(transport.capabilities).toEqual({
      extendedLength: true,
      maxCommandLength: 65_279,
      maxResponseLength: 65_279,
    });
    const r = await read(transport);
    expect(r.verification.overall).toBe('authentic');
    expect(largestBlock(r)).toBeGreaterThan(0x100);
    expect(fake.exchanges).toBeGreaterThan(0);
    await transport.close();
  });

  it('iOS (sendCommandAPDU, response + sw1/sw2): authentic, short APDUs by default, ATR from the historical bytes', async () => {
    const { fake, transport } = await rig({ platform: 'ios' });
    expect(transport.capabilities.extendedLength).toBe(false);
    expect(transport.atr()?.subarray(0, 4)).toEqual(Uint8Array.of(0x3b, 0x85, 0x80, 0x01));
    const r = await read(transport);
    expect(r.verification.overall).toBe('authentic');
    expect(largestBlock(r)).toBeLessThanOrEqual(0xdf);
    expect(fake.alertMessages[0]).toMatch(/Hold/);
    await transport.close();
    expect(fake.cancels).toBeGreaterThanOrEqual(1);
  });

  it('iOS with iosExtendedLength: extended blocks, authentic', async () => {
    const { transport } = await rig({ platform: 'ios' }, { iosExtendedLength: true });
    const r = await read(transport);
    expect(r.verification.overall).toBe('authentic');
    expect(largestBlock(r)).toBeGreaterThan(0x100);
  });
});

describe('faults: resume after a new tap, or a typed error in time', () => {
  for (const platform of ['android', 'ios'] as const)
    it(`${platform}: the tag is lost in the middle of DG2 → reconnect (a new technology request) and resume`, async () => {
      const { fake, transport, events } = await rig({ platform, faults: ['tag-loss-at-offset=DG2:6000'] });
      const r = await read(transport);
      expect(r.verification.overall).toBe('authentic');
      expect(r.report.resumes).toBeGreaterThanOrEqual(1);
      expect(fake.requests).toBe(2);
      expect(events.map((e) => e.kind)).toEqual([
        'waiting-for-tag',
        'connected',
        'link-down',
        'waiting-for-tag',
        'connected',
      ]);
    });

  it('Android: one transceive failure (`transceive fail`) → retriable transport error, resume, authentic', async () => {
    const { fake, transport } = await rig({ platform: 'android', failAt: [30] });
    const r = await read(transport);
    expect(r.verification.overall).toBe('authentic');
    expect(fake.requests).toBe(2);
  });

  it('iOS: Core NFC ends the session every 60 APDUs → each time a new session (re-tap message), resume, authentic', async () => {
    const { fake, transport } = await rig(
      { platform: 'ios', iosSessionApdus: 60 },
      { maxReconnects: 8, messages: { tap: 'tap', retap: 'again' } },
    );
    const r = await read(transport);
    expect(r.verification.overall).toBe('authentic');
    expect(r.report.resumes).toBeGreaterThanOrEqual(1);
    expect(fake.requests).toBeGreaterThanOrEqual(2);
    expect(fake.alertMessages).toEqual(['tap', ...Array(fake.requests - 1).fill('again')]);
  });

  it('a native call that never settles → Timeout at the exchange deadline, then resume', async () => {
    const { fake, transport } = await rig({ platform: 'android', hangAt: [20] });
    const started = Date.now();
    const r = await read(transport, { timeoutMs: 300 });
    expect(r.verification.overall).toBe('authentic');
    expect(fake.requests).toBe(2);
    expect(Date.now() - started).toBeLessThan(READ_BOUND_MS);
  });

  it('the user closes the iOS sheet while reading → Cancelled, no retry', async () => {
    const { fake, transport } = await rig({ platform: 'ios', userCancelAt: [25] });
    await expect(read(transport)).rejects.toBeInstanceOf(Cancelled);
    expect(fake.requests).toBe(1);
  });

  it('the user cancels the re-tap after a tag loss → Cancelled', async () => {
    const { transport } = await rig({
      platform: 'ios',
      faults: ['tag-loss-at-offset=DG2:3000'],
      cancelRequestAt: [2],
    });
    await expect(read(transport)).rejects.toBeInstanceOf(Cancelled);
  });

  it('a card that keeps failing → a typed, retriable error once the reconnects are spent; never a hang', async () => {
    const { fake, transport } = await rig({ platform: 'android', failFrom: 40 }, { maxReconnects: 2 });
    const error = await read(transport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmrtdError);
    expect(['card-removed', 'transport']).toContain((error as EmrtdError).code);
    expect(fake.requests).toBeLessThanOrEqual(3);
  });

  it('no card is tapped again after a tag loss → Timeout at connect, the pending request cancelled', async () => {
    const { fake, transport } = await rig(
      { platform: 'android', faults: ['tag-loss-after-apdus=12'], noTagAt: [2, 3, 4] },
      { tapTimeoutMs: 150 },
    );
    const error = await read(transport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Timeout);
    expect((error as Timeout).step).toBe('connect');
    expect(fake.cancels).toBeGreaterThanOrEqual(2);
  });
});
