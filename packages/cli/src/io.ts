import type { PcscContext } from '@cccd/pcsc';

/** What a command talks to: its output streams and the process context it may use (tests pass stand-ins). */
export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Environment for LANG/LC_* and the trust-store location (default: none, i.e. English, default paths). */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Stand-in for new PcscContext() (tests). */
  pcscContext?: () => PcscContext;
}

/** A command: its arguments after the command name, and the exit status it ends with. */
export type Command = (args: string[], io: Io) => Promise<number>;
