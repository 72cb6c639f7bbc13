/**
 * The chip-behaviour matrix (docs/reliability.md §2): each row is one way real chips differ (simulator chip
 * options, docs/simulator.md §7) with the verdict a reader must reach and the APDUs a reader that knows nothing
 * about the chip cannot avoid. Shared by the in-process matrix test and its PC/SC rows; no personal data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { COSTLY_REFUSAL_APDUS, maxBlockForResponse } from '../reader/read-size.js';
import { ARTIFACT_DIR } from './reliability.js';

export interface ChipRow {
  id: string;
  /** Simulator chip options (`name=value`). */
  chip: string[];
  /** Simulator faults (`name=value`), for the rows where chip behaviour meets link trouble. */
  faults?: string[];
  /** The card takes extended length (default true; a short-only card otherwise). */
  extended?: boolean;
  key?: 'CAN' | 'MRZ';
  overall: 'authentic' | 'genuine-data' | 'invalid';
  ca: 'valid' | 'refused' | 'invalid' | 'not-checked';
  aa: 'valid' | 'refused' | 'invalid' | 'not-checked';
  protocol?: 'PACE' | 'BAC';
  /** Why the row exists (docs/reference/real-chips.md). */
  why: string;
}

/** What the bound needs to know of the card: its file sizes (DG15 absent when aa=absent). */
export interface ChipFiles {
  cardAccess: number;
  files: number[];
}

/** Largest READ block of a chip: the simulator's ne-cap is a response buffer (AES secure messaging). */
export function chipBlock(row: ChipRow): number {
  const cap = row.chip.find((c) => c.startsWith('ne-cap='));
  if (cap) return maxBlockForResponse(Number(cap.slice('ne-cap='.length).split(':')[0]), 'AES-128');
  return row.extended === false ? 0xdf : maxBlockForResponse(65_538, 'AES-128');
}

/** Refused READs a binary search over the 8 common caps needs to tell them apart: ⌈log2 8⌉. */
export const CAP_DISCOVERY = 3;

/**
 * The fewest APDUs a reader that is not told the chip's behaviour can spend on the full read: the mandated
 * exchanges (CardAccess, PACE or BAC, SELECT of the application, CA as far as the chip lets it run, a SELECT and
 * the fewest READs the chip's block allows per file, AA), plus what each behaviour costs any reader to find out.
 */
export function apduBound(row: ChipRow, card: ChipFiles): number {
  const has = (spec: string) => row.chip.includes(spec);
  const prefixed = (p: string) => row.chip.find((c) => c.startsWith(p));
  const block = chipBlock(row);
  let n = 1 + Math.ceil(card.cardAccess / 0xdf);
  const mrzRefused = row.key === 'MRZ' && prefixed('pace-mrz=refused') !== undefined;
  n += row.key === 'MRZ' && mrzRefused ? 1 + 2 : 5; // a refused PACE MSE then GET CHALLENGE + MUTUAL AUTH
  n += 1; // SELECT of the application
  const ca = prefixed('ca=') ?? 'ca=completes';
  const plain = has('sm-errors=plain');
  if (ca.startsWith('ca=refuse-mse')) n += 1 + (plain ? 6 : 0);
  else if (ca.startsWith('ca=refuse-ga')) n += 2 + (plain ? 6 : 0);
  // MSE + GA + the answer that does not verify, twice (one retry on a fresh session tells a noisy link from a
  // wrong key), each followed by PACE + SELECT of the application.
  else if (ca === 'ca=fails-new-keys') n += 2 * (3 + 6);
  else if (ca === 'ca=completes') n += 2;
  for (const size of card.files) n += 1 + Math.ceil(size / block);
  // A chip refusing reads past a file's end: every file's length is read first (EF.CardAccess too), and one
  // refusal teaches it (a reader that always reads headers first pays for them on every other chip).
  if (has('eof=6b00')) n += card.files.length + 1 + 1;
  // AA, or the SELECT that finds no DG15 (a reader that does not read EF.COM has to ask).
  n += 1;
  const largest = Math.max(...card.files);
  // Learning a cap: a binary search, or on a chip whose refusals end SM one refusal and a new session.
  if (prefixed('ne-cap=') && largest > block) n += plain ? COSTLY_REFUSAL_APDUS : CAP_DISCOVERY;
  // A short buffer is found one cipher block at a time below 0xDF.
  if (block < 0xdf) n += Math.ceil((0xdf - block) / 16);
  // Each tag loss: the lost READ, PACE + SELECT of the application, CA, SELECT of the file.
  n += (row.faults ?? []).filter((f) => f.startsWith('tag-loss')).length * (1 + 6 + 3 + 1);
  return n;
}

export interface ChipRecord {
  id: string;
  suite: string;
  chip: string;
  expected: string;
  observed: string;
  apdus: number;
  bound: number;
  budget: number;
  pass: boolean;
  why: string;
}

/** APDUs allowed: within 10 % of the bound. */
export const budgetOf = (bound: number) => Math.floor(bound * 1.1);

export function writeChipMatrixArtifact(suite: string, records: ChipRecord[]): void {
  const dir = `${ARTIFACT_DIR}../chip-matrix/`;
  mkdirSync(dir, { recursive: true });
  const body = { suite, generatedAt: new Date().toISOString(), node: process.version, rows: records };
  writeFileSync(`${dir}${suite}.json`, `${JSON.stringify(body, null, 2)}\n`);
}
