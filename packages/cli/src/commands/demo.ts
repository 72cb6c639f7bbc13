/**
 * `cccd demo`: personalise a simulated CCCD in memory, read it in-process with PACE-CAN, verify it against its own
 * test CSCA and print the verified result. No reader, no pcscd, no network; every person in it is invented.
 */
import { canKey, TrustStore } from '@cccd/emrtd';
import { parseArgs, UsageError } from '../args.js';
import { guarded } from '../command.js';
import type { Io } from '../io.js';
import { progressBar } from '../progress.js';
import { type ReadStats, readJson, readSummary } from '../report.js';
import { openCardSource } from '../source.js';
import { verdictOutcome } from '../verdict.js';
import { readAndVerify } from '../verified.js';
import { DEFAULT_READ_GROUPS } from './read.js';

export const DEMO_PROFILE = 'cccd-2021-adult';

export async function demo(argv: string[], io: Io): Promise<number> {
  return guarded('demo', argv, io, async (lang) => {
    const args = parseArgs('cccd demo', argv, { profile: 'string', json: 'boolean', lang: 'string' });
    if (args.has('lang') && !['vi', 'en'].includes(args.get('lang')!))
      throw new UsageError('cccd demo: --lang must be vi or en');
    const started = Date.now();
    const source = await openCardSource({ simulate: args.get('profile') ?? DEMO_PROFILE, timeoutMs: 1000 });
    const card = source.simulated!;
    const trustStore = new TrustStore();
    if (source.simulatedCsca) trustStore.addCertificate(source.simulatedCsca, 'simulator test CSCA');
    const progress = progressBar(io, lang);
    let result: Awaited<ReturnType<typeof readAndVerify>>;
    try {
      result = await readAndVerify(source.transport, canKey(card.image.can), {
        groups: [...DEFAULT_READ_GROUPS, 'DG14', 'DG15', 'SOD'],
        trustStore,
        allowBac: false,
        onProgress: (p) => progress.update(p),
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
      modelledMs: Math.round(card.stats.modelledMs),
      elapsedMs: Date.now() - started,
    };
    if (args.flag('json')) io.stdout.write(`${JSON.stringify(readJson(result, stats, true))}\n`);
    else io.stdout.write(readSummary(result, stats, lang, true));
    const outcome = verdictOutcome(result.verification, lang);
    if (outcome.text) io.stderr.write(`cccd demo: ${outcome.text}\n`);
    return outcome.exitCode;
  });
}
