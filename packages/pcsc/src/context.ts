import { EventEmitter } from 'node:events';
import { equal } from '@cccd/emrtd/codec';
import { bounded, deadlineIn } from './bounded.js';
import { isServiceLoss, mapPcscError, PcscError, pcscCodeOf } from './errors.js';
import { type ProcessHostOptions, processFactory } from './host.js';
import { type NativeContext, type NativeFactory, type NativeReader, STATE, safely } from './native.js';

export interface ReaderInfo {
  name: string;
  /** A responsive card is in (or on) the reader. */
  present: boolean;
  atr: Uint8Array | undefined;
  /** Sequence number of the present card's insertion (unique within this context), when present. */
  insertion: number | undefined;
}

export interface CardPresence {
  reader: string;
  atr: Uint8Array;
  /** Sequence number of this insertion, unique within the context: tells a re-tap from the same tap. */
  insertion: number;
}

export interface PcscContextEvents {
  'reader-attached': [{ name: string }];
  'reader-detached': [{ name: string }];
  'card-inserted': [CardPresence];
  'card-removed': [CardPresence];
  /** The resource manager went away (or was never reachable); readers were detached, recovery is running. */
  'service-down': [{ error: PcscError }];
  /** The resource manager answers again (also emitted once after the first successful start). */
  'service-up': [];
}

export interface PcscContextOptions {
  /** First and longest delay between attempts to re-establish the context while the service is down. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long close() waits for a native call still running (e.g. a mute card). */
  closeTimeoutMs?: number;
  /** Settings of the PC/SC host process (heartbeat, stall limit); ignored with `factory`. */
  host?: ProcessHostOptions;
  /**
   * Where native contexts come from. Default: a host process owned by this context (`processFactory`), so a
   * frozen binding can be killed. `inProcessFactory` loads pcsclite here instead (no child process); tests pass
   * stand-ins.
   */
  factory?: NativeFactory;
}

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WaitForCardOptions extends WaitOptions {
  /** Only a card inserted after this insertion (CardPresence.insertion) counts: waits for a re-tap. */
  after?: number;
}

/** A transport holding a reader; the context closes it on close(). */
export interface ReaderLease {
  close(): Promise<void>;
}

interface ReaderEntry {
  native: NativeReader;
  statusSeen: boolean;
  present: boolean;
  atr: Uint8Array | undefined;
  /** pcsc-lite and WinSCard count card insertions/removals in the high word of the event state. */
  counter: number;
  insertion: number | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * One PC/SC resource-manager context with a debounced reader/card event stream that survives pcscd restarts.
 * Nothing touches PC/SC until start() (or the first listener, readers(), waitForCard()).
 */
export class PcscContext extends EventEmitter<PcscContextEvents> {
  private readonly factory: NativeFactory;
  private readonly ownsFactory: boolean;
  private readonly backoffInitial: number;
  private readonly backoffMax: number;
  private readonly closeTimeoutMs: number;
  private native: NativeContext | undefined;
  private generation = 0;
  private readonly entries = new Map<string, ReaderEntry>();
  private readonly leases = new Map<string, ReaderLease>();
  /** Native calls still running, per reader object (settle-only promises). */
  private readonly busy = new Map<NativeReader, Promise<void>>();
  private readonly changeWaiters = new Set<() => void>();
  private enumerated = false;
  private insertions = 0;
  private up: boolean | undefined;
  private lastError: PcscError | undefined;
  private started = false;
  private closing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private readonly lifetime = new AbortController();
  private readonly pendingCloses = new Set<Promise<void>>();

  constructor(options: PcscContextOptions = {}) {
    super();
    this.ownsFactory = options.factory === undefined;
    this.factory = options.factory ?? processFactory(options.host);
    this.backoffInitial = options.backoff?.initialMs ?? 100;
    this.backoffMax = options.backoff?.maxMs ?? 2000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2000;
    this.backoffMs = this.backoffInitial;
    // Subscribing to any event starts monitoring, like ws starts on listen.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event !== 'newListener' && event !== 'removeListener') queueMicrotask(() => this.start());
    });
  }

  /** True once the service answered, false while it is down, undefined before the first attempt. */
  get serviceUp(): boolean | undefined {
    return this.up;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Begins monitoring; idempotent. */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.establish();
  }

  /** Readers known to the service with their card state, once the first enumeration settled. */
  async readers(options: WaitOptions = {}): Promise<ReaderInfo[]> {
    this.assertOpen();
    this.start();
    await bounded(
      this.until(() => this.settled()),
      this.deadline(options, 5000),
      'list readers',
    );
    if (!this.up) throw this.lastError ?? new PcscError('no-service', undefined, { step: 'list readers' });
    return [...this.entries].map(([name, e]) => info(name, e));
  }

  /** Current card state of one reader (no waiting). */
  reader(name: string): ReaderInfo | undefined {
    const e = this.entries.get(name);
    return e && info(name, e);
  }

  /** Resolves with the first present card (on `reader`, or on any reader), waiting for an insertion if needed. */
  async waitForCard(reader?: string, options: WaitForCardOptions = {}): Promise<CardPresence> {
    this.assertOpen();
    this.start();
    const after = options.after ?? 0;
    const present = this.presentCard(reader, after);
    if (present) return present;
    let listener: ((card: CardPresence) => void) | undefined;
    const inserted = new Promise<CardPresence>((resolve) => {
      listener = (card) => {
        if ((reader === undefined || card.reader === reader) && card.insertion > after) resolve(card);
      };
      this.on('card-inserted', listener);
    });
    try {
      return await bounded(inserted, this.deadline(options, 30_000), 'wait for card');
    } finally {
      if (listener) this.off('card-inserted', listener);
    }
  }

  /** Stops monitoring, closes every transport and native handle. Pending waits reject with Cancelled. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- used by PcscTransport -------------------------------------------------------------------------------

  /** @internal The live native reader for `name` in the current generation. */
  nativeReader(name: string): NativeReader | undefined {
    return this.up ? this.entries.get(name)?.native : undefined;
  }

  /** @internal One transport per reader: the binding keeps a single card handle per reader object. */
  lease(name: string, lease: ReaderLease): void {
    this.assertOpen();
    if (this.leases.has(name)) throw new PcscError('reader-busy', undefined, { step: 'connect' });
    this.leases.set(name, lease);
  }

  /** @internal */
  release(name: string, lease: ReaderLease): void {
    if (this.leases.get(name) === lease) this.leases.delete(name);
  }

  /** @internal Records a native call so the reader object is not closed under it. */
  track(native: NativeReader, call: Promise<unknown>): void {
    const settled = call.then(
      () => {},
      () => {},
    );
    const all = Promise.all([this.busy.get(native), settled]).then(() => {});
    this.busy.set(native, all);
    void all.then(() => {
      if (this.busy.get(native) === all) this.busy.delete(native);
    });
  }

  /** @internal Combines a caller's budget with the context's lifetime (close() aborts waits). */
  deadline(options: WaitOptions, defaultMs: number) {
    const signal = options.signal ? AbortSignal.any([options.signal, this.lifetime.signal]) : this.lifetime.signal;
    return deadlineIn(options.timeoutMs ?? defaultMs, signal);
  }

  // ---- native context lifecycle ------------------------------------------------------------------------------

  private establish(): void {
    this.retryTimer = undefined;
    if (this.closing) return;
    let native: NativeContext;
    try {
      native = this.factory();
    } catch (error) {
      this.serviceLost(error, 'SCardEstablishContext');
      return;
    }
    const generation = ++this.generation;
    this.native = native;
    this.enumerated = false;
    // Always listen: the binding emits 'error' on close (SCardCancel) and when the service dies.
    native.on('error', (error: unknown) => {
      if (generation === this.generation && !this.closing) this.serviceLost(error, 'SCardGetStatusChange');
    });
    native.on('reader', (reader: NativeReader) => this.onReader(generation, reader));
    const start = native.start;
    if (typeof start === 'function') {
      native.start = (cb) =>
        start.call(native, (err, readers) => {
          if (!err && generation === this.generation) this.onEnumerated();
          cb(err, readers);
          this.notify();
        });
    } else {
      queueMicrotask(() => {
        if (generation === this.generation) this.onEnumerated();
        this.notify();
      });
    }
  }

  private onEnumerated(): void {
    this.enumerated = true;
    this.backoffMs = this.backoffInitial;
    if (this.up !== true) {
      this.up = true;
      this.lastError = undefined;
      this.emit('service-up');
    }
  }

  private serviceLost(error: unknown, step: string): void {
    const mapped = mapPcscError(error, step);
    const pcscError =
      mapped instanceof PcscError && mapped.reason === 'no-service'
        ? mapped
        : new PcscError('no-service', pcscCodeOf(error), { step, cause: error });
    this.teardown(true);
    if (this.up !== false) {
      this.up = false;
      this.lastError = pcscError;
      this.emit('service-down', { error: pcscError });
    }
    this.notify();
    if (this.closing) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.backoffMax);
    // Unref: a process that only waits for the service to come back may still exit.
    this.retryTimer = setTimeout(() => this.establish(), delay).unref();
  }

  /** Drops the current generation: late events from its native objects are ignored from here on. */
  private teardown(emitEvents: boolean): void {
    const native = this.native;
    this.native = undefined;
    this.generation++;
    this.enumerated = false;
    const entries = [...this.entries];
    this.entries.clear();
    for (const [name, entry] of entries) {
      if (emitEvents) {
        if (entry.present) this.emit('card-removed', removal(name, entry));
        this.emit('reader-detached', { name });
      }
      this.closeNativeReader(entry.native);
    }
    // The binding starts its monitor thread on the next tick; closing before that would leak the thread.
    if (native) this.pending(new Promise<void>((r) => setImmediate(r)).then(() => safely(() => native.close())));
  }

  private closeNativeReader(native: NativeReader): void {
    native.removeAllListeners('status');
    // Closing joins the monitor thread while holding the reader mutex, which a running transmit also holds:
    // doing it under a running call would block the event loop until the card answers.
    const running = this.busy.get(native);
    this.pending((running ?? new Promise<void>((r) => setImmediate(r))).then(() => safely(() => native.close())));
  }

  private pending(close: Promise<void>): void {
    this.pendingCloses.add(close);
    void close.finally(() => this.pendingCloses.delete(close));
  }

  private onReader(generation: number, native: NativeReader): void {
    native.on('error', (error: unknown) => {
      if (generation === this.generation && !this.closing && isServiceLoss(pcscCodeOf(error))) {
        this.serviceLost(error, 'SCardGetStatusChange');
      }
      // Any other monitor error ends the reader's thread: the binding follows it with 'end'.
    });
    if (generation !== this.generation || this.closing) {
      this.closeNativeReader(native);
      return;
    }
    native.on('end', () => this.onReaderEnd(generation, native));
    native.on('status', (status: { state: number; atr?: Buffer }) => this.onStatus(generation, native, status));
    this.entries.set(native.name, {
      native,
      statusSeen: false,
      present: false,
      atr: undefined,
      counter: 0,
      insertion: undefined,
    });
    this.emit('reader-attached', { name: native.name });
  }

  private onReaderEnd(generation: number, native: NativeReader): void {
    const entry = this.entries.get(native.name);
    if (generation !== this.generation || entry?.native !== native) return;
    this.entries.delete(native.name);
    if (entry.present) this.emit('card-removed', removal(native.name, entry));
    this.emit('reader-detached', { name: native.name });
    this.notify();
  }

  /** The binding repeats states (e.g. INUSE toggles): only presence, ATR and the event counter matter. */
  private onStatus(generation: number, native: NativeReader, status: { state: number; atr?: Buffer }): void {
    const entry = this.entries.get(native.name);
    if (generation !== this.generation || entry?.native !== native) return;
    const { state } = status;
    const present = (state & STATE.PRESENT) !== 0 && (state & (STATE.MUTE | STATE.UNKNOWN)) === 0;
    const counter = state >>> 16;
    const atr = present ? new Uint8Array(status.atr ?? EMPTY) : undefined;
    const swapped =
      entry.present && present && ((entry.atr && atr && !equal(entry.atr, atr)) || counter !== entry.counter);
    const name = native.name;
    const before = { present: entry.present, atr: entry.atr ?? EMPTY, insertion: entry.insertion ?? 0 };
    const inserted = present && (!before.present || swapped);
    const insertion = inserted ? ++this.insertions : present ? entry.insertion : undefined;
    Object.assign(entry, { statusSeen: true, present, atr, counter, insertion });
    if (before.present && (!present || swapped))
      this.emit('card-removed', { reader: name, atr: before.atr, insertion: before.insertion });
    if (inserted) this.emit('card-inserted', { reader: name, atr: atr ?? EMPTY, insertion: insertion! });
    this.notify();
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  private settled(): boolean {
    if (this.up === false) return true;
    return this.up === true && this.enumerated && [...this.entries.values()].every((e) => e.statusSeen);
  }

  private presentCard(reader: string | undefined, after: number): CardPresence | undefined {
    for (const [name, e] of this.entries) {
      if (e.present && (reader === undefined || name === reader) && (e.insertion ?? 0) > after) {
        return { reader: name, atr: e.atr ?? EMPTY, insertion: e.insertion ?? 0 };
      }
    }
    return undefined;
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition() && !this.closing) return;
        this.changeWaiters.delete(check);
        resolve();
      };
      this.changeWaiters.add(check);
    });
  }

  private notify(): void {
    for (const check of [...this.changeWaiters]) check();
  }

  private assertOpen(): void {
    if (this.closing) throw new PcscError('closed', undefined);
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.lifetime.abort();
    this.notify();
    await Promise.allSettled([...this.leases.values()].map((l) => l.close()));
    this.teardown(false);
    const pending = Promise.allSettled([...this.pendingCloses]);
    await bounded(pending, deadlineIn(this.closeTimeoutMs), 'close').catch(() => {});
    // A factory passed in may serve other contexts: only the one created here is this context's to stop.
    if (this.ownsFactory) this.factory.dispose?.();
    this.removeAllListeners();
  }
}

const info = (name: string, e: ReaderEntry): ReaderInfo => ({
  name,
  present: e.present,
  atr: e.atr,
  insertion: e.insertion,
});

const removal = (reader: string, e: ReaderEntry): CardPresence => ({
  reader,
  atr: e.atr ?? EMPTY,
  insertion: e.insertion ?? 0,
});
