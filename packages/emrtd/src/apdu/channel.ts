/**
 * The single path every APDU takes to the card: one per-exchange deadline and one AbortSignal, so no wait is
 * unbounded, plus byte/APDU counters for the read report. Channels (plain, secure messaging) sit on top.
 */
import { concat } from '../codec/bytes.js';
import { Cancelled, EmrtdError, Timeout } from '../errors.js';
import type { Transport } from '../transport.js';
import { type CommandApdu, encodeCommand } from './command.js';
import { parseResponse, type ResponseApdu } from './response.js';

export const DEFAULT_EXCHANGE_TIMEOUT_MS = 15_000;

export interface ExchangeOptions {
  /** Deadline for one command/response pair. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExchangeStats {
  apdus: number;
  bytesOut: number;
  bytesIn: number;
}

export const newStats = (): ExchangeStats => ({ apdus: 0, bytesOut: 0, bytesIn: 0 });

/**
 * Sends one APDU with a deadline and cancellation. Rejects only with EmrtdError: Timeout, Cancelled, or the
 * transport's own EmrtdError (e.g. CardRemoved); any other transport failure becomes a retriable 'transport' error.
 */
export async function transmitApdu(
  transport: Transport,
  command: Uint8Array,
  step: string,
  options: ExchangeOptions = {},
): Promise<Uint8Array> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
  if (signal?.aborted) throw new Cancelled(step);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(step, timeoutMs)), timeoutMs);
    onAbort = () => reject(new Cancelled(step));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const sent = Promise.resolve().then(() => transport.transmit(command, { signal, timeoutMs }));
  // The transport may settle after we gave up: keep that late rejection from going unhandled.
  sent.catch(() => undefined);
  try {
    return await Promise.race([sent, guard]);
  } catch (e) {
    if (e instanceof EmrtdError) throw e;
    throw new EmrtdError('transport', `transport failure at ${step}`, { step, retriable: true, cause: e });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Anything that can exchange a command APDU for a response APDU. */
export interface ApduChannel {
  send(command: CommandApdu, step: string): Promise<ResponseApdu>;
}

const MAX_GET_RESPONSE = 64;

/** Unprotected channel: encodes, transmits with the deadline, counts bytes, and follows 61xx with GET RESPONSE. */
export class PlainChannel implements ApduChannel {
  readonly stats: ExchangeStats;
  constructor(
    readonly transport: Transport,
    readonly options: ExchangeOptions = {},
    stats?: ExchangeStats,
  ) {
    this.stats = stats ?? newStats();
  }

  async send(command: CommandApdu, step: string): Promise<ResponseApdu> {
    const plain = (command.cla & 0x0c) === 0;
    let response = await this.exchange(encodeCommand(command), step, plain);
    // T=0 style continuation (pcscd does not do this for T=1): fetch the rest, bounded.
    const parts: Uint8Array[] = [];
    for (let i = 0; response.sw >> 8 === 0x61 && i < MAX_GET_RESPONSE; i++) {
      parts.push(response.data);
      const le = response.sw & 0xff || 256;
      response = await this.exchange(encodeCommand({ cla: 0x00, ins: 0xc0, p1: 0, p2: 0, ne: le }), step, plain);
    }
    if (parts.length) return { data: concat(...parts, response.data), sw: response.sw };
    return response;
  }

  private async exchange(bytes: Uint8Array, step: string, plain: boolean): Promise<ResponseApdu> {
    this.stats.apdus++;
    this.stats.bytesOut += bytes.length;
    const raw = await transmitApdu(this.transport, bytes, step, this.options);
    this.stats.bytesIn += raw.length;
    return parseResponse(raw, step, { plain });
  }
}
