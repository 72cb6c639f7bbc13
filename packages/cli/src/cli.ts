import { describeFailure } from './exit.js';
import { pickLang } from './i18n.js';
import type { Command, Io } from './io.js';

const USAGE = `usage: cccd <command> [options]

commands:
  read        wait for a card, read it, verify it and print the result (exit 0 valid, 3 not valid)
  readers     list the PC/SC readers and whether a card is present
  dump        read the raw files (EF.COM, DG*, EF.SOD) into a folder with a manifest
  verify      passive authentication offline, on a dump folder or an evidence bundle
  diagnose    read the card with an APDU trace and print a chip profile with no personal data (exit 0 when
              the read completed, whatever the verdict); --json or --out FILE for the JSON to send
  trust       import | list trust anchors (CSCA certificates, CRLs, master lists, LDIF)
  demo        read a simulated CCCD end to end and print the verified result
  sim ...     the software card: personalise, run, profiles, faults, chip-options (cccd sim help)
  agent       the kiosk agent (local WebSocket service)
  help        this text

exit codes: 0 ok, 2 usage, 3 verification not valid, 4 access denied, 5 card/reader I/O failure,
            6 no reader, no card or timeout. Details: docs/cli.md
`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  read: async () => (await import('./commands/read.js')).read,
  readers: async () => (await import('./commands/readers.js')).readers,
  dump: async () => (await import('./commands/dump.js')).dump,
  verify: async () => (await import('./commands/verify.js')).verify,
  diagnose: async () => (await import('./commands/diagnose.js')).diagnose,
  trust: async () => (await import('./commands/trust.js')).trust,
  demo: async () => (await import('./commands/demo.js')).demo,
  sim: async () => (await import('./commands/sim.js')).sim,
  agent: async () => (await import('./commands/agent.js')).agent,
};

/** Runs one command. Never throws: every failure becomes one line on stderr and an exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`cccd: unknown command${/^[a-z-]{1,20}$/.test(name) ? ` '${name}'` : ''} (try 'cccd help')\n`);
    return 2;
  }
  try {
    return await (await load())(rest, io);
  } catch (error) {
    // Commands report their own failures; this is the last guard against a stack trace.
    const failure = describeFailure(error, pickLang(undefined, io.env ?? {}));
    io.stderr.write(`${failure.text.startsWith('cccd ') ? '' : `cccd ${name}: `}${failure.text}\n`);
    return failure.exitCode;
  }
}
