import { concat, fromHex, hex, paceOid, utf8 } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from '../card/applet.js';
import { FID } from '../card/image.js';
import { seededRandom } from '../card/random.js';
import { terminalPace } from '../card/testing/terminal.js';
import { personalise } from './personalise.js';
import { loadProfile } from './profiles.js';

const sw = (r: Uint8Array) => (r[r.length - 2]! << 8) | r[r.length - 1]!;

describe('a personalised card on the applet', () => {
  it('opens with PACE-CAN and serves every file it was personalised with; DG3 6982, DG11 6A82, MF 6D00', async () => {
    const image = await personalise(loadProfile('cccd-2021-adult'));
    const card = new SimulatedCard(image, { random: seededRandom(9) });
    const x = (apdu: Uint8Array) => card.process(apdu);
    expect(sw(x(fromHex('00A4000C023F00')))).toBe(0x6d00);
    expect(sw(x(fromHex('00A4020C02011C')))).toBe(0x9000);
    const cardAccess = x(fromHex('00B0000000'));
    expect(hex(cardAccess.subarray(0, -2))).toBe(hex(image.files.get(FID.cardAccess)!));
    expect(sw(x(fromHex('00A4040C07A0000002471001')))).toBe(0x9000);
    const sm = terminalPace(x, {
      oid: paceOid('ECDH', 'GM', 'AES-128'),
      parameterId: 13,
      cipher: 'AES-128',
      mapping: 'GM',
      password: utf8(image.can),
      passwordRef: 2,
      random: seededRandom(10),
    });
    const send = (ins: number, p1: number, p2: number, data: Uint8Array, ne: number) =>
      sm.unprotect(x(sm.protect(0x00, ins, p1, p2, data, ne)));
    for (const [fid, file] of image.files) {
      if (fid === FID.cardAccess) continue;
      const selected = send(0xa4, 0x02, 0x0c, Uint8Array.of(fid >> 8, fid & 0xff), 0);
      if (image.protectedFids.has(fid)) {
        expect(selected.sw).toBe(0x6982);
        continue;
      }
      expect(selected.sw).toBe(0x9000);
      const parts: Uint8Array[] = [];
      for (let offset = 0; offset < file.length; offset += 0xdf) {
        const r = send(0xb0, offset >> 8, offset & 0xff, new Uint8Array(0), Math.min(0xdf, file.length - offset));
        expect(r.macOk).toBe(true);
        parts.push(r.data);
      }
      expect(hex(concat(...parts))).toBe(hex(file));
    }
    expect(send(0xa4, 0x02, 0x0c, fromHex('010B'), 0).sw).toBe(0x6a82);
    expect(card.internalErrors).toBe(0);
  });
});
