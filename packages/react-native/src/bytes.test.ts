// The simulator's ATR builder is not a public export: a test may reach it (CONTRIBUTING: tests reach anything).

import { describe, expect, it } from 'vitest';
import { contactlessAtr } from '../../../simulator/src/card/activation.js';
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

  it('80 73 94 01 80 (eMRTD-style historical bytes): 3B 85 80 01 80 73 94 01 80 E2, as the simulator builds it', () => {
    const hist = Uint8Array.of(0x80, 0x73, 0x94, 0x01, 0x80);
    const atr = atrFromHistoricalBytes(hist);
    expect(atr).toEqual(Uint8Array.of(0x3b, 0x85, 0x80, 0x01, 0x80, 0x73, 0x94, 0x01, 0x80, 0xe2));
    expect(atr).toEqual(contactlessAtr(hist)); // the simulator's own, independent implementation
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
