/**
 * Every simulator profile read through the real pcscd + vpcd and the real pcsclite binding (in its host process):
 * PACE-CAN on slot 0 and BAC on slot 1 at the same time, each a full verified read (access control, CA, files,
 * AA, passive authentication against the profile's CSCA).
 */
import { type AccessKey, type CccdGroup, canKey, keyFromCccd, mrzKey, readVerified, TrustStore } from '@cccd/emrtd';
import { expectedDocument } from '@cccd/emrtd/testing';
import {
  listProfiles,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
  VpcdBridge,
} from '@cccd/simulator';
import { afterAll, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { nextEvent } from './test-support/events.js';
import { vpcdSlotsEmpty } from './test-support/presence.js';
import { VPCD_PORTS, vpcdReaderName } from './test-support/vpcd-card.js';
import { PcscTransport } from './transport.js';

const ctx = new PcscContext();
afterAll(() => ctx.close());

function bacKey(image: PersonalisedCard): AccessKey {
  const p = image.profile;
  return p.kind === 'passport-td3'
    ? mrzKey(p.documentNumber!, p.dateOfBirth, p.dateOfExpiry!)
    : keyFromCccd(p.idNumber, p.dateOfBirth, p.dateOfExpiry);
}

async function readOnSlot(image: PersonalisedCard, slot: 0 | 1, protocol: 'PACE' | 'BAC') {
  const bridge = new VpcdBridge(new SimulatedCard(image, { extendedLength: true }), { port: VPCD_PORTS[slot] });
  const reader = vpcdReaderName(slot);
  await vpcdSlotsEmpty([slot], { ctx });
  await bridge.insert();
  try {
    await ctx.waitForCard(reader, { timeoutMs: 5000 });
    const transport = await PcscTransport.open(ctx, reader, { extendedLength: true });
    try {
      const passport = image.profile.kind === 'passport-td3';
      const groups: CccdGroup[] = passport ? ['DG1', 'DG2'] : ['DG1', 'DG2', 'DG13'];
      const store = new TrustStore();
      store.addCertificate(image.pki!.cscaCertDer);
      const key = protocol === 'PACE' ? canKey(image.can) : bacKey(image);
      const read = await readVerified(transport, key, { trustStore: store, groups, preferPace: protocol === 'PACE' });
      return read;
    } finally {
      await transport.close();
    }
  } finally {
    // The next profile must not see this card's stale "present" state on the slot.
    const removed = nextEvent(ctx, 'card-removed', (e) => e.reader === reader, 3000);
    await bridge.close();
    await removed;
  }
}

for (const name of listProfiles()) {
  it(`${name}: PACE-CAN (slot 0) and BAC (slot 1) through pcscd, authentic, exact profile data`, async () => {
    const image = await personalise(loadProfile(name), { seed: 11 });
    const [pace, bac] = await Promise.all([readOnSlot(image, 0, 'PACE'), readOnSlot(image, 1, 'BAC')]);
    for (const [read, protocol] of [
      [pace, 'PACE'],
      [bac, 'BAC'],
    ] as const) {
      expect(read.access.protocol).toBe(protocol);
      expect(read.verification.overall).toBe('authentic');
      expect(read.raw.DG2).toEqual(image.files.get(0x0102));
      if (image.profile.kind === 'passport-td3') {
        expect(read.mrz?.format).toBe('TD3');
        expect(read.document?.dateOfBirth).toBe(image.profile.dateOfBirth);
      } else {
        expect(read.document).toMatchObject(expectedDocument(image.profile));
        expect(read.raw.DG13).toEqual(image.files.get(0x010d));
        expect(read.crossCheck).toEqual([]);
      }
    }
  });
}
