/**
 * `cccd sim …`: the software card's commands (docs/simulator.md). Exit status: 0 done, 1 failed, 2 usage error;
 * every failure is one line on stderr without personal data.
 */
import { EmrtdError } from '@cccd/emrtd';
import { CHIP_OPTIONS, chipOptionsMarkdown, FAULTS, listProfiles } from '@cccd/simulator';
import { parseArgs, UsageError } from '../args.js';
import { EXIT } from '../exit.js';
import type { Command, Io } from '../io.js';
import { personaliseCommand } from './sim/personalise.js';
import { runCommand } from './sim/run.js';

const SIM_USAGE = `usage: cccd sim <command> [options]
  personalise --profile NAME|FILE --out DIR [--sig ALGORITHM] [--seed N] [--can 6DIGITS] [--chip NAME=VALUE]...
      build every file of a card (EF.*.bin, DG*.bin), csca.pem, ds.pem, crl.der, profile.json and card.json
  run (--card DIR | --profile NAME|FILE [--seed N] [--can 6DIGITS]) [--vpcd HOST:PORT] [--slot 0|1] [--fault NAME=VALUE]...
      [--chip NAME=VALUE]... [--extended N] [--block-after N]
      present the card to pcscd through vsmartcard-vpcd until SIGINT/SIGTERM
  profiles    list the ready profiles, one per line
  faults      list the fault injections (name=value and what it does)
  chip-options [--markdown]   list the chip behaviour options (name=value, default and what it does)
`;

const SUBCOMMANDS: Record<string, Command> = {
  personalise: personaliseCommand,
  personalize: personaliseCommand,
  run: runCommand,
  profiles,
  faults,
  'chip-options': chipOptions,
};

export async function sim(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === 'help' || name === '--help' || name === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(SIM_USAGE);
      return EXIT.ok;
    }
    if (name === undefined)
      throw new UsageError(
        'cccd sim: missing command (personalise, run, profiles, faults, chip-options; see cccd sim help)',
      );
    const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!command) {
      // Only a command-like word is repeated back: the argument may be anything the user typed.
      const shown = /^[a-z-]{1,20}$/.test(name) ? ` '${name}'` : '';
      throw new UsageError(`cccd sim: unknown command${shown} (personalise, run, profiles, faults, chip-options)`);
    }
    return await command(rest, io);
  } catch (e) {
    io.stderr.write(`${failureLine(e, name)}\n`);
    return e instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
}

/**
 * One line for a failure. EmrtdError messages are written free of personal data; other errors are only named (file
 * system errors keep their code and path, which the user chose).
 */
function failureLine(e: unknown, command: string | undefined): string {
  if (e instanceof UsageError) return e.message;
  const err = e as NodeJS.ErrnoException;
  const message =
    e instanceof EmrtdError
      ? e.message
      : typeof err?.code === 'string'
        ? `${err.code}${err.path ? ` ${err.path}` : ''}`
        : `unexpected ${err?.name ?? 'error'}`;
  return `cccd sim ${command}: ${message}`;
}

async function profiles(argv: string[], io: Io): Promise<number> {
  parseArgs('cccd sim profiles', argv, {});
  for (const name of listProfiles()) io.stdout.write(`${name}\n`);
  return EXIT.ok;
}

async function faults(argv: string[], io: Io): Promise<number> {
  parseArgs('cccd sim faults', argv, {});
  for (const f of FAULTS) io.stdout.write(`${f.name}=${f.value}\t${f.description}\n`);
  return EXIT.ok;
}

async function chipOptions(argv: string[], io: Io): Promise<number> {
  const args = parseArgs('cccd sim chip-options', argv, { markdown: 'boolean' });
  if (args.flag('markdown')) io.stdout.write(`${chipOptionsMarkdown()}\n`);
  else for (const o of CHIP_OPTIONS) io.stdout.write(`${o.name}=${o.value}\t(default ${o.default}) ${o.description}\n`);
  return EXIT.ok;
}
