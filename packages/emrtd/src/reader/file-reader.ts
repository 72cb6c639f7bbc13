/**
 * READ BINARY of whole files over any ApduChannel with an adaptive block size (read-size.ts: ask for the whole
 * file, search down through common chip caps on a refusal, remember what worked for the session); odd-INS B1 with
 * DO'54' above offset 32767; a size cap against hostile length fields; progress events; and resume after tag loss
 * through `FileSession.reestablish` from the last good offset.
 */
import type { ApduChannel, ExchangeStats } from '../apdu/channel.js';
import type { CommandApdu } from '../apdu/command.js';
import { selectFile } from '../apdu/select.js';
import { errorForSw } from '../apdu/status.js';
import type { SmCipher } from '../asn1/oids.js';
import { concat, u16 } from '../codec/bytes.js';
import { readTlv, tlv } from '../codec/tlv.js';
import { Cancelled, EmrtdError, MalformedData } from '../errors.js';
import type { TransportCapabilities } from '../transport.js';
import type { FileRef } from './files.js';
import { HEADER_READ, recovery } from './read-recovery.js';
import {
  initialReadSizes,
  MAX_SIZE_REFUSALS,
  nextReadSize,
  type ReadSizes,
  readRefused,
  readSucceeded,
  SHORT_LADDER,
} from './read-size.js';

export const DEFAULT_MAX_FILE_SIZE = 256 * 1024;
export const DEFAULT_MAX_RESUMES = 3;
const MAX_ODD_INS_OVERHEAD = 4;

export interface ReadProgress {
  file: string;
  bytes: number;
  total: number;
}

export interface FileReadReport {
  file: string;
  bytes: number;
  apdus: number;
  bytesIn: number;
  bytesOut: number;
  /** Reads repeated after a failure (including step-downs). */
  retries: number;
  /** Block size of every successful READ BINARY, in order. */
  blockSizes: number[];
  /** Times access control was redone (reconnect + PACE/BAC) to continue this file. */
  resumes: number;
}

export interface FileReadOptions {
  /** Refuse files whose declared length exceeds this (default 256 KB). */
  maxFileSize?: number;
  /** Re-establishments allowed per file after tag loss / SM failure (default 3). */
  maxResumes?: number;
  /** Select by short file identifier in READ BINARY instead of SELECT (default false). */
  useSfi?: boolean;
  /**
   * Never ask for more than this many bytes per READ BINARY: a fixed block strategy (223 as JMRTD, 160 as the iOS
   * NFCPassportReader) for comparisons, or for a reader known to choke on larger blocks. Default: no cap.
   */
  maxBlockSize?: number;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** The file is the current EF already (the caller just selected it): no SELECT before the first READ. */
  preselected?: boolean;
}

/** What the reader needs from a session. */
export interface FileSession {
  readonly channel: ApduChannel;
  readonly stats: ExchangeStats;
  /** Cipher of the SM session, or undefined for an unprotected channel. */
  readonly cipher?: SmCipher;
  readonly capabilities?: TransportCapabilities;
  /** What the reader learned about the chip's READ sizes (kept across files and resumes; created on first use). */
  readSizes?: ReadSizes;
  /** Learned before this session existed (reading EF.CardAccess): the chip refuses reading past a file's end. */
  readonly pastEndRefused?: boolean;
  /** True when the channel cannot be used any more (SM session lost). */
  readonly lost: boolean;
  /** Reconnect if possible and redo access control; afterwards `channel` is usable again. */
  reestablish(): Promise<void>;
}

export { selectFile };

async function readChunk(
  channel: ApduChannel,
  file: FileRef,
  offset: number,
  length: number,
  sfi: boolean,
): Promise<Uint8Array> {
  const step = `READ BINARY ${file.name}`;
  let cmd: CommandApdu;
  const odd = offset > 0x7fff;
  if (odd) {
    const off = offset > 0xffff ? Uint8Array.of(offset >> 16, (offset >> 8) & 0xff, offset & 0xff) : u16(offset);
    cmd = { cla: 0, ins: 0xb1, p1: 0, p2: 0, data: tlv(0x54, off), ne: length + MAX_ODD_INS_OVERHEAD };
  } else if (sfi && file.sfi !== undefined && offset <= 0xff) {
    cmd = { cla: 0, ins: 0xb0, p1: 0x80 | file.sfi, p2: offset, ne: length };
  } else {
    cmd = { cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne: length };
  }
  const r = await channel.send(cmd, step);
  if (r.sw !== 0x9000 && r.sw !== 0x6282) throw errorForSw(step, r.sw, { file: file.name });
  if (!odd) return r.data;
  // B1 answers with the data inside DO'53'.
  if (r.data.length === 0) return r.data;
  const t = readTlv(r.data, 0, file.name);
  if (t.tag !== 0x53) throw new MalformedData(file.name, offset, 'odd-INS response without DO53');
  return t.value;
}

/** Parses the TLV header at the start of a file to learn its total length. */
function declaredLength(head: Uint8Array, file: string): number | undefined {
  let p = 1;
  if (head.length < 2) return undefined;
  if ((head[0]! & 0x1f) === 0x1f) {
    while (p < head.length && head[p]! & 0x80) p++;
    p++;
  }
  if (p >= head.length) return undefined;
  const first = head[p]!;
  if (first < 0x80) return p + 1 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new MalformedData(file, p, 'unsupported length encoding');
  if (p + 1 + n > head.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + head[p + 1 + i]!;
  return p + 1 + n + len;
}

interface Progress {
  chunks: Uint8Array[];
  have: number;
  /** The file's length from its TLV header, once read. */
  total?: number;
}

/** How much the next READ asks for (data bytes, without the odd-INS framing `reserve`). */
function wantNext(sizes: ReadSizes, p: Progress, reserve: number): number {
  if (p.total !== undefined) return nextReadSize(sizes, p.total - p.have, reserve);
  // A file's first READ, its length still unknown, asks for as much as is known to work: a small file comes in one
  // exchange, and a refusal here would teach nothing. Chips that refuse reading past a file's end get a
  // header-sized first READ.
  return sizes.pastEndRefused ? HEADER_READ : Math.max(HEADER_READ, sizes.good);
}

/**
 * Adds a READ's data; learns the total from the TLV header once enough of it is in. Returns the bytes of the file
 * it added, or undefined while the header is still incomplete.
 */
function accept(p: Progress, data: Uint8Array, want: number, file: string, cap: number): number | undefined {
  const before = p.have;
  p.chunks.push(p.total === undefined ? data : data.subarray(0, Math.min(data.length, p.total - p.have)));
  p.have += p.chunks[p.chunks.length - 1]!.length;
  if (p.total === undefined) {
    const head = concat(...p.chunks);
    p.total = declaredLength(head, file);
    if (p.total === undefined) {
      if (data.length < want) throw new MalformedData(file, 0, 'file shorter than its TLV header');
      return undefined;
    }
    if (p.total > cap) throw new MalformedData(file, 0, `declared length ${p.total} exceeds the ${cap}-byte cap`);
    if (p.have > p.total) {
      p.chunks.splice(0, p.chunks.length, head.subarray(0, p.total));
      p.have = p.total;
    }
  }
  return p.have - before;
}

function sessionSizes(session: FileSession, options: FileReadOptions): ReadSizes {
  if (options.maxBlockSize !== undefined && (!Number.isInteger(options.maxBlockSize) || options.maxBlockSize < 1))
    throw new EmrtdError('invalid-argument', 'maxBlockSize must be a positive integer');
  session.readSizes ??= {
    ...initialReadSizes(session.capabilities, session.cipher, options.maxBlockSize),
    ...(session.pastEndRefused ? { pastEndRefused: true } : {}),
  };
  return session.readSizes;
}

const emptyReport = (file: string): FileReadReport => ({
  file,
  bytes: 0,
  apdus: 0,
  bytesIn: 0,
  bytesOut: 0,
  retries: 0,
  blockSizes: [],
  resumes: 0,
});

/** Reads one whole file. `session.channel` may change when the session is re-established. */
export async function readFile(
  session: FileSession,
  file: FileRef,
  options: FileReadOptions = {},
): Promise<{ bytes: Uint8Array; report: FileReadReport }> {
  const cap = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const maxResumes = options.maxResumes ?? DEFAULT_MAX_RESUMES;
  const start = { ...session.stats };
  const report = emptyReport(file.name);
  const sizes = sessionSizes(session, options);
  const useSfi = options.useSfi === true && file.sfi !== undefined;
  let selected = options.preselected === true;
  const p: Progress = { chunks: [], have: 0 };
  let failuresHere = 0;
  let retriesLeft = MAX_SIZE_REFUSALS + SHORT_LADDER.length * 3 + maxResumes + 2;

  while (p.total === undefined || p.have < p.total) {
    if (options.signal?.aborted) throw new Cancelled(`READ BINARY ${file.name}`);
    let block = 0;
    try {
      if (session.lost) throw new EmrtdError('secure-messaging', 'session lost', { retriable: true });
      if (!selected && !useSfi) {
        await selectFile(session.channel, file);
        selected = true;
      }
      const reserve = p.have > 0x7fff ? MAX_ODD_INS_OVERHEAD : 0;
      const want = wantNext(sizes, p, reserve);
      block = want + reserve;
      const data = await readChunk(session.channel, file, p.have, want, useSfi && !selected);
      selected = true;
      if (data.length === 0)
        throw new MalformedData(file.name, p.have, 'card returned no data before the end of the file');
      const got = accept(p, data, want, file.name, cap);
      failuresHere = 0;
      if (got === undefined) continue;
      report.blockSizes.push(got);
      // A short answer before the end of the file is a chip cutting at its buffer: learn its size.
      if (got < want && p.have < p.total!) readRefused(sizes, block);
      readSucceeded(sizes, got + reserve);
      options.onProgress?.({ file: file.name, bytes: p.have, total: p.total! });
    } catch (e) {
      const firstRead = p.total === undefined;
      const r = recovery(e, {
        firstRead,
        block,
        retriesLeft,
        failuresHere,
        resumes: report.resumes,
        maxResumes,
        sessionLost: session.lost,
      });
      retriesLeft--;
      if (!r.retry) throw e;
      report.retries++;
      if (r.pastEndRefused) sizes.pastEndRefused = true;
      if (r.refused && !readRefused(sizes, r.refused.block, r.refused.named) && r.refused.required) throw e;
      if (r.costly) sizes.costly = true;
      failuresHere = r.failuresHere;
      if (r.resumesExhausted) throw e;
      if (r.resume) {
        report.resumes++;
        await session.reestablish();
        selected = false;
      }
    }
  }
  report.apdus = session.stats.apdus - start.apdus;
  report.bytesIn = session.stats.bytesIn - start.bytesIn;
  report.bytesOut = session.stats.bytesOut - start.bytesOut;
  report.bytes = p.have;
  return { bytes: concat(...p.chunks), report };
}
