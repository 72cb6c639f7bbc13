/**
 * Benchmark 1: a full CCCD read (PACE-CAN, CA, DG14, DG1, DG2, DG13, EF.SOD, DG15, AA) on the simulator's link
 * model at 106/212/424/848 kbit/s, with the SDK's adaptive block size and with the fixed 223-byte (JMRTD) and
 * 160-byte (iOS NFCPassportReader) strategies, each compared with the lower bound for the same card and link.
 *
 * Lower bound (docs/performance.md §2): the exchanges the protocols mandate, each sent once, every file read in
 * one READ BINARY (extended length when it does not fit a short response), costed with the same link formula the
 * simulator uses; the chip's modelled crypto time for PACE/CA/AA is part of those exchanges. The literal formula
 * of the issue (payload bits / bitrate + exchanges × turnaround, no framing, no chip time) is reported beside it.
 */
import { canKey, readVerified } from '@cccd/emrtd';
import { maxBlockForResponse } from '@cccd/emrtd/codec';
import { type BitrateKbps, LINK_DEFAULTS, type LinkOptions, type PersonalisedCard } from '@cccd/simulator';
import { exchangeMs } from '../simulator/src/card/link.js';
import { benchCard, FULL_READ_GROUPS, freshTransport, trustStoreFor } from './lib/cards.js';
import { type RecordedExchange, RecordingTransport } from './lib/recording.js';

export const BITRATES: BitrateKbps[] = [106, 212, 424, 848];

export type Strategy = 'adaptive' | 'fixed-223' | 'fixed-160' | 'adaptive-short-card';
export const STRATEGIES: Strategy[] = ['adaptive', 'fixed-223', 'fixed-160', 'adaptive-short-card'];

const MAX_BLOCK: Partial<Record<Strategy, number>> = { 'fixed-223': 223, 'fixed-160': 160 };

/** INS of the access-control and authentication commands: MSE, GENERAL AUTHENTICATE, INTERNAL/MUTUAL AUTH, GET CHALLENGE. */
const AUTH_INS = new Set([0x22, 0x86, 0x88, 0x82, 0x84]);
const SELECT = 0xa4;
const READ = new Set([0xb0, 0xb1]);

export interface Bound {
  exchanges: number;
  bytes: number;
  /** Link formula (framing included) + the chip's modelled crypto time on the authentication exchanges. */
  ms: number;
  /** The literal formula: payload bytes × 8 / bitrate + exchanges × turnaround. */
  literalMs: number;
}

export interface ReadMeasurement {
  strategy: Strategy;
  bitrateKbps: BitrateKbps;
  apdus: number;
  bytes: number;
  modelledMs: number;
  dg2Apdus: number;
  /** Exchanges by kind in the measured read. */
  selects: number;
  reads: number;
  auth: number;
  bound: Bound;
  ratio: number;
  literalRatio: number;
  verdict: string;
}

/** Bytes of DO'87' for a plain body of n bytes (AES: 16-byte blocks, padding always added). */
function do87Bytes(n: number, blockSize = 16): number {
  const value = 1 + Math.ceil((n + 1) / blockSize) * blockSize;
  const lengthBytes = value < 0x80 ? 1 : value < 0x100 ? 2 : 3;
  return 1 + lengthBytes + value;
}

/** One ideal protected READ BINARY of a whole file of n bytes: [command bytes, response bytes]. */
export function idealProtectedRead(n: number): [number, number] {
  const response = do87Bytes(n) + 4 + 10 + 2; // DO87, DO99, DO8E, SW
  const extended = response > 258;
  // header + Lc + DO97 (97 01 Le | 97 02 LeLe) + DO8E + Le
  const command = extended ? 4 + 3 + 4 + 10 + 2 : 4 + 1 + 3 + 10 + 1;
  return [command, response];
}

/** One ideal plain READ BINARY of n bytes (EF.CardAccess is read before any session exists). */
function idealPlainRead(n: number): [number, number] {
  return n <= 256 ? [5, n + 2] : [7, n + 2];
}

/** A file of n bytes read in blocks of at most `block` bytes: the lengths of the READs. */
export function chunks(n: number, block: number): number[] {
  const out: number[] = [];
  for (let at = 0; at < n; at += block) out.push(Math.min(block, n - at));
  return out;
}

/**
 * The lower bound for a read of `fileLengths` (protected files) after `cardAccessLength` (plain), given the
 * authentication exchanges observed in a clean read (their sizes and chip time are fixed by the protocols).
 * `chipBlock`: the largest block the chip answers (its cap); files longer than that take several ideal READs.
 */
export function lowerBound(
  transcript: RecordedExchange[],
  cardAccessLength: number,
  fileLengths: number[],
  link: LinkOptions,
  chipBlock = 65_536,
): Bound {
  const l = { ...LINK_DEFAULTS, ...link };
  const items: { command: number; response: number; ms: number }[] = [];
  const exchange = (command: number, response: number, chipMs = 0) =>
    items.push({ command, response, ms: exchangeMs(l, command, response, chipMs) });
  const plainSelect = transcript.find((e) => e.ins === SELECT && !e.sm);
  const smSelect = transcript.filter((e) => e.ins === SELECT && e.sm).sort((a, b) => a.modelledMs - b.modelledMs)[0];
  if (!plainSelect || !smSelect) throw new Error('transcript lacks the SELECTs a read needs');
  // SELECT EF.CardAccess + one READ of it.
  exchange(plainSelect.commandBytes, plainSelect.responseBytes);
  exchange(...idealPlainRead(cardAccessLength));
  // PACE, CA, AA exactly as observed: their sizes and chip time are protocol-fixed.
  for (const e of transcript.filter((x) => AUTH_INS.has(x.ins)))
    items.push({ command: e.commandBytes, response: e.responseBytes, ms: e.modelledMs });
  // SELECT of the application, then SELECT + one READ per file.
  exchange(smSelect.commandBytes, smSelect.responseBytes);
  for (const n of fileLengths) {
    exchange(smSelect.commandBytes, smSelect.responseBytes);
    for (const part of chunks(n, chipBlock)) exchange(...idealProtectedRead(part));
  }
  const bytes = items.reduce((s, i) => s + i.command + i.response, 0);
  return {
    exchanges: items.length,
    bytes,
    ms: items.reduce((s, i) => s + i.ms, 0),
    literalMs: (bytes * 8) / l.bitrateKbps + items.length * l.turnaroundMs,
  };
}

const FILE_FIDS = [0x010e, 0x0101, 0x0102, 0x010d, 0x011d, 0x010f]; // DG14, DG1, DG2, DG13, SOD, DG15

export async function measureRead(
  strategy: Strategy,
  bitrateKbps: BitrateKbps,
  image?: PersonalisedCard,
): Promise<ReadMeasurement> {
  const card = image ?? (await benchCard());
  const link: LinkOptions = { bitrateKbps };
  const inner = freshTransport(card, { extendedLength: strategy !== 'adaptive-short-card', link });
  const transport = new RecordingTransport(inner);
  const maxBlockSize = MAX_BLOCK[strategy];
  const r = await readVerified(transport, canKey(card.can), {
    trustStore: trustStoreFor(card),
    groups: [...FULL_READ_GROUPS],
    ...(maxBlockSize ? { maxBlockSize } : {}),
  });
  if (r.verification.overall !== 'authentic')
    throw new Error(`benchmark read not authentic: ${r.verification.overall}`);
  const stats = inner.card.stats;
  const cardAccess = card.files.get(0x011c) ?? card.masterFiles?.get(0x011c);
  if (!cardAccess) throw new Error('card has no EF.CardAccess');
  const bound = lowerBound(
    transport.exchanges,
    cardAccess.length,
    FILE_FIDS.map((fid) => card.files.get(fid)!.length),
    link,
  );
  const count = (p: (e: RecordedExchange) => boolean) => transport.exchanges.filter(p).length;
  return {
    strategy,
    bitrateKbps,
    apdus: stats.exchanges,
    bytes: stats.bytesIn + stats.bytesOut,
    modelledMs: stats.modelledMs,
    dg2Apdus: r.report.files.find((f) => f.file === 'DG2')?.apdus ?? 0,
    selects: count((e) => e.ins === SELECT),
    reads: count((e) => READ.has(e.ins)),
    auth: count((e) => AUTH_INS.has(e.ins)),
    bound,
    ratio: stats.modelledMs / bound.ms,
    literalRatio: stats.modelledMs / bound.literalMs,
    verdict: r.verification.overall,
  };
}

/** The same full read on chips that take extended length only up to a cap (docs/reference/real-chips.md). */
export const CHIP_CAPS = [512, 1024, 2048, 4096, 65_536];

export interface CappedMeasurement {
  cap: number;
  strategy: 'adaptive' | 'fixed-223';
  apdus: number;
  dg2Apdus: number;
  /** Reads the chip refused while the reader searched for its cap. */
  refusals: number;
  modelledMs: number;
  bound: Bound;
  ratio: number;
}

/**
 * Largest block the simulated chip answers under a cap: its protected answer must fit the buffer (simulator
 * option ne-cap, docs/simulator.md §7), so with AES SM a 1024-byte buffer holds 991 bytes of a file.
 */
const chipBlockFor = (cap: number) => maxBlockForResponse(cap, 'AES-128');

export async function measureCappedRead(
  cap: number,
  strategy: CappedMeasurement['strategy'],
  bitrateKbps: BitrateKbps = 424,
): Promise<CappedMeasurement> {
  const card = await benchCard();
  const link: LinkOptions = { bitrateKbps };
  const inner = freshTransport(card, { chip: [`ne-cap=${cap}`], link });
  const transport = new RecordingTransport(inner);
  const r = await readVerified(transport, canKey(card.can), {
    trustStore: trustStoreFor(card),
    groups: [...FULL_READ_GROUPS],
    ...(strategy === 'fixed-223' ? { maxBlockSize: 223 } : {}),
  });
  if (r.verification.overall !== 'authentic') throw new Error(`capped read not authentic: ${r.verification.overall}`);
  const cardAccess = card.files.get(0x011c) ?? card.masterFiles?.get(0x011c);
  if (!cardAccess) throw new Error('card has no EF.CardAccess');
  const lengths = FILE_FIDS.map((fid) => card.files.get(fid)!.length);
  const bound = lowerBound(transport.exchanges, cardAccess.length, lengths, link, chipBlockFor(cap));
  const stats = inner.card.stats;
  return {
    cap,
    strategy,
    apdus: stats.exchanges,
    dg2Apdus: r.report.files.find((f) => f.file === 'DG2')?.apdus ?? 0,
    refusals: r.report.readSizes.refusals,
    modelledMs: stats.modelledMs,
    bound,
    ratio: stats.modelledMs / bound.ms,
  };
}

export async function runCappedBenchmark(): Promise<CappedMeasurement[]> {
  const out: CappedMeasurement[] = [];
  for (const cap of CHIP_CAPS)
    for (const strategy of ['adaptive', 'fixed-223'] as const) out.push(await measureCappedRead(cap, strategy));
  return out;
}

export async function runLinkBenchmark(
  bitrates: BitrateKbps[] = BITRATES,
  strategies: Strategy[] = STRATEGIES,
): Promise<ReadMeasurement[]> {
  const out: ReadMeasurement[] = [];
  for (const b of bitrates) for (const s of strategies) out.push(await measureRead(s, b));
  return out;
}
