/**
 * @cccd/relay: the card side of a relayed read, and the protocol both halves speak. Platform-neutral (browsers,
 * React Native, Node with `ws`); the verifier side is '@cccd/relay/verifier' (Node). exports.test.ts pins this list.
 */
export {
  failureKind,
  type RelayCardOptions,
  type RelayCardOutcome,
  relayCard,
  type WebSocketConstructor,
  type WebSocketEventLike,
  type WebSocketLike,
} from './card-side.js';
export { RelayError, type RelayFailure } from './errors.js';
export type { RelayLogEvent, RelayLogger } from './log.js';
export {
  type CardFrame,
  CloseCode,
  FAILURE_KINDS,
  type FailureKind,
  type Hello,
  MAX_ATR_BYTES,
  MAX_COMMAND_APDU,
  MAX_FRAME_BYTES,
  MAX_RESPONSE_APDU,
  RELAY_PROTOCOL_VERSION,
  type VerifierFrame,
} from './protocol.js';
