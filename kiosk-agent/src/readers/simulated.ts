/**
 * Simulated readers: an in-process SimulatedCard personalised from a simulator profile, always "on the reader"
 * unless a test (or the operator) removes it. The card is built once per profile and seed; each reader gets its own
 * SimulatedCard so faults and sessions do not cross readers.
 */
import type { EventEmitter } from 'node:events';
import { Cancelled, CardRemoved, type TransmitOptions, type Transport } from '@cccd/emrtd';
import { InProcessTransport, loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { AgentError } from '../errors.js';
import type { CardLink, OpenOptions, Reader, ReaderSourceEvents } from './types.js';

const cache = new Map<string, Promise<PersonalisedCard>>();

/** Personalising costs about a second (keys, SOD signature): done once per profile and seed per process. */
export function personalisedCard(profile: string, seed: number): Promise<PersonalisedCard> {
  const key = `${profile}\u0000${seed}`;
  let card = cache.get(key);
  if (!card) {
    card = personalise(loadProfile(profile), { seed });
    cache.set(key, card);
    card.catch(() => cache.delete(key));
  }
  return card;
}

/** How long a read waits for the card to come back after tag loss (the operator lifting and re-tapping it). */
const RETAP_WAIT_MS = 5000;

/** The card link: the in-process transport, failing for good once the reader is unplugged. */
class SimulatedLink implements Transport, CardLink {
  readonly transport: Transport = this;
  private inner: InProcessTransport;

  constructor(private readonly reader: SimulatedReader) {
    // A fresh activation per read, as a PC/SC connect after the previous client's reset disposition.
    if (reader.cardPresent()) reader.card.powerOn();
    this.inner = new InProcessTransport(reader.card);
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    if (!this.reader.plugged) return Promise.reject(new AgentError('ERR_READER_REMOVED', 'reader unplugged'));
    return this.inner.transmit(command, options);
  }

  /**
   * After tag loss: waits (bounded, like PcscTransport.reconnect) for the card to be presented again, then
   * continues on it — a re-tap resumes the read instead of ending it.
   */
  async reconnect(options: TransmitOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new Cancelled('reconnect');
    if (!this.reader.plugged) throw new AgentError('ERR_READER_REMOVED', 'reader unplugged');
    if (!this.reader.cardPresent()) {
      const signal = options.signal ?? new AbortController().signal;
      await this.reader
        .waitForRetap({ signal, waitCardTimeoutMs: options.timeoutMs ?? RETAP_WAIT_MS })
        .catch((e: unknown) => {
          throw e instanceof AgentError && e.code === 'ERR_CARD_TIMEOUT' ? new CardRemoved({ step: 'reconnect' }) : e;
        });
    }
    // insertCard() puts a new chip on the reader: follow it.
    if (this.inner.card !== this.reader.card) this.inner = new InProcessTransport(this.reader.card);
    await this.inner.reconnect(options);
  }

  atr(): Uint8Array | undefined {
    return this.inner.atr();
  }

  /** Like PcscTransport's default 'reset' disposition: no later read rides on this session. */
  async close(): Promise<void> {
    this.reader.card.reset();
  }
}

/**
 * Extended length, as on the recommended readers (ACR1552U, OMNIKEY 5022/5422, uTrust 3700F): a 2048-bit RSA
 * active-authentication answer does not fit a short APDU under secure messaging.
 */
const cardOptions = (faults: string[], chip: string[]) => ({ faults, chip, extendedLength: true });

export class SimulatedReader implements Reader {
  readonly kind = 'simulated' as const;
  readonly name: string;
  card: SimulatedCard;
  plugged = true;
  private present = true;

  constructor(
    readonly readerId: string,
    readonly image: PersonalisedCard,
    private readonly faults: string[],
    private readonly events: EventEmitter<ReaderSourceEvents>,
    private readonly chip: string[] = [],
  ) {
    this.name = `Simulated CCCD reader ${readerId.replace(/^sim-/, '')}`;
    this.card = new SimulatedCard(image, cardOptions(faults, chip));
  }

  cardPresent(): boolean {
    return this.plugged && this.present;
  }

  async open(options: OpenOptions): Promise<CardLink> {
    if (options.signal.aborted) throw new Cancelled('wait for card');
    if (!this.plugged) throw new AgentError('ERR_READER_REMOVED', 'reader unplugged');
    if (!this.present) await this.waitForCard(options);
    return new SimulatedLink(this);
  }

  /** Takes the card off the reader (tag loss for a read in progress). */
  removeCard(): void {
    if (!this.present) return;
    this.present = false;
    this.card.remove('removed');
    this.events.emit('card-removed', this);
  }

  /** Puts a fresh card (same citizen, new chip state and faults) on the reader. */
  insertCard(faults: string[] = this.faults): void {
    if (this.present || !this.plugged) return;
    this.card = new SimulatedCard(this.image, cardOptions(faults, this.chip));
    this.present = true;
    this.events.emit('card-inserted', this);
  }

  /** Pulls the reader's USB cable. */
  unplug(): void {
    if (!this.plugged) return;
    if (this.present) this.card.remove('reader unplugged');
    this.plugged = false;
    this.events.emit('detached', this);
  }

  /** Waits (bounded) for a card to be put back on this reader. */
  waitForRetap(options: OpenOptions): Promise<void> {
    return this.cardPresent() ? Promise.resolve() : this.waitForCard(options);
  }

  private waitForCard(options: OpenOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.events.off('card-inserted', onInsert);
        this.events.off('detached', onDetach);
        options.signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onInsert = (r: Reader) => r === this && done();
      const onDetach = (r: Reader) => r === this && done(new AgentError('ERR_READER_REMOVED', 'reader unplugged'));
      const onAbort = () => done(new Cancelled('wait for card'));
      const timer = setTimeout(
        () => done(new AgentError('ERR_CARD_TIMEOUT', 'no card presented')),
        options.waitCardTimeoutMs,
      );
      this.events.on('card-inserted', onInsert);
      this.events.on('detached', onDetach);
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export async function createSimulatedReaders(
  options: { profile: string; seed: number; count: number; faults: string[]; chip?: string[] },
  events: EventEmitter<ReaderSourceEvents>,
): Promise<SimulatedReader[]> {
  const image = await personalisedCard(options.profile, options.seed);
  return Array.from(
    { length: options.count },
    (_, i) => new SimulatedReader(`sim-${i + 1}`, image, options.faults, events, options.chip),
  );
}
