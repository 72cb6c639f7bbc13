import { describeFailure } from './exit.js';
import { COMMAND_HELP, USAGE, version } from './help.js';
import { pickLang } from './i18n.js';
import type { Command, Io } from './io.js';

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
  server: async () => (await import('./commands/server.js')).server,
};

/** Runs one command. Never throws: every failure becomes one line on stderr and an exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  // `cccd help read` is `cccd read --help`; `cccd help sim` goes to sim's own usage.
  if (name === 'help' && rest.length > 0) return run([rest[0]!, '--help'], io);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const help = Object.hasOwn(COMMAND_HELP, name) ? COMMAND_HELP[name] : undefined;
  if (help !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout.write(help);
    return 0;
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
