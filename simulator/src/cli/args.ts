/** A command-line mistake: the CLI prints its message on one line and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  /** Takes a value (`--out DIR` or `--out=DIR`). */
  value: boolean;
  /** May be given more than once (values collected in order). */
  repeat?: boolean;
}

export interface ParsedArgs {
  options: Map<string, string[]>;
  positional: string[];
}

/** Parses `--name value`, `--name=value` and flags against a spec; anything unknown is a UsageError. */
export function parseArgs(command: string, argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`cccd sim ${command}: unknown option --${name}`);
    let value = 'true';
    if (s.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i]!;
      else throw new UsageError(`cccd sim ${command}: --${name} needs a value`);
    } else if (eq >= 0) throw new UsageError(`cccd sim ${command}: --${name} takes no value`);
    const seen = options.get(name);
    if (seen && !s.repeat) throw new UsageError(`cccd sim ${command}: --${name} given twice`);
    options.set(name, [...(seen ?? []), value]);
  }
  return { options, positional };
}

export const single = (args: ParsedArgs, name: string): string | undefined => args.options.get(name)?.[0];
