/**
 * `cccd trust import PATH… [--store DIR]` copies anchor files (CSCA .pem/.der/.crt/.cer, .crl, .ml master lists,
 * .ldif) into the store folder after checking each loads; `cccd trust list [--store DIR] [--json]` explains what
 * the store holds. read and verify use the store when no --trust is given.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { trustStoreFromFiles } from '@cccd/emrtd/node';
import { parseArgs, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import type { Io } from '../io.js';
import { defaultStoreDir, loadTrustPathsStrictly } from '../trust.js';

const USAGE = 'cccd trust: use `cccd trust import PATH... [--store DIR]` or `cccd trust list [--store DIR] [--json]`';

export async function trust(argv: string[], io: Io): Promise<number> {
  return guarded('trust', argv, io, async () => {
    const [sub, ...rest] = argv;
    if (sub === 'import') return importAnchors(rest, io);
    if (sub === 'list') return listAnchors(rest, io);
    throw new UsageError(USAGE);
  });
}

function importAnchors(argv: string[], io: Io): number {
  const args = parseArgs('cccd trust import', argv, { store: 'string', lang: 'string', json: 'boolean' }, 1000);
  if (args.positionals.length === 0) throw new UsageError('cccd trust import: give at least one file or folder');
  // Every path must load something (else exit 2 naming it); ignored files inside a folder are reported as skipped.
  const { files } = loadTrustPathsStrictly(args.positionals);
  const usable = files.filter((f) => f.kind !== 'ignored' && !f.error && f.added > 0);
  if (usable.length === 0) throw new CliError(EXIT.usage, 'no-anchor-files');
  const dir = args.get('store') ?? defaultStoreDir(io.env ?? {});
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of usable) {
      const bytes = readFileSync(f.path);
      let target = join(dir, basename(f.path));
      // Same name, different content: keep both (anchors are never silently replaced).
      if (existsSync(target) && !readFileSync(target).equals(bytes))
        target = join(dir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}-${basename(f.path)}`);
      copyFileSync(f.path, target);
    }
  } catch {
    throw new CliError(EXIT.io, 'file-error', { path: dir });
  }
  const skipped = files.filter((f) => !usable.includes(f));
  const report = {
    store: dir,
    imported: usable.map((f) => ({ file: basename(f.path), kind: f.kind, added: f.added })),
    skipped: skipped.map((f) => ({ file: basename(f.path), kind: f.kind, ...(f.error ? { error: f.error } : {}) })),
  };
  if (args.flag('json')) io.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const f of report.imported)
      io.stdout.write(`imported ${f.file} (${f.kind}, ${f.added} entr${f.added === 1 ? 'y' : 'ies'})\n`);
    for (const f of report.skipped) io.stdout.write(`skipped ${f.file} (${f.error ?? f.kind})\n`);
    io.stdout.write(`${trustStoreFromFiles([dir]).store.explain()}\n`);
  }
  return EXIT.ok;
}

function listAnchors(argv: string[], io: Io): number {
  const args = parseArgs('cccd trust list', argv, { store: 'string', json: 'boolean', lang: 'string' });
  const dir = args.get('store') ?? defaultStoreDir(io.env ?? {});
  const loaded = existsSync(dir) ? trustStoreFromFiles([dir]) : undefined;
  if (args.flag('json')) {
    io.stdout.write(
      `${JSON.stringify({
        store: dir,
        exists: loaded !== undefined,
        entries: loaded?.store.list() ?? [],
        files: (loaded?.files ?? []).map((f) => ({
          file: basename(f.path),
          kind: f.kind,
          added: f.added,
          ...(f.error ? { error: f.error } : {}),
        })),
      })}\n`,
    );
    return EXIT.ok;
  }
  io.stdout.write(`store: ${dir}${loaded ? '' : ' (empty: nothing imported yet)'}\n`);
  if (loaded) {
    io.stdout.write(`${loaded.store.explain()}\n`);
    for (const f of loaded.files) if (f.error) io.stdout.write(`unusable: ${basename(f.path)} (${f.error})\n`);
  }
  return EXIT.ok;
}
