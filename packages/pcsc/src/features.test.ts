import { fromHex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { maxApduDataSize, parseFeatures, parseTlvProperties, scardCtlCode } from './features.js';

describe('PC/SC part 10 features', () => {
  it('SCARD_CTL_CODE follows pcsc-lite and Windows', () => {
    expect(scardCtlCode(3400, 'linux')).toBe(0x42000d48);
    expect(scardCtlCode(3400, 'darwin')).toBe(0x42000d48);
    expect(scardCtlCode(3500, 'win32')).toBe(0x3136b0);
  });

  it('reads control codes (big-endian) from a GET_FEATURE_REQUEST answer', () => {
    // vpcd: FEATURE_GET_TLV_PROPERTIES -> SCARD_CTL_CODE(0x330012); libccid adds e.g. VERIFY_PIN_DIRECT (06).
    const features = parseFeatures(fromHex('12044233001206044233000600'));
    expect(features.get(0x12)).toBe(0x42330012);
    expect(features.get(0x06)).toBe(0x42330006);
    expect(features.size).toBe(2);
  });

  it('reads dwMaxAPDUDataSize (little-endian) among other properties', () => {
    // vpcd answer: 0A 04 00 00 01 00 = 0x10000.
    expect(maxApduDataSize(fromHex('0A0400000100'))).toBe(0x10000);
    // libccid-style answer: wIdVendor, wIdProduct, dwMaxAPDUDataSize 0 (short APDUs only), sFirmwareID.
    const props = fromHex('0B022F070C0203230A040000000008034142430902FFFF');
    expect(maxApduDataSize(props)).toBe(0);
    expect(parseTlvProperties(props).get(0x0b)).toBe(0x072f);
    expect(parseTlvProperties(props).get(0x08)).toEqual(fromHex('414243'));
  });

  it('stops at a truncated property instead of reading past the end', () => {
    expect(maxApduDataSize(fromHex('0B022F070A0400'))).toBeUndefined();
  });
});
