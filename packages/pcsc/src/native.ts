import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * The slice of the `pcsclite` binding this package drives. Declared here (the binding's own types are not
 * exported) so a test can stand in for the native module.
 */
export interface NativeReader extends EventEmitter {
  readonly name: string;
  connected: boolean;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, response: Buffer) => void): void;
  control(data: Buffer, code: number, resLen: number, cb: (err: unknown, response: Buffer) => void): void;
  close(): void;
}

export interface NativeContext extends EventEmitter {
  close(): void;
  /** Called once by the binding on the next tick; wrapped to learn when an enumeration round completes. */
  start?: (cb: (err: unknown, readers?: Buffer) => void) => void;
}

/** Creates one native context per call; `dispose` (if any) releases what the factory itself holds. */
export type NativeFactory = (() => NativeContext) & { dispose?: () => void };

const require = createRequire(import.meta.url);

/**
 * The binding in this process. Throws synchronously (SCardEstablishContext) when no resource manager is running.
 * Loaded on first use only, so a process that isolates PC/SC in its host never maps the native module.
 */
export const inProcessFactory: NativeFactory = () => (require('pcsclite') as () => NativeContext)();

// pcsclite.h values; Windows winscard.h uses the same numbers.
export const STATE = { UNKNOWN: 0x4, UNAVAILABLE: 0x8, EMPTY: 0x10, PRESENT: 0x20, MUTE: 0x200 } as const;
export const SHARE = { EXCLUSIVE: 1, SHARED: 2 } as const;
export const PROTOCOL = { T0: 1, T1: 2, RAW: 4 } as const;
export const DISPOSITION = { leave: 0, reset: 1, unpower: 2 } as const;

/** Closes a native object; closing an already-failed one may throw, and there is nothing left to release then. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // nothing to release
  }
}
