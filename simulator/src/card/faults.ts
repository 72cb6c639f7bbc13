/**
 * Named, documented fault injections. Each is a `name=value` option (CLI `--fault`, CardOptions.faults). Counters
 * (N) are 1-based and count over the card's lifetime, across re-taps, so a fault fires once and a reader that
 * reconnects can finish its job. Faults never throw out of the card: they change what (or whether) it answers.
 */
import { EmrtdError } from '@cccd/emrtd';

export type Fault =
  | { name: 'tag-loss-after-apdus'; apdus: number }
  | { name: 'tag-loss-at-offset'; fid: number; offset: number }
  | { name: 'sw'; ins: number; sw: number; nth?: number }
  | { name: 'corrupt-mac'; nth: number }
  | { name: 'wrong-ssc'; nth: number }
  | { name: 'truncate-response'; nth: number }
  | { name: 'latency-ms'; ms: number }
  | { name: 'tamper-file'; fid: number; offset?: number }
  | { name: 'garbage-file'; fid: number }
  | { name: 'mute-after'; apdus: number };

export type FaultName = Fault['name'];

export const FAULTS: ReadonlyArray<{ name: FaultName; value: string; description: string }> = [
  {
    name: 'tag-loss-after-apdus',
    value: 'N',
    description:
      'The card answers N APDUs, then leaves the field when the next one arrives (no answer; vpcd closes the ' +
      'socket). It comes back as a fresh card (no session, no selection) on reconnect/powerOn. Fires once.',
  },
  {
    name: 'tag-loss-at-offset',
    value: 'FILE:OFFSET',
    description:
      'The card leaves the field when a READ BINARY of FILE (DG1…DG16, COM, SOD, CardAccess, CardSecurity or a hex ' +
      'FID such as 0102) would return the byte at OFFSET (decimal, or hex with 0x). Fires once; resume from a fresh card.',
  },
  {
    name: 'sw',
    value: 'INS:SW[:N]',
    description:
      'Answer status word SW (hex, e.g. 6700) instead of executing command INS (hex, e.g. B0); only the Nth such ' +
      'command when N is given, else every time. Under secure messaging the SW is protected like a real answer; ' +
      '6987/6988 are sent in clear and end the session, as a chip does on an SM error.',
  },
  {
    name: 'corrupt-mac',
    value: 'N',
    description: 'Flip one bit of the MAC (DO 8E) of the Nth secure-messaging response.',
  },
  {
    name: 'wrong-ssc',
    value: 'N',
    description:
      'Before the Nth secure-messaging response the chip increments its SSC once too often, so that response and ' +
      'every later one in the session are MACed with an SSC the reader does not expect.',
  },
  {
    name: 'truncate-response',
    value: 'N',
    description: 'The Nth response loses its second half (at least 1 byte stays, so the status word is cut off).',
  },
  {
    name: 'latency-ms',
    value: 'N',
    description: 'A slow card: every answer comes N ms later (real time, and added to the modelled time).',
  },
  {
    name: 'tamper-file',
    value: 'FILE[:OFFSET]',
    description:
      'Flip the lowest bit of one byte of FILE after signing (default: the last byte), so its hash no longer ' +
      'matches EF.SOD. Passive authentication must fail.',
  },
  {
    name: 'garbage-file',
    value: 'FILE',
    description: 'Replace the contents of FILE with random bytes of the same length (from the card random source).',
  },
  {
    name: 'mute-after',
    value: 'N',
    description:
      'After N answered APDUs the card never answers again until it is powered off, reset or removed (a pending ' +
      'transmit resolves with no answer after 60 s at most). The reader timeout must handle it.',
  },
];

const FILE_NAMES: Record<string, number> = {
  COM: 0x011e,
  SOD: 0x011d,
  CARDACCESS: 0x011c,
  CARDSECURITY: 0x011d,
  DIR: 0x2f00,
  ATR: 0x2f01,
};

/** Resolves DG1…DG16, COM, SOD, CardAccess, CardSecurity (with or without "EF.") or a 4-digit hex FID. */
export function parseFileName(text: string): number | undefined {
  const t = text.trim().toUpperCase().replace(/^EF\./, '').replace(/^EF/, '');
  const dg = /^DG(\d{1,2})$/.exec(t);
  if (dg) {
    const n = Number(dg[1]);
    return n >= 1 && n <= 16 ? 0x0100 + n : undefined;
  }
  if (t in FILE_NAMES) return FILE_NAMES[t];
  if (/^(0X)?[0-9A-F]{4}$/.test(t)) return Number.parseInt(t.replace(/^0X/, ''), 16);
  return undefined;
}

function bad(spec: string, why: string): EmrtdError {
  return new EmrtdError('invalid-argument', `fault "${spec}": ${why}`);
}

function count(spec: string, text: string | undefined, min = 1): number {
  if (text === undefined || !/^\d+$/.test(text)) throw bad(spec, 'expected a whole number');
  const n = Number(text);
  if (n < min || !Number.isSafeInteger(n)) throw bad(spec, `expected a number ≥ ${min}`);
  return n;
}

function hexByte(spec: string, text: string | undefined, digits: number): number {
  if (text === undefined || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(text))
    throw bad(spec, `expected ${digits} hex digits`);
  return Number.parseInt(text, 16);
}

function offsetOf(spec: string, text: string | undefined): number {
  if (text === undefined) throw bad(spec, 'missing offset');
  const n = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw bad(spec, 'offset must be a decimal or 0x-hex number');
  return n;
}

function file(spec: string, text: string | undefined): number {
  const fid = text === undefined ? undefined : parseFileName(text);
  if (fid === undefined) throw bad(spec, 'unknown file (use DG1…DG16, COM, SOD, CardAccess or a hex FID)');
  return fid;
}

/** Parses `name=value` (see FAULTS). Throws EmrtdError('invalid-argument') naming the fault on bad input. */
export function parseFault(spec: string): Fault {
  const eq = spec.indexOf('=');
  if (eq < 0) throw bad(spec, 'expected name=value');
  const name = spec.slice(0, eq).trim();
  const value = spec.slice(eq + 1).trim();
  const parts = value.split(':');
  switch (name) {
    case 'tag-loss-after-apdus':
      return { name, apdus: count(spec, value, 0) };
    case 'mute-after':
      return { name, apdus: count(spec, value, 0) };
    case 'tag-loss-at-offset':
      if (parts.length !== 2) throw bad(spec, 'expected FILE:OFFSET');
      return { name, fid: file(spec, parts[0]), offset: offsetOf(spec, parts[1]) };
    case 'sw': {
      if (parts.length < 2 || parts.length > 3) throw bad(spec, 'expected INS:SW or INS:SW:N');
      const ins = hexByte(spec, parts[0], 2);
      const sw = hexByte(spec, parts[1], 4);
      return parts.length === 3 ? { name, ins, sw, nth: count(spec, parts[2]) } : { name, ins, sw };
    }
    case 'corrupt-mac':
    case 'wrong-ssc':
    case 'truncate-response':
      return { name, nth: count(spec, value) };
    case 'latency-ms':
      return { name, ms: count(spec, value, 0) };
    case 'tamper-file':
      if (parts.length > 2) throw bad(spec, 'expected FILE or FILE:OFFSET');
      return parts.length === 2
        ? { name, fid: file(spec, parts[0]), offset: offsetOf(spec, parts[1]) }
        : { name, fid: file(spec, parts[0]) };
    case 'garbage-file':
      return { name, fid: file(spec, value) };
    default:
      throw bad(spec, `unknown fault (known: ${FAULTS.map((f) => f.name).join(', ')})`);
  }
}

/** Applies the file faults (tamper-file, garbage-file) to a copy of the files; the originals stay untouched. */
export function applyFileFaults(
  files: Map<number, Uint8Array>,
  faults: readonly Fault[],
  random: (n: number) => Uint8Array,
): Map<number, Uint8Array> {
  const out = new Map(files);
  for (const f of faults) {
    if (f.name !== 'tamper-file' && f.name !== 'garbage-file') continue;
    const original = out.get(f.fid);
    if (!original || original.length === 0) continue;
    if (f.name === 'garbage-file') {
      out.set(f.fid, random(original.length).slice(0, original.length));
      continue;
    }
    const copy = original.slice();
    const at = Math.min(f.offset ?? copy.length - 1, copy.length - 1);
    copy[at] = copy[at]! ^ 0x01;
    out.set(f.fid, copy);
  }
  return out;
}
