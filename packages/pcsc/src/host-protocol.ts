/**
 * Messages between @cccd/pcsc (parent) and its PC/SC host process (host-child.ts), which owns the pcsclite binding.
 * `gen` names one native context (one PcscContext generation), `rid` one native reader object within the host.
 * Errors travel as the binding's message text: it carries the SCARD_* code (pcscCodeOf) and never APDU bytes.
 */

export type ReaderOp =
  | { op: 'connect'; shareMode: number; protocol: number }
  | { op: 'disconnect'; disposition: number }
  | { op: 'transmit'; data: Uint8Array; resLen: number; protocol: number }
  | { op: 'control'; data: Uint8Array; code: number; resLen: number };

export type HostRequest =
  | { t: 'establish'; gen: number }
  | { t: 'close-context'; gen: number }
  | { t: 'close-reader'; rid: number }
  | ({ t: 'call'; id: number; rid: number; connected: boolean } & ReaderOp)
  | { t: 'ping'; seq: number }
  | { t: 'exit' };

export type HostEvent =
  | { t: 'context-error'; gen: number; message: string }
  /** One enumeration round finished; its 'reader' events were sent before it. */
  | { t: 'enumerated'; gen: number }
  | { t: 'reader'; gen: number; rid: number; name: string }
  | { t: 'status'; rid: number; state: number; atr?: Uint8Array }
  | { t: 'reader-error'; rid: number; message: string }
  | { t: 'reader-end'; rid: number }
  | { t: 'result'; id: number; connected: boolean; error?: string; value?: number | Uint8Array }
  | { t: 'pong'; seq: number };
