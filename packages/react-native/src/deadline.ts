/**
 * Every native call is raced against a JavaScript deadline and the caller's AbortSignal, so a native promise that
 * never settles (a wedged NFC stack, a session that died without telling) cannot hang the read.
 */

export interface Bound {
  /** Deadline in ms. */
  ms: number;
  signal?: AbortSignal;
  /** The error for a passed deadline (e.g. the core's Timeout). */
  onTimeout: () => Error;
  /** The error for an abort (e.g. the core's Cancelled). */
  onAbort: () => Error;
}

/** Settles with `work`, or rejects at the deadline or on abort; a late settlement of `work` is swallowed. */
export function settleWithin<T>(work: Promise<T>, bound: Bound): Promise<T> {
  // The native promise may settle after we gave up: keep that late rejection from going unhandled.
  work.catch(() => undefined);
  if (bound.signal?.aborted) return Promise.reject(bound.onAbort());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bound.onTimeout()), bound.ms);
    onAbort = () => reject(bound.onAbort());
    bound.signal?.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, guard]).finally(() => {
    clearTimeout(timer);
    if (onAbort) bound.signal?.removeEventListener('abort', onAbort);
  });
}
