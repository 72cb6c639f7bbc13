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
import { Cancelled, CardError, EmrtdError, MalformedData } from '../errors.js';
import type { TransportCapabilities } from '../transport.js';
import type { FileRef } from './files.js';
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
const HEADER_READ = 8;
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

const isSwError = (e: unknown): e is EmrtdError => e instanceof EmrtdError && e.sw !== undefined;

/**
 * What a failed READ means: the chip refused reading past a small file's end (first READ of a file), refused the
 * size, the link failed (resume), or the file cannot be read (fatal).
 */
function classify(e: unknown, firstRead: boolean, block: number): 'past-end' | 'size' | 'link' | 'fatal' {
  if (!(e instanceof EmrtdError) || e.code === 'cancelled' || e.code === 'malformed-data') return 'fatal';
  if (e.code === 'file-not-found' || e.code === 'security-status-not-satisfied' || e.code === 'access-denied')
    return 'fatal';
  if (sizeError(e) !== undefined) return 'size';
  if (e instanceof CardError && firstRead) return block > HEADER_READ ? 'past-end' : 'fatal';
  // Any other error status to an extended read: a chip capping Ne may say 6A86 or worse; try smaller.
  if (e instanceof CardError && block > SHORT_LADDER[0]! + 1) return 'size';
  return e.retriable || e.code === 'transport' ? 'link' : 'fatal';
}

function sizeError(e: unknown): number | undefined {
  if (!isSwError(e) || e.code === 'secure-messaging') return undefined;
  const sw = e.sw!;
  if (sw >> 8 === 0x6c) return sw & 0xff || 256;
  if (sw === 0x6700 || sw === 0x6f00) return 0;
  return undefined;
}

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

/** Reads one whole file. `session.channel` may change when the session is re-established. */
export async function readFile(
  session: FileSession,
  file: FileRef,
  options: FileReadOptions = {},
): Promise<{ bytes: Uint8Array; report: FileReadReport }> {
  const cap = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const maxResumes = options.maxResumes ?? DEFAULT_MAX_RESUMES;
  const start = { ...session.stats };
  const report: FileReadReport = {
    file: file.name,
    bytes: 0,
    apdus: 0,
    bytesIn: 0,
    bytesOut: 0,
    retries: 0,
    blockSizes: [],
    resumes: 0,
  };
  if (options.maxBlockSize !== undefined && (!Number.isInteger(options.maxBlockSize) || options.maxBlockSize < 1))
    throw new EmrtdError('invalid-argument', 'maxBlockSize must be a positive integer');
  session.readSizes ??= {
    ...initialReadSizes(session.capabilities, session.cipher, options.maxBlockSize),
    ...(session.pastEndRefused ? { pastEndRefused: true } : {}),
  };
  const sizes = session.readSizes;
  let failuresHere = 0;
  const useSfi = options.useSfi === true && file.sfi !== undefined;
  let selected = options.preselected === true;
  const chunks: Uint8Array[] = [];
  let have = 0;
  let total: number | undefined;
  let retryBudget = MAX_SIZE_REFUSALS + SHORT_LADDER.length * 3 + maxResumes + 2;
  let block = 0;

  const finish = () => {
    report.apdus = session.stats.apdus - start.apdus;
    report.bytesIn = session.stats.bytesIn - start.bytesIn;
    report.bytesOut = session.stats.bytesOut - start.bytesOut;
    report.bytes = have;
  };

  while (total === undefined || have < total) {
    if (options.signal?.aborted) throw new Cancelled(`READ BINARY ${file.name}`);
    block = 0;
    try {
      if (session.lost) throw new EmrtdError('secure-messaging', 'session lost', { retriable: true });
      if (!selected && !useSfi) {
        await selectFile(session.channel, file);
        selected = true;
      }
      const reserve = have > 0x7fff ? MAX_ODD_INS_OVERHEAD : 0;
      // A file's first READ, its length still unknown, asks for as much as is known to work: a small file comes in
      // one exchange, and a refusal here would teach nothing. Chips that refuse reading past a file's end get a
      // header-sized first READ.
      const want =
        total !== undefined
          ? nextReadSize(sizes, total - have, reserve)
          : sizes.pastEndRefused
            ? HEADER_READ
            : Math.max(HEADER_READ, sizes.good);
      block = want + reserve;
      const data = await readChunk(session.channel, file, have, want, useSfi && !selected);
      selected = true;
      if (data.length === 0)
        throw new MalformedData(file.name, have, 'card returned no data before the end of the file');
      const before = have;
      chunks.push(total === undefined ? data : data.subarray(0, Math.min(data.length, total - have)));
      have += chunks[chunks.length - 1]!.length;
      failuresHere = 0;
      if (total === undefined) {
        const head = concat(...chunks);
        total = declaredLength(head, file.name);
        if (total === undefined) {
          if (data.length < want) throw new MalformedData(file.name, 0, 'file shorter than its TLV header');
          continue;
        }
        if (total > cap) throw new MalformedData(file.name, 0, `declared length ${total} exceeds the ${cap}-byte cap`);
        if (have > total) {
          chunks.splice(0, chunks.length, head.subarray(0, total));
          have = total;
        }
      }
      const got = have - before;
      report.blockSizes.push(got);
      // A short answer before the end of the file is a chip cutting at its buffer: learn its size.
      if (got < want && have < total) readRefused(sizes, block);
      readSucceeded(sizes, got + reserve);
      options.onProgress?.({ file: file.name, bytes: have, total });
    } catch (e) {
      const kind = classify(e, total === undefined, block);
      if (kind === 'fatal' || --retryBudget < 0) throw e;
      report.retries++;
      if (kind === 'past-end') sizes.pastEndRefused = true;
      else if (kind === 'size') {
        // Remembered on the session at once: a chip that rejects the length often drops secure messaging too,
        // and the resume below must not try the same size again.
        if (!readRefused(sizes, block, sizeError(e) || undefined)) throw e;
        if (session.lost) sizes.costly = true;
      } else if (++failuresHere >= 2) {
        readRefused(sizes, block);
        failuresHere = 0;
      }
      if (kind === 'link' || session.lost) {
        // Resumes after a size refusal are bounded by the refusal cap, not by the link-failure budget.
        if (kind === 'link' && report.resumes >= maxResumes) throw e;
        report.resumes++;
        await session.reestablish();
        selected = false;
      }
    }
  }
  finish();
  return { bytes: concat(...chunks), report };
}
