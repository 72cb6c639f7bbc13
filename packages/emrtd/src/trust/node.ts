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

/** Why a trust path loads nothing: the file system said no, a file does not parse, or nothing usable is there. */
export type TrustPathProblem = 'not-found' | 'not-readable' | 'not-valid' | 'empty';

/**
 * A trust path that loads nothing. The message names the path and the kind of problem only, never bytes of the
 * file (a parser error may quote them), so it is safe to print as one line.
 */
export class TrustPathError extends Error {
  override name = 'TrustPathError';
  constructor(
    readonly path: string,
    readonly problem: TrustPathProblem,
    /** The offending file (inside a folder) when it is not `path` itself. */
    readonly file: string = path,
    message?: string,
  ) {
    super(message ?? `${file}: ${problem}`);
  }
}

/** Plain words for the file-system errors an operator can fix; other codes are shown as they are. */
const FS_PROBLEMS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
};

const TRUST_KINDS: Record<LoadedFile['kind'], string> = {
  certificates: 'certificate',
  crl: 'CRL',
  'master-list': 'master list',
  ldif: 'LDIF',
  ignored: 'trust',
};

/**
 * Loads one trust path (file or folder) into `store`, or throws TrustPathError when it is missing or unreadable,
 * holds a file that does not parse, or adds nothing at all (no .pem .crt .cer .der .crl .ml .ldif with content).
 * For callers where a path that silently loads nothing would make every genuine card "not verified".
 */
export function loadTrustPath(store: TrustStore, path: string, options: LoadOptions = {}): LoadedFile[] {
  let files: LoadedFile[];
  try {
    files = loadTrustFiles(store, [path], { ...options, strict: false });
  } catch (e) {
    const raw = (e as { code?: unknown } | null)?.code;
    const code = typeof raw === 'string' && /^E[A-Z]+$/.test(raw) ? raw : undefined;
    const problem = code === 'ENOENT' ? 'not-found' : code ? 'not-readable' : 'not-valid';
    // Parser messages may quote bytes of the file: name the path and the kind of problem only.
    throw new TrustPathError(
      path,
      problem,
      path,
      `${path}: ${code ? (FS_PROBLEMS[code] ?? code) : 'not readable trust material'}`,
    );
  }
  const bad = files.find((f) => f.error !== undefined);
  if (bad)
    throw new TrustPathError(path, 'not-valid', bad.path, `${bad.path}: not a valid ${TRUST_KINDS[bad.kind]} file`);
  if (!files.some((f) => f.added > 0))
    throw new TrustPathError(
      path,
      'empty',
      path,
      `${path}: holds no CSCA certificate, CRL, master list or LDIF (.pem .crt .cer .der .crl .ml .ldif)`,
    );
  return files;
}
