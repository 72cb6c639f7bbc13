/**
 * What `cccd agent` and `cccd server` share: a long-running service loaded by package name at run time (so the CLI
 * builds and runs without it), a `--port` option, and an in-process run that stops when io.signal aborts.
 */
import { UsageError } from '../args.js';
import type { Io } from '../io.js';

/** `name`'s export `fn` when the package is installed and has it; undefined otherwise. */
export async function loadOptional<T>(name: string, fn: keyof T & string): Promise<T | undefined> {
  try {
    const mod = (await import(name)) as Partial<T>;
    return typeof mod[fn] === 'function' ? (mod as T) : undefined;
  } catch {
    return undefined;
  }
}

/** `--port` as a number 0–65535, or undefined when not given. */
export function portOption(command: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`${command}: --port must be a number from 0 to 65535`);
  return port;
}

/** In a process the server keeps the event loop alive until a signal closes it; in-process, io.signal does. */
export async function runUntilAborted(io: Io, handle: { close(): Promise<void> }): Promise<void> {
  const signal = io.signal;
  if (!signal) return;
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await handle.close();
}
