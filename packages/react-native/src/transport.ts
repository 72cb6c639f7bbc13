/**
 * A Transport for @cccd/emrtd over react-native-nfc-manager: Android IsoDep, iOS NFCISO7816Tag. One exchange at a
 * time; every native call raced against a JavaScript deadline; tag loss, an ended iOS session and a timed-out
 * exchange all leave the link "down" until reconnect(), which is a new tap (a new technology request, a new iOS
 * session) so the reader can redo access control and resume.
 */
import {
  Cancelled,
  CardRemoved,
  EmrtdError,
  Timeout,
  type TransmitOptions,
  type Transport,
  type TransportCapabilities,
} from '@cccd/emrtd';
import { atrFromHistoricalBytes, bytesFrom, responseFromIos } from './bytes.js';
import { androidCapabilities, iosCapabilities } from './capabilities.js';
import { settleWithin } from './deadline.js';
import { mapNativeError, NfcTransportError } from './errors.js';
import {
  type NfcErrorClasses,
  type NfcManagerLike,
  type NfcPlatform,
  type NfcTechLike,
  READER_MODE,
  type RequestTechnologyOptions,
} from './native.js';

/** What the link is doing, for the app's UI (never carries card data). */
export type NfcLinkEvent =
  | { kind: 'waiting-for-tag'; attempt: number }
  | { kind: 'connected'; attempt: number; capabilities: TransportCapabilities }
  | { kind: 'link-down'; step: string; code: string };

export interface NfcTransportOptions<Tech extends string = string> {
  /** `Platform.OS` of the app ('android' | 'ios'): the two platforms take different calls. */
  platform: NfcPlatform;
  /** The library's default export: `import NfcManager from 'react-native-nfc-manager'`. */
  nfcManager: NfcManagerLike<NoInfer<Tech>>;
  /** The library's `NfcTech` (only `NfcTech.IsoDep` is used). */
  nfcTech: NfcTechLike<Tech>;
  /** The library's `NfcError` namespace: lets native errors be told apart by class. Recommended. */
  nfcErrors?: NfcErrorClasses;
  /** Per-exchange deadline when the caller gives none (ms, default 5000); also Android's IsoDep.setTimeout. */
  transceiveTimeoutMs?: number;
  /** How long a tap is waited for, first and on each reconnect (ms, default 60 000). */
  tapTimeoutMs?: number;
  /** Bound on reconnect() calls over the transport's life (default 4): then CardRemoved, not retriable. */
  maxReconnects?: number;
  /**
   * Android: read in reader mode for ISO 14443 A and B, skipping Android's NDEF check (default true): the tag goes to
   * this app only, and no NDEF probing runs on the chip before the read. False: the library's foreground dispatch.
   */
  androidReaderMode?: boolean;
  /** iOS: send extended-length APDUs (default false: see iosCapabilities). Ignored on Android (measured there). */
  iosExtendedLength?: boolean;
  /** Text of the iOS NFC sheet: first tap, and the re-tap after a lost tag or an ended session. */
  messages?: { tap?: string; retap?: string };
  /** Link events for the app's UI (Android has no system sheet: show "hold the card to the phone" yourself). */
  onEvent?: (event: NfcLinkEvent) => void;
}

/** Deadline of a bookkeeping native call (limits, timeout, tag info, cancel): these answer at once or never. */
const NATIVE_CALL_MS = 3000;
const DEFAULT_MESSAGES = {
  tap: 'Hold the top of the phone against the chip of the ID card.',
  retap: 'Hold the card against the phone again to continue reading.',
};

export class NfcTransport implements Transport {
  private caps: TransportCapabilities;
  private up = false;
  private closed = false;
  /** Incremented by every connect: an exchange of an older link settling late must not touch the new one. */
  private generation = 0;
  /** The generation whose exchange is in flight (one at a time per link). */
  private inFlight: number | undefined;
  private reconnects = 0;
  private connects = 0;
  private historical: Uint8Array | undefined;
  /** The IsoDep timeout last set on Android, so setTimeout is called only when the deadline changes. */
  private nativeTimeoutMs: number | undefined;
  private readonly transceiveTimeoutMs: number;
  private readonly tapTimeoutMs: number;
  private readonly maxReconnects: number;

  private constructor(readonly options: NfcTransportOptions) {
    this.transceiveTimeoutMs = options.transceiveTimeoutMs ?? 5000;
    this.tapTimeoutMs = options.tapTimeoutMs ?? 60_000;
    this.maxReconnects = options.maxReconnects ?? 4;
    this.caps = iosCapabilities(false);
    requireMethods(options);
  }

  /** Waits (bounded, abortable) for a tap and connects IsoDep / the ISO 7816 tag. */
  static async open<Tech extends string>(
    options: NfcTransportOptions<Tech>,
    wait: { signal?: AbortSignal } = {},
  ): Promise<NfcTransport> {
    // The manager is only ever called with the NfcTech it came with: erasing Tech to string is safe.
    const transport = new NfcTransport(options as unknown as NfcTransportOptions);
    await transport.connect(options.messages?.tap ?? DEFAULT_MESSAGES.tap, wait.signal);
    return transport;
  }

  get capabilities(): TransportCapabilities {
    return this.caps;
  }

  /** True while a tag is connected and no exchange has failed since. */
  get connected(): boolean {
    return this.up;
  }

  atr(): Uint8Array | undefined {
    return this.up && this.historical ? atrFromHistoricalBytes(this.historical) : undefined;
  }

  async transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    const step = 'transmit';
    if (options.signal?.aborted) throw new Cancelled(step);
    if (this.closed) throw new NfcTransportError('session-ended', { step, retriable: false });
    if (!this.up) throw new CardRemoved({ step });
    if (this.inFlight === this.generation) throw new NfcTransportError('busy', { step, retriable: false });
    const max = this.caps.maxCommandLength ?? 261;
    if (command.length < 4 || command.length > max)
      throw new EmrtdError('invalid-argument', `command APDU of ${command.length} bytes; this link carries 4..${max}`, {
        step,
      });
    const ms = options.timeoutMs ?? this.transceiveTimeoutMs;
    const generation = this.generation;
    this.inFlight = generation;
    try {
      if (this.options.platform === 'android') await this.setNativeTimeout(ms, options.signal);
      const answer = await settleWithin(
        later(() => this.exchange(Array.from(command))),
        {
          ms,
          signal: options.signal,
          onTimeout: () => new Timeout(step, ms),
          onAbort: () => new Cancelled(step),
        },
      );
      const response = this.parse(answer);
      if (!response) throw new NfcTransportError('transceive-failed', { step, retriable: true });
      return response;
    } catch (e) {
      const error = e instanceof EmrtdError ? e : mapNativeError(e, step, this.options.nfcErrors);
      if (generation === this.generation) this.down(error, step);
      throw error;
    } finally {
      if (this.inFlight === generation) this.inFlight = undefined;
    }
  }

  /**
   * A new tap after tag loss, an ended iOS session (Core NFC's time limit) or a timed-out exchange: ends the old
   * request, shows the re-tap message, waits (bounded by `tapTimeoutMs`, abortable) for the card and connects. The
   * chip session is gone; the reader redoes access control and resumes where it was.
   */
  async reconnect(options: TransmitOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new Cancelled('reconnect');
    if (this.closed) throw new NfcTransportError('session-ended', { step: 'reconnect', retriable: false });
    if (this.reconnects >= this.maxReconnects) throw new CardRemoved({ step: 'reconnect', retriable: false });
    this.reconnects++;
    this.up = false;
    await this.release();
    await this.connect(this.options.messages?.retap ?? DEFAULT_MESSAGES.retap, options.signal);
  }

  /** Ends the NFC request (iOS closes its sheet). Further calls fail; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.up = false;
    await this.release();
  }

  /** iOS: replaces the text on the system NFC sheet (e.g. progress); a no-op on Android. Never throws. */
  async setMessage(message: string): Promise<void> {
    const set = this.options.nfcManager.setAlertMessageIOS;
    if (this.options.platform !== 'ios' || !set) return;
    await this.bounded(() => set.call(this.options.nfcManager, message), 'set message').catch(() => undefined);
  }

  private async connect(alertMessage: string, signal: AbortSignal | undefined): Promise<void> {
    const { nfcManager, nfcTech, nfcErrors } = this.options;
    const step = 'connect';
    if (this.closed) throw new Cancelled(step);
    const attempt = ++this.connects;
    this.generation++;
    this.emit({ kind: 'waiting-for-tag', attempt });
    try {
      await settleWithin(
        later(() => nfcManager.requestTechnology(nfcTech.IsoDep, this.requestOptions(alertMessage))),
        {
          ms: this.tapTimeoutMs,
          signal,
          onTimeout: () => new Timeout(step, this.tapTimeoutMs),
          onAbort: () => new Cancelled(step),
        },
      );
      // close() while the tap was awaited: the tag that just came is not used.
      if (this.closed) throw new Cancelled(step);
      this.nativeTimeoutMs = undefined;
      this.caps =
        this.options.platform === 'android'
          ? androidCapabilities(await this.maxTransceiveLength())
          : iosCapabilities(this.options.iosExtendedLength === true);
      this.historical = await this.historicalBytes();
    } catch (e) {
      // A request still pending natively (no tap yet, or a wedged call) is ended so the next one is not refused.
      await this.release();
      throw e instanceof EmrtdError ? e : mapNativeError(e, step, nfcErrors, this.tapTimeoutMs);
    }
    this.up = true;
    this.emit({ kind: 'connected', attempt, capabilities: this.caps });
  }

  private requestOptions(alertMessage: string): RequestTechnologyOptions {
    if (this.options.platform !== 'android' || this.options.androidReaderMode === false) return { alertMessage };
    const flags = READER_MODE.NFC_A | READER_MODE.NFC_B | READER_MODE.SKIP_NDEF_CHECK;
    return { alertMessage, isReaderModeEnabled: true, readerModeFlags: flags };
  }

  private exchange(bytes: number[]): Promise<unknown> {
    const nfc = this.options.nfcManager;
    if (this.options.platform === 'ios') return nfc.sendCommandAPDUIOS!(bytes);
    return nfc.isoDepHandler.transceive(bytes);
  }

  private parse(answer: unknown): Uint8Array | undefined {
    const max = this.caps.maxResponseLength ?? 258;
    const response = this.options.platform === 'ios' ? responseFromIos(answer, max) : bytesFrom(answer, max);
    return response && response.length >= 2 ? response : undefined;
  }

  /** Android's IsoDep transceive timeout follows the exchange deadline (IsoDep.setTimeout, in ms). */
  private async setNativeTimeout(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const set = this.options.nfcManager.setTimeout;
    if (!set || this.nativeTimeoutMs === ms) return;
    await settleWithin(
      later(() => set.call(this.options.nfcManager, Math.max(1, Math.round(ms)))),
      {
        ms: NATIVE_CALL_MS,
        signal,
        onTimeout: () => new Timeout('IsoDep.setTimeout', NATIVE_CALL_MS),
        onAbort: () => new Cancelled('IsoDep.setTimeout'),
      },
    );
    this.nativeTimeoutMs = ms;
  }

  private async maxTransceiveLength(): Promise<number> {
    const get = this.options.nfcManager.getMaxTransceiveLength;
    if (!get) return 261;
    const n = await this.bounded(() => get.call(this.options.nfcManager), 'IsoDep.getMaxTransceiveLength');
    return typeof n === 'number' ? n : 261;
  }

  /** The ISO 14443-4 historical bytes getTag reports (both platforms), for atr(); absent is fine. */
  private async historicalBytes(): Promise<Uint8Array | undefined> {
    try {
      const tag = await this.bounded(() => this.options.nfcManager.getTag(), 'getTag');
      const hb = typeof tag === 'object' && tag !== null ? (tag as { historicalBytes?: unknown }).historicalBytes : [];
      return bytesFrom(hb, 15);
    } catch {
      return undefined;
    }
  }

  /** Ends the native request; bounded and silent (it is cleanup: the native side may already be gone). */
  private async release(): Promise<void> {
    const nfc = this.options.nfcManager;
    await this.bounded(() => nfc.cancelTechnologyRequest({ throwOnError: false }), 'cancel').catch(() => undefined);
  }

  private bounded<T>(call: () => Promise<T>, step: string): Promise<T> {
    return settleWithin(later(call), {
      ms: NATIVE_CALL_MS,
      onTimeout: () => new Timeout(step, NATIVE_CALL_MS),
      onAbort: () => new Cancelled(step),
    });
  }

  /** Any failed exchange leaves the link down: the native side may still be busy with it, only a new tap is clean. */
  private down(error: EmrtdError, step: string): void {
    if (this.up) this.emit({ kind: 'link-down', step, code: error.code });
    this.up = false;
  }

  private emit(event: NfcLinkEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // The app's UI callback must not break the read.
    }
  }
}

/** A native call as a promise even when it throws synchronously or returns a non-promise (a mis-wired module). */
const later = <T>(call: () => T | Promise<T>): Promise<T> => Promise.resolve().then(call);

function requireMethods(options: NfcTransportOptions): void {
  const nfc = options.nfcManager;
  const missing =
    options.platform === 'ios'
      ? typeof nfc.sendCommandAPDUIOS !== 'function'
      : typeof nfc.isoDepHandler?.transceive !== 'function';
  if (typeof nfc.requestTechnology !== 'function' || missing || typeof options.nfcTech?.IsoDep !== 'string')
    throw new NfcTransportError('unavailable', { step: 'open', retriable: false });
}
