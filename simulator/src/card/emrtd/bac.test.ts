import { fromHex, hex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { APPENDIX_D as D } from '../../../../packages/emrtd/src/testing/vectors.js';
import { SimulatedCard } from '../applet.js';
import { scriptedRandom } from '../random.js';
import { APPENDIX_D_COM, testImage } from '../testing/image.js';
import { bacKeys } from './bac.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();

// ICAO 9303-11 Appendix D, replayed from the chip's side: RND.IC and K.IC are the card's random draws.
const MUTUAL_AUTH = H(D.mutualAuthenticate[0]);

function appendixDCard() {
  const card = new SimulatedCard(testImage(), { random: scriptedRandom([H(D.rndIc), H(D.kIc)]) });
  expect(X(card.process(H('00A4040C07A0000002471001')))).toBe('9000');
  return card;
}

describe('BAC, chip side, ICAO 9303-11 Appendix D', () => {
  it('derives K_enc and K_mac from MRZ_information (D.2)', () => {
    const k = bacKeys(D.mrzInformation);
    expect(X(k.kEnc)).toBe(D.kEnc);
    expect(X(k.kMac)).toBe(D.kMac);
  });

  it('answers GET CHALLENGE and MUTUAL AUTHENTICATE with R, and derives KS_enc, KS_mac and the SSC (D.3)', () => {
    const card = appendixDCard();
    expect(X(card.process(H(D.getChallenge[0])))).toBe(D.getChallenge[1]);
    expect(X(card.process(MUTUAL_AUTH))).toBe(D.mutualAuthenticate[1]);
    const s = card.debugSession()!;
    expect(s.cipher).toBe('3DES');
    expect(X(s.ksEnc)).toBe(D.ksEnc);
    expect(X(s.ksMac)).toBe(D.ksMac);
    expect(X(s.ssc)).toBe(D.ssc);
  });

  it('unwraps the protected SELECT and READ BINARY APDUs of D.4 and answers exactly the appendix responses', () => {
    const card = appendixDCard();
    card.process(H(D.getChallenge[0]));
    card.process(MUTUAL_AUTH);
    expect(X(card.process(H(D.selectEfCom[0])))).toBe(D.selectEfCom[1]);
    expect(X(card.debugSession()!.ssc)).toBe(D.sscAfterSelect);
    expect(X(card.process(H(D.readEfComHead[0])))).toBe(D.readEfComHead[1]);
    expect(X(card.process(H(D.readEfComRest[0])))).toBe(D.readEfComRest[1]);
    expect(X(card.debugSession()!.ssc)).toBe(D.sscAfterReads);
    expect(X(APPENDIX_D_COM)).toBe(D.efCom);
  });

  it('answers 6300 to a wrong M_IFD, a wrong RND.IC echo or wrong keys, and 6985 without a challenge', () => {
    const card = appendixDCard();
    expect(X(card.process(MUTUAL_AUTH))).toBe('6985');
    card.process(H(D.getChallenge[0]));
    const badMac = MUTUAL_AUTH.slice();
    badMac[badMac.length - 2]! ^= 1;
    expect(X(card.process(badMac))).toBe('6300');
    // The challenge is single-use: a replay after a failure needs a new GET CHALLENGE.
    expect(X(card.process(MUTUAL_AUTH))).toBe('6985');
    const other = new SimulatedCard(testImage({ mrzInformation: 'D23145890774081221204159' }), {
      random: scriptedRandom([H(D.rndIc)]),
    });
    other.process(H(D.getChallenge[0]));
    expect(X(other.process(MUTUAL_AUTH))).toBe('6300');
    expect(other.secureMessagingActive).toBe(false);
  });

  it('refuses plain APDUs once BAC succeeded, and drops the session (6982)', () => {
    const card = appendixDCard();
    card.process(H(D.getChallenge[0]));
    card.process(MUTUAL_AUTH);
    expect(X(card.process(H('00B0000004')))).toBe('6982');
    expect(card.secureMessagingActive).toBe(false);
  });
});
