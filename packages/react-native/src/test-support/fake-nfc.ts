/**
 * A fake of react-native-nfc-manager's native side, for tests: the library's JavaScript API shape (NfcManager,
 * NfcTech, NfcError) with every exchange forwarded to the simulator's in-process card. It rejects the way the
 * library does (facts from its 3.17.2 sources): Android with the fixed strings of NfcManager.java wrapped in
 * NfcErrorBase (`transceive fail` for any IsoDep exception, `cancelled` → UserCancel), iOS with Core NFC errors
 * turned into the NfcError classes (TagConnectionLost, SessionInvalidated, UserCancel, …). Faults are scripted by
 * exchange or request number. Native messages here deliberately carry "personal data" (`noisyText` and the APDU's
 * hex) so tests can check that none of it reaches an error of ours.
 */
import { CardRemoved } from '@cccd/emrtd';
import { InProcessTransport, type SimulatedCard } from '@cccd/simulator';
import type { NfcManagerLike, NfcPlatform } from '../native.js';

/** The library's NfcError classes (src/NfcError.js): plain subclasses of Error. */
export class NfcErrorBase extends Error {}
export class UserCancel extends NfcErrorBase {}
export class NfcTimeout extends NfcErrorBase {}
export class TagConnectionLost extends NfcErrorBase {}
export class SessionInvalidated extends NfcErrorBase {}
export class TagResponseError extends NfcErrorBase {}

/** As the app would pass `NfcError` from the library. */
export const FakeNfcError = {
  NfcErrorBase,
  UserCancel,
  Timeout: NfcTimeout,
  TagConnectionLost,
  SessionInvalidated,
  TagResponseError,
};

export const FakeNfcTech = { IsoDep: 'IsoDep' } as const;

export interface FakeNfcOptions {
  platform: NfcPlatform;
  card: SimulatedCard;
  /** Android: IsoDep.getMaxTransceiveLength() (default 261, short APDUs). */
  maxTransceiveLength?: number;
  /** iOS: the reader session ends after this many APDUs (Core NFC's time limit, modelled by count). */
  iosSessionApdus?: number;
  /** Exchanges (1-based, over the fake's life) whose native call never settles. */
  hangAt?: number[];
  /** Exchanges that fail with the platform's transceive error (Android `transceive fail`, iOS TagResponseError). */
  failAt?: number[];
  /** Exchanges from which on every exchange fails (a card that never answers cleanly again). */
  failFrom?: number;
  /** Exchanges at which the user closes the iOS sheet / the request is cancelled (UserCancel). */
  userCancelAt?: number[];
  /** Exchanges whose answer is not a byte array. */
  garbageAt?: number[];
  /** Technology requests (1-based) the user cancels. */
  cancelRequestAt?: number[];
  /** Technology requests that never see a tag (pending until cancelTechnologyRequest). */
  noTagAt?: number[];
  /** Text native messages carry (a stand-in for data a native message might echo). */
  noisyText?: string;
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

/** The fake module: pass `fake.manager`, `FakeNfcTech`, `FakeNfcError` where the app passes the library's. */
export class FakeNfc {
  readonly inner: InProcessTransport;
  readonly manager: NfcManagerLike;
  exchanges = 0;
  requests = 0;
  cancels = 0;
  readonly alertMessages: string[] = [];
  /** The options of every requestTechnology call. */
  readonly requestOptions: unknown[] = [];
  readonly timeouts: number[] = [];
  /** The largest command the fake carried. */
  largestCommand = 0;
  private active = false;
  private sessionApdus = 0;
  private pendingRequest: ((e: unknown) => void) | undefined;

  constructor(readonly options: FakeNfcOptions) {
    this.inner = new InProcessTransport(options.card);
    const ios = options.platform === 'ios';
    const manager: NfcManagerLike = {
      requestTechnology: (tech, opts) => this.requestTechnology(tech, opts),
      cancelTechnologyRequest: async () => this.cancel(),
      getTag: async () => this.getTag(),
      isoDepHandler: { transceive: (bytes) => this.transceive(bytes) },
    };
    if (ios) {
      manager.sendCommandAPDUIOS = (bytes) => this.sendCommandApduIos(bytes);
      manager.setAlertMessageIOS = async (message) => {
        this.alertMessages.push(message);
      };
    } else {
      manager.getMaxTransceiveLength = async () => {
        if (!this.active) throw this.androidError('no tech request available');
        return options.maxTransceiveLength ?? 261;
      };
      manager.setTimeout = async (ms) => {
        if (!this.active) throw this.androidError('no tech request available');
        this.timeouts.push(ms);
      };
    }
    this.manager = manager;
  }

  private get noisy(): string {
    return this.options.noisyText ?? '';
  }

  private androidError(message: string): Error {
    return message === 'cancelled' ? new UserCancel() : new NfcErrorBase(message);
  }

  private async requestTechnology(tech: string, opts?: { alertMessage?: string }): Promise<string> {
    const n = ++this.requests;
    this.requestOptions.push(opts);
    if (opts?.alertMessage) this.alertMessages.push(opts.alertMessage);
    if (this.active || this.pendingRequest)
      throw this.options.platform === 'ios'
        ? new NfcErrorBase('Duplicated registration')
        : this.androidError('You can only issue one request at a time');
    if (tech !== FakeNfcTech.IsoDep) throw new NfcErrorBase(`unsupported tech ${this.noisy}`);
    if (this.options.cancelRequestAt?.includes(n)) throw new UserCancel(`user closed the sheet ${this.noisy}`);
    if (this.options.noTagAt?.includes(n))
      return new Promise<string>((_, reject) => {
        this.pendingRequest = reject;
      });
    // The user taps (again): the card is presented afresh, no chip session survives.
    await this.inner.reconnect();
    this.active = true;
    this.sessionApdus = 0;
    return tech;
  }

  private cancel(): void {
    this.cancels++;
    this.active = false;
    const reject = this.pendingRequest;
    this.pendingRequest = undefined;
    reject?.(this.options.platform === 'ios' ? new UserCancel() : this.androidError('cancelled'));
  }

  private getTag(): unknown {
    if (!this.active) throw new NfcErrorBase('no tech request available');
    return {
      id: '08A1B2C3',
      techTypes: ['android.nfc.tech.IsoDep'],
      historicalBytes: [...this.options.card.historicalBytes()],
    };
  }

  /** The common fault script; resolves with the response bytes or rejects as the platform would. */
  private async forward(bytes: number[]): Promise<number[]> {
    const n = ++this.exchanges;
    const ios = this.options.platform === 'ios';
    const detail = `${this.noisy} apdu=${hex(bytes)}`;
    if (!this.active)
      throw ios ? new NfcErrorBase('Not even registered') : this.androidError('no tech request available');
    if (this.options.hangAt?.includes(n)) return new Promise<number[]>(() => undefined);
    if (this.options.userCancelAt?.includes(n)) {
      this.active = false;
      throw new UserCancel(`Session invalidated by user ${detail}`);
    }
    if (this.options.failAt?.includes(n) || (this.options.failFrom !== undefined && n >= this.options.failFrom))
      throw ios ? new TagResponseError(`tag response error ${detail}`) : this.androidError('transceive fail');
    if (ios && this.options.iosSessionApdus !== undefined && ++this.sessionApdus > this.options.iosSessionApdus) {
      this.active = false;
      throw new SessionInvalidated(`Session invalidated ${detail}`);
    }
    if (!ios && bytes.length > (this.options.maxTransceiveLength ?? 261)) throw this.androidError('transceive fail');
    this.largestCommand = Math.max(this.largestCommand, bytes.length);
    try {
      return Array.from(await this.inner.transmit(Uint8Array.from(bytes)));
    } catch (e) {
      if (!(e instanceof CardRemoved)) throw e;
      throw ios ? new TagConnectionLost(`Tag connection lost ${detail}`) : this.androidError('transceive fail');
    }
  }

  private async transceive(bytes: number[]): Promise<unknown> {
    if (this.options.garbageAt?.includes(this.exchanges + 1)) {
      this.exchanges++;
      return [0x90, 300, 'x'];
    }
    const r = await this.forward(bytes);
    // The library's iOS IsoDepHandler appends sw1, sw2 to sendCommandAPDU's response: the same bytes either way.
    return r;
  }

  private async sendCommandApduIos(bytes: number[]): Promise<unknown> {
    if (this.options.garbageAt?.includes(this.exchanges + 1)) {
      this.exchanges++;
      return { response: [1, 2], sw1: 0x90 };
    }
    const r = await this.forward(bytes);
    return { response: r.slice(0, -2), sw1: r[r.length - 2], sw2: r[r.length - 1] };
  }
}
