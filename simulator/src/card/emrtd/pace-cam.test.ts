/**
 * PACE-CAM, chip side (ICAO 9303-11 §4.4.3.3.3, §4.4.3.5.1): the CA_IC the chip sends is checked with OpenSSL
 * (node:crypto), not with the curve code the chip and the SDK share: x(CA_IC · PK_IC) must be x(PK_Map,IC).
 */
import { createECDH } from 'node:crypto';
import { paceOid } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { PlainChannel } from '../../../../packages/emrtd/src/apdu/channel.js';
import { canPassword, performPace } from '../../../../packages/emrtd/src/pace/pace.js';
import { personalise } from '../../perso/personalise.js';
import { loadProfile } from '../../perso/profiles.js';
import { InProcessTransport } from '../../transport/in-process.js';
import { SimulatedCard } from '../applet.js';

const CAM = { oid: paceOid('ECDH', 'CAM', 'AES-128'), parameterId: 13 };

async function camRun(option: string) {
  const image = await personalise(loadProfile('cccd-2021-adult'), {
    seed: 3,
    chip: [option],
    activeAuthentication: null,
  });
  const channel = new PlainChannel(new InProcessTransport(new SimulatedCard(image)), { timeoutMs: 2000 });
  const pace = await performPace(channel, canPassword(image.can), CAM, { ambiguous: true });
  const ecdh = createECDH('brainpoolP256r1');
  ecdh.setPrivateKey(Buffer.from(pace.chipAuthentication!.data));
  const x = new Uint8Array(ecdh.computeSecret(Buffer.from(image.chipAuthenticationMapping!.publicKey)));
  return {
    image,
    pace,
    fits: Buffer.from(x).equals(Buffer.from(pace.chipAuthentication!.mappingPublicKey.subarray(1, 33))),
  };
}

describe('PACE-CAM on the simulated chip', () => {
  it('pace-cam=present: CA_IC · PK_IC is PK_Map,IC; the static key is DG14 CA key; EF.CardSecurity in the MF', async () => {
    const { image, pace, fits } = await camRun('pace-cam=present');
    expect(pace.protocol.mapping).toBe('CAM');
    expect(pace.chipAuthentication!.data).toHaveLength(32);
    expect(fits).toBe(true);
    expect(image.chipAuthenticationMapping).toBe(image.chipAuthentication);
    expect(image.masterFiles?.get(0x011d)?.[0]).toBe(0x30);
    expect(image.pace.map((p) => p.mapping)).toEqual(['GM', 'CAM']);
  });

  it('pace-cam=wrong-key: PACE still succeeds but CA_IC does not fit the static key', async () => {
    const { fits } = await camRun('pace-cam=wrong-key');
    expect(fits).toBe(false);
  });

  it('pace-cam=no-card-security: no EF.CardSecurity; without the option no CAM at all', async () => {
    const none = await personalise(loadProfile('cccd-2021-adult'), {
      seed: 3,
      chip: ['pace-cam=no-card-security'],
      activeAuthentication: null,
    });
    expect(none.masterFiles?.has(0x011d) ?? false).toBe(false);
    const plain = await personalise(loadProfile('cccd-2021-adult'), { seed: 3, activeAuthentication: null });
    expect(plain.pace.map((p) => p.mapping)).toEqual(['GM']);
    expect(plain.chipAuthenticationMapping).toBeUndefined();
    const channel = new PlainChannel(new InProcessTransport(new SimulatedCard(plain)), { timeoutMs: 2000 });
    await expect(performPace(channel, canPassword(plain.can), CAM)).rejects.toMatchObject({ sw: 0x6a80 });
  });
});
