import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlainChannel } from '../apdu/channel.js';
import { encodeCommand } from '../apdu/command.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { expectSw } from '../apdu/status.js';
import { concat, fromHex, hex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { aesCmac } from '../crypto/aes.js';
import { pad } from '../crypto/padding.js';
import { EmrtdError, FileNotFound, SecureMessagingError } from '../errors.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { APPENDIX_D } from '../testing/vectors.js';
import { SecureChannel } from './secure-channel.js';
import { SecureMessaging } from './secure-messaging.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();
const ssc16 = (n: number) => fromHex(n.toString(16).padStart(32, '0'));

describe('secure messaging, AES', () => {
  it('reads EF.COM over AES-256 SM exactly as a published transcript (gmrtd ReadFile test)', async () => {
    const t = new ScriptedTransport([
      ['0CA4020C1D8711011D35E7EB510E21A0DD12380D9AD2B92D8E0828CB68B81D3FAFC000', '990290008E08E083EAA61ADABFCE9000'],
      [
        '0CB000000D9701048E084AFC933E0CDBE5F000',
        '871101D8059A9CF835105082CA2B1837E4AEC0990290008E08B36DB56761D706BB9000',
      ],
      [
        '0CB000040D9701168E0811F7EFC907D1F27400',
        '87210142E919C115FAF69350B01813D77A9E8D91912A7F717AFD073F199070E61B79C6990290008E083382E3D983F441369000',
      ],
    ]);
    const sm = new SecureMessaging(
      'AES-256',
      fromHex('74B94F408BBB2CD92571FD5B6370A94CCE7A2FA42AE3EB4DA47B97CE6EAA24C6'),
      fromHex('9E28D5D9FF1D979BE752E8926BF0E1D35A440FC0AEFC4AA3BC5610055AC8B113'),
      ssc16(0x20),
    );
    const ch = new SecureChannel(new PlainChannel(t), sm);
    await ch.send({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') }, 'SELECT');
    const a = await ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }, 'READ');
    const b = await ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 4, ne: 0x16 }, 'READ');
    expect(H(a.data) + H(b.data)).toBe('60185F0104303130385F36063034303030305C06617563766D6E');
    expect(H(sm.ssc)).toBe('00000000000000000000000000000026');
  });

  it('matches an AES-128 real-card transcript after PACE-CAM (SELECT EF.SOD, READ BINARY 4)', async () => {
    const t = new ScriptedTransport([
      ['0CA4020C1D87110147EE2E3BD440FB596167F2BB6CD6395E8E08A105747484314BCF00', '990290008E085F570BADDD1002D29000'],
      [
        '0CB000000D9701048E085D283EC183CBB99800',
        '871101D688D27A6D16F03619E76DCB59C1F1EC990290008E08B7DF9A5982BB17299000',
      ],
    ]);
    const sm = new SecureMessaging(
      'AES-128',
      fromHex('A8E85E938514EC67AE33CDA3D43D3C48'),
      fromHex('27F1ADEB705A049A305B0C619B14B9B3'),
    );
    const ch = new SecureChannel(new PlainChannel(t), sm);
    await ch.send({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011D') }, 'SELECT');
    expect(H((await ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }, 'READ')).data)).toBe('30820742');
  });

  it('wraps with extended length when the expected response does not fit a short APDU', () => {
    const sm = new SecureMessaging('AES-128', new Uint8Array(16), new Uint8Array(16));
    const w = sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4000 });
    const bytes = encodeCommand(w);
    expect(w.extended).toBe(true);
    expect(H(bytes.subarray(0, 7))).toBe('0CB0000000000E');
    expect(H(bytes.subarray(7, 11))).toBe('97020FA0');
    expect(H(bytes.subarray(-2))).toBe('0000');
    const short = sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 0xdf });
    expect(short.extended).toBe(false);
  });

  it('uses DO85 for odd INS (READ BINARY B1 with DO54)', () => {
    const sm = new SecureMessaging('AES-128', new Uint8Array(16), new Uint8Array(16));
    const w = sm.wrap({ cla: 0, ins: 0xb1, p1: 0, p2: 0, data: fromHex('5402800F'), ne: 0x80 });
    expect(w.data![0]).toBe(0x85);
    expect(w.data![1]).toBe(16);
  });
});

describe('secure messaging failures never reuse a desynced SSC', () => {
  const make = () =>
    new SecureMessaging('3DES', fromHex(APPENDIX_D.ksEnc), fromHex(APPENDIX_D.ksMac), fromHex(APPENDIX_D.ssc));

  it('rejects a tampered MAC and then refuses further use', () => {
    const sm = make();
    sm.wrap({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') });
    const bad = fromHex('990290008E08FA855A5D4C50A8EC');
    expect(() => sm.unwrap({ data: bad, sw: 0x9000 })).toThrow(SecureMessagingError);
    expect(sm.broken).toBe(true);
    expect(() => sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 })).toThrow(SecureMessagingError);
  });

  it('rejects a DO99 status that differs from the plain status', () => {
    const sm = make();
    sm.wrap({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') });
    // D.4's answer to the SELECT, with a status word that differs from its DO'99'.
    const answer = fromHex(APPENDIX_D.selectEfCom[1].slice(0, -4));
    expect(() => sm.unwrap({ data: answer, sw: 0x6282 })).toThrow(SecureMessagingError);
  });

  it('an unprotected error status is returned for mapping but ends the session', async () => {
    const t = new ScriptedTransport([['*', '6A82']]);
    const ch = new SecureChannel(new PlainChannel(t), make());
    const r = await ch.send({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('010B') }, 'SELECT DG11');
    expect(() => expectSw('SELECT DG11', r, { file: 'DG11' })).toThrow(FileNotFound);
    expect(ch.sm.broken).toBe(true);
    await expect(ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }, 'READ')).rejects.toBeInstanceOf(
      SecureMessagingError,
    );
  });

  it('an unprotected 9000 or 6987/6988 throws SecureMessagingError', () => {
    for (const sw of [0x9000, 0x6987, 0x6988]) {
      const sm = make();
      sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 });
      expect(() => sm.unwrap({ data: new Uint8Array(0), sw })).toThrow(SecureMessagingError);
      expect(sm.broken).toBe(true);
    }
  });

  it('a transport failure mid-exchange invalidates the session', async () => {
    const t = new ScriptedTransport([]);
    const ch = new SecureChannel(new PlainChannel(t), make());
    await expect(ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }, 'READ')).rejects.toBeInstanceOf(EmrtdError);
    expect(ch.sm.broken).toBe(true);
  });

  it('fuzz: unwrapping arbitrary responses throws only typed errors', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.boolean(),
        (data, sw, aes) => {
          const sm = aes ? new SecureMessaging('AES-128', new Uint8Array(16), new Uint8Array(16)) : make();
          sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 });
          try {
            sm.unwrap({ data, sw });
          } catch (e) {
            expect(e).toBeInstanceOf(EmrtdError);
          }
        },
      ),
      { numRuns: fuzzRuns(3000) },
    );
  });

  it('fuzz: responses with a valid MAC but random DO87 content yield data or typed errors only', () => {
    // The test plays the chip: it MACs pad(SSC=2 ‖ DO87 ‖ DO99) itself, so decrypt and unpad paths are reached.
    const zero = new Uint8Array(16);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (content) => {
        const reader = new SecureMessaging('AES-128', zero, zero);
        reader.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 });
        const dos = concat(tlv(0x87, content), fromHex('99029000'));
        const mac = aesCmac(zero, pad(concat(ssc16(2), dos), 16)).slice(0, 8);
        try {
          const r = reader.unwrap({ data: concat(dos, tlv(0x8e, mac)), sw: 0x9000 });
          expect(r.sw).toBe(0x9000);
        } catch (e) {
          expect(e).toBeInstanceOf(SecureMessagingError);
        }
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});
