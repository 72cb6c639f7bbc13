import { EventEmitter } from 'node:events';
import { contactlessAtr, defaultHistoricalBytes, randomUid } from './activation.js';
import { response, SW } from './apdu.js';
import type { CardOptions } from './card-options.js';
import type { ChipBehaviour } from './chip-behaviour.js';
import { chipBehaviour } from './chip-options.js';
import { CommandProcessor } from './command-processor.js';
import { EmrtdApplication } from './emrtd/application.js';
import { FaultState } from './fault-state.js';
import { applyFileFaults, parseFault } from './faults.js';
import { FileSystem } from './file-system.js';
import type { CardImage } from './image.js';
import { type CryptoWork, cryptoMs, emptyStats, exchangeMs, type LinkStats } from './link.js';
import { ResponseBuffer } from './response-buffer.js';

// The constructor's options are part of the card's API.
export type { CardOptions } from './card-options.js';

export type ExchangeResult =
  | { kind: 'response'; bytes: Uint8Array }
  /** The tag left the field (a tag-loss fault or remove()); no answer. */
  | { kind: 'removed' }
  /** The card stayed silent (mute-after fault) until the cap, power-off, reset or removal. */
  | { kind: 'mute' };

interface CardEvents {
  removed: [reason: string];
  inserted: [];
}

const defaultRandom = (n: number) => {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
};

/**
 * A software CCCD chip: a contactless card (ISO/IEC 14443 activation, ISO/IEC 7816-4 command processing, file
 * system, response buffer) running the eMRTD application (ICAO 9303: BAC, PACE, SM, CA, AA over the LDS files).
 * Answers every APDU with an ISO/IEC 7816-4 response and never throws. Session state (selection, SM keys, SSC,
 * challenge, PACE/CA progress) dies with power-off, reset or removal; the wrong-attempt counter and fault counters
 * survive them, as EEPROM state would.
 */
export class SimulatedCard extends EventEmitter<CardEvents> {
  readonly image: CardImage;
  readonly stats: LinkStats = emptyStats();
  /** The chip-behaviour matrix this card follows (defaults = the CCCD model). */
  readonly behaviour: Readonly<ChipBehaviour>;
  private readonly options: CardOptions;
  private readonly random: (n: number) => Uint8Array;
  private readonly faults: FaultState;
  private readonly fs: FileSystem;
  private readonly buffer: ResponseBuffer;
  private readonly app: EmrtdApplication;
  private readonly processor: CommandProcessor;
  private present = true;
  private removalCount = 0;
  private powered = true;
  private uidBytes: Uint8Array;
  private muted = false;
  private readonly muteWaiters = new Set<() => void>();
  /** Bugs caught by the last-resort handler (answered 6F00); tests assert it stays 0. */
  internalErrors = 0;

  constructor(image: CardImage, options: CardOptions = {}) {
    super();
    this.options = options;
    this.random = options.random ?? defaultRandom;
    const faults = (options.faults ?? []).map((f) => (typeof f === 'string' ? parseFault(f) : f));
    this.faults = new FaultState(faults);
    this.behaviour = chipBehaviour(image.chip, options.chip);
    const files = applyFileFaults(image.files, faults, this.random);
    const masterFiles = applyFileFaults(image.masterFiles ?? new Map(), faults, this.random);
    this.image = { ...image, files, masterFiles };
    this.app = new EmrtdApplication(this.image, this.behaviour, this.random, options.maxWrongAttempts);
    this.fs = new FileSystem(files, masterFiles, image.protectedFids, this.behaviour);
    this.buffer = new ResponseBuffer(this.behaviour, options.extendedLength);
    this.processor = new CommandProcessor({
      behaviour: this.behaviour,
      fs: this.fs,
      buffer: this.buffer,
      faults: this.faults,
      app: this.app,
      remove: (reason) => this.remove(reason),
    });
    this.uidBytes = randomUid(this.random);
  }

  // ------------------------------------------------------------------ activation

  get isPresent(): boolean {
    return this.present;
  }

  /** How many times the card has left the field: a link compares it to notice tag loss without a listener. */
  get removals(): number {
    return this.removalCount;
  }

  get isPowered(): boolean {
    return this.present && this.powered;
  }

  get extendedLength(): boolean {
    return this.buffer.extendedLength;
  }

  /**
   * Largest command data field (Lc) and response data field (Ne) the link carries (what InProcessTransport
   * advertises). Without a chip ne-cap this is also the chip's limit; a ne-cap stays hidden from the link.
   */
  get limits(): { maxLc: number; maxNe: number } {
    return { maxLc: this.buffer.maxLc, maxNe: this.buffer.maxNe };
  }

  /** How long a muted card keeps a transmit pending before giving up (ms). */
  get muteCapMs(): number {
    return this.options.muteCapMs ?? 60_000;
  }

  /** Whether a secure messaging session is active (for tests and tools). */
  get secureMessagingActive(): boolean {
    return this.app.session.sm !== undefined;
  }

  /** The active secure messaging session's cipher, keys and SSC: for tests replaying worked examples. */
  debugSession(): { cipher: string; ksEnc: Uint8Array; ksMac: Uint8Array; ssc: Uint8Array } | undefined {
    const sm = this.app.session.sm;
    return sm ? { cipher: sm.cipher, ...sm.keys, ssc: sm.ssc } : undefined;
  }

  /** ATS historical bytes (see defaultHistoricalBytes), unless CardOptions.historicalBytes replaces them. */
  historicalBytes(): Uint8Array {
    const own = defaultHistoricalBytes(this.behaviour.sfi.kind === 'supported', this.extendedLength);
    return (this.options.historicalBytes ?? own).slice();
  }

  /** PC/SC ATR of a contactless card (PC/SC part 3 §3.1.3.2.3). */
  atr(): Uint8Array {
    return contactlessAtr(this.historicalBytes());
  }

  /** UID of the current activation (what a reader answers to FF CA 00 00 00). */
  uid(): Uint8Array {
    return this.uidBytes.slice();
  }

  /** Field on / card (re-)presented: a fresh activation with no session. Brings a removed card back. */
  powerOn(): void {
    const wasGone = !this.present;
    this.present = true;
    this.powered = true;
    this.dropSession();
    if (this.options.uidRandom ?? true) this.uidBytes = randomUid(this.random);
    if (wasGone) this.emit('inserted');
  }

  powerOff(): void {
    this.powered = false;
    this.dropSession();
  }

  /** Warm reset: all session state goes, the card stays in the field. */
  reset(): void {
    this.dropSession();
  }

  /** The tag leaves the field (tag loss or a test pulling the card). */
  remove(reason = 'removed'): void {
    if (!this.present) return;
    this.present = false;
    this.powered = false;
    this.removalCount++;
    this.dropSession();
    this.emit('removed', reason);
  }

  /** Same as powerOn(): the card is presented again as a fresh card. */
  insert(): void {
    this.powerOn();
  }

  private dropSession(): void {
    this.fs.reset();
    this.app.session.end();
    this.muted = false;
    for (const wake of this.muteWaiters) wake();
    this.muteWaiters.clear();
  }

  // ------------------------------------------------------------------ exchanges

  /** Sends one APDU; resolves with data ‖ SW, or with an empty array when the card does not answer. Never rejects. */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const r = await this.exchange(apdu);
    return r.kind === 'response' ? r.bytes : new Uint8Array(0);
  }

  /** Like transmit(), but says why there was no answer. Latency faults delay it; a mute card keeps it pending. */
  async exchange(apdu: Uint8Array): Promise<ExchangeResult> {
    const result = this.exchangeSync(apdu);
    const latency = this.faults.latencyMs;
    if (latency > 0) {
      this.stats.modelledMs += latency;
      await new Promise((r) => setTimeout(r, latency));
    }
    if (result.kind !== 'mute') return result;
    await this.untilUnmuted();
    return this.present ? result : { kind: 'removed' };
  }

  /** Synchronous exchange without latency; an empty array means no answer (tag lost or mute). */
  process(apdu: Uint8Array): Uint8Array {
    const r = this.exchangeSync(apdu);
    return r.kind === 'response' ? r.bytes : new Uint8Array(0);
  }

  /** A mute card keeps the transmit pending until power-off, reset, removal or the cap. */
  private untilUnmuted(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.muteWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.muteCapMs);
      timer.unref?.();
      this.muteWaiters.add(done);
    });
  }

  private exchangeSync(apdu: Uint8Array): ExchangeResult {
    if (!this.present) return { kind: 'removed' };
    if (!this.powered) this.powerOn();
    if (this.muted) return { kind: 'mute' };
    const fault = this.faults.onApdu();
    if (fault === 'removed') {
      this.remove('tag-loss-after-apdus');
      return { kind: 'removed' };
    }
    if (fault === 'mute') {
      this.muted = true;
      return { kind: 'mute' };
    }
    let work: CryptoWork | undefined;
    let bytes: Uint8Array;
    try {
      const r = this.processor.process(apdu);
      if (r === 'removed') return { kind: 'removed' };
      bytes = r.bytes;
      work = r.work;
    } catch {
      this.internalErrors++;
      bytes = response(SW.NO_PRECISE_DIAGNOSIS);
    }
    bytes = this.faults.onResponse(bytes);
    this.stats.exchanges++;
    this.stats.bytesIn += apdu.length;
    this.stats.bytesOut += bytes.length;
    const chipMs = (work ? cryptoMs(work) * this.behaviour.cryptoTime : 0) + this.behaviour.exchangeMs;
    this.stats.modelledMs += exchangeMs(this.options.link ?? {}, apdu.length, bytes.length, chipMs);
    return { kind: 'response', bytes };
  }
}
