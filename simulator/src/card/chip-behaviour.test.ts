import { digest, fromHex, hex, paceOid, tlv, utf8 } from '@cccd/emrtd/codec';
import { brainpoolP256r1 } from '@noble/curves/misc.js';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import type { ChipSettingsInput } from './chip-behaviour.js';
import type { ActiveAuthenticationKey } from './image.js';
import { seededRandom } from './random.js';
import { caMseData, ecCaKey, terminalCaKeys } from './testing/chip-auth.js';
import { testImage } from './testing/image.js';
import { appendixDSession } from './testing/sessions.js';
import { TerminalSm, terminalPace } from './testing/terminal.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
const EMPTY = new Uint8Array(0);

const CA_KEY = ecCaKey('AES-128', '80EBAFC8A51BECD4D90BB640EE38C9FD5C12748D28AAA37096B98C4533C4F5F5', 1);
const CA_KEY_3DES = ecCaKey('3DES', '0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20');
const EPHEMERAL = 0x1234567890abcdefn;

/** A BAC session (3DES, ICAO 9303-11 Appendix D) on a card with a CA key and these chip options. */
function caSession(chip: ChipSettingsInput, key = CA_KEY) {
  const { card, sm } = appendixDSession({ chipAuthentication: key }, { chip });
  const send = (ins: number, p1: number, p2: number, data: Uint8Array, ne: number) =>
    card.process(sm.protect(0, ins, p1, p2, data, ne));
  /** A protected SELECT EF.COM under the BAC keys: proves the old session is intact. */
  const oldSessionWorks = () => sm.unprotect(send(0xa4, 2, 0x0c, H('011E'), 0));
  return { card, sm, send, oldSessionWorks };
}

describe('chip option ca', () => {
  for (const sw of [0x6a86, 0x6a80, 0x6a88, 0x6d00, 0x6982]) {
    const hexSw = sw.toString(16).toUpperCase();
    it(`refuse-mse:${hexSw}: MSE:Set AT answers ${hexSw} under SM, and the BAC session stays`, () => {
      const { card, sm, send, oldSessionWorks } = caSession([`ca=refuse-mse:${hexSw}`]);
      const r = sm.unprotect(send(0x22, 0x41, 0xa4, caMseData(CA_KEY), 0));
      expect(r).toMatchObject({ sw, macOk: true });
      expect(card.secureMessagingActive).toBe(true);
      expect(oldSessionWorks()).toMatchObject({ sw: 0x9000, macOk: true });
    });
  }

  it('refuse-mse with sm-errors=plain: the refusal goes out in clear and ends the session', () => {
    const { card, send } = caSession(['ca=refuse-mse:6A86', 'sm-errors=plain']);
    expect(X(send(0x22, 0x41, 0xa4, caMseData(CA_KEY), 0))).toBe('6A86');
    expect(card.secureMessagingActive).toBe(false);
  });

  it('refuse-mse also refuses MSE:Set KAT (3DES CA)', () => {
    const { sm, send, oldSessionWorks } = caSession(['ca=refuse-mse:6A80'], CA_KEY_3DES);
    const eph = terminalCaKeys(CA_KEY_3DES, EPHEMERAL);
    expect(sm.unprotect(send(0x22, 0x41, 0xa6, tlv(0x91, eph.pk), 0))).toMatchObject({ sw: 0x6a80, macOk: true });
    expect(oldSessionWorks()).toMatchObject({ sw: 0x9000, macOk: true });
  });

  it('refuse-ga:6A80: MSE:Set AT 9000, GENERAL AUTHENTICATE 6A80 under the old keys, which stay', () => {
    const { card, sm, send, oldSessionWorks } = caSession(['ca=refuse-ga:6A80']);
    expect(sm.unprotect(send(0x22, 0x41, 0xa4, caMseData(CA_KEY), 0))).toMatchObject({ sw: 0x9000, macOk: true });
    const ga = tlv(0x7c, tlv(0x80, terminalCaKeys(CA_KEY, EPHEMERAL).pk));
    expect(sm.unprotect(send(0x86, 0, 0, ga, 256))).toMatchObject({ sw: 0x6a80, macOk: true, data: EMPTY });
    expect(card.secureMessagingActive).toBe(true);
    expect(oldSessionWorks()).toMatchObject({ sw: 0x9000, macOk: true });
  });

  it('refuse-ga refuses MSE:Set KAT, which is the key agreement', () => {
    const { sm, send } = caSession(['ca=refuse-ga:6985'], CA_KEY_3DES);
    const eph = terminalCaKeys(CA_KEY_3DES, EPHEMERAL);
    expect(sm.unprotect(send(0x22, 0x41, 0xa6, tlv(0x91, eph.pk), 0))).toMatchObject({ sw: 0x6985, macOk: true });
  });

  it('fails-new-keys: GA 9000 7C00, then the first answer under the new keys does not verify', () => {
    const { card, sm, send } = caSession(['ca=fails-new-keys']);
    expect(sm.unprotect(send(0x22, 0x41, 0xa4, caMseData(CA_KEY), 0)).sw).toBe(0x9000);
    const eph = terminalCaKeys(CA_KEY, EPHEMERAL);
    const r = sm.unprotect(send(0x86, 0, 0, tlv(0x7c, tlv(0x80, eph.pk)), 256));
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(X(r.data)).toBe('7C00');
    // The chip verifies the terminal's commands under the right keys (no 6988) but answers under others.
    expect(X(card.debugSession()!.ksMac)).toBe(X(eph.ksMac));
    const fresh = new TerminalSm('AES-128', eph.ksEnc, eph.ksMac, new Uint8Array(16));
    const answer = card.process(fresh.protect(0, 0xa4, 2, 0x0c, H('011E'), 0));
    expect(X(answer.subarray(-2))).toBe('9000');
    expect(fresh.unprotect(answer).macOk).toBe(false);
  });

  it('fails-new-keys after MSE:Set KAT too', () => {
    const { card, sm, send } = caSession(['ca=fails-new-keys'], CA_KEY_3DES);
    const eph = terminalCaKeys(CA_KEY_3DES, EPHEMERAL);
    expect(sm.unprotect(send(0x22, 0x41, 0xa6, tlv(0x91, eph.pk), 0))).toMatchObject({ sw: 0x9000, macOk: true });
    const fresh = new TerminalSm('3DES', eph.ksEnc, eph.ksMac, new Uint8Array(8));
    expect(fresh.unprotect(card.process(fresh.protect(0, 0xa4, 2, 0x0c, H('011E'), 0))).macOk).toBe(false);
  });

  it('not-advertised is a personalisation option: a card image with a CA key is refused', () => {
    expect(() => new SimulatedCard(testImage({ chipAuthentication: CA_KEY }), { chip: ['ca=not-advertised'] })).toThrow(
      expect.objectContaining({ code: 'invalid-argument', message: expect.stringMatching(/ca=not-advertised/) }),
    );
    // Without a key (as personalised with it), MSE:Set AT finds no key: 6A88.
    const { card, sm } = appendixDSession({}, { chip: ['ca=not-advertised'] });
    const mse = sm.protect(0, 0x22, 0x41, 0xa4, caMseData(CA_KEY), 0);
    expect(sm.unprotect(card.process(mse))).toMatchObject({ sw: 0x6a88, macOk: true });
  });
});

describe('chip option aa', () => {
  const key = brainpoolP256r1.keygen();
  const aaKey: ActiveAuthenticationKey = {
    type: 'ECDSA',
    curve: 'brainpoolP256r1',
    privateKey: key.secretKey,
    publicKeyDer: new Uint8Array(0),
    hash: 'SHA-256',
  };
  const challenge = H('96302B0F3D7E7864');

  it('present (default): INTERNAL AUTHENTICATE signs', () => {
    const { card, sm } = appendixDSession({ activeAuthentication: aaKey });
    const r = sm.unprotect(card.process(sm.protect(0, 0x88, 0, 0, challenge, 256)));
    expect(brainpoolP256r1.verify(r.data, digest('SHA-256', challenge), key.publicKey, { prehash: false })).toBe(true);
  });

  for (const sw of [0x6d00, 0x6982, 0x6985]) {
    const hexSw = sw.toString(16).toUpperCase();
    it(`refuse:${hexSw}: INTERNAL AUTHENTICATE answers ${hexSw} under SM; the session stays`, () => {
      const { card, sm } = appendixDSession({ activeAuthentication: aaKey }, { chip: [`aa=refuse:${hexSw}`] });
      expect(sm.unprotect(card.process(sm.protect(0, 0x88, 0, 0, challenge, 256)))).toMatchObject({
        sw,
        macOk: true,
        data: EMPTY,
      });
      expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0))).sw).toBe(0x9000);
    });
  }

  it('absent is a personalisation option: a card image with an AA key is refused', () => {
    expect(() => new SimulatedCard(testImage({ activeAuthentication: aaKey }), { chip: ['aa=absent'] })).toThrow(
      /aa=absent/,
    );
  });
});

describe('chip option pace-mrz', () => {
  const pace = (card: SimulatedCard, passwordRef: 1 | 2) =>
    terminalPace((a) => card.process(a), {
      oid: paceOid('ECDH', 'GM', 'AES-128'),
      parameterId: 13,
      cipher: 'AES-128',
      mapping: 'GM',
      password: passwordRef === 1 ? digest('SHA-1', utf8(testImage().mrzInformation)) : utf8(testImage().can),
      passwordRef,
      random: seededRandom(5),
    });

  it('refused: PACE MSE:Set AT with the MRZ answers 6982, while PACE-CAN and BAC work', () => {
    const chip = ['pace-mrz=refused'];
    expect(() => pace(new SimulatedCard(testImage(), { chip, random: seededRandom(1) }), 1)).toThrow(/MSE: SW 6982/);
    const card = new SimulatedCard(testImage(), { chip, random: seededRandom(1) });
    const sm = pace(card, 2);
    expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 4, 0x0c, H('A0000002471001'), 0))).sw).toBe(0x9000);
    const bac = appendixDSession({}, { chip }); // throws unless BAC with the MRZ succeeds
    expect(bac.card.secureMessagingActive).toBe(true);
    expect(() => pace(new SimulatedCard(testImage(), { random: seededRandom(1) }), 1)).not.toThrow();
  });

  it('refused:6A88 answers the given status word', () => {
    const card = new SimulatedCard(testImage(), { chip: ['pace-mrz=refused:6A88'] });
    expect(X(card.process(H('0022C1A40F800A04007F00070202040202830101')))).toBe('6A88');
    expect(X(card.process(H('0022C1A40F800A04007F00070202040202830102')))).toBe('9000');
  });
});

describe('chip option sm-errors', () => {
  it('protected (default): an error under SM is protected and the session stays', () => {
    const { card, sm } = appendixDSession();
    expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('010B'), 0)))).toMatchObject({
      sw: 0x6a82,
      macOk: true,
    });
    expect(card.secureMessagingActive).toBe(true);
  });

  it('plain: every error goes out in clear and ends the session; warnings with data stay protected', () => {
    const { card, sm } = appendixDSession({}, { chip: ['sm-errors=plain'] });
    sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0)));
    const eof = sm.unprotect(card.process(sm.protect(0, 0xb0, 0, 0x10, EMPTY, 100)));
    expect(eof).toMatchObject({ sw: 0x6282, macOk: true });
    expect(X(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('010B'), 0)))).toBe('6A82');
    expect(card.secureMessagingActive).toBe(false);
    const again = appendixDSession({}, { chip: ['sm-errors=plain'] });
    expect(X(again.card.process(again.sm.protect(0, 0xb0, 0, 0, EMPTY, 4)))).toBe('6986'); // no current EF
    expect(again.card.secureMessagingActive).toBe(false);
  });
});

describe('chip option select-mf', () => {
  it('6d00 (default), 6a82, or 9000 which makes the MF current and leaves the application', () => {
    expect(X(new SimulatedCard(testImage()).process(H('00A4000C023F00')))).toBe('6D00');
    expect(X(new SimulatedCard(testImage(), { chip: ['select-mf=6a82'] }).process(H('00A4000C023F00')))).toBe('6A82');
    const card = new SimulatedCard(testImage(), { chip: ['select-mf=9000'] });
    expect(X(card.process(H('00A4040C07A0000002471001')))).toBe('9000');
    expect(X(card.process(H('00A4000C023F00')))).toBe('9000');
    expect(X(card.process(H('00A4020C020101')))).toBe('6A82'); // DG1 lives in the application
    expect(X(card.process(H('00A4000000')))).toBe('620782013883023F009000'); // FCP of the MF
    expect(X(card.process(H('00A4020C02011C')))).toBe('9000');
  });
});

describe('chip options crypto-time and exchange-ms (modelled, nothing sleeps)', () => {
  /** Modelled ms of PACE-CAN then one protected SELECT, with these options. */
  const modelled = (chip: string[]) => {
    const card = new SimulatedCard(testImage(), { chip, random: seededRandom(1) });
    const sm = terminalPace((a) => card.process(a), {
      oid: paceOid('ECDH', 'GM', 'AES-128'),
      parameterId: 13,
      cipher: 'AES-128',
      mapping: 'GM',
      password: utf8(testImage().can),
      passwordRef: 2,
      random: seededRandom(5),
    });
    card.process(sm.protect(0, 0xa4, 4, 0x0c, H('A0000002471001'), 0));
    return card.stats;
  };

  it('crypto-time scales only the modelled crypto; exchange-ms adds to every exchange', () => {
    const base = modelled([]);
    const fast = modelled(['crypto-time=0.01']);
    const slow = modelled(['crypto-time=4']);
    // base = link + crypto, so slow - base = 3·crypto and base - fast = 0.99·crypto.
    expect((slow.modelledMs - base.modelledMs) / (base.modelledMs - fast.modelledMs)).toBeCloseTo(3 / 0.99, 6);
    expect(slow.modelledMs - base.modelledMs).toBeGreaterThan(300); // PACE on brainpoolP256r1 is 5 scalar mults
    const padded = modelled(['exchange-ms=25']);
    expect(padded.exchanges).toBe(base.exchanges);
    expect(padded.modelledMs - base.modelledMs).toBeCloseTo(25 * base.exchanges, 6);
  });

  it('does not sleep: a minute of modelled chip time answers within the test timeout', async () => {
    const card = new SimulatedCard(testImage(), { chip: ['exchange-ms=60000'] });
    expect(X(await card.transmit(H('00A4020C02011C')))).toBe('9000');
    expect(card.stats.modelledMs).toBeGreaterThanOrEqual(60_000);
  });
});
