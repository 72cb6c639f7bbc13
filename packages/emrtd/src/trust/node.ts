/**
 * Node-only: load trust material from files and folders. Kept out of trust/index.ts so browser bundles never
 * pull node:fs; import it as '@cccd/emrtd/trust/node' (or from this path) in Node code only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { EmrtdError } from '../errors.js';
import type { MasterListImportOptions } from './master-list.js';
import { TrustStore } from './store.js';

export interface LoadedFile {
  path: string;
  kind: 'certificates' | 'crl' | 'master-list' | 'ldif' | 'ignored';
  /** Anchors, CRLs or master-list/LDIF certificates added from this file. */
  added: number;
  error?: string;
}

export interface LoadOptions {
  masterList?: MasterListImportOptions;
  /** Stop on the first unusable file instead of recording it (default false). */
  strict?: boolean;
  /** Folder depth limit (default 4). */
  maxDepth?: number;
}

const KIND_BY_EXTENSION: Record<string, LoadedFile['kind']> = {
  '.pem': 'certificates',
  '.crt': 'certificates',
  '.cer': 'certificates',
  '.der': 'certificates',
  '.crl': 'crl',
  '.ml': 'master-list',
  '.ldif': 'ldif',
};

function loadFile(store: TrustStore, path: string, options: LoadOptions): LoadedFile {
  const kind = KIND_BY_EXTENSION[extname(path).toLowerCase()] ?? 'ignored';
  if (kind === 'ignored') return { path, kind, added: 0 };
  const bytes = new Uint8Array(readFileSync(path));
  const source = `file:${path}`;
  try {
    if (kind === 'certificates') return { path, kind, added: store.addCertificates(bytes, source).length };
    if (kind === 'crl') return { path, kind, added: store.addCrl(bytes, source).length };
    if (kind === 'master-list')
      return { path, kind, added: store.addMasterList(bytes, { source, ...options.masterList }).added };
    const r = store.addLdif(bytes, { source, ...(options.masterList ? { masterList: options.masterList } : {}) });
    return { path, kind, added: r.cscas + r.crls + r.masterLists.reduce((n, m) => n + m.added, 0) };
  } catch (e) {
    if (!(e instanceof EmrtdError) || options.strict) throw e;
    return { path, kind, added: 0, error: e.message };
  }
}

/** Loads files and (recursively) folders: .pem/.crt/.cer/.der, .crl, .ml (master list) and .ldif. */
export function loadTrustFiles(store: TrustStore, paths: string[], options: LoadOptions = {}): LoadedFile[] {
  const out: LoadedFile[] = [];
  const maxDepth = options.maxDepth ?? 4;
  const visit = (path: string, depth: number) => {
    if (statSync(path).isDirectory()) {
      if (depth >= maxDepth) return;
      for (const name of readdirSync(path).sort()) visit(join(path, name), depth + 1);
    } else out.push(loadFile(store, path, options));
  };
  for (const p of paths) visit(p, 0);
  return out;
}

/** A new TrustStore loaded from files and folders. */
export function trustStoreFromFiles(
  paths: string[],
  options: LoadOptions = {},
): { store: TrustStore; files: LoadedFile[] } {
  const store = new TrustStore();
  return { store, files: loadTrustFiles(store, paths, options) };
}
