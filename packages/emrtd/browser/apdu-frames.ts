/**
 * The frames of the test APDU link between the page (ws-apdu-transport.ts) and the card (apdu-server.ts), both
 * binary: command = the APDU; reply = one status byte (REPLY) ‖ payload, payload = data ‖ SW1 SW2 for a response,
 * empty otherwise.
 */
export const REPLY = { response: 0, removed: 1, timeout: 2, error: 3 } as const;
/** Longest frame either side accepts: an extended APDU (65 535 data bytes + header, Lc, Le) plus the status byte. */
export const MAX_FRAME = 1 + 4 + 3 + 65_535 + 3;
/** The card side's deadline per exchange; the page waits as long (ws-apdu-transport.ts). */
export const EXCHANGE_TIMEOUT_MS = 5_000;
