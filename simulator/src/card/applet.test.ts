import { fromHex, hex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import { CCCD_CARD_ACCESS, filler, testImage } from './testing/image.js';
import { appendixDSession } from './testing/sessions.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
const sw = (r: Uint8Array) => X(r.subarray(r.length - 2));
const EMPTY = new Uint8Array(0);

describe('file system, before access control', () => {
  it('answers SELECT MF with 6D00 like a CCCD, but selects EF.CardAccess directly and reads it in clear', () => {
    const card = new SimulatedCard(testImage());
    expect(X(card.process(H('00A4000C023F00')))).toBe('6D00');
    expect(X(card.process(H('00A4020C02011C')))).toBe('9000');
    const all = card.process(H('00B0000000'));
    expect(sw(all)).toBe('6282'); // end of file before Ne = 256 bytes
    expect(X(all.subarray(0, -2))).toBe(X(CCCD_CARD_ACCESS));
    expect(X(card.process(H('00B09C0004')))).toBe(`${X(CCCD_CARD_ACCESS.subarray(0, 4))}9000`); // SFI 1C
    expect(X(card.process(H('00A4000C02011C')))).toBe('9000'); // P1 = 00 works too
  });

  it('selects the application by AID, with and without FCI; unknown AIDs are 6A82', () => {
    const card = new SimulatedCard(testImage());
    expect(X(card.process(H('00A4040007A000000247100100')))).toBe('6F098407A00000024710019000');
    expect(X(card.process(H('00A4040C07A0000002471002')))).toBe('6A82');
    expect(X(card.process(H('00A4040C07A0000002471001')))).toBe('9000');
  });

  it('knows application EFs only inside the application and refuses to read them without BAC/PACE', () => {
    const card = new SimulatedCard(testImage());
    expect(X(card.process(H('00A4020C020101')))).toBe('6A82');
    card.process(H('00A4040C07A0000002471001'));
    expect(X(card.process(H('00B0000004')))).toBe('6986'); // no current EF
    expect(X(card.process(H('00A4020C020101')))).toBe('9000');
    expect(X(card.process(H('00B0000004')))).toBe('6982');
    expect(X(card.process(H('00B0810004')))).toBe('6982');
    expect(X(card.process(H('00A4020C020103')))).toBe('6982'); // DG3 needs EAC
    expect(X(card.process(H('00A4020C02010B')))).toBe('6A82'); // no DG11 on a CCCD
    expect(X(card.process(H('00A4020C02010C')))).toBe('6A82');
    expect(X(card.process(H('00A4020002011E00')))).toBe('620B800200168201018302011E9000'); // FCP: size, EF, FID
  });

  it('answers malformed or unsupported commands with the ISO status word', () => {
    const card = new SimulatedCard(testImage());
    expect(X(card.process(H('80A4000C023F00')))).toBe('6E00');
    expect(X(card.process(H('FFCA000000')))).toBe('6E00'); // reader pseudo-APDUs are the reader's business
    expect(X(card.process(H('01A4040C07A0000002471001')))).toBe('6881');
    expect(X(card.process(H('00CA010100')))).toBe('6D00');
    expect(X(card.process(H('10A4040C07A0000002471001')))).toBe('6884');
    expect(X(card.process(H('00A4')))).toBe('6700');
    expect(X(card.process(H('00A4040C08A0000002471001')))).toBe('6700'); // Lc says 8, 7 follow
    expect(X(card.process(H('00A4040C07A000000247100100FF')))).toBe('6700');
    expect(X(card.process(H('00A4080C020101')))).toBe('6A86');
    expect(X(card.process(H('00A4020C0301011E')))).toBe('6700');
    expect(X(card.process(H('0084000004')))).toBe('6700');
    expect(X(card.process(H('0084010008')))).toBe('6A86');
    expect(X(card.process(H('0CB0000000')))).toBe('6988'); // SM without a session
    expect(X(card.process(H('00B000000000FF')))).toBe('6700'); // extended APDU to a short-only card
    expect(card.internalErrors).toBe(0);
  });
});

describe('file system under secure messaging', () => {
  it('reads EF.COM, DG1 and DG13 in blocks, with 6282 at the end of the file and 6B00 beyond it', () => {
    const { card, sm } = appendixDSession();
    const read = (p1: number, p2: number, ne: number) =>
      sm.unprotect(card.process(sm.protect(0, 0xb0, p1, p2, EMPTY, ne)));
    expect(sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('010D'), 0))).sw).toBe(0x9000);
    const dg13 = testImage().files.get(0x010d)!;
    const parts: Uint8Array[] = [];
    for (let off = 0; off < dg13.length; off += 223) {
      const r = read(off >> 8, off & 0xff, 223);
      expect(r.macOk).toBe(true);
      expect(r.sw).toBe(off + 223 >= dg13.length && off + 223 > dg13.length ? 0x6282 : 0x9000);
      parts.push(r.data);
    }
    expect(X(Buffer.concat(parts))).toBe(X(dg13));
    expect(read(0x01, 0x90, 1).sw).toBe(0x6b00); // offset 400 = size
    expect(read(0x81, 0, 95).data.length).toBe(95); // DG1 by SFI
    expect(card.internalErrors).toBe(0);
  });

  it('refuses a response that cannot fit a short APDU once protected (6700), and serves it with extended length', () => {
    const { card, sm } = appendixDSession();
    sm.unprotect(card.process(sm.protect(0, 0xa4, 2, 0x0c, H('0102'), 0)));
    expect(sm.unprotect(card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 256))).sw).toBe(0x6700);
    expect(sm.unprotect(card.process(sm.protect(0, 0xb0, 0, 0, EMPTY, 231))).sw).toBe(0x9000);

    const ext = appendixDSession({}, { extendedLength: 4096 });
    ext.sm.unprotect(ext.card.process(ext.sm.protect(0, 0xa4, 2, 0x0c, H('0102'), 0)));
    const r = ext.sm.unprotect(ext.card.process(ext.sm.protect(0, 0xb0, 0, 0, EMPTY, 4000, true)));
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(r.data.length).toBe(4000);
    expect(ext.sm.unprotect(ext.card.process(ext.sm.protect(0, 0xb0, 0, 0, EMPTY, 4097, true))).sw).toBe(0x6700);
    // Le = 0000 asks for "as much as possible": the chip sends what its buffer holds.
    const most = ext.sm.unprotect(ext.card.process(ext.sm.protect(0, 0xb0, 0, 0, EMPTY, 65536, true)));
    expect(most).toMatchObject({ sw: 0x9000, macOk: true });
    expect(most.data.length).toBe(4096);
  });

  it('reads beyond 32 KB with odd-INS B1 (DO54 offset in DO85, data in DO53)', () => {
    const big = filler(40_000, 9);
    const files = new Map(testImage().files).set(0x0102, big);
    const { card, sm } = appendixDSession({ files }, { extendedLength: true });
    const r = sm.unprotect(card.process(sm.protect(0, 0xb1, 0x01, 0x02, H('54028000'), 1000, true)));
    expect(r).toMatchObject({ sw: 0x9000, macOk: true });
    expect(X(r.data.subarray(0, 4))).toBe('538203E4'); // 996 bytes of content fit Ne = 1000
    expect(X(r.data.subarray(4))).toBe(X(big.subarray(0x8000, 0x8000 + 996)));
    const tail = sm.unprotect(card.process(sm.protect(0, 0xb1, 0, 0, H('5403009C00'), 1000, true)));
    expect(tail.sw).toBe(0x6282);
    expect(X(tail.data)).toBe(X(Uint8Array.of(0x53, 0x40, ...big.subarray(39_936))));
    expect(sm.unprotect(card.process(sm.protect(0, 0xb1, 0, 0, H('5303009C00'), 100))).sw).toBe(0x6a80);
  });

  it('drops the session on a bad MAC (6988) and on missing SM objects (6987)', () => {
    const { card, sm } = appendixDSession();
    const apdu = sm.protect(0, 0xa4, 2, 0x0c, H('011E'), 0);
    apdu[apdu.length - 2]! ^= 0x01;
    expect(X(card.process(apdu))).toBe('6988');
    expect(card.secureMessagingActive).toBe(false);
    // SM is aborted, the application stays selected (a reader can redo BAC straight away).
    expect(X(card.process(H('00A4020C020101')))).toBe('9000');

    const again = appendixDSession();
    expect(X(again.card.process(H('0CA4020C0E810201018E080000000000000000')))).toBe('6988'); // unknown DO 81
    const third = appendixDSession();
    expect(X(third.card.process(H('0CB0000003970104')))).toBe('6987');
    expect(third.card.secureMessagingActive).toBe(false);
  });
});

describe('access-control lockout (opt-in)', () => {
  it('answers 6983 after maxWrongAttempts failed BAC attempts, also after a power cycle', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: 'D23145890774081221204159' }), { maxWrongAttempts: 2 });
    const wrong = H('008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728');
    for (let i = 0; i < 2; i++) {
      card.process(H('0084000008'));
      expect(X(card.process(wrong))).toBe('6300');
    }
    card.process(H('0084000008'));
    expect(X(card.process(wrong))).toBe('6983');
    card.powerOff();
    card.powerOn();
    expect(X(card.process(H('0022C1A40F800A04007F00070202040202830102')))).toBe('6983');
  });

  it('never blocks by default', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: 'D23145890774081221204159' }));
    const wrong = H('008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728');
    for (let i = 0; i < 20; i++) {
      card.process(H('0084000008'));
      expect(X(card.process(wrong))).toBe('6300');
    }
  });
});

describe('activation', () => {
  it('builds a PC/SC contactless ATR with a valid TCK and advertises extended length in the historical bytes', () => {
    const short = new SimulatedCard(testImage()).atr();
    expect(X(short.subarray(0, 4))).toBe('3B858001');
    expect(short.reduce((a, b, i) => (i === 0 ? a : a ^ b), 0)).toBe(0);
    const ext = new SimulatedCard(testImage(), { extendedLength: true }).historicalBytes();
    expect(ext[4]! & 0x40).toBe(0x40);
  });

  it('forgets selection and session on power-off and reset, and draws a fresh random UID per activation', () => {
    const { card } = appendixDSession();
    const uid = X(card.uid());
    expect(card.secureMessagingActive).toBe(true);
    card.reset();
    expect(card.secureMessagingActive).toBe(false);
    expect(X(card.process(H('00A4020C020101')))).toBe('6A82');
    card.powerOff();
    card.powerOn();
    expect(X(card.uid())).not.toBe(uid);
    expect(card.uid()[0]).toBe(0x08);
  });
});

describe('capabilities a card image can leave out', () => {
  it('a PACE-only chip does not know MUTUAL AUTHENTICATE; IM is offered only with AES-128', () => {
    const card = new SimulatedCard(
      testImage({ bac: false, pace: [{ keyAgreement: 'ECDH', mapping: 'IM', cipher: 'AES-256', parameterId: 13 }] }),
    );
    card.process(H('0084000008'));
    const mutualAuthenticate = Uint8Array.of(0x00, 0x82, 0x00, 0x00, 40, ...new Uint8Array(40), 40);
    expect(X(card.process(mutualAuthenticate))).toBe('6D00');
    expect(X(card.process(H('0022C1A40F800A04007F00070202040404830102')))).toBe('6A80');
  });
});
