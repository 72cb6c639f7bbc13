/**
 * `cccd read`: wait for a card, open a session with the given key, read the groups, verify (PA with the trust
 * store; CA/AA when the library runs them), print a summary (verdict first; an invalid card's personal data withheld
 * unless --show-invalid) or one JSON object. Exit codes: the package README.
 */
import { writeFileSync } from 'node:fs';
import { type CccdGroup, serializeEvidence } from '@cccd/emrtd';
import { parseArgs, secondsOption, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { message } from '../i18n.js';
import type { Io } from '../io.js';
import { accessKeyOf, accessPolicyOf, CARD_OPTIONS, groupsOf } from '../keys.js';
import { progressBar } from '../progress.js';
import { type ReadStats, readJson, readSummary } from '../report.js';
import { openCardSourceFromArgs } from '../source.js';
import { loadTrust } from '../trust.js';
import { verdictOutcome } from '../verdict.js';
import { readAndVerify } from '../verified.js';

/** Photo and personal data by default; DG14/DG15 (CA/AA keys) and EF.SOD are always added for verification. */
export const DEFAULT_READ_GROUPS: CccdGroup[] = ['DG1', 'DG2', 'DG13'];
const VERIFICATION_GROUPS: CccdGroup[] = ['DG14', 'DG15', 'SOD'];

const SPEC = {
  ...CARD_OPTIONS,
  trust: 'multi',
  groups: 'list',
  photo: 'string',
  evidence: 'string',
  json: 'boolean',
  'show-invalid': 'boolean',
} as const;

const writeFile = (path: string, data: string | Uint8Array) => {
  try {
    writeFileSync(path, data, { mode: 0o600 });
  } catch {
    throw new CliError(EXIT.io, 'file-error', { path });
  }
};

export async function read(argv: string[], io: Io): Promise<number> {
  return guarded('read', argv, io, async (lang) => {
    const started = Date.now();
    const args = parseArgs('cccd read', argv, SPEC);
    if (args.has('lang') && !['vi', 'en'].includes(args.get('lang')!))
      throw new UsageError('cccd read: --lang must be vi or en');
    const key = accessKeyOf('cccd read', args);
    const policy = accessPolicyOf('cccd read', args, key);
    const timeoutMs = secondsOption('cccd read', args, 'timeout', 30);
    const groups = groupsOf('cccd read', args, DEFAULT_READ_GROUPS);
    if (args.has('photo')) groups.push('DG2');
    groups.push(...VERIFICATION_GROUPS);
    const trust = loadTrust(args.list('trust'), io.env ?? {});

    const source = await openCardSourceFromArgs(args, io, { timeoutMs, lang });
    const simulated = source.simulated !== undefined;
    // A simulated card is trusted through its own test CSCA unless anchors were given explicitly.
    if (source.simulatedCsca && trust.origin !== 'flags')
      trust.store.addCertificate(source.simulatedCsca, 'simulator test CSCA');
    const progress = progressBar(io, lang);
    let result: Awaited<ReturnType<typeof readAndVerify>>;
    try {
      result = await readAndVerify(source.transport, key, {
        groups: [...new Set(groups)],
        trustStore: trust.store,
        evidence: args.has('evidence'),
        ...policy,
        onProgress: (p) => progress.update(p),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } finally {
      progress.stop();
      await source.close();
    }

    const stats: ReadStats = {
      apdus: result.report.apdus,
      bytesIn: result.report.bytesIn,
      bytesOut: result.report.bytesOut,
      retries: result.report.retries,
      resumes: result.report.resumes,
      ...(source.simulated ? { modelledMs: Math.round(source.simulated.stats.modelledMs) } : {}),
      elapsedMs: Date.now() - started,
    };
    const photoPath = args.get('photo');
    if (photoPath !== undefined && result.photo) writeFile(photoPath, result.photo.image);
    const evidencePath = args.get('evidence');
    if (evidencePath !== undefined && result.evidence) writeFile(evidencePath, serializeEvidence(result.evidence));

    if (args.flag('json')) io.stdout.write(`${JSON.stringify(readJson(result, stats, simulated))}\n`);
    else io.stdout.write(readSummary(result, stats, lang, simulated, { showInvalid: args.flag('show-invalid') }));
    if (photoPath !== undefined && !result.photo)
      io.stderr.write(`cccd read: ${message(lang, 'no-photo', { path: photoPath })}\n`);
    const outcome = verdictOutcome(result.verification, lang);
    if (outcome.text) io.stderr.write(`cccd read: ${outcome.text}\n`);
    return outcome.exitCode;
  });
}
