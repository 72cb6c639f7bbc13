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
  private lost: boolean;

  constructor(readonly card: SimulatedCard) {
    const { maxLc, maxNe } = card.limits;
    const ext = card.extendedLength;
    this.capabilities = {
      extendedLength: ext,
      maxCommandLength: ext ? 4 + 3 + maxLc + 2 : 4 + 1 + 255 + 1,
      maxResponseLength: ext ? maxNe + 2 : 258,
    };
    this.lost = !card.isPresent;
    card.on('removed', () => {
      this.lost = true;
    });
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
    if (result.kind === 'removed') {
      this.lost = true;
      throw new CardRemoved({ step: 'transmit' });
    }
    // A mute card outlived its cap without the caller setting a deadline: report it as the timeout it is.
    throw new Timeout('transmit', this.card.muteCapMs);
  }

  /** Re-presents the card (power cycle): a fresh activation, as after lifting the card and tapping it again. */
  async reconnect(options: TransmitOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new Cancelled('reconnect');
    this.card.powerOn();
    this.lost = false;
  }

  atr(): Uint8Array | undefined {
    return this.card.isPresent ? this.card.atr() : undefined;
  }
}
