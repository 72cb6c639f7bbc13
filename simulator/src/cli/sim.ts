import { EmrtdError } from '@cccd/emrtd';
import { CHIP_OPTIONS, chipOptionsMarkdown } from '../card/chip-behaviour.js';
import { FAULTS } from '../card/faults.js';
import { readCardDir, writeCardDir } from '../perso/card-dir.js';
import { personalise } from '../perso/personalise.js';
import { listProfiles, loadProfile } from '../perso/profiles.js';
import { isSignatureAlgorithmName, SIGNATURE_ALGORITHMS } from '../pki/index.js';
import { type ParsedArgs, parseArgs, single, UsageError } from './args.js';
import { chipOf, runCard, runSettings } from './run.js';

export interface SimIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export interface SimOptions {
  /** Stops `run` (default: SIGINT/SIGTERM of this process). */
  signal?: AbortSignal;
}

export const SIM_USAGE = `usage: cccd sim <command> [options]
  personalise --profile NAME|FILE --out DIR [--sig ALGORITHM] [--seed N] [--can 6DIGITS] [--chip NAME=VALUE]...
      build every file of a card (EF.*.bin, DG*.bin), csca.pem, ds.pem, crl.der, profile.json and card.json
  run (--card DIR | --profile NAME|FILE [--seed N] [--can 6DIGITS]) [--vpcd HOST:PORT] [--slot 0|1] [--fault NAME=VALUE]...
      [--chip NAME=VALUE]... [--extended N] [--block-after N]
      present the card to pcscd through vsmartcard-vpcd until SIGINT/SIGTERM
  profiles    list the ready profiles, one per line
  faults      list the fault injections (name=value and what it does)
  chip-options [--markdown]   list the chip behaviour options (name=value, default and what it does)
`;

function seedOf(text: string | undefined): string | number | undefined {
  if (text === undefined) return undefined;
  if (text === '') throw new UsageError('cccd sim: --seed needs a non-empty value');
  return /^\d{1,15}$/.test(text) ? Number(text) : text;
}

/** The profile, with --can overriding its CAN (default: the last 6 digits of the ID). */
function profileOf(args: ParsedArgs, name: string) {
  const can = single(args, 'can');
  if (can !== undefined && !/^\d{6}$/.test(can)) throw new UsageError('cccd sim: --can must be exactly 6 digits');
  const profile = loadProfile(name);
  return can === undefined ? profile : { ...profile, can };
}

function signatureOf(text: string | undefined) {
  if (text === undefined) return undefined;
  if (!isSignatureAlgorithmName(text))
    throw new UsageError(`cccd sim: unknown --sig ${text} (known: ${SIGNATURE_ALGORITHMS.join(', ')})`);
  return text;
}

function required(args: ParsedArgs, command: string, name: string): string {
  const v = single(args, name);
  if (v === undefined) throw new UsageError(`cccd sim ${command}: --${name} is required`);
  return v;
}

function noPositional(args: ParsedArgs, command: string): void {
  if (args.positional.length) throw new UsageError(`cccd sim ${command}: unexpected argument ${args.positional[0]}`);
}

async function personaliseCommand(argv: string[], io: SimIo): Promise<number> {
  const args = parseArgs('personalise', argv, {
    profile: { value: true },
    out: { value: true },
    sig: { value: true },
    seed: { value: true },
    can: { value: true },
    chip: { value: true, repeat: true },
  });
  noPositional(args, 'personalise');
  const profileName = required(args, 'personalise', 'profile');
  const out = required(args, 'personalise', 'out');
  const signature = signatureOf(single(args, 'sig'));
  const seed = seedOf(single(args, 'seed'));
  const chip = chipOf('personalise', args);
  const card = await personalise(profileOf(args, profileName), { signature, seed, chip });
  const written = writeCardDir(card, out);
  io.stdout.write(`wrote ${written.length} files to ${out}\n`);
  return 0;
}

async function runCommand(argv: string[], io: SimIo, options: SimOptions): Promise<number> {
  const args = parseArgs('run', argv, {
    card: { value: true },
    profile: { value: true },
    vpcd: { value: true },
    slot: { value: true },
    fault: { value: true, repeat: true },
    chip: { value: true, repeat: true },
    extended: { value: true },
    'block-after': { value: true },
    seed: { value: true },
    can: { value: true },
  });
  noPositional(args, 'run');
  const cardDir = single(args, 'card');
  const profile = single(args, 'profile');
  if ((cardDir === undefined) === (profile === undefined))
    throw new UsageError('cccd sim run: give exactly one of --card DIR or --profile NAME');
  if (cardDir && (single(args, 'can') ?? single(args, 'seed')) !== undefined)
    throw new UsageError(
      'cccd sim run: --can and --seed apply to --profile (a card directory is already personalised)',
    );
  const settings = runSettings(args);
  const seed = seedOf(single(args, 'seed'));
  // With --profile the file-changing chip options shape the files; with --card the directory already has its files.
  const image = cardDir
    ? readCardDir(cardDir)
    : await personalise(profileOf(args, profile!), { seed, chip: settings.card.chip });
  return runCard(image, settings, io, options.signal);
}

/**
 * `cccd sim …`: personalise, run, profiles, faults. Returns the exit status: 0 done, 1 failed, 2 usage error
 * (one line on stderr). Never throws; messages carry no personal data.
 */
export async function runSim(argv: string[], io: SimIo, options: SimOptions = {}): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'personalise':
      case 'personalize':
        return await personaliseCommand(rest, io);
      case 'run':
        return await runCommand(rest, io, options);
      case 'profiles':
        noPositional(parseArgs('profiles', rest, {}), 'profiles');
        for (const name of listProfiles()) io.stdout.write(`${name}\n`);
        return 0;
      case 'faults':
        noPositional(parseArgs('faults', rest, {}), 'faults');
        for (const f of FAULTS) io.stdout.write(`${f.name}=${f.value}\t${f.description}\n`);
        return 0;
      case 'chip-options': {
        const args = parseArgs('chip-options', rest, { markdown: { value: false } });
        noPositional(args, 'chip-options');
        if (args.options.has('markdown')) io.stdout.write(`${chipOptionsMarkdown()}\n`);
        else
          for (const o of CHIP_OPTIONS)
            io.stdout.write(`${o.name}=${o.value}\t(default ${o.default}) ${o.description}\n`);
        return 0;
      }
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(SIM_USAGE);
        return 0;
      case undefined:
        throw new UsageError(
          'cccd sim: missing command (personalise, run, profiles, faults, chip-options; see cccd sim help)',
        );
      default:
        throw new UsageError(`cccd sim: unknown command ${command} (personalise, run, profiles, faults, chip-options)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${e.message}\n`);
      return 2;
    }
    // EmrtdError messages are written free of personal data; other errors are only named (file system errors
    // keep their code and path, which the user typed).
    const err = e as NodeJS.ErrnoException;
    const message =
      e instanceof EmrtdError
        ? e.message
        : typeof err?.code === 'string'
          ? `${err.code}${err.path ? ` ${err.path}` : ''}`
          : `unexpected ${err?.name ?? 'error'}`;
    io.stderr.write(`cccd sim ${command}: ${message}\n`);
    return 1;
  }
}
