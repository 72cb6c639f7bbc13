/**
 * Start-up checks and clean-up for startAgent. Every problem a new install can have before the agent serves — a
 * `trust` path that loads nothing, a data folder it cannot use, a port it cannot listen on — becomes one ConfigError
 * naming the key and the path, never a file's content; and whatever start-up already opened (readers, the PC/SC host
 * process, QR scanners, the HTTP server) is closed again when a later step fails, so the process can exit instead of
 * looking "running" to a service manager with nothing listening.
 */
import { TrustStore } from '@cccd/emrtd';
import { loadTrustPath, TrustPathError } from '@cccd/emrtd/node';
import { ConfigError } from './config.js';

/** Plain words for the file-system errors an operator can fix; other codes are shown as they are. */
const FS_PROBLEMS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'exists and is not a folder',
  EISDIR: 'is a folder, not a file',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
};

const errnoCode = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
};

const fsProblem = (code: string) => FS_PROBLEMS[code] ?? code;

/**
 * Loads the `trust` entries into a new store. A path that is missing or unreadable, holds a file that does not
 * parse, or loads nothing at all fails start-up: an agent that silently trusts nothing would call every genuine
 * card "not verified" at the counter.
 */
export function loadTrustPaths(paths: readonly string[]): TrustStore {
  const store = new TrustStore();
  for (const [i, path] of paths.entries()) {
    try {
      loadTrustPath(store, path);
    } catch (e) {
      if (e instanceof TrustPathError) throw new ConfigError(`trust.${i}`, e.message);
      throw e;
    }
  }
  return store;
}

/**
 * Runs one step that reads or writes the data folder; its failure becomes a ConfigError on `dataDir` naming the
 * folder and the file (`what`), never the file's content (a device key, or JSON a parser would quote).
 */
export async function inDataDir<T>(dataDir: string, what: string, open: () => T | Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = errnoCode(e);
    if (code) throw new ConfigError('dataDir', `${dataDir}: ${fsProblem(code)} (opening ${what})`);
    // The audit trail's own errors name the file and the fix, and quote nothing from it.
    if (e instanceof Error && e.name === 'AuditError') throw new ConfigError('dataDir', e.message);
    throw new ConfigError('dataDir', `${dataDir}: ${what} is not usable (damaged or not written by this agent)`);
  }
}

/** The error to report when the HTTP server cannot listen: the port is a setting the operator can change. */
export function listenError(e: unknown, port: number): unknown {
  const change = 'choose another with --port, "port" in the config file or CCCD_AGENT_PORT';
  switch (errnoCode(e)) {
    case 'EADDRINUSE':
      return new ConfigError('port', `127.0.0.1:${port} is already in use (is another agent running?); ${change}`);
    case 'EACCES':
      return new ConfigError('port', `not allowed to listen on 127.0.0.1:${port}; ${change}`);
    default:
      return e;
  }
}

/** Longest wait for one resource to close after a failed start (each closer bounds itself; this is the backstop). */
const CLOSE_BOUND_MS = 3000;

/** What start-up has opened so far; closed in reverse order when a later step fails. */
export class StartupResources {
  private readonly closers: (() => unknown)[] = [];

  add(close: () => unknown): void {
    this.closers.push(close);
  }

  /** Closes everything, each within a bound; close errors are swallowed so the start-up error is what reports. */
  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_BOUND_MS);
        timer.unref();
      });
      const closed = (async () => close())().catch(() => undefined);
      await Promise.race([closed, bound]);
      clearTimeout(timer);
    }
  }
}
