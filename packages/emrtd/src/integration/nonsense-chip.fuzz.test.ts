/**
 * A chip that answers the reader's size probing with nonsense — random status words, answers cut short, answers
 * that vanish — on a capped buffer: every read ends in a verdict or a typed EmrtdError, within its deadline and
 * with a bounded number of exchanges (no retry storm). Random faults are drawn per case by fast-check.
 */
import { InProcessTransport, loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmrtdError } from '../errors.js';
import { canKey } from '../keys/access-key.js';
import { readVerified } from '../read/read.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import type { TransmitOptions, Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';

/** Exchanges a full read may spend at most, whatever the chip answers (a clean read takes about 45). */
const MAX_EXCHANGES = 400;
const DEADLINE_MS = 20_000;

let image: PersonalisedCard;
let store: TrustStore;
beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 8 });
  store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
}, 60_000);

type Mangle = 'sw' | 'cut' | 'empty';

/** Mangles the answers to READ BINARY (INS B0/B1, plain or under SM) with probability `rate`. */
function nonsense(inner: Transport, random: () => number, rate: number, kinds: Mangle[]) {
  let exchanges = 0;
  const transport: Transport = {
    capabilities: inner.capabilities,
    reconnect: (o?: TransmitOptions) => inner.reconnect!(o),
    async transmit(apdu, options) {
      exchanges++;
      if (exchanges > MAX_EXCHANGES) throw new Error(`retry storm: more than ${MAX_EXCHANGES} exchanges`);
      const answer = await inner.transmit(apdu, options);
      const ins = apdu[1]!;
      if ((ins !== 0xb0 && ins !== 0xb1) || random() >= rate) return answer;
      const kind = kinds[Math.floor(random() * kinds.length)]!;
      if (kind === 'empty') return Uint8Array.of(0x90, 0x00);
      if (kind === 'cut') return answer.subarray(0, Math.max(1, Math.floor(answer.length * random())));
      const sw = 0x6000 + Math.floor(random() * 0x1000);
      return Uint8Array.of(sw >> 8, sw & 0xff);
    },
  };
  return { transport, exchanges: () => exchanges };
}

describe('a chip answering the size search with nonsense', () => {
  it('always settles with a verdict or a typed error, in time and without a retry storm', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(512, 1024, 4096, 65_536),
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        fc.subarray<Mangle>(['sw', 'cut', 'empty'], { minLength: 1 }),
        async (seed, cap, rate, kinds) => {
          let state = seed;
          const random = () => {
            state = (Math.imul(state, 48271) % 0x7fffffff) >>> 0;
            return state / 0x7fffffff;
          };
          const card = new SimulatedCard(image, { chip: [`ne-cap=${cap}`] });
          const link = nonsense(new InProcessTransport(card), random, rate, kinds);
          const started = performance.now();
          const settled = await readVerified(link.transport, canKey(image.can), {
            trustStore: store,
            groups: ['DG1', 'DG2', 'DG13'],
            timeoutMs: 2000,
            signal: AbortSignal.timeout(DEADLINE_MS),
          }).then(
            (r) => r.verification.overall,
            (e: unknown) => e,
          );
          if (typeof settled !== 'string') expect(settled).toBeInstanceOf(EmrtdError);
          expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
          expect(link.exchanges()).toBeLessThanOrEqual(MAX_EXCHANGES);
        },
      ),
      { numRuns: fuzzRuns(12, 300) },
    );
  }, 120_000);
});
