/**
 * Chip-behaviour matrix rows through the real pcscd + vpcd + the simulator's VpcdBridge: the rows where an
 * in-process link could hide a difference (CA refused and the SM session kept, CA failing under new keys, a
 * 1024-byte buffer found by the reader, refusals that end secure messaging). Same rows, bound and record as
 * packages/emrtd/src/integration/chip-matrix.test.ts; recorded in artifacts/chip-matrix/pcsc.json.
 */
import { readVerified, TrustStore } from '@cccd/emrtd';
import {
  CHIP_GROUPS,
  CHIP_ROWS,
  type ChipRecord,
  chipKey,
  chipRecord,
  PERSONALISATION_OPTIONS,
  writeChipMatrixArtifact,
} from '@cccd/emrtd/testing';
import {
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
  VPCD_DEFAULT_PORT,
  VpcdBridge,
} from '@cccd/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { vpcdSlotsEmpty } from './test-support/presence.js';
import { PcscTransport } from './transport.js';

const READER = 'Virtual PCD 00 00';
const PCSC_ROWS = [
  'ca-refuse-mse-6A86',
  'ca-refused-aa-absent',
  'ca-fails-new-keys',
  'ne-cap-1024',
  'ne-cap-1024-plain-sm-errors',
];

const images = new Map<string, PersonalisedCard>();
const records: ChipRecord[] = [];
afterAll(() => writeChipMatrixArtifact('pcsc', records));

beforeAll(async () => {
  for (const perso of [[], ['aa=absent']])
    images.set(perso.join(','), await personalise(loadProfile('cccd-2021-adult'), { seed: 8, chip: perso }));
}, 60_000);

describe('chip-behaviour matrix (PC/SC through pcscd + vpcd, extended length)', () => {
  for (const row of CHIP_ROWS.filter((r) => PCSC_ROWS.includes(r.id)))
    it(`${row.id}: ${row.overall}, CA ${row.ca}, AA ${row.aa}`, async () => {
      const image = images.get(row.chip.filter((c) => PERSONALISATION_OPTIONS.has(c)).join(','))!;
      const card = new SimulatedCard(image, {
        extendedLength: true,
        chip: row.chip.filter((c) => !PERSONALISATION_OPTIONS.has(c)),
      });
      const bridge = new VpcdBridge(card, { port: VPCD_DEFAULT_PORT });
      const ctx = new PcscContext({ backoff: { initialMs: 50, maxMs: 400 } });
      const outer = AbortSignal.timeout(25_000);
      try {
        // The previous row's card must be gone from pcscd's view, or waitForCard would return it.
        await vpcdSlotsEmpty([0]);
        await bridge.insert();
        await ctx.waitForCard(READER, { timeoutMs: 5000, signal: outer });
        // vpcd does not advertise extended length; this virtual reader carries it (cccd read --extended).
        const transport = await PcscTransport.open(ctx, READER, { extendedLength: true, signal: outer });
        const store = new TrustStore();
        store.addCertificate(image.pki!.cscaCertDer);
        const r = await readVerified(transport, chipKey(row, image), {
          trustStore: store,
          groups: CHIP_GROUPS,
          signal: outer,
        }).finally(() => transport.close());
        const record = chipRecord('pcsc', row, image, r, card.stats.exchanges);
        records.push(record);
        expect(record.observed).toBe(record.expected);
        expect(record.apdus).toBeLessThanOrEqual(record.budget);
      } finally {
        await ctx.close().catch(() => undefined);
        await bridge.close().catch(() => undefined);
      }
    }, 40_000);
});
