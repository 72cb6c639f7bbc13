/**
 * The chip-behaviour matrix (docs/reliability.md §2): each row is one way real chips differ (simulator chip
 * options, docs/simulator.md §7) with the verdict a reader must reach and the APDUs a reader that knows nothing
 * about the chip cannot avoid. Shared by the in-process matrix test and its PC/SC rows; no personal data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { equal } from '../codec/bytes.js';
import { type AccessKey, canKey, mrzKey } from '../keys/access-key.js';
import type { CccdGroup, VerifiedRead } from '../read/types.js';
import { FILES } from '../reader/files.js';
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
  /** EF.CardSecurity (master file), on a PACE-CAM chip. */
  cardSecurity?: number;
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
  // PACE-CAM: EF.CardSecurity in the master file (SELECT + READs, or the SELECT that finds none). It is the first
  // file under secure messaging, its length unknown: a short first READ, then the rest. A CAM that checks out at
  // read time under a valid signature makes CA unnecessary.
  const cam = prefixed('pace-cam=');
  const cardSecurity = card.cardSecurity ?? 0;
  if (cam) n += 1 + (cardSecurity ? 1 + Math.ceil(Math.max(0, cardSecurity - 0xdf) / block) : 0);
  const camMatches = cam === 'pace-cam=present';
  const ca = camMatches ? 'skipped' : (prefixed('ca=') ?? 'ca=completes');
  const plain = has('sm-errors=plain');
  if (ca.startsWith('ca=refuse-mse')) n += 1 + (plain ? 6 : 0);
  else if (ca.startsWith('ca=refuse-ga')) n += 2 + (plain ? 6 : 0);
  // MSE + GA + the answer that does not verify, twice (one retry on a fresh session tells a noisy link from a
  // wrong key), each followed by the plain command that ends the chip's session, PACE and SELECT of the application.
  else if (ca === 'ca=fails-new-keys') n += 2 * (3 + 1 + 6);
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

const CA_REFUSALS = ['6A86', '6A80', '6A88', '6D00', '6982'];

/** One row per chip behaviour, and the combinations that interact. */
export const CHIP_ROWS: ChipRow[] = [
  { id: 'baseline', chip: [], overall: 'authentic', ca: 'valid', aa: 'valid', why: 'the simulator as it was' },
  ...CA_REFUSALS.map(
    (sw): ChipRow => ({
      id: `ca-refuse-mse-${sw}`,
      chip: [`ca=refuse-mse:${sw}`],
      overall: 'authentic',
      ca: 'refused',
      aa: 'valid',
      why: 'CA advertised but MSE:Set AT refused; AA still proves the chip',
    }),
  ),
  {
    id: 'ca-refuse-ga',
    chip: ['ca=refuse-ga:6A80'],
    overall: 'authentic',
    ca: 'refused',
    aa: 'valid',
    why: 'MSE accepted, GENERAL AUTHENTICATE refused before any key agreement',
  },
  {
    id: 'ca-fails-new-keys',
    chip: ['ca=fails-new-keys'],
    overall: 'invalid',
    ca: 'invalid',
    aa: 'valid',
    why: 'key agreement done, no answer verifies under the new keys: a real failure',
  },
  {
    id: 'ca-not-advertised',
    chip: ['ca=not-advertised'],
    overall: 'authentic',
    ca: 'not-checked',
    aa: 'valid',
    why: 'no CA key on the card',
  },
  { id: 'aa-absent', chip: ['aa=absent'], overall: 'authentic', ca: 'valid', aa: 'not-checked', why: 'no DG15' },
  {
    id: 'aa-refused',
    chip: ['aa=refuse:6D00'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'refused',
    why: 'INTERNAL AUTHENTICATE not supported',
  },
  {
    id: 'ca-refused-aa-absent',
    chip: ['ca=refuse-mse:6A86', 'aa=absent'],
    overall: 'genuine-data',
    ca: 'refused',
    aa: 'not-checked',
    why: 'no anti-clone proof at all: the data is genuine, the chip unproven',
  },
  {
    id: 'ca-refused-aa-refused',
    chip: ['ca=refuse-mse:6A86', 'aa=refuse:6985'],
    overall: 'genuine-data',
    ca: 'refused',
    aa: 'refused',
    why: 'both proofs declined',
  },
  {
    id: 'ca-refused-plain-sm-errors',
    chip: ['ca=refuse-mse:6A86', 'sm-errors=plain'],
    overall: 'authentic',
    ca: 'refused',
    aa: 'valid',
    why: 'the refusal comes in plain and ends secure messaging: one new PACE',
  },
  {
    id: 'pace-mrz-refused',
    chip: ['pace-mrz=refused'],
    key: 'MRZ',
    protocol: 'BAC',
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'PACE with the MRZ refused (6982) while BAC works',
  },
  ...[223, 256, 512, 1024, 2048, 4096, 65_536].map(
    (cap): ChipRow => ({
      id: `ne-cap-${cap}`,
      chip: [`ne-cap=${cap}`],
      overall: 'authentic',
      ca: 'valid',
      aa: cap <= 256 ? 'not-checked' : 'valid',
      why:
        cap <= 256
          ? `a ${cap}-byte buffer, short only (${cap === 256 ? '223-byte blocks' : '191-byte blocks'}): the RSA AA signature cannot fit`
          : `extended length up to a ${cap}-byte buffer`,
    }),
  ),
  {
    id: 'ne-cap-1024-6a86',
    chip: ['ne-cap=1024:6a86'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'over the cap answered 6A86',
  },
  {
    id: 'ne-cap-1024-cut',
    chip: ['ne-cap=1024:cut'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'over the cap answered with what fits and 9000',
  },
  {
    id: 'ne-cap-1024-plain-sm-errors',
    chip: ['ne-cap=1024', 'sm-errors=plain'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'each refusal ends secure messaging: the search climbs, one refusal',
  },
  ...(['9000', '6282', '6b00'] as const).flatMap((eof): ChipRow[] => [
    {
      id: `eof-${eof}`,
      chip: [`eof=${eof}`],
      overall: 'authentic',
      ca: 'valid',
      aa: 'valid',
      why: `reading past the end answered ${eof}`,
    },
    {
      id: `ne-cap-1024-eof-${eof}`,
      chip: ['ne-cap=1024', `eof=${eof}`],
      overall: 'authentic',
      ca: 'valid',
      aa: 'valid',
      why: 'cap and end-of-file behaviour together',
    },
  ]),
  {
    id: 'ne-cap-1024-tag-loss',
    chip: ['ne-cap=1024'],
    faults: ['tag-loss-at-offset=DG2:5000'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'the card leaves mid-DG2: the learned cap survives the resume',
  },
  {
    id: 'ne-cap-1024-eof-6b00-tag-loss',
    chip: ['ne-cap=1024', 'eof=6b00'],
    faults: ['tag-loss-at-offset=DG2:5000'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'cap, end-of-file refusals and a tag loss together: both lessons survive the resume',
  },
  {
    id: 'short-le00-refused',
    chip: ['short-le00=refused'],
    extended: false,
    overall: 'authentic',
    ca: 'valid',
    aa: 'not-checked',
    why: 'short Le 00 refused on a short-only chip',
  },
  { id: 'sfi-refused', chip: ['sfi=refused'], overall: 'authentic', ca: 'valid', aa: 'valid', why: 'no SFI reads' },
  {
    id: 'sm-errors-plain',
    chip: ['sm-errors=plain'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'SM error answers in plain',
  },
  ...(['9000', '6a82'] as const).map(
    (mf): ChipRow => ({
      id: `select-mf-${mf}`,
      chip: [`select-mf=${mf}`],
      overall: 'authentic',
      ca: 'valid',
      aa: 'valid',
      why: `SELECT MF answered ${mf}`,
    }),
  ),
  {
    id: 'pace-cam',
    chip: ['pace-cam=present'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'PACE-CAM offered beside GM: CA_IC fits EF.CardSecurity key, which passes PA; DG14 CA is not needed',
  },
  {
    id: 'pace-cam-wrong-key',
    chip: ['pace-cam=wrong-key'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why:
      "CA_IC does not fit the key a valid EF.CardSecurity names, but DG14 CA proves that key: DO'8A' has no MAC, the " +
      'path may have changed it (valid, cam-mismatch-ca-valid)',
  },
  {
    id: 'pace-cam-wrong-key-ca-refused',
    chip: ['pace-cam=wrong-key', 'ca=refuse-mse:6A86'],
    overall: 'invalid',
    ca: 'invalid',
    aa: 'valid',
    why: 'CA_IC does not fit the signed key and CA is refused: nothing answers the mismatch, a clone signal',
  },
  {
    id: 'pace-cam-bad-signature',
    chip: ['pace-cam=bad-signature'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'EF.CardSecurity signature does not verify: CAM not verified (never "failed"), so CA with DG14 runs',
  },
  {
    id: 'pace-cam-no-card-security',
    chip: ['pace-cam=no-card-security'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'CAM data but no EF.CardSecurity: CAM not checked, so Chip Authentication with DG14 runs',
  },
  {
    id: 'slow-chip',
    chip: ['crypto-time=3', 'exchange-ms=20'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'three times slower crypto, 20 ms per exchange',
  },
];

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

/** What every row reads (EF.SOD is always added). */
export const CHIP_GROUPS: CccdGroup[] = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'];
/** Options that shape the card's files: they go to personalisation, the others to the card. */
export const PERSONALISATION_OPTIONS = new Set([
  'ca=not-advertised',
  'aa=absent',
  'pace-cam=present',
  'pace-cam=wrong-key',
  'pace-cam=bad-signature',
  'pace-cam=no-card-security',
]);

/** The files of a personalised card, by FID (EF.CardAccess may sit in the master file). */
export interface CardFiles {
  files: Map<number, Uint8Array>;
  masterFiles?: Map<number, Uint8Array>;
}

/** The row's access key for a card (CAN, or the MRZ information for BAC/PACE-MRZ rows). */
export function chipKey(row: ChipRow, card: { can: string; mrzInformation: string }): AccessKey {
  if (row.key !== 'MRZ') return canKey(card.can);
  const m = card.mrzInformation;
  return mrzKey(m.slice(0, 9), m.slice(10, 16), m.slice(17, 23));
}

/** Compares a read with the row's expectations and the card's bytes; `apdus` as the card counted them. */
export function chipRecord(suite: string, row: ChipRow, card: CardFiles, r: VerifiedRead, apdus: number): ChipRecord {
  const present = CHIP_GROUPS.filter((g) => card.files.has(FILES[g].fid));
  const sizes = [...present, 'SOD' as const].map((g) => card.files.get(FILES[g].fid)!.length);
  const cardAccess = (card.files.get(0x011c) ?? card.masterFiles?.get(0x011c))!.length;
  const cardSecurity = card.masterFiles?.get(FILES.CardSecurity.fid)?.length;
  const bound = apduBound(row, { cardAccess, files: sizes, ...(cardSecurity ? { cardSecurity } : {}) });
  const v = r.verification;
  const observed = `${v.overall}, CA ${v.chip?.status}, AA ${v.active?.status}, ${r.access.protocol}`;
  const expected = `${row.overall}, CA ${row.ca}, AA ${row.aa}, ${row.protocol ?? 'PACE'}`;
  const dataEqual = [...present, 'SOD' as const].every((g) => equal(r.raw[g]!, card.files.get(FILES[g].fid)!));
  const budget = budgetOf(bound);
  return {
    id: row.id,
    suite,
    chip: [...row.chip, ...(row.faults ?? [])].join(' ') || '(defaults)',
    expected,
    observed: dataEqual ? observed : `${observed}; DATA DIFFERS`,
    apdus,
    bound,
    budget,
    pass: observed === expected && dataEqual && apdus <= budget,
    why: row.why,
  };
}

export function writeChipMatrixArtifact(suite: string, records: ChipRecord[]): void {
  const dir = `${ARTIFACT_DIR}../chip-matrix/`;
  mkdirSync(dir, { recursive: true });
  const body = { suite, generatedAt: new Date().toISOString(), node: process.version, rows: records };
  writeFileSync(`${dir}${suite}.json`, `${JSON.stringify(body, null, 2)}\n`);
}
