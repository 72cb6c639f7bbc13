/**
 * `cccd diagnose`: read every file of the card with an APDU trace and print a chip profile that holds no personal
 * data (protocols, algorithms, sizes, status words, timings), for integrators to send when a real card misbehaves.
 * Its job is to describe the chip, so a diagnosis that ran to the end exits 0 whatever the verdict; a read that
 * stopped (wrong key: 4, I/O: 5, no card: 6) still prints and saves the partial profile before exiting non-zero.
 */
import { writeFileSync } from 'node:fs';
import { EmrtdError, type ErrorCode } from '@cccd/emrtd';
import { type ChipProfile, diagnoseChip } from '@cccd/emrtd/diagnose';
import { parseArgs, secondsOption, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { diagnoseReport } from '../diagnose-report.js';
import { CliError, describeFailure, EXIT } from '../exit.js';
import type { Io } from '../io.js';
import { accessKeyOf, accessPolicyOf, CARD_OPTIONS } from '../keys.js';
import { openCardSourceFromArgs } from '../source.js';
import { loadTrust } from '../trust.js';

const SPEC = {
  ...CARD_OPTIONS,
  trust: 'multi',
  json: 'boolean',
  out: 'string',
  'no-probes': 'boolean',
} as const;

/** The error the read stopped with, rebuilt from the profile (code, step, SW: nothing else is kept). */
function failureOf(profile: ChipProfile): EmrtdError | undefined {
  const f = profile.failure;
  if (profile.outcome !== 'failed' || !f) return undefined;
  const sw = f.sw === undefined ? undefined : Number.parseInt(f.sw, 16);
  const step = f.step ?? 'read';
  return new EmrtdError((f.code ?? 'card-error') as ErrorCode, `${step} failed${f.sw ? ` (SW ${f.sw})` : ''}`, {
    step,
    ...(sw === undefined ? {} : { sw }),
  });
}

export async function diagnose(argv: string[], io: Io): Promise<number> {
  return guarded('diagnose', argv, io, async (lang) => {
    const args = parseArgs('cccd diagnose', argv, SPEC);
    if (args.has('lang') && !['vi', 'en'].includes(args.get('lang')!))
      throw new UsageError('cccd diagnose: --lang must be vi or en');
    const key = accessKeyOf('cccd diagnose', args);
    const policy = accessPolicyOf('cccd diagnose', args, key);
    const timeoutMs = secondsOption('cccd diagnose', args, 'timeout', 30);
    const trust = loadTrust(args.list('trust'), io.env ?? {});
    const out = args.get('out');

    const source = await openCardSourceFromArgs(args, io, { timeoutMs, lang });
    if (source.simulatedCsca && trust.origin !== 'flags')
      trust.store.addCertificate(source.simulatedCsca, 'simulator test CSCA');
    let profile: ChipProfile;
    try {
      profile = await diagnoseChip(source.transport, key, {
        trustStore: trust.store,
        ...policy,
        probes: !args.flag('no-probes'),
        ...(source.reader ? { reader: source.reader } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } finally {
      await source.close();
    }

    const json = `${JSON.stringify(profile, null, 2)}\n`;
    if (out !== undefined) {
      try {
        writeFileSync(out, json);
      } catch {
        throw new CliError(EXIT.io, 'file-error', { path: out });
      }
    }
    if (args.flag('json')) io.stdout.write(`${JSON.stringify(profile)}\n`);
    else io.stdout.write(diagnoseReport(profile, lang, { simulated: source.simulated !== undefined }));
    const failure = failureOf(profile);
    if (!failure) return EXIT.ok;
    const f = describeFailure(failure, lang);
    io.stderr.write(`cccd diagnose: ${f.text}\n`);
    return f.exitCode;
  });
}
