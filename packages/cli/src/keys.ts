/**
 * The access key from the command line: --can, --id/--dob/--expiry (CCCD BAC/PACE-MRZ key), --mrz or --qr (the
 * card's QR: CAN first, then MRZ keys with the computed expiry). The library's own errors never echo the input.
 */
import {
  type AccessKey,
  type CandidateKey,
  type CccdGroup,
  candidateKeys,
  canKey,
  EmrtdError,
  keyFromCccd,
  keyFromMrzText,
  parseCccdQr,
} from '@cccd/emrtd';
import { type OptionSpec, type ParsedArgs, UsageError } from './args.js';

export const KEY_OPTIONS: OptionSpec = {
  can: 'string',
  id: 'string',
  dob: 'string',
  expiry: 'string',
  mrz: 'string',
  qr: 'string',
};

/** Reader and card-source options shared by read and dump. */
export const CARD_OPTIONS: OptionSpec = {
  ...KEY_OPTIONS,
  reader: 'string',
  timeout: 'string',
  simulate: 'string',
  fault: 'multi',
  chip: 'multi',
  extended: 'boolean',
  access: 'string',
  lang: 'string',
};

export type Key = AccessKey | CandidateKey[];

function safely<T>(command: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof EmrtdError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}

export function accessKeyOf(command: string, args: ParsedArgs): Key {
  const given = ['can', 'id', 'mrz', 'qr'].filter((k) => args.has(k));
  if (given.length !== 1 || (!args.has('id') && (args.has('dob') || args.has('expiry'))))
    throw new UsageError(`${command}: give exactly one access key: --can, --id with --dob and --expiry, --mrz or --qr`);
  return safely(command, () => {
    if (args.has('can')) return canKey(args.get('can')!);
    if (args.has('mrz')) return keyFromMrzText(args.get('mrz')!);
    if (args.has('qr')) {
      const qr = parseCccdQr(args.get('qr')!);
      return candidateKeys({ idNumber: qr.idNumber, dateOfBirth: qr.dateOfBirth, dateOfIssue: qr.dateOfIssue });
    }
    const dob = args.get('dob');
    const expiry = args.get('expiry');
    if (dob === undefined || expiry === undefined)
      throw new UsageError(`${command}: --id needs --dob YYYY-MM-DD and --expiry YYYY-MM-DD (or --expiry none)`);
    return keyFromCccd(args.get('id')!, dob, /^none$/i.test(expiry) ? null : expiry);
  });
}

/** --access auto|pace|bac → session options. */
export function accessPolicyOf(
  command: string,
  args: ParsedArgs,
  key: Key,
): { allowBac?: boolean; preferPace?: boolean } {
  const access = args.get('access') ?? 'auto';
  if (access === 'auto') return {};
  if (access === 'pace') return { allowBac: false };
  if (access === 'bac') {
    const keys = Array.isArray(key) ? key.map((k) => k.key) : [key];
    if (!keys.some((k) => k.kind === 'MRZ'))
      throw new UsageError(`${command}: --access bac needs an MRZ key (--id or --mrz)`);
    return { preferPace: false };
  }
  throw new UsageError(`${command}: --access must be auto, pace or bac`);
}

const GROUP_NAMES: Record<string, CccdGroup> = {
  com: 'COM',
  sod: 'SOD',
  dg1: 'DG1',
  dg2: 'DG2',
  dg13: 'DG13',
  dg14: 'DG14',
  dg15: 'DG15',
};

/** --groups dg1,dg2,… (COM, SOD, DG1, DG2, DG13, DG14, DG15), or the default. */
export function groupsOf(command: string, args: ParsedArgs, fallback: CccdGroup[]): CccdGroup[] {
  const names = args.list('groups');
  if (names.length === 0) return [...fallback];
  return names.map((n) => {
    const g = GROUP_NAMES[n.toLowerCase().replace(/^ef\./, '')];
    if (!g) throw new UsageError(`${command}: --groups takes ${Object.keys(GROUP_NAMES).join(', ')}`);
    return g;
  });
}
