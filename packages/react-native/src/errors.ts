/**
 * Native NFC failures → the core's typed errors. A native error is only ever *classified* (by class, by the exact
 * fixed strings the library's native code sends, by Core NFC's numeric code); its message is never copied into an
 * error of ours and never kept as `cause`: native messages and stacks may echo APDU bytes (personal data under
 * secure messaging is still a CAN-derived exchange, and a plain READ BINARY is not protected at all).
 */
import { Cancelled, CardRemoved, EmrtdError, type EmrtdErrorOptions, Timeout } from '@cccd/emrtd';
import type { NfcErrorClasses } from './native.js';

/** What went wrong, as far as the native side lets us tell. */
export type NfcFailure =
  /** The tag left the field (iOS NFCError 100 tag connection lost, 104 tag not connected). */
  | 'tag-lost'
  /** The reader session is gone (iOS 103 session invalidated, the Core NFC time limit; no session any more). */
  | 'session-ended'
  /** iOS 201: the reader session timed out (no tag within the limit, or the limit passed while reading). */
  | 'session-timeout'
  /** The user closed the system NFC sheet (iOS 200) or the request was cancelled (Android `cancelled`). */
  | 'user-cancel'
  /**
   * The exchange failed without saying why: Android sends the fixed string `transceive fail` for every exception of
   * `IsoDep.transceive` (TagLostException, an IOException after setTimeout, …); iOS 101 retry exceeded, 102 tag
   * response error.
   */
  | 'transceive-failed'
  /** iOS 105: the APDU is longer than the reader accepts. */
  | 'too-long'
  /** Another NFC request or session is active (`You can only issue one request at a time`, iOS 203). */
  | 'busy'
  /** NFC is switched off (iOS 6 radio disabled). */
  | 'nfc-disabled'
  /** No NFC, no tag-reading entitlement, a bad configuration (iOS 1, 2, 300; `no nfc support`). */
  | 'unavailable'
  | 'unknown';

/** The exact strings react-native-nfc-manager's native code rejects with (NfcManager.java, RNNfcManager*.swift). */
const FIXED_STRINGS: ReadonlyArray<[string, NfcFailure]> = [
  ['cancelled', 'user-cancel'],
  ['transceive fail', 'transceive-failed'],
  ['no tech request available', 'tag-lost'],
  ['Not connected', 'tag-lost'],
  ['Not even registered', 'session-ended'],
  ['No session available', 'session-ended'],
  ['You can only issue one request at a time', 'busy'],
  ['Duplicated registration', 'busy'],
  ['you should requestTagEvent first', 'session-ended'],
  ['no nfc support', 'unavailable'],
  ['Not support in this device', 'unavailable'],
];

/** Core NFC's NFCReaderError codes (Apple's CoreNFC NFCReaderError.Code; the library's NfcErrorIOS.errCodes). */
const CORE_NFC_CODES: Readonly<Record<number, NfcFailure>> = {
  1: 'unavailable', // unsupported feature
  2: 'unavailable', // security violation (entitlement missing)
  6: 'nfc-disabled', // radio disabled
  100: 'tag-lost', // tag connection lost
  101: 'transceive-failed', // retry exceeded
  102: 'transceive-failed', // tag response error
  103: 'session-ended', // session invalidated
  104: 'tag-lost', // tag not connected
  105: 'too-long', // packet too long
  200: 'user-cancel', // session invalidated by user
  201: 'session-timeout', // session timeout
  203: 'busy', // system busy
  300: 'unavailable', // invalid configuration
};

/** The library's NfcError class names → failure (instanceof first; the name only when the build kept it). */
const CLASS_FAILURES: ReadonlyArray<[keyof NfcErrorClasses, NfcFailure]> = [
  ['UserCancel', 'user-cancel'],
  ['Timeout', 'session-timeout'],
  ['TagConnectionLost', 'tag-lost'],
  ['TagNotConnected', 'tag-lost'],
  ['SessionInvalidated', 'session-ended'],
  ['RetryExceeded', 'transceive-failed'],
  ['TagResponseError', 'transceive-failed'],
  ['PacketTooLong', 'too-long'],
  ['SystemBusy', 'busy'],
  ['RadioDisabled', 'nfc-disabled'],
  ['UnsupportedFeature', 'unavailable'],
  ['SecurityViolation', 'unavailable'],
  ['InvalidConfiguration', 'unavailable'],
];

const messageOf = (error: unknown): string | undefined =>
  typeof error === 'string'
    ? error
    : error instanceof Error
      ? error.message
      : typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
        ? (error as { message: string }).message
        : undefined;

/** The Core NFC code in a raw `NFCError:<code>[,domain:code]` string (RNNfcSwiftUtil.errorMessage). */
export function coreNfcCodeOf(error: unknown): number | undefined {
  const m = /^NFCError:(\d{1,4})(?:,|$)/.exec(messageOf(error) ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Classifies a rejection of the NFC library. Looks at the class, a fixed string or a Core NFC code; nothing else. */
export function classifyNativeError(error: unknown, classes: NfcErrorClasses = {}): NfcFailure {
  for (const [name, failure] of CLASS_FAILURES) {
    const cls = classes[name];
    if (cls && error instanceof cls) return failure;
  }
  const ctor = typeof error === 'object' && error !== null ? (error as { constructor?: { name?: unknown } }) : null;
  const className = ctor?.constructor?.name;
  for (const [name, failure] of CLASS_FAILURES) if (className === name) return failure;
  const code = coreNfcCodeOf(error);
  if (code !== undefined) return CORE_NFC_CODES[code] ?? 'unknown';
  const message = messageOf(error)?.trim();
  for (const [fixed, failure] of FIXED_STRINGS) if (message === fixed) return failure;
  return 'unknown';
}

const REASON_TEXT: Record<NfcFailure, string> = {
  'tag-lost': 'the tag left the NFC field',
  'session-ended': 'the NFC reader session ended',
  'session-timeout': 'the NFC reader session timed out',
  'user-cancel': 'cancelled by the user',
  'transceive-failed': 'the NFC exchange failed (tag lost, timed out or garbled)',
  'too-long': 'the APDU is longer than this NFC reader accepts',
  busy: 'another NFC request or session is active',
  'nfc-disabled': 'NFC is switched off',
  unavailable: 'NFC tag reading is not available (no NFC, or the app lacks the entitlement or configuration)',
  unknown: 'the NFC module failed',
};

/** Failures that a new tap can fix. */
const RETRIABLE = new Set<NfcFailure>(['tag-lost', 'session-ended', 'session-timeout', 'transceive-failed', 'unknown']);

/**
 * An NFC failure that is not a lost tag, a timeout or a cancellation: code 'transport' ('unsupported' when NFC is
 * unavailable). `nativeCode` is Core NFC's numeric code when there was one; the native message is never kept.
 */
export class NfcTransportError extends EmrtdError {
  override name = 'NfcTransportError';
  readonly nativeCode: number | undefined;
  constructor(
    readonly reason: NfcFailure,
    options: EmrtdErrorOptions & { nativeCode?: number } = {},
  ) {
    const { nativeCode, ...rest } = options;
    const code = nativeCode === undefined ? '' : ` (Core NFC code ${nativeCode})`;
    super(
      reason === 'unavailable' ? 'unsupported' : 'transport',
      `${rest.step ? `${rest.step}: ` : ''}${REASON_TEXT[reason]}${code}`,
      { retriable: RETRIABLE.has(reason), ...rest, cause: undefined },
    );
    this.nativeCode = nativeCode;
  }
}

/**
 * The core's error for a classified failure at `step`. A lost tag or an ended session is CardRemoved (retriable:
 * the reader reconnects, which is a new tap, and resumes); a cancel is Cancelled; a session timeout while waiting
 * for a tap is Timeout, while reading it is the session ending.
 */
export function toEmrtdError(
  failure: NfcFailure,
  step: string,
  context: { waitMs?: number; nativeCode?: number } = {},
): EmrtdError {
  switch (failure) {
    case 'user-cancel':
      return new Cancelled(step);
    case 'tag-lost':
      return new CardRemoved({ step });
    case 'session-ended':
      return new CardRemoved({ step: `${step} (NFC session ended)` });
    case 'session-timeout':
      return context.waitMs !== undefined
        ? new Timeout(step, context.waitMs)
        : new CardRemoved({ step: `${step} (NFC session timed out)` });
    default:
      return new NfcTransportError(failure, { step, nativeCode: context.nativeCode });
  }
}

/** classifyNativeError + toEmrtdError: what a rejection of the NFC library becomes. */
export function mapNativeError(
  error: unknown,
  step: string,
  classes: NfcErrorClasses = {},
  waitMs?: number,
): EmrtdError {
  const failure = classifyNativeError(error, classes);
  return toEmrtdError(failure, step, { waitMs, nativeCode: coreNfcCodeOf(error) });
}
