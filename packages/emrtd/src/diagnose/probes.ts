/**
 * Probes that a normal read never makes but a first look at an unknown chip needs (docs/reference/real-chips.md:
 * end-of-file answers, SFI support and extended-length caps differ between chips). They run on a fresh session with the key
 * and method that already worked, after the read, on non-personal files where possible; answers are reduced to
 * status words and lengths and the data is zeroed at once.
 */
import type { CommandApdu } from '../apdu/command.js';
import { swHex } from '../apdu/status.js';
import { EmrtdError, type ErrorCode } from '../errors.js';
import type { AccessKey } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import { type AccessResult, type CardSession, openSession, type SessionOptions } from '../read/session.js';
import type { CccdGroup } from '../read/types.js';
import { selectFile } from '../reader/file-reader.js';
import { FILES, type FileRef } from '../reader/files.js';
import type { Transport } from '../transport.js';

export interface ProbeAnswer {
  sw?: string;
  dataBytes?: number;
  error?: ErrorCode;
}

export interface ProbeResult {
  /** READ BINARY with a short EF identifier (P1 = 80 | SFI) of a file the chip has. */
  sfi?: { file: string; accepted: boolean } & ProbeAnswer;
  endOfFile?: {
    file: string;
    /** 8 bytes asked from 2 bytes before the end. */
    pastEnd: ProbeAnswer;
    /** 1 byte asked at the end offset itself. */
    atEnd: ProbeAnswer;
    behaviour: '9000-short' | '6282' | '6B00' | 'other';
  };
  /**
   * Extended-length Le ladder on the largest file (only when the link carries extended APDUs), from Le 0000 down.
   * `largestAccepted` is the most one answer carried: Le 0000's answer (a chip cuts it at its buffer) or a larger
   * Le answered in full; equal to the file size, it is a lower bound.
   */
  maxNe?: { file: string; tried: ({ le: number } & ProbeAnswer)[]; largestAccepted?: number };
  /** Probing stopped early (the probe session could not be opened or kept). */
  error?: { code: ErrorCode; step?: string; sw?: string };
}

export interface ProbeInput {
  key: AccessKey | CandidateKey | (AccessKey | CandidateKey)[];
  access: AccessResult;
  /** Sizes of the files the read got. */
  sizes: Partial<Record<CccdGroup, number>>;
  session?: SessionOptions;
}

const MAX_RESUMES = 3;
/** Le 0000 ("all"), then powers of two: the usual chip buffer sizes (512 … 32768). */
const NE_LADDER = [65536, 32768, 16384, 8192, 4096, 2048, 1024, 512];

/** The key that opened the read, so the probe session tests no other candidate against the chip's counter. */
function workingKey(input: ProbeInput): AccessKey | CandidateKey {
  const list = Array.isArray(input.key) ? input.key : [input.key];
  const label = input.access.keyLabel;
  const found = list.find((k) => ('key' in k ? k.label === label : k.kind === label));
  return found ?? list[0]!;
}

const errorOf = (e: unknown): ProbeAnswer => {
  if (!(e instanceof EmrtdError) || e.code === 'cancelled') throw e;
  return { error: e.code, ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }) };
};

class Prober {
  private resumes = 0;
  constructor(private readonly session: CardSession) {}

  /** A refused probe may end secure messaging: re-open (bounded) before the next one. */
  private async ready(step: string): Promise<void> {
    if (!this.session.lost) return;
    if (++this.resumes > MAX_RESUMES)
      throw new EmrtdError('secure-messaging', 'probe session lost too often', { step });
    await this.session.reestablish();
  }

  async send(command: CommandApdu, step: string): Promise<ProbeAnswer> {
    await this.ready(step);
    try {
      const r = await this.session.channel.send(command, step);
      const dataBytes = r.data.length;
      r.data.fill(0);
      return { sw: swHex(r.sw), dataBytes };
    } catch (e) {
      return errorOf(e);
    }
  }

  async select(file: FileRef): Promise<ProbeAnswer | undefined> {
    await this.ready(`probe SELECT ${file.name}`);
    try {
      await selectFile(this.session.channel, file);
      return undefined;
    } catch (e) {
      return errorOf(e);
    }
  }
}

const readAt = (offset: number, ne: number): CommandApdu => ({
  cla: 0,
  ins: 0xb0,
  p1: offset >> 8,
  p2: offset & 0xff,
  ne,
});

async function probeSfi(p: Prober, file: FileRef): Promise<NonNullable<ProbeResult['sfi']>> {
  const a = await p.send({ cla: 0, ins: 0xb0, p1: 0x80 | file.sfi!, p2: 0, ne: 4 }, 'probe READ BINARY (SFI)');
  return { file: file.name, accepted: a.sw === '9000' && a.dataBytes === 4, ...a };
}

async function probeEndOfFile(p: Prober, file: FileRef, size: number): Promise<ProbeResult['endOfFile']> {
  const refused = await p.select(file);
  if (refused) return undefined;
  const pastEnd = await p.send(readAt(size - 2, 8), 'probe READ BINARY past the end');
  const atEnd = await p.send(readAt(size, 1), 'probe READ BINARY at the end');
  const behaviour =
    pastEnd.sw === '6282'
      ? '6282'
      : pastEnd.sw === '6B00'
        ? '6B00'
        : pastEnd.sw === '9000' && (pastEnd.dataBytes ?? 0) < 8
          ? '9000-short'
          : 'other';
  return { file: file.name, pastEnd, atEnd, behaviour };
}

async function probeMaxNe(p: Prober, file: FileRef, size: number): Promise<ProbeResult['maxNe']> {
  if (await p.select(file)) return undefined;
  const tried: NonNullable<ProbeResult['maxNe']>['tried'] = [];
  let largestAccepted: number | undefined;
  // Each rung must be smaller than the file, so that a full answer proves the chip's buffer, not the file's end.
  for (const le of NE_LADDER.filter((n) => n === 65536 || n < size)) {
    if (largestAccepted !== undefined && le <= largestAccepted) break;
    const a = await p.send(readAt(0, le), 'probe READ BINARY extended');
    tried.push({ le, ...a });
    const answered = (a.sw === '9000' || a.sw === '6282') && (a.dataBytes ?? 0) > 0;
    // Le 0000 ("all available") returns the whole file, or as much as the chip's buffer holds: both are measured.
    if (le === 65536 && answered) {
      largestAccepted = a.dataBytes!;
      if (largestAccepted >= size) break;
      continue;
    }
    if (answered && a.dataBytes === le) {
      largestAccepted = Math.max(largestAccepted ?? 0, le);
      break;
    }
  }
  return { file: file.name, tried, ...(largestAccepted === undefined ? {} : { largestAccepted }) };
}

/** The small non-personal file to probe SFI and end of file on: EF.COM, DG14 or EF.SOD, the first the chip has. */
function smallFile(sizes: ProbeInput['sizes']): [FileRef, number] | undefined {
  for (const g of ['COM', 'DG14', 'SOD'] as const) if ((sizes[g] ?? 0) > 2) return [FILES[g], sizes[g]!];
  return undefined;
}

function largestFile(sizes: ProbeInput['sizes']): [FileRef, number] | undefined {
  const [name, size] = Object.entries(sizes).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0] ?? [];
  return name && size ? [FILES[name as CccdGroup], size] : undefined;
}

/** Runs the probes; a failure ends probing with `error` set and never throws (except on cancellation). */
export async function runProbes(transport: Transport, input: ProbeInput): Promise<ProbeResult> {
  const out: ProbeResult = {};
  try {
    const protocol = input.access.protocol;
    const session = await openSession(transport, workingKey(input), {
      ...input.session,
      allowBac: protocol === 'BAC',
      preferPace: protocol === 'PACE',
      maxAttempts: 1,
    });
    const p = new Prober(session);
    const small = smallFile(input.sizes);
    if (small) {
      out.sfi = await probeSfi(p, small[0]);
      out.endOfFile = await probeEndOfFile(p, small[0], small[1]);
    }
    const large = largestFile(input.sizes);
    if (large && transport.capabilities?.extendedLength) out.maxNe = await probeMaxNe(p, large[0], large[1]);
  } catch (e) {
    if (!(e instanceof EmrtdError) || e.code === 'cancelled') throw e;
    out.error = {
      code: e.code,
      ...(e.step ? { step: e.step } : {}),
      ...(e.sw === undefined ? {} : { sw: swHex(e.sw) }),
    };
  }
  return out;
}
