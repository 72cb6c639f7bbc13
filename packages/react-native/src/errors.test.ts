import { Cancelled, CardRemoved, Timeout } from '@cccd/emrtd';
import { describe, expect, it } from 'vitest';
import { classifyNativeError, coreNfcCodeOf, mapNativeError, NfcTransportError, toEmrtdError } from './errors.js';
import {
  FakeNfcError,
  NfcErrorBase,
  NfcTimeout,
  SessionInvalidated,
  TagConnectionLost,
  UserCancel,
} from './test-support/fake-nfc.js';

describe('classifyNativeError', () => {
  it('by the library classes (instanceof), the way iOS errors arrive', () => {
    expect(classifyNativeError(new UserCancel(), FakeNfcError)).toBe('user-cancel');
    expect(classifyNativeError(new TagConnectionLost(), FakeNfcError)).toBe('tag-lost');
    expect(classifyNativeError(new SessionInvalidated(), FakeNfcError)).toBe('session-ended');
    expect(classifyNativeError(new NfcTimeout(), FakeNfcError)).toBe('session-timeout');
  });

  it('by class name when the classes were not passed (an unminified build)', () => {
    expect(classifyNativeError(new UserCancel())).toBe('user-cancel');
    expect(classifyNativeError(new TagConnectionLost())).toBe('tag-lost');
  });

  it("by Android's fixed strings, raw or wrapped in NfcErrorBase", () => {
    expect(classifyNativeError('transceive fail')).toBe('transceive-failed');
    expect(classifyNativeError(new NfcErrorBase('transceive fail'))).toBe('transceive-failed');
    expect(classifyNativeError('cancelled')).toBe('user-cancel');
    expect(classifyNativeError(new NfcErrorBase('no tech request available'))).toBe('tag-lost');
    expect(classifyNativeError(new NfcErrorBase('You can only issue one request at a time'))).toBe('busy');
    expect(classifyNativeError('no nfc support')).toBe('unavailable');
  });

  it("by Core NFC's code in a raw `NFCError:<code>` string (RNNfcSwiftUtil.errorMessage)", () => {
    expect(classifyNativeError('NFCError:100')).toBe('tag-lost');
    expect(classifyNativeError('NFCError:103,NSPOSIXErrorDomain:60')).toBe('session-ended');
    expect(classifyNativeError('NFCError:200')).toBe('user-cancel');
    expect(classifyNativeError('NFCError:201')).toBe('session-timeout');
    expect(classifyNativeError('NFCError:102')).toBe('transceive-failed');
    expect(classifyNativeError('NFCError:999')).toBe('unknown');
    expect(coreNfcCodeOf('NFCError:105')).toBe(105);
    expect(coreNfcCodeOf('transceive fail')).toBeUndefined();
  });

  it('anything else is unknown (a message is never interpreted beyond the fixed strings)', () => {
    expect(classifyNativeError(new Error('transceive fail: android.nfc.TagLostException 00A4'))).toBe('unknown');
    expect(classifyNativeError(undefined)).toBe('unknown');
    expect(classifyNativeError({ message: 42 })).toBe('unknown');
  });
});

describe('toEmrtdError / mapNativeError', () => {
  it("maps onto the core's errors", () => {
    expect(toEmrtdError('user-cancel', 'transmit')).toBeInstanceOf(Cancelled);
    expect(toEmrtdError('tag-lost', 'transmit')).toBeInstanceOf(CardRemoved);
    expect(toEmrtdError('session-ended', 'transmit')).toMatchObject({ code: 'card-removed', retriable: true });
    expect(toEmrtdError('session-timeout', 'connect', { waitMs: 60_000 })).toBeInstanceOf(Timeout);
    expect(toEmrtdError('session-timeout', 'transmit')).toBeInstanceOf(CardRemoved);
    expect(toEmrtdError('transceive-failed', 'transmit')).toMatchObject({ code: 'transport', retriable: true });
    expect(toEmrtdError('busy', 'connect')).toMatchObject({ code: 'transport', retriable: false });
    expect(toEmrtdError('unavailable', 'connect')).toMatchObject({ code: 'unsupported', retriable: false });
  });

  it('keeps the Core NFC code, never the native message or the native error as cause', () => {
    const noisy = 'NFCError:102,apdu 0CB0000000 CAN 123456';
    const error = mapNativeError(noisy, 'transmit');
    expect(error).toBeInstanceOf(NfcTransportError);
    expect((error as NfcTransportError).nativeCode).toBe(102);
    expect(error.message).toBe(
      'transmit: the NFC exchange failed (tag lost, timed out or garbled) (Core NFC code 102)',
    );
    expect(error.cause).toBeUndefined();
    const unknown = mapNativeError(new Error('weird 00A4040C07A0000002471001 CAN 123456'), 'transmit');
    expect(`${unknown.message} ${unknown.stack} ${JSON.stringify(unknown)}`).not.toMatch(/123456|A0000002471001/);
  });
});
