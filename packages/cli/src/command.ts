import { describeFailure } from './exit.js';
import { type Lang, pickLang } from './i18n.js';
import type { Io } from './io.js';

/** --lang from the raw argv (before parsing, so even a usage error is in the right language), else the locale. */
export function langOf(argv: string[], io: Io): Lang {
  let flag: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--lang') flag = argv[i + 1];
    else if (a.startsWith('--lang=')) flag = a.slice(7);
  });
  return pickLang(flag, io.env ?? {});
}

/** Runs a command body; any failure becomes `cccd NAME: one line` on stderr and its exit code. */
export async function guarded(
  name: string,
  argv: string[],
  io: Io,
  body: (lang: Lang) => Promise<number>,
): Promise<number> {
  const lang = langOf(argv, io);
  try {
    return await body(lang);
  } catch (error) {
    const failure = describeFailure(error, lang);
    const text = failure.text.replace(/\s*\n\s*/g, ' ');
    io.stderr.write(`${text.startsWith('cccd ') ? '' : `cccd ${name}: `}${text}\n`);
    return failure.exitCode;
  }
}
