import type { Io } from '../cli.js';

export async function demo(_args: string[], io: Io): Promise<number> {
  io.stdout.write(
    'cccd demo: the simulated card and the reader are still being built (steps 2 and 3); nothing to read yet.\n',
  );
  return 0;
}
