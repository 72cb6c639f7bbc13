/**
 * `cccd verify (--dir DIR | --evidence FILE) [--trust PATH]… [--json]`: passive authentication offline, on a
 * `cccd dump` folder (or a simulator card folder) or an evidence bundle. Exit 0 valid, 3 not valid.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DgName,
  EmrtdError,
  EvidenceError,
  overallVerdict,
  type Verdict,
  verifyEvidence,
  verifyPassive,
} from '@cccd/emrtd';
import { parseArgs, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import type { Lang } from '../i18n.js';
import type { Io } from '../io.js';
import { verificationJson } from '../report.js';
import { loadTrust } from '../trust.js';
import { verdictOutcome } from '../verdict.js';

const readBytes = (path: string) => {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new CliError(EXIT.usage, 'file-error', { path });
  }
};

function verifyDir(dir: string, trustStore: Parameters<typeof verifyPassive>[0]['trustStore']): Verdict {
  const sodPath = join(dir, 'EF.SOD.bin');
  if (!existsSync(sodPath)) throw new CliError(EXIT.usage, 'bad-dump', { path: dir });
  const dataGroups: Partial<Record<DgName, Uint8Array>> = {};
  for (const name of readdirSync(dir)) {
    const m = /^DG([1-9]|1[0-6])\.bin$/.exec(name);
    if (m) dataGroups[`DG${m[1]}` as DgName] = readBytes(join(dir, name));
  }
  return overallVerdict({ passive: verifyPassive({ sod: readBytes(sodPath), dataGroups, trustStore }) });
}

const STATUS_LINE: Record<Lang, string> = { vi: 'Kết quả', en: 'Result' };

export async function verify(argv: string[], io: Io): Promise<number> {
  return guarded('verify', argv, io, async (lang) => {
    const args = parseArgs('cccd verify', argv, {
      dir: 'string',
      evidence: 'string',
      trust: 'multi',
      json: 'boolean',
      lang: 'string',
    });
    const dir = args.get('dir');
    const evidence = args.get('evidence');
    if ((dir === undefined) === (evidence === undefined))
      throw new UsageError('cccd verify: give exactly one of --dir DIR or --evidence FILE');
    const trust = loadTrust(args.list('trust'), io.env ?? {});
    let verdict: Verdict;
    if (dir !== undefined) verdict = verifyDir(dir, trust.store);
    else {
      const text = new TextDecoder().decode(readBytes(evidence!));
      try {
        verdict = verifyEvidence(text, trust.store);
      } catch (e) {
        if (e instanceof EvidenceError) throw new CliError(EXIT.usage, 'bad-evidence', { field: e.field });
        if (e instanceof EmrtdError) throw new CliError(EXIT.usage, 'bad-evidence', { field: e.code });
        throw e;
      }
    }
    if (args.flag('json')) io.stdout.write(`${JSON.stringify({ verification: verificationJson(verdict) })}\n`);
    else {
      const p = verdict.passive;
      const lines = [`${STATUS_LINE[lang]}: ${verdict.overall} (PA ${p.status})`];
      for (const [dg, s] of Object.entries(p.dataGroups)) lines.push(`  ${dg}: ${s}`);
      if (p.signer) lines.push(`  DS: ${p.signer.subject}`);
      for (const link of p.chain) if (link.trusted) lines.push(`  CSCA: ${link.subject}`);
      for (const r of [...p.reasons, ...(verdict.chip?.reasons ?? []), ...(verdict.active?.reasons ?? [])])
        if (r.severity !== 'info') lines.push(`  - ${r.message[lang]}`);
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    const outcome = verdictOutcome(verdict, lang);
    if (outcome.text) io.stderr.write(`cccd verify: ${outcome.text}\n`);
    return outcome.exitCode;
  });
}
