/**
 * The one interface between the core and any card link (PC/SC, Android IsoDep, a simulator, a relay).
 * The core never imports a native module: transports live in their own packages.
 */
export interface TransmitOptions {
  /** Abort the exchange (the transport rejects with Cancelled). */
  signal?: AbortSignal;
  /** Per-exchange deadline; the transport rejects with Timeout when it passes. */
  timeoutMs?: number;
}

export interface TransportCapabilities {
  /** Largest command APDU the link can carry (bytes, header included). 261 for short-only links. */
  maxCommandLength?: number;
  /** Largest response APDU the link can carry (data + SW). 258 for short-only links. */
  maxResponseLength?: number;
  /** True when the reader is known to pass extended-length APDUs. */
  extendedLength?: boolean;
}

export interface Transport {
  /** Sends one command APDU and resolves with the full response (data ‖ SW1 SW2). */
  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array>;
  readonly capabilities?: TransportCapabilities;
  /**
   * After tag loss or a reset: waits (bounded) until a card is present again and re-powers it, so the reader can
   * redo access control and resume. Absent when the link cannot recover by itself.
   */
  reconnect?(options?: TransmitOptions): Promise<void>;
  /** Answer-to-reset (or ATS-derived ATR) of the present card, when the link knows it. */
  atr?(): Uint8Array | undefined;
}
