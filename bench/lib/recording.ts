/**
 * A transport that records every exchange with the simulator's modelled duration, and times the card side's own
 * CPU so that the reader's CPU can be measured by subtraction (the simulated card runs in the same thread).
 */
import type { TransmitOptions, Transport, TransportCapabilities } from '@cccd/emrtd';
import type { InProcessTransport, SimulatedCard } from '@cccd/simulator';

export interface RecordedExchange {
  /** INS byte of the command as sent (readable under secure messaging: the header is not encrypted). */
  ins: number;
  /** CLA had the secure-messaging bits (0x0C). */
  sm: boolean;
  commandBytes: number;
  responseBytes: number;
  /** Modelled duration of this exchange on the simulator's link (includes modelled chip crypto). */
  modelledMs: number;
}

/** Wraps `card.exchange` so its synchronous part (the whole applet) is timed; returns a reader of the total. */
export function timeCardSide(card: SimulatedCard): { readonly ms: number } {
  const original = card.exchange.bind(card);
  const clock = { ms: 0 };
  card.exchange = (apdu: Uint8Array) => {
    const t0 = performance.now();
    const pending = original(apdu);
    clock.ms += performance.now() - t0;
    return pending;
  };
  return clock;
}

export class RecordingTransport implements Transport {
  readonly exchanges: RecordedExchange[] = [];
  readonly capabilities: TransportCapabilities;

  constructor(private readonly inner: InProcessTransport) {
    this.capabilities = inner.capabilities;
  }

  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    const before = this.inner.card.stats.modelledMs;
    const response = await this.inner.transmit(command, options);
    this.exchanges.push({
      ins: command[1] ?? 0,
      sm: ((command[0] ?? 0) & 0x0c) === 0x0c,
      commandBytes: command.length,
      responseBytes: response.length,
      modelledMs: this.inner.card.stats.modelledMs - before,
    });
    return response;
  }

  reconnect(options?: TransmitOptions): Promise<void> {
    return this.inner.reconnect(options);
  }

  atr(): Uint8Array | undefined {
    return this.inner.atr();
  }
}
