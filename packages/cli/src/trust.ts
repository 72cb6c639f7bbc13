/**
 * Trust anchors for the commands: --trust PATH… (files or folders of .pem/.der/.crt/.cer, .crl, .ml, .ldif), or
 * else the default store folder maintained by `cccd trust import`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TrustStore } from '@cccd/emrtd';
import { type LoadedFile, loadTrustPath, TrustPathError, trustStoreFromFiles } from '@cccd/emrtd/node';
import { CliError, EXIT } from './exit.js';

export type Env = Record<string, string | undefined>;

/** $CCCD_TRUST_STORE, else $XDG_CONFIG_HOME/cccd/trust, else ~/.config/cccd/trust. */
export function defaultStoreDir(env: Env): string {
  if (env.CCCD_TRUST_STORE) return env.CCCD_TRUST_STORE;
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'cccd', 'trust');
}

export interface LoadedTrust {
  store: TrustStore;
  files: LoadedFile[];
  /** Where the anchors came from: the --trust paths, the default store folder, or nowhere. */
  origin: 'flags' | 'store' | 'none';
}

/**
 * Loads paths given on the command line into `store` (a new one by default). Each must load something: a path
 * that is missing, unreadable, holds a file that does not parse or no anchor at all is a usage error (exit 2)
 * naming the file, never quoting its content, rather than a silent skip that would make every card "not valid".
 */
export function loadTrustPathsStrictly(paths: string[], store = new TrustStore()): LoadedTrust {
  const files: LoadedFile[] = [];
  for (const path of paths) {
    try {
      files.push(...loadTrustPath(store, path));
    } catch (e) {
      if (e instanceof TrustPathError)
        throw new CliError(EXIT.usage, 'trust-path', { file: e.file, problem: e.problem });
      throw e;
    }
  }
  return { store, files, origin: 'flags' };
}

export function loadTrust(paths: string[], env: Env): LoadedTrust {
  if (paths.length > 0) return loadTrustPathsStrictly(paths);
  const dir = defaultStoreDir(env);
  if (existsSync(dir)) return { ...trustStoreFromFiles([dir]), origin: 'store' };
  return { ...trustStoreFromFiles([]), origin: 'none' };
}
