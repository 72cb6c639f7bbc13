import { concat, digest, u32, utf8 } from '@cccd/emrtd/codec';

/**
 * Deterministic random source for reproducible cards (`--seed`): SHA-256 in counter mode over the seed. Not a
 * CSPRNG for real secrets; good enough for a simulator whose keys are test keys anyway.
 */
export function seededRandom(seed: number | string | Uint8Array): (n: number) => Uint8Array {
  const key = seed instanceof Uint8Array ? seed : utf8(String(seed));
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  return (n: number) => {
    while (pool.length < n) pool = concat(pool, digest('SHA-256', concat(key, u32(counter++))));
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

/**
 * Replays given byte strings in order (nonces and keys of a worked example), then falls back to `rest`. A scripted
 * chunk is only handed out to a request of exactly its length; other requests draw from `rest`, so the
 * UID or an AA filler cannot swallow a nonce meant for the protocol.
 */
export function scriptedRandom(
  chunks: Uint8Array[],
  rest: (n: number) => Uint8Array = seededRandom('scripted'),
): (n: number) => Uint8Array {
  const queue = [...chunks];
  return (n: number) => {
    if (queue.length && queue[0]!.length === n) return queue.shift()!.slice();
    return rest(n);
  };
}
