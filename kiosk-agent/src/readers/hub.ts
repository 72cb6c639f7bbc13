/**
 * ReaderHub: every reader the agent can use (PC/SC and simulated) behind one event stream, and the lease that
 * guarantees one read per reader at a time. Waiters queue per reader (FIFO, capped, with a deadline); a reader that
 * goes away fails its queue with ERR_READER_REMOVED.
 */
import { EventEmitter } from 'node:events';
import { Cancelled } from '@cccd/emrtd';
import { AgentError } from '../errors.js';
import { PcscSource } from './pcsc.js';
import { createSimulatedReaders, type SimulatedReader } from './simulated.js';
import type { Reader, ReaderSourceEvents } from './types.js';

/** Reader names of vsmartcard's vpcd driver (software cards, e.g. `cccd sim run`). */
const VIRTUAL_READER = /^Virtual PCD\b/;
export interface HubOptions {
  pcsc: boolean;
  simulate: boolean;
  simulateWhenNoReader: boolean;
  simulation: { profile: string; seed: number; readers: number; faults: string[]; chip?: string[] };
  maxQueuePerReader: number;
}

export interface HubEvents {
  'reader-attached': [Reader];
  'reader-detached': [Reader];
  'card-inserted': [Reader];
  'card-removed': [Reader];
  status: [];
  /** The simulateWhenNoReader fallback switched: true = simulated readers replace the missing PC/SC ones. */
  simulation: [boolean];
}

export interface Lease {
  reader: Reader;
  release(): void;
}

interface Waiter {
  grant(lease: Lease): void;
  fail(error: Error): void;
}

interface Slot {
  busy: boolean;
  queue: Waiter[];
}

export class ReaderHub extends EventEmitter<HubEvents> {
  private readonly source = new EventEmitter<ReaderSourceEvents>();
  private readonly visible = new Map<string, Reader>();
  private readonly slots = new Map<string, Slot>();
  private pcsc: PcscSource | undefined;
  simulated: SimulatedReader[] = [];
  private closed = false;
  private usingSimulated = false;

  constructor(private readonly options: HubOptions) {
    super();
    this.source.on('attached', (r) => this.refresh(r));
    this.source.on('detached', (r) => this.refresh(r));
    this.source.on('card-inserted', (r) => this.visible.has(r.readerId) && this.emit('card-inserted', r));
    this.source.on('card-removed', (r) => this.visible.has(r.readerId) && this.emit('card-removed', r));
    this.source.on('status', () => this.emit('status'));
  }

  async start(): Promise<void> {
    const o = this.options;
    if (o.simulate || o.simulateWhenNoReader)
      this.simulated = await createSimulatedReaders(
        {
          profile: o.simulation.profile,
          seed: o.simulation.seed,
          count: o.simulation.readers,
          faults: o.simulation.faults,
          chip: o.simulation.chip,
        },
        this.source,
      );
    if (o.pcsc && !o.simulate) {
      this.pcsc = new PcscSource(this.source);
      await this.pcsc.start();
    }
    this.refresh();
  }

  /** 'disabled' when PC/SC is not used, else whether pcscd / SCardSvr answers. */
  pcscStatus(): 'up' | 'down' | 'disabled' {
    if (!this.pcsc) return 'disabled';
    return this.pcsc.up ? 'up' : 'down';
  }

  readers(): Reader[] {
    return [...this.visible.values()];
  }

  get(readerId: string): Reader | undefined {
    return this.visible.get(readerId);
  }

  /** Whether the agent's readers are simulated ones (configured, or the fallback), even while all are unplugged. */
  get simulating(): boolean {
    return this.usingSimulated;
  }

  /** Recomputes the visible set: PC/SC readers, plus simulated ones when configured (or while PC/SC has none). */
  private refresh(_changed?: Reader): void {
    if (this.closed) return;
    const pcscReaders = [...(this.pcsc?.readers.values() ?? [])];
    // vsmartcard's virtual readers are always there on a dev machine: they are not an attached reader.
    const hardware = pcscReaders.filter((r) => !VIRTUAL_READER.test(r.name));
    const useSim = this.options.simulate || (this.options.simulateWhenNoReader && hardware.length === 0);
    const wanted = new Map<string, Reader>();
    for (const r of pcscReaders) wanted.set(r.readerId, r);
    if (useSim) for (const r of this.simulated) if (r.plugged) wanted.set(r.readerId, r);
    for (const [id, r] of this.visible)
      if (wanted.get(id) !== r) {
        this.visible.delete(id);
        this.failQueue(id, new AgentError('ERR_READER_REMOVED', 'reader detached'));
        this.emit('reader-detached', r);
      }
    for (const [id, r] of wanted)
      if (!this.visible.has(id)) {
        this.visible.set(id, r);
        this.emit('reader-attached', r);
      }
    // Never switch silently: reads on the other side of this change are (or stop being) invented cards.
    if (useSim !== this.usingSimulated) {
      this.usingSimulated = useSim;
      this.emit('simulation', useSim);
    }
  }

  private slot(readerId: string): Slot {
    let s = this.slots.get(readerId);
    if (!s) {
      s = { busy: false, queue: [] };
      this.slots.set(readerId, s);
    }
    return s;
  }

  private failQueue(readerId: string, error: Error): void {
    const s = this.slots.get(readerId);
    if (!s) return;
    for (const w of s.queue.splice(0)) w.fail(error);
  }

  /** The reader a request without readerId gets: free with a card, then free, then the shortest queue. */
  private pick(): Reader {
    const all = this.readers();
    if (all.length === 0)
      throw new AgentError(this.pcscStatus() === 'down' ? 'ERR_PCSC_UNAVAILABLE' : 'ERR_NO_READER', 'no reader');
    const free = all.filter((r) => !this.slot(r.readerId).busy);
    return (
      free.find((r) => r.cardPresent()) ??
      free[0] ??
      all.reduce((a, b) => (this.slot(b.readerId).queue.length < this.slot(a.readerId).queue.length ? b : a))
    );
  }

  /**
   * Exclusive use of a reader until release(). Waits in the reader's queue at most `queueTimeoutMs`
   * (ERR_READER_BUSY), or until `signal` aborts (Cancelled).
   */
  acquire(readerId: string | undefined, options: { signal: AbortSignal; queueTimeoutMs: number }): Promise<Lease> {
    if (this.closed) return Promise.reject(new AgentError('ERR_NO_READER', 'agent shutting down'));
    if (options.signal.aborted) return Promise.reject(new Cancelled('reader lease'));
    let reader: Reader;
    try {
      reader = readerId === undefined ? this.pick() : this.requireReader(readerId);
    } catch (e) {
      return Promise.reject(e);
    }
    const slot = this.slot(reader.readerId);
    const lease = (): Lease => {
      slot.busy = true;
      let released = false;
      return {
        reader,
        release: () => {
          if (released) return;
          released = true;
          slot.busy = false;
          slot.queue.shift()?.grant(lease());
        },
      };
    };
    if (!slot.busy) return Promise.resolve(lease());
    if (slot.queue.length >= this.options.maxQueuePerReader || options.queueTimeoutMs === 0)
      return Promise.reject(new AgentError('ERR_READER_BUSY', 'reader busy', { readerId: reader.readerId }));
    return new Promise<Lease>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        const i = slot.queue.indexOf(waiter);
        if (i >= 0) slot.queue.splice(i, 1);
      };
      const waiter: Waiter = {
        grant: (l) => {
          cleanup();
          // The waiter may have given up in the same tick: hand the lease back.
          resolve(l);
        },
        fail: (e) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () => waiter.fail(new Cancelled('reader lease'));
      const timer = setTimeout(
        () => waiter.fail(new AgentError('ERR_READER_BUSY', 'reader busy', { readerId: reader.readerId })),
        options.queueTimeoutMs,
      );
      options.signal.addEventListener('abort', onAbort, { once: true });
      slot.queue.push(waiter);
    });
  }

  queued(readerId: string): number {
    return this.slots.get(readerId)?.queue.length ?? 0;
  }

  isBusy(readerId: string): boolean {
    return this.slots.get(readerId)?.busy ?? false;
  }

  private requireReader(readerId: string): Reader {
    const r = this.visible.get(readerId);
    if (!r) throw new AgentError('ERR_NO_READER', 'unknown reader', { readerId: readerId.slice(0, 64) });
    return r;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of this.slots.keys()) this.failQueue(id, new AgentError('ERR_NO_READER', 'agent shutting down'));
    await this.pcsc?.close();
  }
}
