import {
  Cancelled,
  CardRemoved,
  MalformedData,
  Timeout,
  type TransmitOptions,
  type Transport,
  type TransportCapabilities,
} from '@cccd/emrtd';
import { concat } from '@cccd/emrtd/codec';
import { getResponse, withLe } from './apdu.js';
import { bounded, type Deadline, deadlineIn } from './bounded.js';
import type { PcscContext, ReaderLease } from './context.js';
import { mapPcscError, PcscError } from './errors.js';
import {
  CM_IOCTL_GET_FEATURE_REQUEST_CODE,
  FEATURE_GET_TLV_PROPERTIES,
  maxApduDataSize,
  parseFeatures,
  scardCtlCode,
} from './features.js';
import { DISPOSITION, type NativeReader, PROTOCOL, SHARE } from './native.js';

export interface PcscTransportOptions {
  /** Budget of one transmit()/control() call, GET RESPONSE rounds included (default 5000 ms). */
  timeoutMs?: number;
  /** Budget of open() (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Budget of reconnect(): waiting for the card to come back and re-powering it (default 15000 ms). */
  reconnectTimeoutMs?: number;
  /** 'shared' (default) lets other PC/SC clients (pcsc_scan, OS services) coexist. */
  shareMode?: 'shared' | 'exclusive';
  /** Which protocol to accept (default either). Contactless chips show up as T=1. */
  protocol?: 'T0' | 'T1' | 'any';
  /**
   * Extended-length support of the reader. 'auto' (default) asks the reader (PC/SC part 10 dwMaxAPDUDataSize
   * through FEATURE_GET_TLV_PROPERTIES) and falls back to short APDUs when it cannot tell.
   */
  extendedLength?: boolean | 'auto';
  /** Send GET RESPONSE for 61xx and re-send with the right Le for 6Cxx (default true). */
  autoGetResponse?: boolean;
  /** What close() does with the card (default 'reset': the next client cannot ride on this session). */
  disposition?: 'leave' | 'reset' | 'unpower';
  signal?: AbortSignal;
}

/** 65536 data bytes + SW1 SW2: the largest extended-length response. */
export const RECEIVE_BUFFER = 65538;

export const SHORT_CAPABILITIES: Readonly<TransportCapabilities> = Object.freeze({
  maxCommandLength: 261,
  maxResponseLength: 258,
  extendedLength: false,
});

export function extendedCapabilities(maxDataSize: number): TransportCapabilities {
  return {
    maxCommandLength: 4 + 3 + Math.min(maxDataSize, 65535) + 2,
    maxResponseLength: Math.min(maxDataSize, 65536) + 2,
    extendedLength: true,
  };
}

/** How long reconnect() waits for a lost card's removal + re-tap before trying the card the reader shows. */
const RETAP_GRACE_MS = 1500;

/** Bound on GET RESPONSE rounds: 65536 bytes in 256-byte pieces. */
const MAX_GET_RESPONSE = 257;

/**
 * A Transport over one PC/SC reader. Every call is bounded (Timeout) and abortable (Cancelled); PC/SC failures
 * map to CardRemoved or PcscError. APDU bytes never appear in errors.
 */
export class PcscTransport implements Transport, ReaderLease {
  private nativeReader: NativeReader | undefined;
  private activeProtocol = 0;
  private caps: TransportCapabilities = SHORT_CAPABILITIES;
  private currentAtr: Uint8Array | undefined;
  /** Insertion sequence number of the connected card (PcscContext). */
  private insertion = 0;
  /** Set when a call saw the card go: reconnect() then wants a re-tap, not the stale "present" state. */
  private cardLost = false;
  /** Settles when the last native call really ends (a timed-out call keeps running in the host). */
  private inflight: Promise<void> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly timeoutMs: number;
  private readonly reconnectTimeoutMs: number;
  private readonly autoGetResponse: boolean;

  private constructor(
    private readonly context: PcscContext,
    readonly reader: string,
    private readonly options: PcscTransportOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.reconnectTimeoutMs = options.reconnectTimeoutMs ?? 15_000;
    this.autoGetResponse = options.autoGetResponse ?? true;
  }

  /** Connects to the card in `reader` (it must be present: see PcscContext.waitForCard). */
  static async open(context: PcscContext, reader: string, options: PcscTransportOptions = {}): Promise<PcscTransport> {
    const transport = new PcscTransport(context, reader, options);
    context.lease(reader, transport);
    try {
      await context.readers({ timeoutMs: options.connectTimeoutMs ?? 5000, ...opt(options.signal) });
      await transport.connect(context.deadline({ ...opt(options.signal) }, options.connectTimeoutMs ?? 5000));
      return transport;
    } catch (error) {
      context.release(reader, transport);
      transport.closing = Promise.resolve();
      throw error;
    }
  }

  get capabilities(): TransportCapabilities {
    return this.caps;
  }

  /** Negotiated protocol of the current connection. */
  get protocol(): 'T0' | 'T1' | undefined {
    return this.activeProtocol === PROTOCOL.T0 ? 'T0' : this.activeProtocol === PROTOCOL.T1 ? 'T1' : undefined;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  atr(): Uint8Array | undefined {
    return this.currentAtr;
  }

  transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    const deadline = this.context.deadline(options, this.timeoutMs);
    return this.exclusive(deadline, 'transmit', () => this.exchange(command, deadline));
  }

  /** SCardControl pass-through (reader escapes, PC/SC part 10 features). Build codes with scardCtlCode(). */
  control(
    code: number,
    data: Uint8Array = new Uint8Array(0),
    options: TransmitOptions & { maxResponseLength?: number } = {},
  ) {
    const deadline = this.context.deadline(options, this.timeoutMs);
    return this.exclusive(deadline, 'control', () =>
      this.rawControl(code, data, options.maxResponseLength ?? 4096, deadline),
    );
  }

  /**
   * After tag loss or a reset: waits (bounded) for a card on the same reader, across a PC/SC service restart if
   * need be, and connects to it afresh. The chip's session is gone; the caller redoes access control.
   */
  reconnect(options: TransmitOptions = {}): Promise<void> {
    const deadline = this.context.deadline(options, this.reconnectTimeoutMs);
    return this.exclusive(deadline, 'reconnect', async () => {
      const lostInsertion = this.cardLost ? this.insertion : undefined;
      await this.dropConnection(deadline);
      if (lostInsertion !== undefined) await this.awaitRetap(lostInsertion, deadline);
      for (;;) {
        const timeoutMs = Math.max(1, deadline.at - Date.now());
        await this.context.waitForCard(this.reader, { timeoutMs, ...opt(deadline.signal) });
        try {
          await this.connect(deadline);
          return;
        } catch (error) {
          if (!retryableConnect(error)) throw error;
          // The reader may report the removal late (contactless): let its state catch up.
          await bounded(new Promise((r) => setTimeout(r, 100)), deadline, 'reconnect');
        }
      }
    });
  }

  /**
   * Readers notice a lost card only at their next presence poll (contactless ones even later), so right after a
   * loss the reader may still show the old card. Wait a little for the removal and a re-tap; a reader that
   * never reports the loss leaves us with the card it shows.
   */
  private async awaitRetap(lost: number, deadline: Deadline): Promise<void> {
    const graceMs = Math.min(RETAP_GRACE_MS, deadline.at - Date.now());
    try {
      await this.context.waitForCard(this.reader, {
        timeoutMs: Math.max(1, graceMs),
        after: lost,
        ...opt(deadline.signal),
      });
    } catch (error) {
      if (!(error instanceof Timeout) || Date.now() >= deadline.at) throw error;
    }
  }

  /** Disconnects (see `disposition`) and frees the reader for another transport. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private async exchange(command: Uint8Array, deadline: Deadline): Promise<Uint8Array> {
    let response = await this.rawTransmit(command, deadline);
    if (!this.autoGetResponse) return response;
    if (sw1(response) === 0x6c) {
      const resend = tryWithLe(command, response[response.length - 1] || 256);
      if (resend) response = await this.rawTransmit(resend, deadline);
    }
    const parts: Uint8Array[] = [];
    while (sw1(response) === 0x61) {
      if (parts.length >= MAX_GET_RESPONSE) throw new MalformedData({ step: 'response APDU' }, 0, 'endless 61xx chain');
      parts.push(response.subarray(0, response.length - 2));
      response = await this.rawTransmit(getResponse(command[0]!, response[response.length - 1]!), deadline);
    }
    return parts.length === 0 ? response : concat(...parts, response);
  }

  private async rawTransmit(command: Uint8Array, deadline: Deadline): Promise<Uint8Array> {
    const native = this.requireConnection('transmit');
    const protocol = this.activeProtocol;
    const response = await this.call<Buffer>(native, 'transmit', deadline, (n, cb) =>
      n.transmit(Buffer.from(command), RECEIVE_BUFFER, protocol, cb),
    );
    // vpcd (and readers that lose the tag between send and receive) report success with nothing received.
    if (response.length === 0) {
      this.cardLost = true;
      throw new CardRemoved({ step: 'transmit' });
    }
    if (response.length < 2) throw new MalformedData({ step: 'response APDU' }, 0, 'shorter than a status word');
    return new Uint8Array(response);
  }

  private async rawControl(code: number, data: Uint8Array, resLen: number, deadline: Deadline) {
    const native = this.requireConnection('control');
    const out = await this.call<Buffer>(native, 'control', deadline, (n, cb) =>
      n.control(Buffer.from(data), code, resLen, cb),
    );
    return new Uint8Array(out);
  }

  /** One native call: serialised behind any still-running one, bounded, errors mapped. */
  private async call<T>(
    native: NativeReader,
    step: string,
    deadline: Deadline,
    invoke: (native: NativeReader, cb: (err: unknown, result: T) => void) => void,
  ): Promise<T> {
    if (this.inflight) await bounded(this.inflight, deadline, step);
    const op = new Promise<T>((resolve, reject) => {
      try {
        invoke(native, (err, result) => (err ? reject(err) : resolve(result)));
      } catch (error) {
        reject(error);
      }
    });
    const settled = op.then(
      () => {},
      () => {},
    );
    this.inflight = settled;
    void settled.then(() => {
      if (this.inflight === settled) this.inflight = undefined;
    });
    this.context.track(native, op);
    try {
      return await bounded(op, deadline, step);
    } catch (error) {
      const mapped = mapPcscError(error, step, deadline.ms);
      if (mapped instanceof CardRemoved) this.cardLost = true;
      throw mapped;
    }
  }

  private async connect(deadline: Deadline): Promise<void> {
    const native = this.context.nativeReader(this.reader);
    if (!native) {
      throw new PcscError(this.context.serviceUp === false ? 'no-service' : 'unknown-reader', undefined, {
        step: 'connect',
      });
    }
    if (this.inflight) await bounded(this.inflight, deadline, 'connect');
    // A connect that completed after its caller gave up leaves a handle behind; the binding would then skip
    // SCardConnect and report no protocol.
    if (native.connected) await this.disconnect(native, DISPOSITION.leave, deadline);
    this.nativeReader = native;
    const shareMode = this.options.shareMode === 'exclusive' ? SHARE.EXCLUSIVE : SHARE.SHARED;
    const want = this.options.protocol ?? 'any';
    const protocol = want === 'T0' ? PROTOCOL.T0 : want === 'T1' ? PROTOCOL.T1 : PROTOCOL.T0 | PROTOCOL.T1;
    this.activeProtocol = await this.call<number>(native, 'connect', deadline, (n, cb) =>
      n.connect({ share_mode: shareMode, protocol }, cb),
    );
    const info = this.context.reader(this.reader);
    this.currentAtr = info?.atr;
    this.insertion = info?.insertion ?? 0;
    this.cardLost = false;
    this.caps = await this.detectCapabilities(deadline);
  }

  private async detectCapabilities(deadline: Deadline): Promise<TransportCapabilities> {
    const setting = this.options.extendedLength ?? 'auto';
    if (setting === true) return extendedCapabilities(65536);
    if (setting === false) return SHORT_CAPABILITIES;
    try {
      const features = parseFeatures(
        await this.rawControl(scardCtlCode(CM_IOCTL_GET_FEATURE_REQUEST_CODE), new Uint8Array(0), 256, deadline),
      );
      const code = features.get(FEATURE_GET_TLV_PROPERTIES);
      if (code === undefined) return SHORT_CAPABILITIES;
      const size = maxApduDataSize(await this.rawControl(code, new Uint8Array(0), 256, deadline));
      return size !== undefined && size > 255 ? extendedCapabilities(size) : SHORT_CAPABILITIES;
    } catch (error) {
      if (error instanceof CardRemoved || error instanceof Timeout || error instanceof Cancelled) throw error;
      return SHORT_CAPABILITIES; // the reader has no part-10 features: assume short APDUs
    }
  }

  private async dropConnection(deadline: Deadline): Promise<void> {
    const native = this.nativeReader;
    this.nativeReader = undefined;
    this.activeProtocol = 0;
    this.currentAtr = undefined;
    // A native reader of a previous service generation is dead: nothing to release in it.
    if (native?.connected && native === this.context.nativeReader(this.reader)) {
      await this.disconnect(native, DISPOSITION.leave, deadline).catch(() => {});
    }
  }

  private async disconnect(native: NativeReader, disposition: number, deadline: Deadline): Promise<void> {
    try {
      await this.call<void>(native, 'disconnect', deadline, (n, cb) => n.disconnect(disposition, cb));
    } finally {
      // If SCardDisconnect failed the handle is unusable anyway; the binding must not skip the next connect.
      native.connected = false;
    }
  }

  private requireConnection(step: string): NativeReader {
    if (this.closing) throw new PcscError('closed', undefined, { step });
    if (!this.nativeReader) throw new PcscError('not-connected', undefined, { step, retriable: true });
    return this.nativeReader;
  }

  /** Serialises transmit/control/reconnect so GET RESPONSE chains never interleave. */
  private async exclusive<T>(deadline: Deadline, step: string, work: () => Promise<T>): Promise<T> {
    if (this.closing) throw new PcscError('closed', undefined, { step });
    const previous = this.queue;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    this.queue = previous.then(() => gate);
    try {
      await bounded(previous, deadline, step);
      return await work();
    } finally {
      release();
    }
  }

  private async shutdown(): Promise<void> {
    const deadline = deadlineIn(2000);
    try {
      if (this.inflight) await bounded(this.inflight, deadline, 'close');
      const native = this.nativeReader;
      this.nativeReader = undefined;
      if (native?.connected && native === this.context.nativeReader(this.reader)) {
        await this.disconnect(native, DISPOSITION[this.options.disposition ?? 'reset'], deadline);
      }
    } catch {
      // Best effort: a card that is gone or a service that is down has nothing left to release.
    } finally {
      this.context.release(this.reader, this);
    }
  }
}

const sw1 = (r: Uint8Array) => r[r.length - 2];

function tryWithLe(command: Uint8Array, ne: number): Uint8Array | undefined {
  try {
    return withLe(command, ne);
  } catch {
    return undefined;
  }
}

function retryableConnect(error: unknown): boolean {
  if (error instanceof CardRemoved) return true;
  return (
    error instanceof PcscError &&
    ['no-service', 'unknown-reader', 'reader-unavailable', 'not-connected', 'reset-card'].includes(error.reason)
  );
}

const opt = (signal: AbortSignal | undefined) => (signal ? { signal } : {});
