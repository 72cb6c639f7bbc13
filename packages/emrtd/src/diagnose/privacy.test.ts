/**
 * The promise of a chip profile: no personal data. Personalise simulated cards, diagnose them in every way the
 * read can go (complete, short-only link, refused CA/AA, PACE refused then BAC, wrong key), serialise the profile
 * and search it for every personal value of the citizen in every stored form (testing/personal-values.ts).
 */
import { InProcessTransport, loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { hex } from '../codec/bytes.js';
import { canKey, keyFromCccd } from '../keys/access-key.js';
import { readVerified } from '../read/read.js';
import { type PersonalValue, personalLeaks, personalValues } from '../testing/personal-values.js';
import { TrustStore } from '../trust/store.js';
import { diagnoseChip } from './diagnose.js';
import type { ChipProfile } from './profile-types.js';

const cards: Record<string, { card: PersonalisedCard; values: PersonalValue[]; store: TrustStore }> = {};

beforeAll(async () => {
  for (const name of ['cccd-2021-adult', 'can-cuoc-2024']) {
    const card = await personalise(loadProfile(name));
    const store = new TrustStore();
    store.addCertificate(card.pki!.cscaCertDer);
    cards[name] = { card, values: personalValues(card), store };
  }
});

const serialised = (p: ChipProfile) => `${JSON.stringify(p)}\n${JSON.stringify(p, null, 2)}`;

function transport(card: PersonalisedCard, options: ConstructorParameters<typeof SimulatedCard>[1]) {
  return new InProcessTransport(new SimulatedCard(card, options));
}

describe('chip profile privacy', () => {
  it('the search finds the values where they are (the check is not vacuous)', async () => {
    const { card, values, store } = cards['cccd-2021-adult']!;
    expect(values.length).toBeGreaterThan(60);
    const read = await readVerified(transport(card, { extendedLength: true }), canKey(card.can), {
      trustStore: store,
      groups: ['DG1', 'DG2', 'DG13'],
    });
    const text = [
      JSON.stringify(read.document),
      read.mrz?.lines.join('\n'),
      new TextDecoder().decode(read.raw.DG13),
      hex(read.raw.DG1!),
      hex(read.raw.DG13!).toUpperCase(),
      btoa(String.fromCharCode(...read.photo!.image)),
    ].join('\n');
    expect(personalLeaks(text, values)).toEqual(
      expect.arrayContaining([
        'idNumber',
        'CAN',
        'fullName',
        'fullName part 1',
        'dateOfBirth',
        'dateOfBirth DD/MM/YYYY',
        'MRZ line 3',
        'MRZ name part 1',
        'placeOfResidence',
        'fatherName',
        'DG1 hex@0',
        'DG13 HEX@0',
        'photo base64@0',
      ]),
    );
  });

  for (const profile of ['cccd-2021-adult', 'can-cuoc-2024']) {
    it(`a complete diagnosis of ${profile} (extended length, probes) names nothing personal`, async () => {
      const { card, values, store } = cards[profile]!;
      const p = await diagnoseChip(transport(card, { extendedLength: true }), canKey(card.can), { trustStore: store });
      expect(p.outcome).toBe('complete');
      expect(p.files.filter((f) => f.status === 'read').length).toBeGreaterThanOrEqual(6);
      expect(personalLeaks(serialised(p), values)).toEqual([]);
    });
  }

  it('nor on a short-only link, nor with CA and AA refused, nor after PACE refused and BAC, nor with a wrong key', async () => {
    const { card, values, store } = cards['cccd-2021-adult']!;
    const p = card.profile;
    const mrz = keyFromCccd(p.idNumber, p.dateOfBirth, p.dateOfExpiry);
    const runs = await Promise.all([
      diagnoseChip(transport(card, {}), canKey(card.can), { trustStore: store }),
      diagnoseChip(
        transport(card, { extendedLength: true, faults: ['sw=22:6A86:2', 'sw=88:6982'] }),
        canKey(card.can),
        {
          trustStore: store,
        },
      ),
      diagnoseChip(transport(card, { extendedLength: 512, faults: ['sw=22:6982:1'] }), mrz, { trustStore: store }),
      diagnoseChip(transport(card, {}), canKey('111111')),
      diagnoseChip(transport(card, {}), keyFromCccd(p.idNumber, '1991-01-01', p.dateOfExpiry)),
    ]);
    expect(runs.map((r) => r.outcome)).toEqual(['complete', 'complete', 'complete', 'failed', 'failed']);
    expect(runs[2]!.access.protocol).toBe('BAC');
    for (const r of runs) expect(personalLeaks(serialised(r), values)).toEqual([]);
  });
});
