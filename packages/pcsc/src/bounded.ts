import { Cancelled, Timeout } from '@cccd/emrtd';

export interface Deadline {
  /** Absolute time (Date.now()) after which the wait fails with Timeout. */
  at: number;
  /** The budget the caller asked for, quoted in the Timeout message. */
  ms: number;
  signal?: AbortSignal | undefined;
}

export const deadlineIn = (ms: number, signal?: AbortSignal): Deadline => ({ at: Date.now() + ms, ms, signal });

/**
 * Races `op` against the deadline and the abort signal. The loser is not cancelled (a native PC/SC call cannot
 * be), so its late settlement is swallowed here to avoid unhandled rejections; callers that must know when it
 * really ends keep their own reference to `op`.
 */
export function bounded<T>(op: Promise<T>, deadline: Deadline, step: string): Promise<T> {
  op.catch(() => {});
  const { signal } = deadline;
  if (signal?.aborted) return Promise.reject(new Cancelled(step));
  const remaining = deadline.at - Date.now();
  if (remaining <= 0) return Promise.reject(new Timeout(step, deadline.ms));
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(new Cancelled(step));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Timeout(step, deadline.ms));
    }, remaining);
    signal?.addEventListener('abort', onAbort, { once: true });
    op.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
