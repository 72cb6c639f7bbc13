import type { Io } from '../cli.js';

export async function sim(_args: string[], io: Io): Promise<number> {
  io.stderr.write('cccd sim: the simulator commands arrive with step 2.\n');
  return 2;
}
