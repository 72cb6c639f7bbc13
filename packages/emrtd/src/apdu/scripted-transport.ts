/**
 * A Transport that replays a fixed command/response script — for tests of protocol code against published
 * transcripts (ICAO worked examples) and for integrators' own tests. A command that differs from the script fails
 * the exchange with an EmrtdError naming the step number (never the bytes, which may be personal data).
 */
import { fromHex, hex } from '../codec/bytes.js';
import { EmrtdError } from '../errors.js';
import type { TransmitOptions, Transport, TransportCapabilities } from '../transport.js';

export type ScriptStep = [command: string, response: string];

export class ScriptedTransport implements Transport {
  readonly sent: string[] = [];
  private index = 0;
  constructor(
    private readonly script: ScriptStep[],
    readonly capabilities?: TransportCapabilities,
  ) {}

  async transmit(command: Uint8Array, _options?: TransmitOptions): Promise<Uint8Array> {
    const step = this.script[this.index];
    const actual = hex(command).toUpperCase();
    this.sent.push(actual);
    if (!step) throw new EmrtdError('transport', `scripted transport: unexpected command #${this.index + 1}`);
    const expected = step[0].replace(/\s+/g, '').toUpperCase();
    if (expected !== '*' && expected !== actual)
      throw new EmrtdError('transport', `scripted transport: command #${this.index + 1} differs from the script`);
    this.index++;
    return fromHex(step[1]);
  }

  /** True when every scripted exchange happened. */
  get finished(): boolean {
    return this.index === this.script.length;
  }
}
