/**
 * Relay failures as typed errors of the SDK's hierarchy, so a read through the relay fails like any other read:
 * the link ones ('transport', 'timeout') are the codes the SDK already knows how to classify. Messages name the
 * reason and the step, never frame contents.
 */
import { EmrtdError, type ErrorCode } from '@cccd/emrtd';

export type RelayFailure =
  /** A frame that does not parse, an unknown type, a reply nobody asked for, a second hello. */
  | 'protocol'
  /** A frame over MAX_FRAME_BYTES, or an APDU over the protocol's maximum. */
  | 'oversized'
  /** The WebSocket closed (or failed) while the other side still owed an answer. */
  | 'closed'
  /** The verifier refused the ticket (wrong, expired or already used). */
  | 'ticket-rejected'
  /** A ticket that expired before any card side presented it. */
  | 'ticket-expired'
  /** The verifier refused the CAN the card side sent (it does not accept one from there). */
  | 'can-refused'
  /** The other side speaks another protocol version. */
  | 'version'
  /** No access key: neither the ticket's accessKey nor (when accepted) a CAN from the card side. */
  | 'no-access-key'
  /** Verifier busy or shut down. */
  | 'unavailable'
  /**
   * The card side's local link cannot do what was asked (its transport reported 'unsupported', or it cannot
   * reconnect). The link's limit, not the chip's answer: a transport error to the SDK.
   */
  | 'card-side-unsupported';

const CODES: Record<RelayFailure, ErrorCode> = {
  protocol: 'transport',
  oversized: 'transport',
  closed: 'transport',
  'ticket-rejected': 'access-denied',
  'ticket-expired': 'access-denied',
  'can-refused': 'access-denied',
  version: 'unsupported',
  'no-access-key': 'invalid-argument',
  unavailable: 'transport',
  'card-side-unsupported': 'transport',
};

export class RelayError extends EmrtdError {
  override name = 'RelayError';
  constructor(
    readonly reason: RelayFailure,
    step: string,
    options: { cause?: unknown; closeCode?: number } = {},
  ) {
    const code = options.closeCode === undefined ? '' : ` (close ${options.closeCode})`;
    // Never retriable: a relay failure ends the session, so a resume over the same socket cannot help (and a link
    // that cannot do something will not learn it on a retry).
    super(CODES[reason], `relay ${reason} at ${step}${code}`, { step, retriable: false, cause: options.cause });
    this.closeCode = options.closeCode;
  }
  readonly closeCode: number | undefined;
}
