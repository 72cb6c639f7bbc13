/**
 * The chip-behaviour matrix, in process: every simulator chip option (docs/simulator.md §7) and the combinations
 * that interact, each read in full with `readVerified`. A row passes when the verdict, CA and AA statuses and access
 * protocol are the expected ones, every file read equals the card's bytes, and the APDUs stay within 10 % of the
 * bound for that chip (testing/chip-matrix.ts). Results go to artifacts/chip-matrix/ for docs/reliability.md.
 */
import { InProcessTransport, loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { readVerified } from '../read/read.js';
import {
  CHIP_GROUPS,
  CHIP_ROWS,
  type ChipRecord,
  type ChipRow,
  chipKey,
  chipRecord,
  PERSONALISATION_OPTIONS,
  writeChipMatrixArtifact,
} from '../testing/chip-matrix.js';
import { TrustStore } from '../trust/store.js';

const images = new Map<string, Promise<PersonalisedCard>>();
function imageFor(row: ChipRow): Promise<PersonalisedCard> {
  const perso = row.chip.filter((c) => PERSONALISATION_OPTIONS.has(c));
  const key = perso.join(',');
  let image = images.get(key);
  if (!image) {
    image = personalise(loadProfile('cccd-2021-adult'), { seed: 8, chip: perso });
    images.set(key, image);
  }
  return image;
}

const records: ChipRecord[] = [];
afterAll(() => writeChipMatrixArtifact('in-process', records));

describe('chip-behaviour matrix (in process)', () => {
  for (const row of CHIP_ROWS)
    it(`${row.id}: ${row.overall}, CA ${row.ca}, AA ${row.aa}`, async () => {
      const image = await imageFor(row);
      const card = new SimulatedCard(image, {
        extendedLength: row.extended ?? true,
        chip: row.chip.filter((c) => !PERSONALISATION_OPTIONS.has(c)),
        ...(row.faults ? { faults: row.faults } : {}),
      });
      const store = new TrustStore();
      store.addCertificate(image.pki!.cscaCertDer);
      const r = await readVerified(new InProcessTransport(card), chipKey(row, image), {
        trustStore: store,
        groups: CHIP_GROUPS,
        timeoutMs: 2000,
      });
      const record = chipRecord('in-process', row, image, r, card.stats.exchanges);
      records.push(record);
      const [observed, expected] = [record.observed, record.expected];
      expect(observed).toBe(expected);
      expect(record.apdus).toBeLessThanOrEqual(record.budget);
    });
});
