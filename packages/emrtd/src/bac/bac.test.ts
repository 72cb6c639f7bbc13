import { describe, expect, it } from 'vitest';
import { PlainChannel } from '../apdu/channel.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { fromHex, hex } from '../codec/bytes.js';
import { AccessDenied } from '../errors.js';
import { SecureChannel } from '../sm/secure-channel.js';
import { deriveBacKeys, performBac } from './bac.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();

// ICAO 9303-11 Appendix D.3 (BAC) and D.4 (secure messaging), byte for byte.
const D3_D4 = new ScriptedTransport([
  ['0084000008', '4608F919887022129000'],
  [
    '008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728',
    '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000',
  ],
  ['0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800', '990290008E08FA855A5D4C50A8ED9000'],
  ['0CB000000D9701048E08ED6705417E96BA5500', '8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000'],
  [
    '0CB000040D9701128E082EA28A70F3C7B53500',
    '871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000',
  ],
]);

describe('BAC', () => {
  it('derives the ICAO D.2 document basic access keys', () => {
    const k = deriveBacKeys('L898902C<369080619406236');
    expect(H(k.kEnc)).toBe('AB94FDECF2674FDFB9B391F85D7F76F2');
    expect(H(k.kMac)).toBe('7962D9ECE03D1ACD4C76089DCE131543');
  });

  it('derives the Vietnamese example keys of the reference notes', () => {
    const k = deriveBacKeys('090012345090081573008155');
    expect(hex(k.kEnc)).toBe('c868ba405e7329d0d96d43891c64bf4f');
    expect(hex(k.kMac)).toBe('4fab58102f23f2583b405bcdb36b6e94');
  });

  it('reproduces ICAO D.3 (session keys, SSC) and then D.4 (SELECT EF.COM, two READ BINARY) exactly', async () => {
    const plain = new PlainChannel(D3_D4);
    const bac = await performBac(plain, deriveBacKeys('L898902C<369080619406236'), {
      rndIfd: fromHex('781723860C06C226'),
      kIfd: fromHex('0B795240CB7049B01C19B33E32804F0B'),
    });
    expect(H(bac.ksEnc)).toBe('979EC13B1CBFE9DCD01AB0FED307EAE5');
    expect(H(bac.ksMac)).toBe('F1CB1F1FB5ADF208806B89DC579DC1F8');
    expect(H(bac.ssc)).toBe('887022120C06C226');
    const sm = new SecureChannel(plain, bac.sm);
    const select = await sm.send({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') }, 'SELECT EF.COM');
    expect(select.sw).toBe(0x9000);
    const head = await sm.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }, 'READ BINARY');
    expect(H(head.data)).toBe('60145F01');
    const rest = await sm.send({ cla: 0, ins: 0xb0, p1: 0, p2: 4, ne: 0x12 }, 'READ BINARY');
    expect(H(rest.data)).toBe('04303130365F36063034303030305C026175');
    expect(H(bac.sm.ssc)).toBe('887022120C06C22C');
    expect(D3_D4.finished).toBe(true);
  });

  it('reports a refused key as AccessDenied(BAC) without key material', async () => {
    const t = new ScriptedTransport([
      ['0084000008', '4608F919887022129000'],
      ['*', '6300'],
    ]);
    const e = await performBac(new PlainChannel(t), deriveBacKeys('090012345090081573008155')).catch((x) => x);
    expect(e).toBeInstanceOf(AccessDenied);
    expect(e.method).toBe('BAC');
    expect(e.sw).toBe(0x6300);
    expect(e.message).not.toMatch(/0900|9008|3008/);
  });

  it('treats a chip cryptogram that does not verify as AccessDenied', async () => {
    const t = new ScriptedTransport([
      ['0084000008', '4608F919887022129000'],
      ['*', `${'00'.repeat(40)}9000`],
    ]);
    await expect(performBac(new PlainChannel(t), deriveBacKeys('L898902C<369080619406236'))).rejects.toBeInstanceOf(
      AccessDenied,
    );
  });
});
