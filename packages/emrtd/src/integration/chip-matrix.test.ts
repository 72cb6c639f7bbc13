/**
 * The chip-behaviour matrix, in process: every simulator chip option (docs/simulator.md §7) and the combinations
 * that interact, each read in full with `readVerified`. A row passes when the verdict, CA and AA statuses and access
 * protocol are the expected ones, every file read equals the card's bytes, and the APDUs stay within 10 % of the
 * bound for that chip (testing/chip-matrix.ts). Results go to artifacts/chip-matrix/ for docs/reliability.md.
 */
import { InProcessTransport, loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { equal } from '../codec/bytes.js';
import { type AccessKey, canKey, mrzKey } from '../keys/access-key.js';
import { FILES } from '../reader/files.js';
import type { CccdGroup } from '../reader/read-cccd.js';
import { apduBound, budgetOf, type ChipRecord, type ChipRow, writeChipMatrixArtifact } from '../testing/chip-matrix.js';
import { TrustStore } from '../trust/store.js';
import { readVerified } from '../verified-read.js';

const CA_REFUSALS = ['6A86', '6A80', '6A88', '6D00', '6982'];

export const ROWS: ChipRow[] = [
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
    id: 'slow-chip',
    chip: ['crypto-time=3', 'exchange-ms=20'],
    overall: 'authentic',
    ca: 'valid',
    aa: 'valid',
    why: 'three times slower crypto, 20 ms per exchange',
  },
];

const GROUPS: CccdGroup[] = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'];
const PERSO_OPTIONS = new Set(['ca=not-advertised', 'aa=absent']);

const images = new Map<string, Promise<PersonalisedCard>>();
function imageFor(row: ChipRow): Promise<PersonalisedCard> {
  const perso = row.chip.filter((c) => PERSO_OPTIONS.has(c));
  const key = perso.join(',');
  let image = images.get(key);
  if (!image) {
    image = personalise(loadProfile('cccd-2021-adult'), { seed: 8, chip: perso });
    images.set(key, image);
  }
  return image;
}

function keyFor(row: ChipRow, image: PersonalisedCard): AccessKey {
  if (row.key !== 'MRZ') return canKey(image.can);
  const m = image.mrzInformation;
  return mrzKey(m.slice(0, 9), m.slice(10, 16), m.slice(17, 23));
}

const records: ChipRecord[] = [];
afterAll(() => writeChipMatrixArtifact('in-process', records));

describe('chip-behaviour matrix (in process)', () => {
  for (const row of ROWS)
    it(`${row.id}: ${row.overall}, CA ${row.ca}, AA ${row.aa}`, async () => {
      const image = await imageFor(row);
      const card = new SimulatedCard(image, {
        extendedLength: row.extended ?? true,
        chip: row.chip.filter((c) => !PERSO_OPTIONS.has(c)),
        ...(row.faults ? { faults: row.faults } : {}),
      });
      const store = new TrustStore();
      store.addCertificate(image.pki!.cscaCertDer);
      const r = await readVerified(new InProcessTransport(card), keyFor(row, image), {
        trustStore: store,
        groups: GROUPS,
        timeoutMs: 2000,
      });
      const present = GROUPS.filter((g) => image.files.has(FILES[g].fid));
      const sizes = present.map((g) => image.files.get(FILES[g].fid)!.length);
      const cardAccess = (image.files.get(0x011c) ?? image.masterFiles?.get(0x011c))!.length;
      const bound = apduBound(row, { cardAccess, files: [...sizes, image.files.get(FILES.SOD.fid)!.length] });
      const v = r.verification;
      const observed = `${v.overall}, CA ${v.chip?.status}, AA ${v.active?.status}, ${r.access.protocol}`;
      const dataEqual = [...present, 'SOD' as const].every((g) => equal(r.raw[g]!, image.files.get(FILES[g].fid)!));
      const apdus = card.stats.exchanges;
      const expected = `${row.overall}, CA ${row.ca}, AA ${row.aa}, ${row.protocol ?? 'PACE'}`;
      const pass = observed === expected && dataEqual && apdus <= budgetOf(bound);
      records.push({
        id: row.id,
        suite: 'in-process',
        chip: [...row.chip, ...(row.faults ?? [])].join(' ') || '(defaults)',
        expected,
        observed: dataEqual ? observed : `${observed}; DATA DIFFERS`,
        apdus,
        bound,
        budget: budgetOf(bound),
        pass,
        why: row.why,
      });
      expect(observed).toBe(expected);
      expect(dataEqual).toBe(true);
      expect(apdus).toBeLessThanOrEqual(budgetOf(bound));
    });
});
