/**
 * `cccd dump --out DIR`: the raw files of the chip (EF.CardAccess, EF.COM, DG*, EF.SOD) as read, plus
 * manifest.json (names, sizes, SHA-256, access protocol: no personal data). `cccd verify --dir DIR` checks them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CccdGroup, readCccd } from '@cccd/emrtd';
import { parseArgs, secondsOption, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import type { Io } from '../io.js';
import { accessKeyOf, accessPolicyOf, CARD_OPTIONS, groupsOf } from '../keys.js';
import { progressBar } from '../progress.js';
import { openCardSourceFromArgs } from '../source.js';

const ALL_GROUPS: CccdGroup[] = ['COM', 'DG1', 'DG2', 'DG13', 'DG14', 'DG15', 'SOD'];

export const MANIFEST = 'manifest.json';
export const DUMP_FORMAT = 'cccd-dump';

/** File name of a dumped file (the simulator's card folders use the same names). */
export function dumpFileName(group: CccdGroup | 'CardAccess'): string {
  return group.startsWith('DG') ? `${group}.bin` : `EF.${group}.bin`;
}

export async function dump(argv: string[], io: Io): Promise<number> {
  return guarded('dump', argv, io, async (lang) => {
    const args = parseArgs('cccd dump', argv, { ...CARD_OPTIONS, out: 'string', groups: 'list', json: 'boolean' });
    const out = args.get('out');
    if (out === undefined) throw new UsageError('cccd dump: --out DIR is required');
    const key = accessKeyOf('cccd dump', args);
    const policy = accessPolicyOf('cccd dump', args, key);
    const timeoutMs = secondsOption('cccd dump', args, 'timeout', 30);
    const groups = groupsOf('cccd dump', args, ALL_GROUPS);
    try {
      mkdirSync(out, { recursive: true, mode: 0o700 });
    } catch {
      throw new CliError(EXIT.io, 'file-error', { path: out });
    }
    const source = await openCardSourceFromArgs(args, io, { timeoutMs });
    const progress = progressBar(io, lang);
    let result: Awaited<ReturnType<typeof readCccd>>;
    try {
      result = await readCccd(source.transport, key, {
        groups,
        ...policy,
        onProgress: (p) => progress.update(p),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } finally {
      progress.stop();
      await source.close();
    }
    const files: { name: string; file: string; size: number; sha256: string }[] = [];
    const entries: [CccdGroup | 'CardAccess', Uint8Array | undefined][] = [
      ['CardAccess', result.access.cardAccess],
      ...groups.map((g): [CccdGroup, Uint8Array | undefined] => [g, result.raw[g]]),
    ];
    for (const [name, bytes] of entries) {
      if (!bytes) continue;
      const file = dumpFileName(name);
      try {
        writeFileSync(join(out, file), bytes, { mode: 0o600 });
      } catch {
        throw new CliError(EXIT.io, 'file-error', { path: join(out, file) });
      }
      files.push({ name, file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const manifest = {
      format: DUMP_FORMAT,
      version: 1,
      createdAt: new Date().toISOString(),
      access: { protocol: result.access.protocol, keyKind: result.access.keyKind, cipher: result.access.cipher },
      files,
      missing: result.missing,
      stats: { apdus: result.report.apdus, retries: result.report.retries, resumes: result.report.resumes },
    };
    writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    if (args.flag('json')) io.stdout.write(`${JSON.stringify(manifest)}\n`);
    else
      io.stdout.write(
        `${files.map((f) => `${f.file}\t${f.size} B`).join('\n')}\nwrote ${files.length} files and ${MANIFEST} to ${out}\n`,
      );
    return EXIT.ok;
  });
}
