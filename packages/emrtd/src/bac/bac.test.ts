import { describe, expect, it } from 'vitest';
import { PlainChannel } from '../apdu/channel.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { fromHex, hex } from '../codec/bytes.js';
import { AccessDenied } from '../errors.js';
import { SecureChannel } from '../sm/secure-channel.js';
import { APPENDIX_D as D } from '../testing/vectors.js';
import { deriveBacKeys, performBac } from './bac.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();

// ICAO 9303-11 Appendix D.3 (BAC) and D.4 (secure messaging), byte for byte.
const D3_D4 = new ScriptedTransport([
  D.getChallenge,
  D.mutualAuthenticate,
  D.selectEfCom,
  D.readEfComHead,
  D.readEfComRest,
]);

describe('BAC', () => {
  it('derives the ICAO D.2 document basic access keys', () => {
    const k = deriveBacKeys(D.mrzInformation);
    expect(H(k.kEnc)).toBe(D.kEnc);
    expect(H(k.kMac)).toBe(D.kMac);
  });

  it('derives the Vietnamese example keys of the reference notes', () => {
    const k = deriveBacKeys('090012345090081573008155');
    expect(hex(k.kEnc)).toBe('c868ba405e7329d0d96d43891c64bf4f');
    expect(hex(k.kMac)).toBe('4fab58102f23f2583b405bcdb36b6e94');
  });

  it('reproduces ICAO D.3 (session keys, SSC) and then D.4 (SELECT EF.COM, two READ BINARY) exactly', async () => {
    const plain = new PlainChannel(D3_D4);
    const bac = await performBac(plain, deriveBacKeys(D.mrzInformation), {
      rndIfd: fromHex(D.rndIfd),
      kIfd: fromHex(D.kIfd),
    });
    expect(H(bac.ksEnc)).toBe(D.ksEnc);
    expect(H(bac.ksMac)).toBe(D.ksMac);
    expect(H(bac.ssc)).toBe(D.ssc);
    const sm = new SecureChannel(plain, bac.sm);
    const select = await sm.send({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') }, 'SELECT EF.COM');
    expect(select.sw).toBe(0x9000);
    const head = await sm.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }, 'READ BINARY');
    expect(H(head.data)).toBe(D.efCom.slice(0, 8));
    const rest = await sm.send({ cla: 0, ins: 0xb0, p1: 0, p2: 4, ne: 0x12 }, 'READ BINARY');
    expect(H(rest.data)).toBe(D.efCom.slice(8));
    expect(H(bac.sm.ssc)).toBe(D.sscAfterReads);
    expect(D3_D4.finished).toBe(true);
  });

  it('reports a refused key as AccessDenied(BAC) without key material', async () => {
    const t = new ScriptedTransport([D.getChallenge, ['*', '6300']]);
    const e = await performBac(new PlainChannel(t), deriveBacKeys('090012345090081573008155')).catch((x) => x);
    expect(e).toBeInstanceOf(AccessDenied);
    expect(e.method).toBe('BAC');
    expect(e.sw).toBe(0x6300);
    expect(e.message).not.toMatch(/0900|9008|3008/);
  });

  it('treats a chip cryptogram that does not verify as AccessDenied', async () => {
    const t = new ScriptedTransport([D.getChallenge, ['*', `${'00'.repeat(40)}9000`]]);
    await expect(performBac(new PlainChannel(t), deriveBacKeys(D.mrzInformation))).rejects.toBeInstanceOf(AccessDenied);
  });
});
