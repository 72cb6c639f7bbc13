/**
 * TEST SUPPORT ONLY: bounded waits for a state, shared by every `*.pcsc.test.ts`. pcscd notices a card arriving in
 * or leaving a vpcd slot only at its next presence poll (~0.4 s). A test that asserts reader state, or waits for
 * "a card" on a slot, right after a card was inserted or pulled (by itself, or by the previous test or file) races
 * that poll. Wait for the state first, within a bound, then assert. Never a fixed sleep.
 */
import { PcscContext } from '../context.js';
import { vpcdReaderName } from './vpcd-card.js';

export interface PollOptions {
  /** Give up after this long (default 5 s); the last value is returned for the caller to assert on. */
  timeoutMs?: number;
  /** Pause between probes (default 100 ms). */
  intervalMs?: number;
}

/**
 * Probes until `done(value)` or the deadline, and returns the last value either way: the caller's assertion then
 * shows the state that was actually seen, not a bare "timed out".
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 5000, intervalMs = 100 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    const left = deadline - Date.now();
    if (done(value) || left <= 0) return value;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}

/**
 * Waits until pcscd reports no card in the given vpcd slots, so the card a test inserts next is the one it sees
 * (not the previous card still counted as present). Uses `ctx` if given, else a short-lived context of its own.
 * Throws, naming the slots, when a card is still reported after `timeoutMs`.
 */
export async function vpcdSlotsEmpty(
  slots: readonly (0 | 1)[] = [0, 1],
  { ctx, timeoutMs = 5000 }: { ctx?: PcscContext; timeoutMs?: number } = {},
): Promise<void> {
  const context = ctx ?? new PcscContext();
  try {
    await context.readers({ timeoutMs });
    const occupied = () => slots.map(vpcdReaderName).filter((name) => context.reader(name)?.present);
    const left = await pollUntil(occupied, (names) => names.length === 0, { timeoutMs, intervalMs: 50 });
    if (left.length > 0) throw new Error(`pcscd still reports a card in ${left.join(', ')} after ${timeoutMs} ms`);
  } finally {
    if (!ctx) await context.close();
  }
}
