/**
 * The React Native example's read logic (examples/react-native/src/read-card.ts) against the fake native module:
 * what the screen would show for a good card, a CAN that is not 6 digits, a wrong CAN, an untrusted CSCA and a
 * user who closes the NFC sheet. The verdict decides whether fields are shown at all.
 */
import { TrustStore } from '@cccd/emrtd';
import { loadProfile, type PersonalisedCard, personalise, SimulatedCard } from '@cccd/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCard } from '../../../examples/react-native/src/read-card.js';
import { FakeNfc, FakeNfcError, type FakeNfcOptions, FakeNfcTech } from './test-support/fake-nfc.js';

let image: PersonalisedCard;
let trusted: TrustStore;
beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 18 });
  trusted = new TrustStore();
  trusted.addCertificate(image.pki!.cscaCertDer);
}, 60_000);

function deps(options: Omit<FakeNfcOptions, 'card'>, trustStore = trusted) {
  const fake = new FakeNfc({ ...options, card: new SimulatedCard(image) });
  const nfc = {
    platform: options.platform,
    nfcManager: fake.manager,
    nfcTech: FakeNfcTech,
    nfcErrors: FakeNfcError,
    tapTimeoutMs: 1000,
  };
  return { fake, deps: { nfc, trustStore, signal: AbortSignal.timeout(20_000) } };
}

describe('examples/react-native read-card', () => {
  it('a good card: the verdict (authentic), then the fields; the NFC request is ended', async () => {
    const { fake, deps: d } = deps({ platform: 'ios' });
    const outcome = await readCard(image.can, d);
    expect(outcome).toMatchObject({ kind: 'read', verdict: 'authentic' });
    expect(outcome.kind === 'read' && outcome.document?.idNumber).toMatch(/^\d{12}$/);
    expect(fake.cancels).toBe(1);
  });

  it('a CAN that is not 6 digits is refused before NFC starts', async () => {
    const { fake, deps: d } = deps({ platform: 'android' });
    expect(await readCard('12a45', d)).toMatchObject({ kind: 'failed', code: 'invalid-argument' });
    expect(fake.requests).toBe(0);
  });

  it('a wrong CAN: access denied, not retriable, and the CAN is not in anything shown', async () => {
    const wrong = image.can === '000000' ? '111111' : '000000';
    const { deps: d } = deps({ platform: 'android' });
    const outcome = await readCard(wrong, d);
    expect(outcome).toMatchObject({ kind: 'failed', code: 'access-denied', retriable: false });
    expect(JSON.stringify(outcome)).not.toContain(wrong);
  });

  it('an untrusted CSCA: the verdict says so and no field is shown', async () => {
    const { deps: d } = deps({ platform: 'android' }, new TrustStore());
    const outcome = await readCard(image.can, d);
    expect(outcome).toMatchObject({ kind: 'read', verdict: 'unknown-csca', document: undefined });
  });

  it('the user closes the NFC sheet at the first tap: cancelled', async () => {
    const { deps: d } = deps({ platform: 'ios', cancelRequestAt: [1] });
    expect(await readCard(image.can, d)).toMatchObject({ kind: 'failed', code: 'cancelled' });
  });
});
