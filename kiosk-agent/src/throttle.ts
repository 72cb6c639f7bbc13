/**
 * Bounded recording of events a hostile client can trigger at will (refused upgrades, failed authentications):
 * per key and per window, the first `burst` events are recorded in full and the rest only counted; `drain()` hands
 * back the counts of windows that have ended so the caller writes one summary line per key instead of thousands.
 * Keys must come from a bounded set (a refusal reason, an allowed origin); unknown keys beyond `maxKeys` share one
 * overflow bucket so the map itself cannot grow without limit.
 */
export interface ThrottleOptions {
  /** Events recorded in full per key and window. */
  burst: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

interface Window {
  start: number;
  seen: number;
  suppressed: number;
}

export const OVERFLOW_KEY = '(other)';

export class EventThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;

  constructor(private readonly options: ThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** true: record this event in full; false: it was counted for the key's summary. */
  admit(key: string): boolean {
    const t = this.now();
    const k = this.windows.has(key) || this.windows.size < (this.options.maxKeys ?? 64) ? key : OVERFLOW_KEY;
    let w = this.windows.get(k);
    if (!w || t - w.start >= this.options.windowMs) {
      // A window that ended with suppressed events stays until drained, so its count is never lost.
      if (w && w.suppressed > 0) return this.count(w);
      w = { start: t, seen: 0, suppressed: 0 };
      this.windows.set(k, w);
    }
    return ++w.seen <= this.options.burst || this.count(w);
  }

  private count(w: Window): false {
    w.suppressed++;
    return false;
  }

  /** Suppressed counts of ended windows (all windows when `all`), which are then forgotten. */
  drain(all = false): Array<{ key: string; suppressed: number }> {
    const t = this.now();
    const out: Array<{ key: string; suppressed: number }> = [];
    for (const [key, w] of this.windows) {
      if (!all && t - w.start < this.options.windowMs) continue;
      if (w.suppressed > 0) out.push({ key, suppressed: w.suppressed });
      this.windows.delete(key);
    }
    return out;
  }
}

const ORIGIN_LOG_MAX = 64;

/**
 * What a log line may say about the Origin of a refused request: printable ASCII only, at most 64 characters. The
 * text is attacker-chosen, so it must not be able to forge log structure, hide behind control characters or fill
 * the disk.
 */
export function loggableOrigin(origin: string | undefined): string {
  if (origin === undefined) return 'native';
  const printable = origin.replace(/[^\x21-\x7e]/g, '?');
  return printable.length > ORIGIN_LOG_MAX ? `${printable.slice(0, ORIGIN_LOG_MAX)}…` : printable;
}
