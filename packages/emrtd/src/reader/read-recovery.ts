/**
 * What to do after a failed READ BINARY, decided without I/O so every case can be tested from a table
 * (read-recovery.test.ts). file-reader.ts applies the decision: it records what was learned about the chip's
 * sizes (read-size.ts), rethrows, or re-establishes the session and reads on from the last good offset.
 */
import { CardError, EmrtdError } from '../errors.js';
import { SHORT_LADDER } from './read-size.js';

/** A file's first READ asks for at least this much: enough for any TLV header. */
export const HEADER_READ = 8;

export type FailureKind = 'past-end' | 'size' | 'link' | 'fatal';

const isSwError = (e: unknown): e is EmrtdError => e instanceof EmrtdError && e.sw !== undefined;

/** The size a refusal names: Le from 6Cxx, 0 for a refusal without one (6700, 6F00), undefined otherwise. */
export function sizeError(e: unknown): number | undefined {
  if (!isSwError(e) || e.code === 'secure-messaging') return undefined;
  const sw = e.sw!;
  if (sw >> 8 === 0x6c) return sw & 0xff || 256;
  if (sw === 0x6700 || sw === 0x6f00) return 0;
  return undefined;
}

/**
 * What a failed READ means: the chip refused reading past a small file's end (first READ of a file), refused the
 * size, the link failed (resume), or the file cannot be read (fatal).
 */
export function classify(e: unknown, firstRead: boolean, block: number): FailureKind {
  if (!(e instanceof EmrtdError) || e.code === 'cancelled' || e.code === 'malformed-data') return 'fatal';
  if (e.code === 'file-not-found' || e.code === 'security-status-not-satisfied' || e.code === 'access-denied')
    return 'fatal';
  if (sizeError(e) !== undefined) return 'size';
  if (e instanceof CardError && firstRead) return block > HEADER_READ ? 'past-end' : 'fatal';
  // Any other error status to an extended read: a chip capping Ne may say 6A86 or worse; try smaller.
  if (e instanceof CardError && block > SHORT_LADDER[0]! + 1) return 'size';
  return e.retriable || e.code === 'transport' ? 'link' : 'fatal';
}

export interface ReadFailure {
  /** The file's length is not known yet (its first READ). */
  firstRead: boolean;
  /** Bytes asked for, framing included. */
  block: number;
  /** Retries this file may still spend. */
  retriesLeft: number;
  /** Failures in a row at this offset before this one. */
  failuresHere: number;
  /** Resumes this file has made. */
  resumes: number;
  maxResumes: number;
  /** The secure-messaging session is gone after the failure. */
  sessionLost: boolean;
}

export type Recovery =
  | { retry: false }
  | {
      retry: true;
      /** The chip refuses READs past a file's end: a file's first READ asks for its header only. */
      pastEndRefused?: true;
      /** Record a refusal of `block` (named: the size a 6Cxx gave); `required`: none left to try means give up. */
      refused?: { block: number; named?: number; required: boolean };
      /** A refusal cost the session: later searches climb from small sizes. */
      costly?: true;
      /** Failures in a row at this offset, after this one. */
      failuresHere: number;
      /** Re-establish the session before the next READ. */
      resume: boolean;
      /** A resume is needed but none is left: give up after recording what was learned. */
      resumesExhausted?: true;
    };

export function recovery(e: unknown, f: ReadFailure): Recovery {
  const kind = classify(e, f.firstRead, f.block);
  if (kind === 'fatal' || f.retriesLeft <= 0) return { retry: false };
  const resume = kind === 'link' || f.sessionLost;
  const out: Recovery = { retry: true, failuresHere: f.failuresHere, resume };
  if (kind === 'past-end') out.pastEndRefused = true;
  else if (kind === 'size') {
    // Remembered on the session at once: a chip that rejects the length often drops secure messaging too, and the
    // resume must not try the same size again.
    const named = sizeError(e) || undefined;
    out.refused = { block: f.block, ...(named === undefined ? {} : { named }), required: true };
    if (f.sessionLost) out.costly = true;
  } else if (f.failuresHere + 1 >= 2) {
    // Two link failures in a row at one offset: the size may be what breaks the link.
    out.refused = { block: f.block, required: false };
    out.failuresHere = 0;
  } else out.failuresHere = f.failuresHere + 1;
  // Resumes after a size refusal are bounded by the refusal cap, not by the link-failure budget.
  if (kind === 'link' && f.resumes >= f.maxResumes) out.resumesExhausted = true;
  return out;
}
