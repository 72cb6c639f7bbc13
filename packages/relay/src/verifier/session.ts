/**
 * One accepted card-side connection, seen by the verifier as a Transport. The card side is trusted for nothing but
 * the response bytes (which the SDK checks cryptographically): one request at a time, every reply must carry the
 * id just asked and a type that answers it, every wait has a deadline, and any violation ends the session with a
 * typed error and a close code. A tag loss or a local timeout the card side reports is a normal, retriable error,
 * so the SDK's resume (reconnect + access control + read on) works across the relay.
 */
import {
  Cancelled,
  CardRemoved,
  canKey,
  EmrtdError,
  readVerified,
  Timeout,
  type TransmitOptions,
  type Transport,
  type TransportCapabilities,
  type VerifiedRead,
  type VerifiedReadOptions,
} from '@cccd/emrtd';
import { fromHex, hex } from '@cccd/emrtd/codec';
import { RelayError } from '../errors.js';
import { type RelayLogger, swOf } from '../log.js';
import {
  type CardFrame,
  CloseCode,
  cardFrameSchema,
  type FailureKind,
  MAX_COMMAND_APDU,
  parseFrame,
  type VerifierFrame,
} from '../protocol.js';

export type AccessKeys = Parameters<typeof readVerified>[1];

/**
 * The part of a `ws` WebSocket a session uses, stated here so that the published types need no @types/ws
 * (RFC 6455 ready states: 0 connecting, 1 open, 3 closed).
 */
export interface RelaySocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: { toString(encoding: 'utf8'): string }, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;
export type AccessKeySource = AccessKeys | (() => AccessKeys | Promise<AccessKeys>);

export interface SessionLimits {
  /** Relay deadline of an exchange the SDK gives no timeout for (ms). */
  apduTimeoutMs: number;
  /** Added to the SDK's per-exchange timeout for the network round trip (ms). */
  networkAllowanceMs: number;
  /** The whole session, from acceptance to close (ms). */
  sessionTimeoutMs: number;
}

interface Pending {
  id: number;
  kind: 'transmit' | 'reconnect';
  step: string;
  deadlineMs: number;
  timer: ReturnType<typeof setTimeout>;
  resolve: (frame: CardFrame) => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

/** Deadline passed on to the card side: an integer the protocol accepts. */
const wireDeadline = (ms: number | undefined) =>
  ms === undefined ? undefined : Math.max(1, Math.min(600_000, Math.ceil(ms)));

export class RelaySession {
  readonly transport: Transport;
  /** Aborted when the session ends (read done, failure, deadline, verifier shutdown). */
  readonly signal: AbortSignal;
  /** Settles when the socket has closed: the code and reason this side or the peer gave. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ended = new AbortController();
  private failure: EmrtdError | undefined;
  private pending: Pending | undefined;
  /** Ids given up on, with their relay deadlines: a late answer to one is dropped, once. */
  private readonly abandoned = new Map<number, ReturnType<typeof setTimeout>>();
  private nextId = 1;
  private atrBytes: Uint8Array | undefined;
  private readonly deadline: ReturnType<typeof setTimeout>;
  private readonly opened = performance.now();
  private markClosed!: (c: { code: number; reason: string }) => void;

  constructor(
    /** Short random id for logs (not the ticket). */
    readonly id: string,
    private readonly socket: RelaySocket,
    readonly capabilities: TransportCapabilities,
    atr: Uint8Array | undefined,
    private readonly limits: SessionLimits,
    private readonly keySource: AccessKeySource | undefined,
    private readonly cardSideCan: string | undefined,
    private readonly log: RelayLogger,
  ) {
    this.atrBytes = atr;
    this.signal = this.ended.signal;
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    this.transport = {
      capabilities,
      transmit: (command, options) => this.transmit(command, options),
      reconnect: (options) => this.reconnect(options),
      atr: () => this.atrBytes,
    };
    socket.on('message', (data, isBinary) => this.onMessage(isBinary ? undefined : data.toString('utf8')));
    socket.on('close', (code) => this.onClose(code));
    socket.on('error', (e: Error & { code?: string }) => {
      // ws refuses a frame over maxPayload (closing with 1009); any other error is followed by 'close'.
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        this.fail(new RelayError('oversized', this.pending?.step ?? 'relay frame'), CloseCode.tooBig);
    });
    const ms = limits.sessionTimeoutMs;
    this.deadline = setTimeout(
      () => this.fail(new Timeout('relay session', ms, { retriable: false }), CloseCode.timeout),
      ms,
    );
  }

  /**
   * The access key for this read: the ticket's own (the operator's callback) first; the card side's CAN only when
   * the verifier accepts one from there (otherwise the connection was refused before this session existed).
   */
  async accessKey(): Promise<AccessKeys> {
    if (this.keySource !== undefined) return typeof this.keySource === 'function' ? this.keySource() : this.keySource;
    if (this.cardSideCan !== undefined) return canKey(this.cardSideCan);
    throw new RelayError('no-access-key', 'relay access key');
  }

  /**
   * The whole verified read on the verifier (PACE, CA, AA with its own challenge, PA), bounded by the session's
   * deadline — the operator's accessKey callback included; closes the session afterwards (1000 'done' or
   * 'failed'). A relay failure is thrown as itself: the session deadline as Timeout ('relay session').
   */
  async read(options: VerifiedReadOptions): Promise<VerifiedRead> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.signal]) : this.signal;
    try {
      const keys = await untilAborted(this.accessKey(), signal, 'relay access key');
      const result = await readVerified(this.transport, keys, { ...options, signal });
      this.close(CloseCode.done, 'done');
      return result;
    } catch (e) {
      const failure = this.failure ?? e;
      this.close(CloseCode.done, 'failed');
      throw failure;
    }
  }

  /** Ends the session (idempotent). */
  close(code: number = CloseCode.done, reason = 'done'): void {
    this.end(code, reason, new RelayError('closed', 'relay session', { closeCode: code }));
  }

  private async transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    const step = 'relay transmit';
    if (command.length < 4 || command.length > MAX_COMMAND_APDU)
      throw new EmrtdError('invalid-argument', `${step}: command APDU of ${command.length} bytes`, { step });
    const frame = await this.request('transmit', step, options, (id, timeoutMs) => ({
      t: 'transmit',
      id,
      apdu: hex(command),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    }));
    if (frame.t !== 'response') throw new EmrtdError('transport', step); // request() guarantees the type
    return fromHex(frame.apdu);
  }

  private async reconnect(options: TransmitOptions = {}): Promise<void> {
    const frame = await this.request('reconnect', 'relay reconnect', options, (id, timeoutMs) => ({
      t: 'reconnect',
      id,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    }));
    if (frame.t === 'reconnected') this.atrBytes = frame.atr === undefined ? undefined : fromHex(frame.atr);
  }

  private request(
    kind: Pending['kind'],
    step: string,
    options: TransmitOptions,
    build: (id: number, timeoutMs: number | undefined) => VerifierFrame,
  ): Promise<CardFrame> {
    if (this.failure) return Promise.reject(this.failure);
    if (options.signal?.aborted) return Promise.reject(new Cancelled(step));
    // The SDK gives up on an exchange at its own deadline and moves on (a resume): the card side answers in order,
    // so the abandoned request is still owed an answer, within its relay deadline.
    if (this.pending) this.abandon(this.pending.id);
    const id = this.nextId++;
    const deadlineMs = (options.timeoutMs ?? this.limits.apduTimeoutMs) + this.limits.networkAllowanceMs;
    return new Promise<CardFrame>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Timeout(step, deadlineMs, { retriable: false }), CloseCode.timeout),
        deadlineMs,
      );
      // The caller gave up: the card side may still answer this id, and that late answer is dropped.
      const onAbort = () => this.abandon(id);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => options.signal?.removeEventListener('abort', onAbort);
      this.pending = { id, kind, step, deadlineMs, timer, resolve, reject, cleanup };
      const frame = build(id, wireDeadline(options.timeoutMs));
      this.socket.send(JSON.stringify(frame));
      this.log({
        event: 'frame',
        direction: 'out',
        kind,
        id,
        ...(frame.t === 'transmit' ? { bytes: frame.apdu.length / 2 } : {}),
      });
    });
  }

  /** Takes the pending request off the slot (its deadline cleared), for the caller to settle. */
  private settle(): Pending | undefined {
    const p = this.pending;
    this.pending = undefined;
    p?.cleanup();
    clearTimeout(p?.timer);
    return p;
  }

  /**
   * The caller no longer waits for the pending request: it rejects (Cancelled) but its relay deadline keeps running
   * until the card side answers it, so a card side that answers nothing still ends the session in time.
   */
  private abandon(id: number): void {
    const p = this.pending;
    if (!p || p.id !== id) return;
    this.pending = undefined;
    p.cleanup();
    this.abandoned.set(id, p.timer);
    p.reject(new Cancelled(p.step));
  }

  private onMessage(text: string | undefined): void {
    if (this.failure) return;
    const frame = parseFrame(cardFrameSchema, text);
    if (!frame) {
      this.log({ event: 'frame', direction: 'in', kind: 'invalid' });
      this.fail(new RelayError('protocol', 'relay frame'), CloseCode.protocolViolation);
      return;
    }
    const p = this.pending;
    if (!p || p.id !== frame.id) {
      const owed = this.abandoned.get(frame.id);
      if (owed !== undefined) {
        clearTimeout(owed);
        this.abandoned.delete(frame.id);
        return;
      }
      this.log({ event: 'frame', direction: 'in', kind: 'unexpected-id', id: frame.id });
      this.fail(new RelayError('protocol', 'relay reply id'), CloseCode.protocolViolation);
      return;
    }
    const answers = frame.t === 'error' || (frame.t === 'response') === (p.kind === 'transmit');
    if (!answers) {
      this.log({ event: 'frame', direction: 'in', kind: 'unexpected-type', id: frame.id });
      this.fail(new RelayError('protocol', `${p.step} reply type`), CloseCode.protocolViolation);
      return;
    }
    this.logIn(frame);
    this.settle();
    if (frame.t === 'error') p.reject(failureError(frame.kind, p.step, p.deadlineMs));
    else p.resolve(frame);
  }

  private logIn(frame: CardFrame): void {
    if (frame.t === 'response') {
      const sw = swOf(fromHex(frame.apdu.slice(-4)));
      const bytes = frame.apdu.length / 2;
      this.log({ event: 'frame', direction: 'in', kind: 'response', id: frame.id, bytes, ...(sw ? { sw } : {}) });
    } else if (frame.t === 'error')
      this.log({ event: 'frame', direction: 'in', kind: 'error', id: frame.id, failure: frame.kind });
    else this.log({ event: 'frame', direction: 'in', kind: frame.t, id: frame.id });
  }

  private onClose(code: number): void {
    const reason = code === CloseCode.tooBig ? 'oversized' : 'closed';
    this.end(code, 'peer closed', new RelayError(reason, this.pending?.step ?? 'relay session', { closeCode: code }));
  }

  /** A relay-level failure: the session ends with this error and close code. */
  private fail(error: EmrtdError, code: number): void {
    this.end(code, error.code, error);
  }

  private end(code: number, reason: string, error: EmrtdError): void {
    if (this.ended.signal.aborted) return;
    this.failure = error;
    clearTimeout(this.deadline);
    for (const timer of this.abandoned.values()) clearTimeout(timer);
    this.abandoned.clear();
    this.settle()?.reject(error);
    this.ended.abort(error);
    this.log({
      event: 'session-close',
      session: this.id,
      code,
      reason,
      ms: Math.round(performance.now() - this.opened),
    });
    if (this.socket.readyState === OPEN || this.socket.readyState === CONNECTING) this.socket.close(code, reason);
    if (this.socket.readyState === CLOSED) this.markClosed({ code, reason });
    else this.socket.once('close', () => this.markClosed({ code, reason }));
  }
}

/**
 * `work`, or Cancelled at `step` once `signal` aborts (the caller then reports the session's own failure). `work`
 * keeps running — an operator callback cannot be stopped — and its late outcome is dropped, never unhandled.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, step: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled(step));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A failure the card side reported, as the SDK's own error for it (tag loss and timeouts stay retriable). Its
 * `unsupported` is its local link's limit (a reader feature, a transport without reconnect), never the chip's
 * answer: a RelayError of code 'transport', so the SDK does not read it as "the chip does not offer this" (during
 * Chip Authentication that would turn a failed CA into "not offered").
 */
function failureError(kind: FailureKind, step: string, ms: number): EmrtdError {
  switch (kind) {
    case 'tag-lost':
      return new CardRemoved({ step });
    case 'timeout':
      return new Timeout(step, ms);
    case 'cancelled':
      return new Cancelled(step);
    case 'unsupported':
      return new RelayError('card-side-unsupported', step);
    case 'transport':
      return new EmrtdError('transport', `${step}: card-side link failure`, { step, retriable: true });
  }
}
