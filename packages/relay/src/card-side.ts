/**
 * The card side: runs next to the card (a phone's NFC, a branch PC's PC/SC reader, the simulator), connects to the
 * verifier, presents its ticket in the first frame and forwards each command APDU to the local Transport. It holds
 * no keys and makes no decisions: whatever it is made to answer, the verifier checks the chip's cryptography itself.
 *
 * Platform-neutral: the global WebSocket of browsers and React Native, or any constructor with that interface
 * (Node's `ws`) passed as `WebSocket`. No Node built-in here.
 */
import { Cancelled, EmrtdError, Timeout, type Transport, type TransportCapabilities } from '@cccd/emrtd';
import { fromHex, hex } from '@cccd/emrtd/codec';
import { RelayError, type RelayFailure } from './errors.js';
import { type RelayLogger, safeLogger, swOf } from './log.js';
import {
  CloseCode,
  type FailureKind,
  type Hello,
  MAX_FRAME_BYTES,
  parseFrame,
  RELAY_PROTOCOL_VERSION,
  type VerifierFrame,
  verifierFrameSchema,
} from './protocol.js';

/** The fields of the events the card side reads (MessageEvent.data, CloseEvent.code/reason). */
export interface WebSocketEventLike {
  readonly type: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

/** The part of the WHATWG WebSocket the card side uses (browsers, React Native, `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: WebSocketEventLike) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface RelayCardOptions {
  /** The verifier's relay endpoint (wss:// in production: the ticket is a bearer credential). */
  url: string;
  /** The ticket the verifier issued for this read, obtained over the operator's own authenticated channel. */
  ticket: string;
  /** The local link to the card: any Transport (PC/SC, a phone's NFC, the simulator). */
  transport: Transport;
  /** WebSocket constructor; defaults to `globalThis.WebSocket` (browsers, React Native, Node ≥ 22). */
  WebSocket?: WebSocketConstructor;
  /**
   * Sends the CAN to the verifier. Only when the operator configured it so (the verifier must also opt in with
   * `acceptCanFromCardSide`, or it refuses the connection): by default the verifier has its own access key.
   */
  can?: string;
  logger?: RelayLogger;
  /** Bound on connecting and being accepted (ms, default 10 000). */
  connectTimeoutMs?: number;
  /** Bound on waiting for the verifier's next request (ms, default 120 000). */
  idleTimeoutMs?: number;
  /** Upper bound on any local exchange or reconnect, whatever deadline the verifier asks for (ms, default 60 000). */
  maxExchangeMs?: number;
  /** Abort the relay (closes the socket with 1001). */
  signal?: AbortSignal;
}

/** How the verifier ended the session: 1000 with 'done' after a read, or 'failed' when the read failed. */
export interface RelayCardOutcome {
  code: number;
  reason: string;
  /** Requests served. */
  exchanges: number;
}

const OPEN = 1;
/** A verifier floods requests past this many unanswered ones: a protocol violation, not a growing queue. */
const MAX_QUEUED = 8;
const CLOSE_REASONS: Partial<Record<number, RelayFailure>> = {
  [CloseCode.ticketRejected]: 'ticket-rejected',
  [CloseCode.canRefused]: 'can-refused',
  [CloseCode.unsupportedVersion]: 'version',
  [CloseCode.tooBig]: 'oversized',
  [CloseCode.protocolViolation]: 'protocol',
  [CloseCode.busy]: 'unavailable',
};

/** Browsers let a page close with 1000 or 3000–4999 only (WHATWG WebSocket close()): 1001 and 1009 become 1000. */
const browserCloseCode = (code: number) => (code >= 3000 && code <= 4999 ? code : 1000);

/** A local failure as a kind the verifier understands; its text stays here (it could say anything). */
export function failureKind(e: unknown): FailureKind {
  if (!(e instanceof EmrtdError)) return 'transport';
  if (e.code === 'card-removed') return 'tag-lost';
  if (e.code === 'timeout') return 'timeout';
  if (e.code === 'cancelled') return 'cancelled';
  if (e.code === 'unsupported') return 'unsupported';
  return 'transport';
}

/**
 * Connects, presents the ticket and serves the verifier's requests until it closes the session. Resolves with the
 * verifier's close (1000/1001); rejects with a typed error (RelayError, Timeout, Cancelled) otherwise.
 */
export function relayCard(options: RelayCardOptions): Promise<RelayCardOutcome> {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) return Promise.reject(new EmrtdError('invalid-argument', 'no WebSocket: pass options.WebSocket'));
  if (options.signal?.aborted) return Promise.reject(new Cancelled('relay connect'));
  return new Promise((resolve, reject) => new CardRelay(Ctor, options, resolve, reject).start());
}

class CardRelay {
  private socket!: WebSocketLike;
  private welcomed = false;
  private done = false;
  private exchanges = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Requests run one after another, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  /** Requests received and not answered yet (the verifier has one outstanding, plus any it gave up on). */
  private queued = 0;
  /** Aborts the local exchange in flight when the session ends. */
  private readonly local = new AbortController();
  private readonly log: RelayLogger;

  constructor(
    private readonly Ctor: WebSocketConstructor,
    private readonly options: RelayCardOptions,
    private readonly resolve: (o: RelayCardOutcome) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.log = safeLogger(options.logger);
  }

  start(): void {
    const connectMs = this.options.connectTimeoutMs ?? 10_000;
    this.arm(connectMs, () =>
      this.fail(new Timeout('relay connect', connectMs, { retriable: false }), CloseCode.timeout),
    );
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
    try {
      this.socket = new this.Ctor(this.options.url);
    } catch (cause) {
      this.finish();
      this.reject(new RelayError('closed', 'relay connect', { cause }));
      return;
    }
    this.socket.addEventListener('open', () => this.sendHello());
    this.socket.addEventListener('message', (e) => this.onMessage(e.data));
    this.socket.addEventListener('close', (e) => this.onClose(e.code ?? 1006, e.reason ?? ''));
    // An error is always followed by a close event, which settles the outcome.
    this.socket.addEventListener('error', () => {});
  }

  private readonly onAbort = () => this.fail(new Cancelled('relay'), CloseCode.goingAway);

  private sendHello(): void {
    const hello: Hello = {
      t: 'hello',
      v: RELAY_PROTOCOL_VERSION,
      ticket: this.options.ticket,
      ...capabilitiesField(this.options.transport.capabilities),
      ...atrField(this.options.transport),
      ...(this.options.can === undefined ? {} : { can: this.options.can }),
    };
    this.send(hello, { event: 'frame', direction: 'out', kind: 'hello' });
  }

  private onMessage(data: unknown): void {
    if (this.done) return;
    const frame = parseFrame(verifierFrameSchema, data);
    const oversized = typeof data === 'string' && data.length > MAX_FRAME_BYTES;
    if (!frame || (frame.t === 'welcome') === this.welcomed) {
      this.log({ event: 'frame', direction: 'in', kind: oversized ? 'oversized' : 'invalid' });
      this.fail(
        new RelayError(oversized ? 'oversized' : 'protocol', 'relay frame'),
        oversized ? CloseCode.tooBig : CloseCode.protocolViolation,
      );
      return;
    }
    if (frame.t === 'welcome') {
      this.welcomed = true;
      this.log({ event: 'frame', direction: 'in', kind: 'welcome' });
      this.idle();
      return;
    }
    if (++this.queued > MAX_QUEUED) {
      this.fail(new RelayError('protocol', 'relay request queue'), CloseCode.protocolViolation);
      return;
    }
    // The local exchange has its own deadline; the idle bound starts again once it is answered.
    clearTimeout(this.timer);
    this.queue = this.queue
      .then(() => this.serve(frame))
      // serve() answers every local failure itself; anything else (a socket that throws on send) ends the relay.
      .catch((cause: unknown) => this.fail(new RelayError('closed', 'relay send', { cause }), CloseCode.goingAway))
      .then(() => {
        this.queued--;
        if (!this.done) this.idle();
      });
  }

  /** Waiting for the verifier's next request is bounded too. */
  private idle(): void {
    const ms = this.options.idleTimeoutMs ?? 120_000;
    this.arm(ms, () => this.fail(new Timeout('relay idle', ms, { retriable: false }), CloseCode.timeout));
  }

  private async serve(frame: Exclude<VerifierFrame, { t: 'welcome' }>): Promise<void> {
    if (this.done) return;
    const cap = this.options.maxExchangeMs ?? 60_000;
    const timeoutMs = Math.min(frame.timeoutMs ?? cap, cap);
    const { transport } = this.options;
    const signal = this.local.signal;
    this.exchanges++;
    if (frame.t === 'transmit') {
      const command = fromHex(frame.apdu);
      this.log({ event: 'frame', direction: 'in', kind: 'transmit', id: frame.id, bytes: command.length });
      try {
        const response = await transport.transmit(command, { signal, timeoutMs });
        const sw = swOf(response);
        this.send(
          { t: 'response', id: frame.id, apdu: hex(response) },
          {
            event: 'frame',
            direction: 'out',
            kind: 'response',
            id: frame.id,
            bytes: response.length,
            ...(sw ? { sw } : {}),
          },
        );
      } catch (e) {
        this.sendFailure(frame.id, failureKind(e));
      }
      return;
    }
    this.log({ event: 'frame', direction: 'in', kind: 'reconnect', id: frame.id });
    if (!transport.reconnect) {
      this.sendFailure(frame.id, 'unsupported');
      return;
    }
    try {
      await transport.reconnect({ signal, timeoutMs });
      this.send(
        { t: 'reconnected', id: frame.id, ...atrField(transport) },
        { event: 'frame', direction: 'out', kind: 'reconnected', id: frame.id },
      );
    } catch (e) {
      this.sendFailure(frame.id, failureKind(e));
    }
  }

  private sendFailure(id: number, kind: FailureKind): void {
    this.send({ t: 'error', id, kind }, { event: 'frame', direction: 'out', kind: 'error', id, failure: kind });
  }

  private send(frame: object, logged: Parameters<RelayLogger>[0]): void {
    if (this.done || this.socket.readyState !== OPEN) return;
    this.socket.send(JSON.stringify(frame));
    this.log(logged);
  }

  private onClose(code: number, reason: string): void {
    if (this.done) return;
    this.finish();
    this.log({ event: 'session-close', code, reason: reason.slice(0, 64) });
    if (code === CloseCode.done || code === CloseCode.goingAway)
      this.resolve({ code, reason: reason.slice(0, 64), exchanges: this.exchanges });
    else if (code === CloseCode.timeout)
      this.reject(new RelayError('closed', 'relay session (verifier deadline)', { closeCode: code }));
    else this.reject(new RelayError(CLOSE_REASONS[code] ?? 'closed', 'relay session', { closeCode: code }));
  }

  private fail(error: EmrtdError, code: number): void {
    if (this.done) return;
    this.finish();
    this.log({ event: 'session-close', code, reason: error.code });
    try {
      this.socket.close(browserCloseCode(code), error.code);
    } catch {
      // a socket that never opened cannot be closed cleanly; the outcome below stands
    }
    this.reject(error);
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.local.abort();
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private arm(ms: number, onExpiry: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(onExpiry, ms);
  }
}

/** The three capabilities the protocol knows, as whole numbers in its range (a transport may carry more fields). */
function capabilitiesField(c: TransportCapabilities | undefined): { capabilities?: Hello['capabilities'] } {
  if (!c) return {};
  const size = (n: number | undefined) =>
    n !== undefined && Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), 1_000_000) : undefined;
  const command = size(c.maxCommandLength);
  const response = size(c.maxResponseLength);
  return {
    capabilities: {
      ...(command === undefined ? {} : { maxCommandLength: command }),
      ...(response === undefined ? {} : { maxResponseLength: response }),
      ...(typeof c.extendedLength === 'boolean' ? { extendedLength: c.extendedLength } : {}),
    },
  };
}

function atrField(transport: Transport): { atr?: string } {
  const atr = transport.atr?.();
  return atr && atr.length <= 33 ? { atr: hex(atr) } : {};
}
