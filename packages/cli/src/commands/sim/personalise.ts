import { personalise, writeCardDir } from '@cccd/simulator';
import { parseArgs } from '../../args.js';
import type { Io } from '../../io.js';
import { chipOf, profileOf, required, seedOf, signatureOf } from './options.js';

/** `cccd sim personalise`: builds every file of a card into a card directory (docs/simulator.md §2). */
export async function personaliseCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs('cccd sim personalise', argv, {
    profile: 'string',
    out: 'string',
    sig: 'string',
    seed: 'string',
    can: 'string',
    chip: 'multi',
  });
  const profileName = required('personalise', args, 'profile');
  const out = required('personalise', args, 'out');
  const signature = signatureOf(args);
  const seed = seedOf(args);
  const chip = chipOf('personalise', args);
  const card = await personalise(profileOf(args, profileName), { signature, seed, chip });
  const written = writeCardDir(card, out);
  io.stdout.write(`wrote ${written.length} files to ${out}\n`);
  return 0;
}
