import { CardRemoved, EmrtdError, Timeout } from '@cccd/emrtd';
import { describe, expect, it } from 'vitest';
import { mapPcscError, PcscError, pcscCodeOf } from './errors.js';

const bindingError = (call: string, text: string, code: number) =>
  new Error(`${call} error: ${text}.(0x${code.toString(16).padStart(8, '0')})`);

describe('PC/SC error mapping', () => {
  it('extracts the SCARD code from a binding message', () => {
    expect(pcscCodeOf(bindingError('SCardTransmit', 'Card was removed', 0x80100069))).toBe(0x80100069);
    expect(pcscCodeOf(new Error('Card Reader not connected'))).toBeUndefined();
  });

  it.each([
    [0x80100069, 'card removed'],
    [0x8010000c, 'no smart card'],
    [0x80100016, 'not transacted (vpcd: tag pulled mid-exchange)'],
  ])('%#: %s -> CardRemoved', (code) => {
    const error = mapPcscError(bindingError('SCardTransmit', 'x', code), 'transmit');
    expect(error).toBeInstanceOf(CardRemoved);
    expect(error.retriable).toBe(true);
    expect(error.step).toBe('transmit');
  });

  it.each([
    [0x8010001d, 'no-service', true],
    [0x80100013, 'no-service', true],
    [0x8010002e, 'no-readers', false],
    [0x80100017, 'reader-unavailable', true],
    [0x80100009, 'unknown-reader', false],
    [0x8010000b, 'sharing-violation', true],
    [0x80100068, 'reset-card', true],
    [0x8010001f, 'unsupported', false],
    [0x80100001, 'other', false],
  ])('%#: code %d -> PcscError %s', (code, reason, retriable) => {
    const error = mapPcscError(bindingError('SCardConnect', 'x', code), 'connect');
    expect(error).toBeInstanceOf(PcscError);
    expect(error).toBeInstanceOf(EmrtdError);
    expect((error as PcscError).reason).toBe(reason);
    expect((error as PcscError).pcscCode).toBe(code);
    expect(error.retriable).toBe(retriable);
    expect(error.message).toContain(`0x${code.toString(16).toUpperCase()}`);
  });

  it('maps SCARD_E_TIMEOUT to Timeout and passes typed errors through', () => {
    expect(mapPcscError(bindingError('SCardTransmit', 'x', 0x8010000a), 'transmit', 100)).toBeInstanceOf(Timeout);
    const typed = new CardRemoved();
    expect(mapPcscError(typed, 'transmit')).toBe(typed);
  });

  it('never copies the binding message (only the code) into its own message', () => {
    const error = mapPcscError(new Error('SCardTransmit error: 00A4040C07A0000002471001 (0x80100001)'), 'transmit');
    expect(error.message).not.toContain('A0000002471001');
  });
});
