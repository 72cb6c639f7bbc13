/**
 * Trust anchors for the commands: --trust PATH… (files or folders of .pem/.der/.crt/.cer, .crl, .ml, .ldif), or
 * else the default store folder maintained by `cccd trust import`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TrustStore } from '@cccd/emrtd';
import { type LoadedFile, trustStoreFromFiles } from '@cccd/emrtd/node';
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

export function loadTrust(paths: string[], env: Env): LoadedTrust {
  for (const p of paths) if (!existsSync(p)) throw new CliError(EXIT.usage, 'file-error', { path: p });
  if (paths.length > 0) return { ...trustStoreFromFiles(paths), origin: 'flags' };
  const dir = defaultStoreDir(env);
  if (existsSync(dir)) return { ...trustStoreFromFiles([dir]), origin: 'store' };
  return { ...trustStoreFromFiles([]), origin: 'none' };
}
