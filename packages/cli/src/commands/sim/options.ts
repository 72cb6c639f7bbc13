/**
 * Options the `cccd sim` subcommands share. Mistakes are UsageErrors naming the option, never repeating its value
 * (a --can is a card's access key).
 */
import { EmrtdError } from '@cccd/emrtd';
import {
  type ChipSettings,
  type CitizenProfile,
  type Fault,
  isSignatureAlgorithmName,
  loadProfile,
  parseChipOptions,
  parseFault,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithmName,
} from '@cccd/simulator';
import { type ParsedArgs, UsageError } from '../../args.js';

/** --seed: a whole number, or any other text as a seed string. */
export function seedOf(args: ParsedArgs): string | number | undefined {
  const text = args.get('seed');
  if (text === undefined) return undefined;
  if (text === '') throw new UsageError('cccd sim: --seed needs a non-empty value');
  return /^\d{1,15}$/.test(text) ? Number(text) : text;
}

/** The profile, with --can overriding its CAN (default: the last 6 digits of the ID). */
export function profileOf(args: ParsedArgs, name: string): CitizenProfile {
  const can = args.get('can');
  if (can !== undefined && !/^\d{6}$/.test(can)) throw new UsageError('cccd sim: --can must be exactly 6 digits');
  const profile = loadProfile(name);
  return can === undefined ? profile : { ...profile, can };
}

export function signatureOf(args: ParsedArgs): SignatureAlgorithmName | undefined {
  const text = args.get('sig');
  if (text === undefined) return undefined;
  if (!isSignatureAlgorithmName(text))
    throw new UsageError(`cccd sim: unknown --sig (known: ${SIGNATURE_ALGORITHMS.join(', ')})`);
  return text;
}

export function required(command: string, args: ParsedArgs, name: string): string {
  const v = args.get(name);
  if (v === undefined) throw new UsageError(`cccd sim ${command}: --${name} is required`);
  return v;
}

/** `--chip NAME=VALUE`, repeatable (see CHIP_OPTIONS); a mistake is a usage error naming the option. */
export function chipOf(command: string, args: ParsedArgs): ChipSettings {
  try {
    return parseChipOptions(args.list('chip'));
  } catch (e) {
    throw new UsageError(`cccd sim ${command}: ${e instanceof EmrtdError ? e.message : 'bad --chip'}`);
  }
}

/** `--fault NAME=VALUE`, repeatable (see FAULTS). */
export function faultsOf(command: string, args: ParsedArgs): Fault[] {
  return args.list('fault').map((spec) => {
    try {
      return parseFault(spec);
    } catch (e) {
      throw new UsageError(`cccd sim ${command}: ${e instanceof EmrtdError ? e.message : 'bad --fault'}`);
    }
  });
}

/** A whole-number option within [min, max], or undefined when absent. */
export function intOption(command: string, args: ParsedArgs, name: string, min: number, max: number) {
  const text = args.get(name);
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`cccd sim ${command}: --${name} must be an integer from ${min} to ${max}`);
  return n;
}
