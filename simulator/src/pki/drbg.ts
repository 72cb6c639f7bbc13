/**
 * Deterministic byte streams for fixtures: HMAC-SHA-256 in counter mode keyed by the seed, one stream per label.
 * Not a CSPRNG for production keys — the point is that the same seed always yields the same test PKI.
 */
import { createHmac } from 'node:crypto';
import { concat, u32, utf8 } from '@cccd/emrtd/codec';

export type Seed = string | number | bigint | Uint8Array;

export function seedBytes(seed: Seed): Uint8Array {
  return seed instanceof Uint8Array ? seed : utf8(String(seed));
}

/** Stable text form of a seed, used in cache keys. */
export function seedKey(seed: Seed): string {
  return seed instanceof Uint8Array ? `bytes:${Buffer.from(seed).toString('hex')}` : `text:${String(seed)}`;
}

export class ByteStream {
  readonly #key: Buffer;
  readonly #label: Uint8Array;
  #counter = 0;
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(seed: Seed, label: string) {
    this.#key = createHmac('sha256', 'cccd-simulator-test-pki').update(seedBytes(seed)).digest();
    this.#label = concat(utf8(label), Uint8Array.of(0));
  }

  next(n: number): Uint8Array {
    while (this.#buffer.length < n) {
      const block = createHmac('sha256', this.#key)
        .update(this.#label)
        .update(u32(this.#counter++))
        .digest();
      this.#buffer = concat(this.#buffer, block);
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return out;
  }

  /** Uniform-enough integer in [1, max-1]: 64 extra bits make the modulo bias negligible. */
  scalarBelow(max: bigint): bigint {
    const bytes = Math.ceil(max.toString(2).length / 8) + 8;
    let v = 0n;
    for (const b of this.next(bytes)) v = (v << 8n) | BigInt(b);
    return (v % (max - 1n)) + 1n;
  }
}

export function deriveBytes(seed: Seed, label: string, n: number): Uint8Array {
  return new ByteStream(seed, label).next(n);
}
