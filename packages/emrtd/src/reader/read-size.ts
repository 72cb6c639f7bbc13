/**
 * How many bytes to ask for in each READ BINARY. Chips cap extended-length answers at a buffer size (512, 1024,
 * 2048, 4096… or none; docs/reference/real-chips.md) that no transport reports, so the reader learns it: it asks
 * for a whole file first, and after a refusal binary-searches between the largest size that worked and the
 * smallest refused, over the largest blocks whose protected answer fits a common cap (accepted whether the chip
 * caps Ne or its response buffer); once one works, the cap itself is tried as Ne. A chip whose refusals end secure messaging makes each one cost a new PACE/BAC, so
 * there the search climbs from the smallest size instead: one refusal, at the first size above the cap. What it
 * learns lives on the session, for every later file and across resumes. A probe upward is made only when it
 * saves a READ, and refusals are capped so a chip answering nonsense cannot cause a retry storm.
 */
import type { SmCipher } from '../asn1/oids.js';
import type { TransportCapabilities } from '../transport.js';

/** Short-APDU sizes: 0xDF fits one short SM response for both 3DES and AES (docs/reference/real-chips.md). */
export const SHORT_LADDER = [0xdf, 0xa0, 0x80, 0x40, 0x20];
/** Buffer sizes seen on eMRTD chips (and powers of two between), searched when the whole file is refused. */
const COMMON_CAPS = [512, 1024, 2048, 4096, 8192, 16384, 32768];
/** Refused reads the search may spend per session before it settles on the largest size that worked. */
export const MAX_SIZE_REFUSALS = 6;
/**
 * What a refusal costs in APDUs when it ends secure messaging: the refused READ, PACE (5), SELECT of the
 * application and CA again (3). An upward probe on such a chip must save more READs than that.
 */
export const COSTLY_REFUSAL_APDUS = 10;

export interface ReadSizes {
  /** Largest block the link can carry (from the transport's capabilities). */
  readonly max: number;
  /** Largest block the chip answered in full (plain bytes, READ BINARY data field). */
  good: number;
  /** Smallest block the chip refused or cut short; undefined until one was. */
  bad?: number;
  /** Refusals spent on the search (at most MAX_SIZE_REFUSALS are spent probing). */
  refusals: number;
  /** A size the chip named itself (6Cxx): asked for next, once. */
  hint?: number;
  /** A refusal cost the secure-messaging session: search upward from the smallest size, one refusal at most. */
  costly?: boolean;
  /** The chip refuses a READ that reaches past the end of a file (6B00): a file's first READ asks for its header. */
  pastEndRefused?: boolean;
  readonly cipher?: SmCipher;
}

/** Largest plain block for one response of at most `maxResponse` bytes (data + SW) with SM framing. */
export function maxBlockForResponse(maxResponse: number, cipher?: SmCipher): number {
  const data = maxResponse - 2;
  if (!cipher) return Math.min(data, 65536);
  const bs = cipher === '3DES' ? 8 : 16;
  const cryptogram = data - 4 - 10 - 5; // DO99, DO8E, DO87 header (87 82 LL LL) + indicator
  return Math.min(Math.floor(cryptogram / bs) * bs - 1, 65535);
}

/** The starting state for a session: nothing refused yet; the short maximum is assumed to work. */
export function initialReadSizes(
  capabilities: TransportCapabilities | undefined,
  cipher: SmCipher | undefined,
  maxBlockSize?: number,
): ReadSizes {
  const short = cipher ? SHORT_LADDER[0]! : 0x100;
  let max = capabilities?.extendedLength
    ? Math.max(short, maxBlockForResponse(capabilities.maxResponseLength ?? 65538, cipher))
    : short;
  if (maxBlockSize !== undefined) max = Math.min(max, maxBlockSize);
  return { max, good: Math.min(short, max), refusals: 0, ...(cipher ? { cipher } : {}) };
}

/** Sizes worth trying next, best first, between what worked and what was refused. */
function probeSizes(s: ReadSizes): number[] {
  const upper = Math.min(s.max + 1, s.bad ?? Number.POSITIVE_INFINITY);
  const inRange = (c: number) => c > s.good && c < upper;
  // The block fitting a cap's buffer worked: the chip may take Ne = the cap itself, a few bytes more.
  const asNe = COMMON_CAPS.filter((cap) => maxBlockForResponse(cap, s.cipher) === s.good && inRange(cap));
  const fits = COMMON_CAPS.map((cap) => maxBlockForResponse(cap, s.cipher)).filter(inRange);
  const next = fits[s.costly ? 0 : Math.floor(fits.length / 2)];
  return next === undefined ? asNe : [...asNe, next];
}

const reads = (bytes: number, block: number) => Math.ceil(bytes / block);

/**
 * The block to ask for when `remaining` bytes of a file are left; `reserve` bytes of the answer go to framing
 * (odd-INS DO'53'). Never more than the link carries; never a size known to be refused.
 */
export function nextReadSize(s: ReadSizes, remaining: number, reserve = 0): number {
  const ask = (block: number) => Math.max(1, Math.min(block - reserve, remaining));
  if (s.hint !== undefined) {
    const hint = s.hint;
    s.hint = undefined;
    return ask(hint);
  }
  if (remaining + reserve <= s.good) return ask(s.good);
  // Nothing refused yet: the whole file (or the link's maximum) in one READ — right on chips without a cap.
  if (s.bad === undefined) return ask(s.max);
  if (s.refusals >= MAX_SIZE_REFUSALS) return ask(s.good);
  // Probe upward only when a success would save READs of this file: one, or more than a costly refusal.
  const penalty = s.costly ? COSTLY_REFUSAL_APDUS : 0;
  const pays = (probe: number) =>
    reads(remaining, s.good - reserve) - reads(remaining, Math.min(probe, remaining + reserve) - reserve) > penalty;
  return ask(probeSizes(s).find(pays) ?? s.good);
}

/** The largest block below `block` whose padded SM cryptogram is one cipher block shorter; none below 0x20. */
function smallerSmBlock(block: number, cipher: SmCipher): number | undefined {
  const bs = cipher === '3DES' ? 8 : 16;
  const lower = (Math.ceil((block + 1) / bs) - 1) * bs - 1;
  return lower >= SHORT_LADDER[SHORT_LADDER.length - 1]! ? lower : undefined;
}

/** The chip answered a READ in full with `block` bytes (what was asked, or what was left of the file). */
export function readSucceeded(s: ReadSizes, block: number): void {
  if (block > s.good) s.good = block;
  if (s.bad !== undefined && s.bad <= s.good) s.bad = undefined;
}

/**
 * The chip refused a `block`-byte request for its size (6700, 6Cxx, 6A86 or another error on an extended read, a
 * cut answer, or repeated link failures). `named`: the size a 6Cxx answer gave. Returns false when there is no
 * smaller size left to try.
 */
export function readRefused(s: ReadSizes, block: number, named?: number): boolean {
  s.refusals++;
  s.bad = Math.min(s.bad ?? Number.POSITIVE_INFINITY, block);
  if (named !== undefined && named > 0 && named < block) {
    s.hint = named;
    if (named < s.good) s.good = named;
    return true;
  }
  if (block <= s.good) {
    // What we took for a safe size was refused: one cipher block smaller under SM (a small buffer refuses the
    // protected answer by a few bytes), else down the short ladder.
    const lower = s.cipher ? smallerSmBlock(block, s.cipher) : SHORT_LADDER.find((b) => b < block);
    if (lower === undefined) return false;
    s.good = lower;
  }
  return true;
}
