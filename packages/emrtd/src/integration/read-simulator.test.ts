/**
 * The reader against the independently written card simulator, in process: every profile, PACE-CAN and BAC, short
 * and extended length, and tag loss at several points. Both sides are also pinned to the ICAO worked examples in
 * their own unit tests, so a bug mirrored on both sides cannot pass here alone.
 */
import {
  type CardOptions,
  InProcessTransport,
  listProfiles,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccessDenied } from '../errors.js';
import { canKey, keyFromCccd } from '../keys/access-key.js';
import { readCccd } from '../read/read.js';
import { expectedDocument as expected } from '../testing/profile-view.js';

const cards = new Map<string, PersonalisedCard>();

beforeAll(async () => {
  for (const name of listProfiles()) cards.set(name, await personalise(loadProfile(name), { seed: 7 }));
}, 60_000);

function transportFor(name: string, options: CardOptions = {}) {
  const image = cards.get(name)!;
  return { transport: new InProcessTransport(new SimulatedCard(image, options)), image };
}

const CCCD_PROFILES = listProfiles().filter((p) => !p.startsWith('passport'));

describe('readCccd against the simulator', () => {
  for (const name of CCCD_PROFILES) {
    for (const extendedLength of [false, true]) {
      it(`${name}: PACE-CAN, ${extendedLength ? 'extended' : 'short'} length, exact profile data`, async () => {
        const { transport, image } = transportFor(name, { extendedLength });
        const result = await readCccd(transport, canKey(image.can), { groups: ['COM', 'DG1', 'DG2', 'DG13', 'SOD'] });
        expect(result.access.protocol).toBe('PACE');
        expect(result.document).toMatchObject(expected(image.profile));
        expect(result.crossCheck).toEqual([]);
        expect(result.photo?.mimeType).toBe(image.profile.face.format === 'jp2' ? 'image/jp2' : 'image/jpeg');
        expect(result.raw.DG13).toEqual(image.files.get(0x010d));
        expect(result.raw.DG2).toEqual(image.files.get(0x0102));
      });
    }
    it(`${name}: BAC with the key derived from ID, birth date and expiry`, async () => {
      const { transport, image } = transportFor(name);
      const p = image.profile;
      const key = keyFromCccd(p.idNumber, p.dateOfBirth, p.dateOfExpiry);
      const result = await readCccd(transport, key, { preferPace: false, groups: ['DG1', 'DG13'] });
      expect(result.access.protocol).toBe('BAC');
      expect(result.document).toMatchObject(expected(p));
    });
  }

  it('reads the TD3 passport profile (no DG13) from DG1', async () => {
    const { transport, image } = transportFor('passport-vn-td3', { extendedLength: true });
    const result = await readCccd(transport, canKey(image.can), { groups: ['DG1', 'DG2'] });
    expect(result.mrz?.format).toBe('TD3');
    expect(result.document?.dateOfBirth).toBe(image.profile.dateOfBirth);
    expect(result.photo?.image.length).toBeGreaterThan(1000);
  });

  it('reads EF.CardAccess by its SFI when the chip refuses SELECT by FID, and still runs PACE', async () => {
    const { transport, image } = transportFor('cccd-2021-adult', { faults: ['sw=A4:6A86:1'] });
    const result = await readCccd(transport, canKey(image.can), { groups: ['DG1'] });
    expect(result.access.protocol).toBe('PACE');
    expect(result.document?.idNumber).toBe(image.profile.idNumber);
  });

  it('falls back to BAC when EF.CardAccess is refused by FID and by SFI', async () => {
    const { transport, image } = transportFor('cccd-2021-adult', { faults: ['sw=A4:6A82:1', 'sw=B0:6A82:1'] });
    const p = image.profile;
    const result = await readCccd(transport, keyFromCccd(p.idNumber, p.dateOfBirth, p.dateOfExpiry), {
      groups: ['DG1'],
    });
    expect(result.access.protocol).toBe('BAC');
  });

  it('a wrong CAN is AccessDenied naming PACE, without a retry storm', async () => {
    const { transport, image } = transportFor('cccd-2021-adult');
    const wrong = image.can === '000000' ? '111111' : '000000';
    const err = await readCccd(transport, canKey(wrong)).catch((e) => e);
    expect(err).toBeInstanceOf(AccessDenied);
    expect(err.message).toContain('PACE');
    expect(err.message).not.toContain(wrong);
    expect(transport.card.stats.exchanges).toBeLessThan(20);
  });

  for (const fault of ['tag-loss-at-offset=DG2:4000', 'tag-loss-at-offset=DG13:40', 'tag-loss-after-apdus=9']) {
    for (const extendedLength of [false, true]) {
      it(`resumes after ${fault} (${extendedLength ? 'extended' : 'short'})`, async () => {
        const { transport, image } = transportFor('cccd-2021-adult', { extendedLength, faults: [fault] });
        const result = await readCccd(transport, canKey(image.can), { groups: ['DG1', 'DG2', 'DG13', 'SOD'] });
        expect(result.report.resumes).toBeGreaterThanOrEqual(1);
        expect(result.raw.DG2).toEqual(image.files.get(0x0102));
        expect(result.document).toMatchObject(expected(image.profile));
      });
    }
  }

  it('a 16 KB DG2 on an extended-length card takes at most a quarter of the APDUs of 223-byte reads', async () => {
    const count = async (extendedLength: boolean, maxBlockSize?: number) => {
      const { transport, image } = transportFor('cccd-2021-adult', { extendedLength });
      const r = await readCccd(transport, canKey(image.can), {
        groups: ['DG2'],
        ...(maxBlockSize ? { maxBlockSize } : {}),
      });
      return r.report.files.find((f) => f.file === 'DG2')!.apdus;
    };
    const extended = await count(true);
    const fixed223 = await count(false, 223);
    expect(extended * 4).toBeLessThanOrEqual(fixed223);
  });
});
