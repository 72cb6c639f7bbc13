/**
 * NfcTransport on its own, against the fake native module: deadlines when the native side never answers, aborts,
 * malformed answers, the reconnect bound, a tap that never comes, a module without the needed methods, and no
 * native message (which may echo APDU bytes or personal data) in any error of ours.
 */
import { Cancelled, CardRemoved, EmrtdError, Timeout } from '@cccd/emrtd';
import { loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { NfcTransportError } from './errors.js';
import { FakeNfc, FakeNfcError, type FakeNfcOptions, FakeNfcTech, NfcErrorBase } from './test-support/fake-nfc.js';
import { type NfcLinkEvent, NfcTransport, type NfcTransportOptions } from './transport.js';

/** SELECT the eMRTD application (ICAO 9303-10): answered 9000 by the simulator in plain. */
const SELECT_AID = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);
const NOISY = 'CAN 123456 Nguyen Van A 001099012345';

let image: PersonalisedCard;
beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 17 });
}, 60_000);

function fakeFor(options: Omit<FakeNfcOptions, 'card'>): FakeNfc {
  return new FakeNfc({ noisyText: NOISY, ...options, card: new SimulatedCard(image) });
}

const open = (fake: FakeNfc, options: Partial<NfcTransportOptions> = {}) =>
  NfcTransport.open({
    platform: fake.options.platform,
    nfcManager: fake.manager,
    nfcTech: FakeNfcTech,
    nfcErrors: FakeNfcError,
    tapTimeoutMs: 1000,
    ...options,
  });

/** Everything an error exposes as text: message, stack, own properties, cause chain. */
function textOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String(e), (e as Error).stack ?? '', JSON.stringify(e));
  }
  return parts.join('\n');
}

describe('NfcTransport', () => {
  for (const platform of ['android', 'ios'] as const)
    it(`${platform}: exchanges one APDU (data ‖ SW) through the platform's call`, async () => {
      const transport = await open(fakeFor({ platform }));
      const response = await transport.transmit(SELECT_AID);
      expect(response).toEqual(Uint8Array.of(0x90, 0x00));
      await transport.close();
    });

  it('a native call that never settles → Timeout at the deadline; the link is down until reconnect', async () => {
    const fake = fakeFor({ platform: 'ios', hangAt: [1] });
    const transport = await open(fake);
    const started = Date.now();
    const error = await transport.transmit(SELECT_AID, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Timeout);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(transport.transmit(SELECT_AID)).rejects.toBeInstanceOf(CardRemoved);
    await transport.reconnect();
    expect(await transport.transmit(SELECT_AID)).toEqual(Uint8Array.of(0x90, 0x00));
  });

  it('Android: reader mode for NFC-A and NFC-B without the NDEF check (0x83), unless turned off; iOS: the sheet text', async () => {
    const android = fakeFor({ platform: 'android' });
    await open(android);
    expect(android.requestOptions[0]).toMatchObject({ isReaderModeEnabled: true, readerModeFlags: 0x83 });
    const dispatch = fakeFor({ platform: 'android' });
    await open(dispatch, { androidReaderMode: false });
    expect(dispatch.requestOptions[0]).not.toHaveProperty('isReaderModeEnabled');
    const ios = fakeFor({ platform: 'ios' });
    await open(ios, { messages: { tap: 'hold it' } });
    expect(ios.requestOptions[0]).toEqual({ alertMessage: 'hold it' });
  });

  it('Android: the per-exchange deadline becomes IsoDep.setTimeout, set again only when it changes', async () => {
    const fake = fakeFor({ platform: 'android' });
    const transport = await open(fake, { transceiveTimeoutMs: 2500 });
    await transport.transmit(SELECT_AID);
    await transport.transmit(SELECT_AID);
    await transport.transmit(SELECT_AID, { timeoutMs: 800 });
    expect(fake.timeouts).toEqual([2500, 800]);
  });

  it('an abort while the native call is pending → Cancelled at once', async () => {
    const transport = await open(fakeFor({ platform: 'android', hangAt: [1] }));
    const controller = new AbortController();
    const pending = transport.transmit(SELECT_AID, { signal: controller.signal, timeoutMs: 10_000 });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(Cancelled);
    expect(transport.connected).toBe(false);
  });

  it('an answer that is not bytes → retriable transport error', async () => {
    for (const platform of ['android', 'ios'] as const) {
      const transport = await open(fakeFor({ platform, garbageAt: [1] }));
      const error = await transport.transmit(SELECT_AID).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NfcTransportError);
      expect(error).toMatchObject({ code: 'transport', reason: 'transceive-failed', retriable: true });
    }
  });

  it('a command longer than the link carries → invalid-argument, the link stays up', async () => {
    const transport = await open(fakeFor({ platform: 'android', maxTransceiveLength: 261 }));
    await expect(transport.transmit(new Uint8Array(262))).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(transport.connected).toBe(true);
  });

  it('reconnect is bounded: past maxReconnects, CardRemoved that is not retriable', async () => {
    const transport = await open(fakeFor({ platform: 'android' }), { maxReconnects: 1 });
    await transport.reconnect();
    const error = await transport.reconnect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardRemoved);
    expect((error as CardRemoved).retriable).toBe(false);
  });

  it('no tap within tapTimeoutMs → Timeout at connect, and the pending native request is cancelled', async () => {
    const fake = fakeFor({ platform: 'ios', noTagAt: [1] });
    const error = await open(fake, { tapTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Timeout);
    expect(fake.cancels).toBe(1);
  });

  it('an abort while waiting for the tap → Cancelled', async () => {
    const fake = fakeFor({ platform: 'android', noTagAt: [1] });
    const controller = new AbortController();
    const pending = NfcTransport.open(
      { platform: 'android', nfcManager: fake.manager, nfcTech: FakeNfcTech, tapTimeoutMs: 10_000 },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(Cancelled);
  });

  it('the user cancels the first tap → Cancelled', async () => {
    await expect(open(fakeFor({ platform: 'ios', cancelRequestAt: [1] }))).rejects.toBeInstanceOf(Cancelled);
  });

  it('a module without the platform call → unsupported, before any native call', async () => {
    const fake = fakeFor({ platform: 'android' });
    const error = await open(fake, { platform: 'ios' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NfcTransportError);
    expect(error).toMatchObject({ code: 'unsupported', reason: 'unavailable' });
    expect(fake.requests).toBe(0);
  });

  it('after close(): transmit fails (not retriable), close twice is fine, the request was cancelled', async () => {
    const fake = fakeFor({ platform: 'android' });
    const transport = await open(fake);
    await transport.close();
    await transport.close();
    await expect(transport.transmit(SELECT_AID)).rejects.toMatchObject({ retriable: false });
    expect(fake.cancels).toBe(1);
  });

  it('link events reach the app; an app callback that throws does not break the read', async () => {
    const events: NfcLinkEvent[] = [];
    const transport = await open(fakeFor({ platform: 'android', failAt: [1] }), {
      onEvent: (e) => {
        events.push(e);
        throw new Error('UI bug');
      },
    });
    await expect(transport.transmit(SELECT_AID)).rejects.toBeInstanceOf(EmrtdError);
    await transport.reconnect();
    expect(await transport.transmit(SELECT_AID)).toEqual(Uint8Array.of(0x90, 0x00));
    expect(events.map((e) => e.kind)).toEqual([
      'waiting-for-tag',
      'connected',
      'link-down',
      'waiting-for-tag',
      'connected',
    ]);
  });

  it('a native method that throws synchronously or returns a non-promise → a typed error, not a crash', async () => {
    const fake = fakeFor({ platform: 'android' });
    const throwing = new NfcErrorBase('transceive fail');
    const manager = {
      ...fake.manager,
      isoDepHandler: {
        transceive: (): Promise<unknown> => {
          throw throwing;
        },
      },
      cancelTechnologyRequest: (): Promise<unknown> => {
        throw new Error('sync failure in cleanup');
      },
    };
    const transport = await open(fake, { nfcManager: manager });
    await expect(transport.transmit(SELECT_AID)).rejects.toMatchObject({ reason: 'transceive-failed' });
    await transport.close(); // cleanup that throws is swallowed
    const other = fakeFor({ platform: 'android' });
    const odd = { ...other.manager, getMaxTransceiveLength: () => 'many' as unknown as Promise<unknown> };
    const short = await open(other, { nfcManager: odd });
    expect(short.capabilities.extendedLength).toBe(false);
  });

  it('close() while the tap is awaited → Cancelled, and the transport never comes up', async () => {
    const fake = fakeFor({ platform: 'android', noTagAt: [2] });
    const transport = await open(fake, { tapTimeoutMs: 5000 });
    await transport.transmit(SELECT_AID);
    fake.options.card.remove();
    await expect(transport.transmit(SELECT_AID)).rejects.toBeInstanceOf(EmrtdError);
    const reconnecting = transport.reconnect();
    await transport.close();
    await expect(reconnecting).rejects.toBeInstanceOf(Cancelled);
    expect(transport.connected).toBe(false);
  });

  it('iOS: setMessage replaces the sheet text; on Android it does nothing', async () => {
    const ios = fakeFor({ platform: 'ios' });
    await (await open(ios, { messages: { tap: 'first' } })).setMessage('reading 40%');
    expect(ios.alertMessages).toEqual(['first', 'reading 40%']);
    const android = fakeFor({ platform: 'android' });
    await (await open(android, { messages: { tap: 'first' } })).setMessage('reading 40%');
    expect(android.alertMessages).toEqual(['first']);
  });
});

describe('privacy: native messages never pass through', () => {
  const cases: Array<[string, Omit<FakeNfcOptions, 'card'>]> = [
    ['iOS tag connection lost', { platform: 'ios', failAt: [] }],
    ['iOS session invalidated', { platform: 'ios', iosSessionApdus: 0 }],
    ['iOS user cancel', { platform: 'ios', userCancelAt: [1] }],
    ['iOS tag response error', { platform: 'ios', failAt: [1] }],
  ];
  for (const [name, options] of cases)
    it(name, async () => {
      const fake = fakeFor(options);
      const transport = await open(fake);
      if (name.includes('connection lost')) fake.options.card.remove();
      const error = await transport.transmit(SELECT_AID).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmrtdError);
      const text = textOf(error);
      expect(text).not.toContain('123456');
      expect(text).not.toContain('Nguyen');
      expect(text.toLowerCase()).not.toContain('a0000002471001');
      expect((error as EmrtdError).cause).toBeUndefined();
    });
});
