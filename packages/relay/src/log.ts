/**
 * What the relay logs: frame kinds, lengths, ids, status words, close codes and reasons — never an APDU's bytes,
 * a ticket, a CAN or an ATR. Both halves take a `logger` callback receiving these events (docs/relay.md).
 */
export type RelayLogEvent =
  | {
      event: 'frame';
      direction: 'in' | 'out';
      /** Frame type: hello, welcome, transmit, response, reconnect, reconnected, error. */
      kind: string;
      id?: number;
      /** APDU length in bytes (transmit, response). */
      bytes?: number;
      /** Status word of a response APDU (the outer SW under secure messaging). */
      sw?: string;
      /** Failure kind of an error frame. */
      failure?: string;
    }
  | { event: 'session-open'; session: string; extendedLength: boolean; canFromCardSide: boolean }
  | { event: 'session-close'; session?: string; code: number; reason: string; ms?: number }
  | { event: 'ticket-rejected'; reason: 'unknown' | 'expired' | 'reused' }
  | { event: 'refused'; reason: string; code: number };

export type RelayLogger = (event: RelayLogEvent) => void;

/** SW1 SW2 of a response APDU as 4 hex digits (status words are not personal data). */
export function swOf(response: Uint8Array): string | undefined {
  if (response.length < 2) return undefined;
  const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** A logger that never throws into the relay: a broken log sink must not break a read. */
export function safeLogger(logger: RelayLogger | undefined): RelayLogger {
  if (!logger) return () => {};
  return (e) => {
    try {
      logger(e);
    } catch {
      // ignored on purpose: logging is best effort
    }
  };
}
