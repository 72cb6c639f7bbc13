/** `cccd readers [--json]`: the PC/SC readers and whether a card is present. Exit 6 without service or reader. */
import { hex } from '@cccd/emrtd/codec';
import { parseArgs } from '../args.js';
import { guarded } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import type { Io } from '../io.js';

export async function readers(argv: string[], io: Io): Promise<number> {
  return guarded('readers', argv, io, async (lang) => {
    const args = parseArgs('cccd readers', argv, { json: 'boolean', lang: 'string' });
    const { PcscContext } = await import('@cccd/pcsc');
    const context = io.pcscContext?.() ?? new PcscContext();
    try {
      const list = await context.readers({ timeoutMs: 5000 });
      if (list.length === 0) throw new CliError(EXIT.noCard, 'no-readers');
      const rows = list.map((r) => ({ name: r.name, cardPresent: r.present, atr: r.atr ? hex(r.atr) : null }));
      if (args.flag('json')) io.stdout.write(`${JSON.stringify({ readers: rows })}\n`);
      else
        for (const r of rows) {
          const card = r.cardPresent
            ? `${lang === 'vi' ? 'có thẻ' : 'card present'}, ATR ${r.atr?.toUpperCase()}`
            : lang === 'vi'
              ? 'không có thẻ'
              : 'no card';
          io.stdout.write(`${r.name}\t${card}\n`);
        }
      return EXIT.ok;
    } finally {
      await context.close();
    }
  });
}
