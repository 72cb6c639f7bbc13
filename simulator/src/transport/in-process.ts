import {
  Cancelled,
  CardRemoved,
  Timeout,
  type TransmitOptions,
  type Transport,
  type TransportCapabilities,
} from '@cccd/emrtd';
import type { ExchangeResult, SimulatedCard } from '../card/applet.js';

/**
 * Transport straight into a SimulatedCard: the fast path for tests. Honours timeouts and cancellation like a real
 * link; after tag loss every transmit fails with CardRemoved until reconnect() re-presents the card (a re-tap:
 * fresh activation, no session).
 */
export class InProcessTransport implements Transport {
  readonly capabilities: TransportCapabilities;
  /** The card's removal count when this link last saw it: a newer count means the tag was lost since. */
  private seenRemovals: number;

  /**
   * The link says what a reader knows: whether the card takes extended length (from its historical bytes), never
   * the chip's buffer size — a real reader cannot know it, so the file reader must discover it. `capabilities`
   * overrides this (a reader with its own limit).
   */
  constructor(
    readonly card: SimulatedCard,
    capabilities?: TransportCapabilities,
  ) {
    const ext = card.extendedLength;
    this.capabilities = capabilities ?? {
      extendedLength: ext,
      maxCommandLength: ext ? 4 + 3 + 65535 + 3 : 4 + 1 + 255 + 1,
      maxResponseLength: ext ? 65536 + 2 : 258,
    };
    // Tag loss is read off the card rather than listened for: links come and go per read on a long-lived card.
    this.seenRemovals = card.isPresent ? card.removals : -1;
  }

  private get lost(): boolean {
    return this.seenRemovals !== this.card.removals || !this.card.isPresent;
  }

  async transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw new Cancelled('transmit');
    if (this.lost || !this.card.isPresent) throw new CardRemoved({ step: 'transmit' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const guards = new Promise<never>((_, reject) => {
      if (timeoutMs !== undefined) timer = setTimeout(() => reject(new Timeout('transmit', timeoutMs)), timeoutMs);
      if (signal) {
        onAbort = () => reject(new Cancelled('transmit'));
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    let result: ExchangeResult;
    try {
      result = await Promise.race([this.card.exchange(command), guards]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
    if (result.kind === 'response') return result.bytes;
    if (result.kind === 'removed') throw new CardRemoved({ step: 'transmit' });
    // A mute card outlived its cap without the caller setting a deadline: report it as the timeout it is.
    throw new Timeout('transmit', this.card.muteCapMs);
  }

  /** Re-presents the card (power cycle): a fresh activation, as after lifting the card and tapping it again. */
  async reconnect(options: TransmitOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new Cancelled('reconnect');
    this.card.powerOn();
    this.seenRemovals = this.card.removals;
  }

  atr(): Uint8Array | undefined {
    return this.card.isPresent ? this.card.atr() : undefined;
  }
}
