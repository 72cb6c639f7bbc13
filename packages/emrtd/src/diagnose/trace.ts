/**
 * A Transport wrapper that records the shape of every exchange — header, Lc, Ne, short or extended, response
 * length, status word, milliseconds — and never a data byte: command and response data may be personal (DG1, DG13,
 * the photo, a CAN-derived PACE nonce). Only the Le inside an SM DO'97' is read, because under secure messaging
 * the wire Ne is always 00/0000 and the real request size lives there.
 */
import { decodeCommand } from '../apdu/command.js';
import { EmrtdError, type ErrorCode } from '../errors.js';
import type { TransmitOptions, Transport, TransportCapabilities } from '../transport.js';

export type TracePhase = 'read' | 'probe';

export interface ApduTraceEntry {
  index: number;
  phase: TracePhase;
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data length (0 when there is no data field). */
  lc: number;
  /** Ne of the wire encoding; undefined when the command has no Le field. */
  ne?: number;
  /** Requested response length: DO'97' of an SM command, else Ne. 65536/256 = "all" (Le 0000/00). */
  le?: number;
  extended: boolean;
  /** CLA marks secure messaging (b4 b3 = 11). */
  sm: boolean;
  commandBytes: number;
  /** Whole response length including SW1 SW2; undefined when the exchange failed. */
  responseBytes?: number;
  sw?: number;
  ms: number;
  /** The transport failed instead of answering (timeout, tag loss, link error). */
  error?: ErrorCode;
}

export interface TraceOptions {
  /** Entries kept (default 4000); later exchanges are only counted in `dropped`. */
  maxEntries?: number;
  /** Milliseconds clock (default performance.now). */
  now?: () => number;
}

/** Lengths inside an SM command's data objects (DO'97' = Le); undefined when the data is not a TLV list. */
function smLe(data: Uint8Array): number | undefined {
  let p = 0;
  while (p + 2 <= data.length) {
    const tag = data[p]!;
    let len = data[p + 1]!;
    let head = 2;
    if (len === 0x81) {
      len = data[p + 2] ?? 0;
      head = 3;
    } else if (len === 0x82) {
      len = ((data[p + 2] ?? 0) << 8) | (data[p + 3] ?? 0);
      head = 4;
    } else if (len > 0x82) return undefined;
    if (p + head + len > data.length) return undefined;
    if (tag === 0x97) {
      const v = data.subarray(p + head, p + head + len);
      if (v.length === 1) return v[0] || 256;
      if (v.length === 2) return (v[0]! << 8) | v[1]! || 65536;
      return undefined;
    }
    p += head + len;
  }
  return undefined;
}

type Shape = Omit<ApduTraceEntry, 'index' | 'phase' | 'ms' | 'responseBytes' | 'sw' | 'error'>;

/** The recorded shape of an encoded command (no data bytes kept). */
export function commandShape(command: Uint8Array): Shape {
  const [cla = 0, ins = 0, p1 = 0, p2 = 0] = command;
  const base = { cla, ins, p1, p2, commandBytes: command.length, sm: (cla & 0x0c) === 0x0c };
  try {
    const c = decodeCommand(command);
    const lc = c.data?.length ?? 0;
    const le = base.sm && c.data ? smLe(c.data) : c.ne;
    return {
      ...base,
      lc,
      extended: c.extended === true,
      ...(c.ne === undefined ? {} : { ne: c.ne }),
      ...(le === undefined ? {} : { le }),
    };
  } catch {
    return { ...base, lc: Math.max(0, command.length - 5), extended: false };
  }
}

const clock = () => globalThis.performance.now();

/** Wraps a transport; `entries` grows with every exchange. Capabilities, ATR and reconnect pass straight through. */
export class TracingTransport implements Transport {
  readonly entries: ApduTraceEntry[] = [];
  /** Exchanges not kept because `maxEntries` was reached. */
  dropped = 0;
  reconnects = 0;
  phase: TracePhase = 'read';
  readonly reconnect?: (options?: TransmitOptions) => Promise<void>;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private count = 0;

  constructor(
    readonly inner: Transport,
    options: TraceOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 4000;
    this.now = options.now ?? clock;
    // Only a link that can recover may look like one: the session retries access control when reconnect exists.
    if (inner.reconnect) {
      const reconnect = inner.reconnect.bind(inner);
      this.reconnect = async (o) => {
        this.reconnects++;
        await reconnect(o);
      };
    }
  }

  get capabilities(): TransportCapabilities | undefined {
    return this.inner.capabilities;
  }

  atr(): Uint8Array | undefined {
    return this.inner.atr?.();
  }

  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    const shape = commandShape(command);
    const index = this.count++;
    const started = this.now();
    const record = (extra: Pick<ApduTraceEntry, 'responseBytes' | 'sw' | 'error'>) => {
      if (this.entries.length >= this.maxEntries) {
        this.dropped++;
        return;
      }
      const ms = Math.max(0, Math.round((this.now() - started) * 100) / 100);
      this.entries.push({ index, phase: this.phase, ...shape, ...extra, ms });
    };
    let response: Uint8Array;
    try {
      response = await this.inner.transmit(command, options);
    } catch (e) {
      record({ error: e instanceof EmrtdError ? e.code : 'transport' });
      throw e;
    }
    const n = response.length;
    record({ responseBytes: n, ...(n >= 2 ? { sw: (response[n - 2]! << 8) | response[n - 1]! } : {}) });
    return response;
  }
}
