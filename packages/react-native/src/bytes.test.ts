import { loadProfile, personalise, SimulatedCard } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { atrFromHistoricalBytes, bytesFrom, responseFromIos } from './bytes.js';
import { androidCapabilities, iosCapabilities, SHORT_CAPABILITIES } from './capabilities.js';

describe('bytes across the bridge', () => {
  it('accepts arrays of 0..255 only', () => {
    expect(bytesFrom([0x90, 0])).toEqual(Uint8Array.of(0x90, 0));
    expect(bytesFrom([256])).toBeUndefined();
    expect(bytesFrom([1.5])).toBeUndefined();
    expect(bytesFrom('9000')).toBeUndefined();
    expect(bytesFrom([1, 2, 3], 2)).toBeUndefined();
  });

  it('iOS { response, sw1, sw2 } → data ‖ SW1 SW2', () => {
    expect(responseFromIos({ response: [1, 2], sw1: 0x90, sw2: 0 })).toEqual(Uint8Array.of(1, 2, 0x90, 0));
    expect(responseFromIos({ response: [], sw1: 0x6a, sw2: 0x82 })).toEqual(Uint8Array.of(0x6a, 0x82));
    expect(responseFromIos({ response: [1], sw1: 0x90 })).toBeUndefined();
    expect(responseFromIos(null)).toBeUndefined();
  });
});

describe('atrFromHistoricalBytes (PC/SC part 3 §3.1.3.2.3)', () => {
  it('no historical bytes: 3B 80 80 01 01', () => {
    expect(atrFromHistoricalBytes(new Uint8Array(0))).toEqual(Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01));
  });

  it("equals the simulator's own ATR for its historical bytes (an independent implementation)", async () => {
    const card = new SimulatedCard(await personalise(loadProfile('cccd-2021-adult'), { seed: 2 }), {
      extendedLength: true,
    });
    expect(atrFromHistoricalBytes(card.historicalBytes())).toEqual(card.atr());
  });
});

describe('capabilities', () => {
  it('Android: extended length exactly when getMaxTransceiveLength() > 261', () => {
    expect(androidCapabilities(261)).toEqual(SHORT_CAPABILITIES);
    expect(androidCapabilities(253)).toEqual(SHORT_CAPABILITIES);
    expect(androidCapabilities(Number.NaN)).toEqual(SHORT_CAPABILITIES);
    expect(androidCapabilities(262)).toEqual({ extendedLength: true, maxCommandLength: 262, maxResponseLength: 262 });
    expect(androidCapabilities(65_279)).toMatchObject({ extendedLength: true, maxResponseLength: 65_279 });
  });

  it('iOS: short unless the integrator opts in', () => {
    expect(iosCapabilities(false)).toEqual(SHORT_CAPABILITIES);
    expect(iosCapabilities(true)).toMatchObject({ extendedLength: true });
  });
});
