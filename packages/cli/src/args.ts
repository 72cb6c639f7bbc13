/**
 * Option parsing for every command. Mistakes end in UsageError (exit 2). A value given on the command line is
 * never repeated in a message: it may be a CAN, an ID number or a date of birth.
 */
/** 'list' splits commas (dg1,dg2); 'multi' is repeatable as given (paths may hold commas). */
export type OptionKind = 'string' | 'list' | 'multi' | 'boolean';
export type OptionSpec = Record<string, OptionKind>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positionals: string[];
  /** The last value of a 'string' option. */
  get(name: string): string | undefined;
  /** Every value of a 'list' or 'multi' option ('list' values are split at commas). */
  list(name: string): string[];
  flag(name: string): boolean;
  has(name: string): boolean;
}

/** Names that are safe to echo: option-like words only, so `--001090012345` is not repeated back. */
const ECHOABLE = /^--?[a-z][a-z-]{0,30}$/;
const optionName = (arg: string) => (ECHOABLE.test(arg) ? `'${arg}'` : 'an option');

export function parseArgs(command: string, argv: string[], spec: OptionSpec, maxPositionals = 0): ParsedArgs {
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) throw new UsageError(`${command}: unknown option ${optionName(eq < 0 ? arg : arg.slice(0, eq))}`);
    let value: string;
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`${command}: --${name} takes no value`);
      value = 'true';
    } else if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new UsageError(`${command}: --${name} needs a value`);
      value = next;
      i++;
    }
    const list = values.get(name) ?? [];
    if (kind === 'string' && list.length > 0) throw new UsageError(`${command}: --${name} given more than once`);
    list.push(value);
    values.set(name, list);
  }
  if (positionals.length > maxPositionals)
    throw new UsageError(
      maxPositionals === 0 ? `${command}: takes no arguments besides options` : `${command}: too many arguments`,
    );
  return {
    positionals,
    get: (name) => values.get(name)?.at(-1),
    list: (name) =>
      (values.get(name) ?? [])
        .flatMap((v) => (spec[name] === 'list' ? v.split(',') : [v]))
        .map((v) => v.trim())
        .filter(Boolean),
    flag: (name) => values.has(name),
    has: (name) => values.has(name),
  };
}

/** A positive number of seconds, as milliseconds. */
export function secondsOption(command: string, args: ParsedArgs, name: string, fallback: number): number {
  const text = args.get(name);
  if (text === undefined) return fallback * 1000;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0 && n <= 3600)) throw new UsageError(`${command}: --${name} must be a number of seconds (0-3600)`);
  return Math.round(n * 1000);
}
