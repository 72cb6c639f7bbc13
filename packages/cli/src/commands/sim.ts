import { runSim } from '@cccd/simulator';
import type { Io } from '../io.js';

/** `cccd sim …`: the software card's own commands. */
export async function sim(args: string[], io: Io): Promise<number> {
  return runSim(args, io);
}
