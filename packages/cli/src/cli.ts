export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

type Command = (args: string[], io: Io) => Promise<number>;

/** Commands that later steps bring, named so the CLI can say plainly what is not there yet. */
const COMING: Record<string, string> = {
  read: 'step 5 (real readers)',
  readers: 'step 5 (real readers)',
  dump: 'step 5 (real readers)',
  verify: 'step 4 (passive authentication)',
  trust: 'step 4 (trust store)',
  agent: 'step 6 (kiosk agent)',
};

const USAGE = `usage: cccd <command> [options]

commands:
  demo        read a simulated CCCD end to end and print the result
  sim ...     the software card: personalise, run, profiles, faults
  help        this text
`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const commands: Record<string, () => Promise<Command>> = {
    demo: async () => (await import('./commands/demo.js')).demo,
    sim: async () => (await import('./commands/sim.js')).sim,
  };
  const load = commands[name];
  if (load) return (await load())(rest, io);
  const step = COMING[name];
  if (step) {
    io.stderr.write(`cccd ${name}: not available yet; it arrives with ${step}.\n`);
    return 2;
  }
  io.stderr.write(`cccd: unknown command '${name}' (try 'cccd help')\n`);
  return 2;
}
