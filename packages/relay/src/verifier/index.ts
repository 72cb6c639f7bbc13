/**
 * @cccd/relay/verifier: the verifier side (Node, `ws`). A bank server issues a ticket per read, accepts the card
 * side's connection and runs readVerified itself over the RelaySession's Transport. exports.test.ts pins this list.
 */
export { RelayError, type RelayFailure } from '../errors.js';
export type { RelayLogEvent, RelayLogger } from '../log.js';
export { clampCapabilities } from './capabilities.js';
export { type AccessKeySource, RelaySession, type RelaySocket, type SessionLimits } from './session.js';
export { TICKET_BYTES, TicketBook, type TicketRefusal } from './tickets.js';
export {
  CLOSE_GRACE_MS,
  type IssuedTicket,
  type IssueTicketOptions,
  RelayVerifier,
  type RelayVerifierOptions,
} from './verifier.js';
