/**
 * The exports of @cccd/relay (card side, platform-neutral) and @cccd/relay/verifier (Node), pinned: a name that
 * appears or disappears here is a decision about the package's public API. Type-only exports are not listed.
 */
import { expect, it } from 'vitest';
import * as root from './index.js';
import * as verifier from './verifier/index.js';

it('the card-side entry exports exactly the pinned names', () => {
  expect(Object.keys(root).sort()).toEqual([
    'CloseCode',
    'FAILURE_KINDS',
    'MAX_ATR_BYTES',
    'MAX_COMMAND_APDU',
    'MAX_FRAME_BYTES',
    'MAX_RESPONSE_APDU',
    'RELAY_PROTOCOL_VERSION',
    'RelayError',
    'failureKind',
    'relayCard',
  ]);
});

it('the verifier entry exports exactly the pinned names', () => {
  expect(Object.keys(verifier).sort()).toEqual([
    'CLOSE_GRACE_MS',
    'RelayError',
    'RelaySession',
    'RelayVerifier',
    'TICKET_BYTES',
    'TicketBook',
    'clampCapabilities',
  ]);
});
