/** TEST SUPPORT ONLY: bounded waits on PcscContext events. */
import type { PcscContext, PcscContextEvents } from '../context.js';

export function nextEvent<K extends keyof PcscContextEvents>(
  ctx: PcscContext,
  event: K,
  filter: (...args: PcscContextEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<PcscContextEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = ((...args: PcscContextEvents[K]) => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      ctx.off(event, listener as never);
      resolve(args);
    }) as never;
    const timer = setTimeout(() => {
      ctx.off(event, listener);
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    ctx.on(event, listener);
  });
}

/** Records card events for one reader as 'inserted' / 'removed'. */
export function recordCardEvents(ctx: PcscContext, reader: string): string[] {
  const seen: string[] = [];
  ctx.on('card-inserted', (c) => c.reader === reader && seen.push('inserted'));
  ctx.on('card-removed', (c) => c.reader === reader && seen.push('removed'));
  return seen;
}

/** Pulls the card and waits until pcscd has noticed (its presence poll runs every ~0.4 s), so the next test
 * does not see a stale "present" state on that slot. */
export async function removeAndSettle(
  ctx: PcscContext,
  card: { reader: string; inserted: boolean; remove(): void },
): Promise<void> {
  const wasPresent = card.inserted && !ctx.closed && ctx.reader(card.reader)?.present;
  const removed = wasPresent ? nextEvent(ctx, 'card-removed', (e) => e.reader === card.reader, 3000) : undefined;
  card.remove();
  await removed;
}
