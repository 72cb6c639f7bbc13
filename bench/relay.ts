/**
 * Benchmark: a full CCCD read through @cccd/relay (docs/relay.md §Latency). The verifier drives every APDU, so
 * each one costs a network round trip on top of the card's own link time:
 *
 *   T(RTT) = Σ link time of each exchange (simulator link model, 424 kbit/s, chip crypto included)
 *            + APDUs × RTT (+ one RTT per reconnect, none in a clean read)
 *
 * The APDUs and their link times are counted on a real relayed read (verifier and card side over loopback,
 * recorded on the card side with lib/recording.ts). The model is then checked against the same read with a
 * delay of `validateRttMs` injected before every local exchange on the card side: the wall-clock difference
 * from the undelayed run should be APDUs × RTT (the simulated card itself never sleeps: its link time is
 * modelled, not waited for).
 */
import type { TransmitOptions, Transport } from '@cccd/emrtd';
import type { InProcessTransport } from '@cccd/simulator';
import { relayedRead, startVerifier } from '../packages/relay/src/test-support/harness.js';
import { benchCard, FULL_READ_GROUPS, trustStoreFor } from './lib/cards.js';
import { RecordingTransport } from './lib/recording.js';

export const RELAY_RTTS_MS = [20, 60, 150];

export interface RelayModelRow {
  rttMs: number;
  /** APDUs × RTT. */
  networkMs: number;
  /** Link time + network time. */
  modelledMs: number;
  /** The same on a link without extended length (short APDUs: many more round trips). */
  shortModelledMs: number;
}

export interface RelayMeasurement {
  apdus: number;
  /** Σ modelled link time of the exchanges (424 kbit/s, chip crypto included). */
  linkMs: number;
  /** Bytes of relay frames both ways (JSON + hex), for the bandwidth side of a mobile link. */
  wireBytes: number;
  rows: RelayModelRow[];
  /** The read on a card side whose link carries short APDUs only (some phones' NFC). */
  short: { apdus: number; linkMs: number };
  /** The loopback check of the model: wall clock with and without the injected delay. */
  validation: { rttMs: number; baseMs: number; delayedMs: number; predictedExtraMs: number; measuredExtraMs: number };
  verdict: string;
}

/** Waits `ms` before each local exchange: the network round trip of a request, as seen by the verifier. */
class DelayedTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly ms: number,
  ) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    if (this.ms > 0) await new Promise((resolve) => setTimeout(resolve, this.ms));
    return this.inner.transmit(command, options);
  }
  reconnect(options?: TransmitOptions): Promise<void> {
    return this.inner.reconnect?.(options) ?? Promise.resolve();
  }
  atr() {
    return this.inner.atr?.();
  }
}

/** Bytes of one relay exchange on the wire: the transmit and response frames (hex doubles the APDU). */
const frameBytes = (command: number, response: number, id: number) =>
  `{"t":"transmit","id":${id},"apdu":"","timeoutMs":15000}`.length +
  2 * command +
  `{"t":"response","id":${id},"apdu":""}`.length +
  2 * response;

async function relayedFullRead(rttMs: number, extendedLength = true) {
  const image = await benchCard();
  const { verifier, url } = await startVerifier();
  let recorder: RecordingTransport | undefined;
  try {
    const started = performance.now();
    const r = await relayedRead(verifier, url, image, {
      card: { extendedLength },
      read: { trustStore: trustStoreFor(image), groups: [...FULL_READ_GROUPS] },
      wrap: (t: InProcessTransport) => {
        recorder = new RecordingTransport(t);
        return new DelayedTransport(recorder, rttMs);
      },
    });
    const wallMs = performance.now() - started;
    if (!r.result.ok) throw r.result.error;
    return { wallMs, exchanges: recorder!.exchanges, verdict: r.result.read.verification.overall };
  } finally {
    await verifier.close();
  }
}

export async function measureRelay(rtts = RELAY_RTTS_MS, validateRttMs = 20): Promise<RelayMeasurement> {
  await relayedFullRead(0); // warm-up: JIT, noble's tables
  const base = await relayedFullRead(0);
  const delayed = await relayedFullRead(validateRttMs);
  const shortRead = await relayedFullRead(0, false);
  const apdus = base.exchanges.length;
  const linkMs = base.exchanges.reduce((s, e) => s + e.modelledMs, 0);
  const short = {
    apdus: shortRead.exchanges.length,
    linkMs: shortRead.exchanges.reduce((s, e) => s + e.modelledMs, 0),
  };
  const wireBytes = base.exchanges.reduce((s, e, i) => s + frameBytes(e.commandBytes, e.responseBytes, i + 1), 0);
  return {
    apdus,
    linkMs,
    wireBytes,
    rows: rtts.map((rttMs) => ({
      rttMs,
      networkMs: apdus * rttMs,
      modelledMs: linkMs + apdus * rttMs,
      shortModelledMs: short.linkMs + short.apdus * rttMs,
    })),
    short,
    validation: {
      rttMs: validateRttMs,
      baseMs: base.wallMs,
      delayedMs: delayed.wallMs,
      predictedExtraMs: delayed.exchanges.length * validateRttMs,
      measuredExtraMs: delayed.wallMs - base.wallMs,
    },
    verdict: base.verdict,
  };
}

export function renderRelay(r: RelayMeasurement): string[] {
  const f = (n: number) => n.toFixed(0);
  const v = r.validation;
  return [
    '',
    '### Relay: full read through @cccd/relay (modelled)',
    '',
    `A full verified read (as above, extended length) relayed APDU by APDU: ${r.apdus} APDUs, ${f(r.linkMs)} ms of card`,
    `link time (424 kbit/s model), ${(r.wireBytes / 1024).toFixed(1)} KB of relay frames. Modelled time =`,
    'link time + APDUs × RTT (docs/relay.md).',
    '',
    `Short-APDU column: the same read on a card side whose link has no extended length (${r.short.apdus} APDUs,`,
    `${f(r.short.linkMs)} ms of link time), as on phones whose NFC controller caps the frame.`,
    '',
    '| RTT ms | APDUs | link ms | network ms | modelled read ms | short APDUs: modelled ms |',
    '|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| ${x.rttMs} | ${r.apdus} | ${f(r.linkMs)} | ${f(x.networkMs)} | ${f(x.modelledMs)} | ${f(x.shortModelledMs)} |`,
    ),
    '',
    `Check on loopback: ${v.rttMs} ms injected before each APDU added ${f(v.measuredExtraMs)} ms of wall clock ` +
      `(predicted ${f(v.predictedExtraMs)} ms; undelayed relayed read ${f(v.baseMs)} ms, delayed ${f(v.delayedMs)} ms).`,
  ];
}
