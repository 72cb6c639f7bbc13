/**
 * What the READ BINARY exchanges of a trace say about the chip: the largest request it answered (under SM the Le of
 * DO'97'), the sizes it refused and with which status word, extended length, end-of-file behaviour and SFI reads.
 * Measured from the trace, never from TransportCapabilities: a PC/SC link does not know the chip's buffer size.
 */
import { isReadBinary, swHex } from './commands.js';
import type { ApduTraceEntry } from './trace.js';

export type EndOfFileBehaviour = '9000-short' | '6282' | '6B00';

export interface ReadBinaryProfile {
  exchanges: number;
  extendedLength: {
    /** An extended-length READ BINARY was sent. */
    used: boolean;
    /** true: one was answered with data; false: all were refused; absent: none was sent. */
    accepted?: boolean;
  };
  /**
   * The largest READ BINARY answer that succeeded: its size (data + SW, SM framing included) and the length asked
   * for (Le 256 / 65536 = "all": Le 00 / 0000).
   */
  largestAccepted?: { le: number; extended: boolean; responseBytes: number };
  /** Requested lengths the chip refused, largest first, with the status word. */
  refused: { le: number; extended: boolean; sw: string; count: number }[];
  /** End-of-file answers seen (a plain 9000 with fewer bytes than asked, 6282, or 6B00). */
  endOfFile: EndOfFileBehaviour[];
  sfi: { used: boolean; accepted?: boolean; refusedSw: string[] };
}

/** File status words: they say nothing about sizes. */
const FILE_SW = new Set([0x6a82, 0x6982, 0x6986]);

export function analyseReadBinary(entries: readonly ApduTraceEntry[]): ReadBinaryProfile {
  const reads = entries.filter((e) => isReadBinary(e) && e.sw !== undefined);
  const out: ReadBinaryProfile = {
    exchanges: reads.length,
    extendedLength: { used: reads.some((e) => e.extended) },
    refused: [],
    endOfFile: [],
    sfi: { used: false, refusedSw: [] },
  };
  const eof = new Set<EndOfFileBehaviour>();
  const refused = new Map<string, ReadBinaryProfile['refused'][number]>();
  let extendedOk = false;
  for (const e of reads) {
    const sw = e.sw!;
    const ok = (sw === 0x9000 || sw === 0x6282) && (e.responseBytes ?? 0) > 2;
    const sfi = e.ins === 0xb0 && (e.p1 & 0x80) !== 0;
    if (sfi) {
      out.sfi.used = true;
      if (ok) out.sfi.accepted = true;
      else if (!out.sfi.refusedSw.includes(swHex(sw))) out.sfi.refusedSw.push(swHex(sw));
    }
    if (sw === 0x6282) eof.add('6282');
    if (sw === 0x6b00) eof.add('6B00');
    // Plain answers show their data length; an SM answer hides it inside the cryptogram.
    const le = e.le ?? e.ne;
    if (sw === 0x9000 && !e.sm && le !== undefined && e.responseBytes! > 2 && e.responseBytes! - 2 < le)
      eof.add('9000-short');
    if (ok && le !== undefined) {
      if (e.extended) extendedOk = true;
      // By the answer's size: Le 00/0000 asks for "all", and a chip with a smaller buffer sends less.
      const best = out.largestAccepted;
      const size = e.responseBytes!;
      if (!best || size > best.responseBytes || (size === best.responseBytes && le > best.le))
        out.largestAccepted = { le, extended: e.extended, responseBytes: size };
    } else if (!ok && sw !== 0x9000 && sw !== 0x6282 && sw !== 0x6b00 && !FILE_SW.has(sw) && le !== undefined) {
      const key = `${le}/${e.extended}/${sw}`;
      const r = refused.get(key);
      if (r) r.count++;
      else refused.set(key, { le, extended: e.extended, sw: swHex(sw), count: 1 });
    }
  }
  if (out.sfi.used && out.sfi.accepted === undefined) out.sfi.accepted = false;
  if (out.extendedLength.used) out.extendedLength.accepted = extendedOk;
  out.refused = [...refused.values()].sort((a, b) => b.le - a.le);
  out.endOfFile = [...eof];
  return out;
}
