/**
 * Parsing, merging and printing of chip options (`name=value`, see CHIP_OPTIONS in chip-behaviour.ts). Parse errors
 * are EmrtdError('invalid-argument') naming the option; nothing here throws anything else.
 */
import { EmrtdError } from '@cccd/emrtd';
import {
  CHIP_OPTIONS,
  type ChipBehaviour,
  type ChipSettings,
  type ChipSettingsInput,
  DEFAULT_CHIP,
} from './chip-behaviour.js';

function bad(spec: string, why: string): EmrtdError {
  return new EmrtdError('invalid-argument', `chip option "${spec}": ${why}`, { step: 'chip-option' });
}

/** An error status word: 4 hex digits, SW1 62-6F. */
function statusWord(spec: string, text: string | undefined): number {
  if (text === undefined || !/^[0-9a-fA-F]{4}$/.test(text)) throw bad(spec, 'expected a status word of 4 hex digits');
  const sw = Number.parseInt(text, 16);
  if (sw < 0x6200 || sw > 0x6fff) throw bad(spec, 'the status word must be an error or warning (6200-6FFF)');
  return sw;
}

function oneOf<T extends string>(spec: string, text: string, allowed: readonly T[]): T {
  const v = text.toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) throw bad(spec, `expected ${allowed.join('|')}`);
  return v as T;
}

function number(spec: string, text: string, min: number, max: number, integer: boolean): number {
  const ok = integer ? /^\d+$/.test(text) : /^\d+(\.\d+)?$/.test(text);
  const n = ok ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw bad(spec, `expected ${integer ? 'a whole number' : 'a number'} ${min}-${max}`);
  return n;
}

/** Splits `kind[:SW]` and checks the SW is given exactly when the kind needs one. */
function kindAndSw(spec: string, value: string, withSw: readonly string[], without: readonly string[], dflt?: number) {
  const [kindText = '', swText, extra] = value.split(':');
  if (extra !== undefined) throw bad(spec, 'too many ":"');
  const kind = oneOf(spec, kindText, [...withSw, ...without]);
  if (without.includes(kind)) {
    if (swText !== undefined) throw bad(spec, `${kind} takes no status word`);
    return { kind, sw: undefined };
  }
  if (swText === undefined && dflt !== undefined) return { kind, sw: dflt };
  return { kind, sw: statusWord(spec, swText) };
}

/** Parses one `name=value` (see CHIP_OPTIONS) into a one-field setting. Throws EmrtdError('invalid-argument'). */
export function parseChipOption(spec: string): ChipSettings {
  const eq = spec.indexOf('=');
  if (eq < 0) throw bad(spec, 'expected name=value');
  const name = spec.slice(0, eq).trim();
  const value = spec.slice(eq + 1).trim();
  switch (name) {
    case 'ca': {
      const r = kindAndSw(spec, value, ['refuse-mse', 'refuse-ga'], ['completes', 'fails-new-keys', 'not-advertised']);
      if (r.sw === undefined) return { ca: { kind: r.kind as 'completes' | 'fails-new-keys' | 'not-advertised' } };
      return { ca: { kind: r.kind as 'refuse-mse' | 'refuse-ga', sw: r.sw } };
    }
    case 'aa': {
      const r = kindAndSw(spec, value, ['refuse'], ['present', 'absent']);
      return { aa: r.sw === undefined ? { kind: r.kind as 'present' | 'absent' } : { kind: 'refuse', sw: r.sw } };
    }
    case 'pace-cam':
      return {
        paceCam: {
          kind: oneOf(spec, value, ['absent', 'present', 'wrong-key', 'bad-signature', 'no-card-security'] as const),
        },
      };
    case 'pace-mrz': {
      const r = kindAndSw(spec, value, ['refused'], ['accepted'], 0x6982);
      return { paceMrz: r.sw === undefined ? { kind: 'accepted' } : { kind: 'refused', sw: r.sw } };
    }
    case 'sfi': {
      const r = kindAndSw(spec, value, ['refused'], ['supported'], 0x6a86);
      return { sfi: r.sw === undefined ? { kind: 'supported' } : { kind: 'refused', sw: r.sw } };
    }
    case 'ne-cap': {
      const [max = '', overflow, extra] = value.split(':');
      if (extra !== undefined) throw bad(spec, 'expected N or N:HOW');
      return {
        neCap: {
          max: number(spec, max, 64, 65536, true),
          overflow: overflow === undefined ? '6700' : oneOf(spec, overflow, ['6700', '6a86', '6cxx', 'cut'] as const),
        },
      };
    }
    case 'short-le00':
      return { shortLe00: oneOf(spec, value, ['accepted', 'refused'] as const) };
    case 'eof':
      return { endOfFile: oneOf(spec, value, ['6282', '9000', '6b00'] as const) };
    case 'sm-errors':
      return { smErrors: oneOf(spec, value, ['protected', 'plain'] as const) };
    case 'pace-cam-iv':
      return { paceCamIv: oneOf(spec, value, ['encrypted-ones', 'ones', 'zero'] as const) };
    case 'select-mf':
      return { selectMf: oneOf(spec, value, ['6d00', '9000', '6a82'] as const) };
    case 'crypto-time':
      return { cryptoTime: number(spec, value, 0.01, 1000, false) };
    case 'exchange-ms':
      return { exchangeMs: number(spec, value, 0, 600_000, true) };
    default:
      throw bad(spec, `unknown chip option (known: ${CHIP_OPTIONS.map((o) => o.name).join(', ')})`);
  }
}

/** Parses a list of `name=value` specs; naming one option twice is an error (which one should win is unclear). */
export function parseChipOptions(specs: readonly string[]): ChipSettings {
  const out: ChipSettings = {};
  for (const spec of specs) {
    const one = parseChipOption(spec);
    const key = Object.keys(one)[0] as keyof ChipBehaviour;
    if (key in out) throw bad(spec, 'this option is given twice');
    Object.assign(out, one);
  }
  return out;
}

const settingsOf = (input: ChipSettingsInput | undefined): ChipSettings =>
  input === undefined ? {} : Array.isArray(input) ? parseChipOptions(input) : (input as ChipSettings);

/** The full behaviour: defaults, overridden by each layer in turn (e.g. the card image's, then the card options'). */
export function chipBehaviour(...layers: Array<ChipSettingsInput | undefined>): ChipBehaviour {
  const out: ChipBehaviour = { ...DEFAULT_CHIP };
  for (const layer of layers) Object.assign(out, settingsOf(layer));
  return out;
}

/** Only the settings that differ from the defaults, e.g. to store a card's behaviour. */
export function chipSettings(...layers: Array<ChipSettingsInput | undefined>): ChipSettings {
  const all = chipBehaviour(...layers);
  const out: ChipSettings = {};
  for (const key of Object.keys(all) as Array<keyof ChipBehaviour>) {
    if (JSON.stringify(all[key]) !== JSON.stringify(DEFAULT_CHIP[key])) Object.assign(out, { [key]: all[key] });
  }
  return out;
}

const swHex = (sw: number) => sw.toString(16).toUpperCase().padStart(4, '0');

/** `name=value` specs for every setting that differs from the defaults (parseChipOptions reads them back). */
export function formatChipOptions(settings: ChipSettingsInput | undefined): string[] {
  const s = chipSettings(settings);
  const out: string[] = [];
  const withSw = (name: string, v: { kind: string; sw?: number }) =>
    out.push(`${name}=${v.kind}${v.sw === undefined ? '' : `:${swHex(v.sw)}`}`);
  if (s.ca) withSw('ca', s.ca);
  if (s.aa) withSw('aa', s.aa);
  if (s.paceCam) out.push(`pace-cam=${s.paceCam.kind}`);
  if (s.paceMrz) withSw('pace-mrz', s.paceMrz);
  if (s.neCap) out.push(`ne-cap=${s.neCap.max}:${s.neCap.overflow}`);
  if (s.shortLe00) out.push(`short-le00=${s.shortLe00}`);
  if (s.endOfFile) out.push(`eof=${s.endOfFile}`);
  if (s.sfi) withSw('sfi', s.sfi);
  if (s.smErrors) out.push(`sm-errors=${s.smErrors}`);
  if (s.selectMf) out.push(`select-mf=${s.selectMf}`);
  if (s.paceCamIv) out.push(`pace-cam-iv=${s.paceCamIv}`);
  if (s.cryptoTime !== undefined) out.push(`crypto-time=${s.cryptoTime}`);
  if (s.exchangeMs !== undefined) out.push(`exchange-ms=${s.exchangeMs}`);
  return out;
}

/** The `name=value` specs among these that change the card's files (they apply at personalisation). */
export function personalisationOptions(settings: ChipSettingsInput | undefined): string[] {
  return formatChipOptions(settings).filter((spec) => {
    const [name, value] = spec.split('=');
    return CHIP_OPTIONS.find((o) => o.name === name)?.personalisation.includes(value ?? '') ?? false;
  });
}
