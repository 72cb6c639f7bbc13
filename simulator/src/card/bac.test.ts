import { fromHex, hex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import { bacKeys } from './bac.js';
import { scriptedRandom } from './random.js';
import { APPENDIX_D_COM, testImage } from './testing/image.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();

// ICAO 9303-11 Appendix D (values in /tmp/icao-vectors.md §1), replayed from the chip's side.
const RND_IC = H('4608F91988702212');
const K_IC = H('0B4F80323EB3191CB04970CB4052790B');
const MUTUAL_AUTH = H('008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728');
const R = '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449';

function appendixDCard() {
  const card = new SimulatedCard(testImage(), { random: scriptedRandom([RND_IC, K_IC]) });
  expect(X(card.process(H('00A4040C07A0000002471001')))).toBe('9000');
  return card;
}

describe('BAC, chip side, ICAO 9303-11 Appendix D', () => {
  it('derives K_enc and K_mac from MRZ_information (D.2)', () => {
    const k = bacKeys('L898902C<369080619406236');
    expect(X(k.kEnc)).toBe('AB94FDECF2674FDFB9B391F85D7F76F2');
    expect(X(k.kMac)).toBe('7962D9ECE03D1ACD4C76089DCE131543');
  });

  it('answers GET CHALLENGE and MUTUAL AUTHENTICATE with R, and derives KS_enc, KS_mac and the SSC (D.3)', () => {
    const card = appendixDCard();
    expect(X(card.process(H('0084000008')))).toBe('4608F919887022129000');
    expect(X(card.process(MUTUAL_AUTH))).toBe(`${R}9000`);
    const s = card.debugSession()!;
    expect(s.cipher).toBe('3DES');
    expect(X(s.ksEnc)).toBe('979EC13B1CBFE9DCD01AB0FED307EAE5');
    expect(X(s.ksMac)).toBe('F1CB1F1FB5ADF208806B89DC579DC1F8');
    expect(X(s.ssc)).toBe('887022120C06C226');
  });

  it('unwraps the protected SELECT and READ BINARY APDUs of D.4 and answers exactly the appendix responses', () => {
    const card = appendixDCard();
    card.process(H('0084000008'));
    card.process(MUTUAL_AUTH);
    expect(X(card.process(H('0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800')))).toBe(
      '990290008E08FA855A5D4C50A8ED9000',
    );
    expect(X(card.debugSession()!.ssc)).toBe('887022120C06C228');
    expect(X(card.process(H('0CB000000D9701048E08ED6705417E96BA5500')))).toBe(
      '8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000',
    );
    expect(X(card.process(H('0CB000040D9701128E082EA28A70F3C7B53500')))).toBe(
      '871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000',
    );
    expect(X(card.debugSession()!.ssc)).toBe('887022120C06C22C');
    expect(X(APPENDIX_D_COM)).toBe('60145F0104303130365F36063034303030305C026175');
  });

  it('answers 6300 to a wrong M_IFD, a wrong RND.IC echo or wrong keys, and 6985 without a challenge', () => {
    const card = appendixDCard();
    expect(X(card.process(MUTUAL_AUTH))).toBe('6985');
    card.process(H('0084000008'));
    const badMac = MUTUAL_AUTH.slice();
    badMac[badMac.length - 2]! ^= 1;
    expect(X(card.process(badMac))).toBe('6300');
    // The challenge is single-use: a replay after a failure needs a new GET CHALLENGE.
    expect(X(card.process(MUTUAL_AUTH))).toBe('6985');
    const other = new SimulatedCard(testImage({ mrzInformation: 'D23145890774081221204159' }), {
      random: scriptedRandom([RND_IC]),
    });
    other.process(H('0084000008'));
    expect(X(other.process(MUTUAL_AUTH))).toBe('6300');
    expect(other.secureMessagingActive).toBe(false);
  });

  it('refuses plain APDUs once BAC succeeded, and drops the session (6982)', () => {
    const card = appendixDCard();
    card.process(H('0084000008'));
    card.process(MUTUAL_AUTH);
    expect(X(card.process(H('00B0000004')))).toBe('6982');
    expect(card.secureMessagingActive).toBe(false);
  });
});
