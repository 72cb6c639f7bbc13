import { CardRemoved, EmrtdError, type EmrtdErrorOptions, Timeout } from '@cccd/emrtd';

/** PC/SC return codes this package tells apart (pcsclite.h / winerror.h share the values). */
export const SCARD = {
  E_CANCELLED: 0x80100002,
  E_INVALID_HANDLE: 0x80100003,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  F_COMM_ERROR: 0x80100013,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_UNSUPPORTED_FEATURE: 0x8010001f,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

export type PcscReason =
  | 'no-service'
  | 'no-readers'
  | 'unknown-reader'
  | 'reader-unavailable'
  | 'sharing-violation'
  | 'reset-card'
  | 'reader-busy'
  | 'not-connected'
  | 'unsupported'
  | 'closed'
  | 'other';

const REASON_TEXT: Record<PcscReason, string> = {
  'no-service': 'the PC/SC service (pcscd / Smart Card service) is not running',
  'no-readers': 'no smart-card reader is connected',
  'unknown-reader': 'the reader is not known to the PC/SC service (unplugged?)',
  'reader-unavailable': 'the reader is unavailable or was removed',
  'sharing-violation': 'another application holds the card exclusively',
  'reset-card': 'the card was reset by another application; its session is lost',
  'reader-busy': 'this reader already has an open transport',
  'not-connected': 'no card connection is open',
  unsupported: 'the reader does not support this request',
  closed: 'the PC/SC context or transport is closed',
  other: 'PC/SC call failed',
};

/** A PC/SC failure that is not a card removal or a timeout. `pcscCode` is the raw SCARD_* value when known. */
export class PcscError extends EmrtdError {
  override name = 'PcscError';
  constructor(
    readonly reason: PcscReason,
    readonly pcscCode: number | undefined,
    options: EmrtdErrorOptions = {},
  ) {
    const code = pcscCode === undefined ? '' : ` (0x${pcscCode.toString(16).toUpperCase().padStart(8, '0')})`;
    super(
      reason === 'unsupported' ? 'unsupported' : 'transport',
      `${withStep(options.step)}${REASON_TEXT[reason]}${code}`,
      {
        retriable: RETRIABLE.has(reason),
        ...options,
      },
    );
  }
}

const RETRIABLE = new Set<PcscReason>(['no-service', 'reader-unavailable', 'sharing-violation', 'reset-card']);

const withStep = (step: string | undefined) => (step ? `${step}: ` : '');

/**
 * The SCARD_* code inside an error from the pcsclite binding. Its messages look like
 * `SCardTransmit error: Card was removed.(0x80100069)`; nothing else of them is kept.
 */
export function pcscCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /\(0x([0-9a-fA-F]{8})\)/.exec(message);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

/** Codes meaning the resource manager itself is gone: the context must be re-established. */
export function isServiceLoss(code: number | undefined): boolean {
  return (
    code === SCARD.E_NO_SERVICE ||
    code === SCARD.E_SERVICE_STOPPED ||
    code === SCARD.F_COMM_ERROR ||
    code === SCARD.E_INVALID_HANDLE
  );
}

/**
 * Maps a binding error to the typed error a reader of the card expects. The binding's message is kept only as
 * `cause` (it names the PC/SC call and code, never APDU bytes).
 */
export function mapPcscError(error: unknown, step: string, timeoutMs = 0): EmrtdError {
  if (error instanceof EmrtdError) return error;
  const code = pcscCodeOf(error);
  const options = { step, cause: error };
  switch (code) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
    case SCARD.E_NOT_TRANSACTED: // what vpcd (and some CCID readers) report when the tag leaves mid-exchange
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.W_UNPOWERED_CARD:
      return new CardRemoved(options);
    case SCARD.E_TIMEOUT:
      return new Timeout(step, timeoutMs, options);
    case SCARD.E_SHARING_VIOLATION:
      return new PcscError('sharing-violation', code, options);
    case SCARD.W_RESET_CARD:
      return new PcscError('reset-card', code, options);
    case SCARD.E_READER_UNAVAILABLE:
      return new PcscError('reader-unavailable', code, options);
    case SCARD.E_UNKNOWN_READER:
      return new PcscError('unknown-reader', code, options);
    case SCARD.E_NO_READERS_AVAILABLE:
      return new PcscError('no-readers', code, options);
    case SCARD.E_UNSUPPORTED_FEATURE:
      return new PcscError('unsupported', code, options);
    default:
      if (isServiceLoss(code)) return new PcscError('no-service', code, options);
      if (code === undefined && error instanceof Error && /not connected/i.test(error.message)) {
        return new PcscError('not-connected', undefined, options);
      }
      return new PcscError('other', code, options);
  }
}
