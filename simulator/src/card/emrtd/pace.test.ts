import { digest, domainParameters, encodeEcPoint, fromHex, hex, paceOid, type SmCipher, utf8 } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import {
  APPENDIX_D,
  APPENDIX_G1 as G1,
  G1_AES_SELECT_EF_COM,
  APPENDIX_G2 as G2,
  APPENDIX_H1 as H1,
  APPENDIX_H2 as H2,
} from '../../../../packages/emrtd/src/testing/vectors.js';
import { SimulatedCard } from '../applet.js';
import type { PaceConfig } from '../image.js';
import { scriptedRandom, seededRandom } from '../random.js';
import { testImage } from '../testing/image.js';
import { terminalPace } from '../testing/terminal.js';
import { cardGroup } from './group.js';
import { integratedMap, pseudoRandom } from './integrated-mapping.js';
import { PaceChipSession } from './pace.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
/** The chip's random draws of the appendix run: nonce s, then the mapping and ephemeral private keys. */
const chipDraws = (v: { s: string; skMapIc: string; skIc: string }) =>
  scriptedRandom([H(v.s), H(v.skMapIc), H(v.skIc)]);

describe('PACE, chip side, ICAO 9303-11 Appendix G.1 (ECDH-GM brainpoolP256r1 AES-128)', () => {
  it('answers every GENERAL AUTHENTICATE exactly as the appendix chip and derives its session keys', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: G1.mrzInformation }), {
      random: chipDraws(G1),
    });
    for (const [command, expected] of G1.apdus) expect(X(card.process(H(command!)))).toBe(expected);
    const s = card.debugSession()!;
    expect(s.cipher).toBe('AES-128');
    expect(X(s.ksEnc)).toBe(G1.ksEnc);
    expect(X(s.ksMac)).toBe(G1.ksMac);
    expect(X(s.ssc)).toBe('00000000000000000000000000000000');
  });

  it('then unwraps an AES-protected SELECT EF.COM and protects its answer (G1_AES_SELECT_EF_COM)', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: G1.mrzInformation }), {
      random: chipDraws(G1),
    });
    for (const [command] of G1.apdus) card.process(H(command!));
    expect(X(card.process(H('00A4040C07A0000002471001')))).toBe('6982'); // plain after PACE
    // Fresh run with the application selected before PACE, so EF.COM is the first protected command (SSC 1).
    const again = new SimulatedCard(testImage({ mrzInformation: G1.mrzInformation }), {
      random: chipDraws(G1),
    });
    expect(X(again.process(H('00A4040C07A0000002471001')))).toBe('9000');
    for (const [command] of G1.apdus) again.process(H(command!));
    expect(X(again.process(H(G1_AES_SELECT_EF_COM[0])))).toBe(G1_AES_SELECT_EF_COM[1]);
  });

  it('answers 6300 to a wrong terminal token and keeps no session', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: G1.mrzInformation }), {
      random: chipDraws(G1),
    });
    for (const [command] of G1.apdus.slice(0, 4)) card.process(H(command!));
    expect(X(card.process(H('008600000C7C0A8508C2B0BD78D94BA86700')))).toBe('6300');
    expect(card.secureMessagingActive).toBe(false);
    // The run is over: a GA without a new MSE:Set AT is out of sequence.
    expect(X(card.process(H('10860000027C0000')))).toBe('6985');
  });

  it('fails PACE with the wrong password (the nonce decrypts to something else)', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: APPENDIX_D.mrzInformation }));
    expect(() =>
      terminalPace((a) => card.process(a), {
        oid: paceOid('ECDH', 'GM', 'AES-128'),
        parameterId: 13,
        cipher: 'AES-128',
        mapping: 'GM',
        password: digest('SHA-1', utf8(G1.mrzInformation)),
        passwordRef: 1,
        random: seededRandom(1),
      }),
    ).toThrow(/SW 6300/);
  });
});

describe('PACE, chip side, Appendix G.2 (DH-GM, RFC 5114 group 0, AES-128)', () => {
  it('reproduces the chip mapping key, ephemeral key and T_IC', () => {
    const image = testImage({
      mrzInformation: G2.mrzInformation,
      pace: [{ keyAgreement: 'DH', mapping: 'GM', cipher: 'AES-128', parameterId: 0 }],
    });
    const card = new SimulatedCard(image, { random: chipDraws(G2) });
    expect(X(card.process(H(G2.mse[0])))).toBe(G2.mse[1]);
    expect(X(card.process(H(G2.encryptedNonce[0])))).toBe(G2.encryptedNonce[1]);
    expect(X(card.process(H(`10860000867C8183818180${G2.pkMapIfd}00`)))).toBe(`7C8183828180${G2.pkMapIc}9000`);
    expect(X(card.process(H(`10860000867C8183838180${G2.pkIfd}00`)))).toBe(`7C8183848180${G2.pkIc}9000`);
    // The appendix chip also returns CAR (tag 87) because it supports EAC; ours has no TA, so only T_IC.
    expect(X(card.process(H(G2.tokens[0])))).toBe(`7C0A8608${G2.tIc}9000`);
    expect(X(card.debugSession()!.ksEnc)).toBe(G2.ksEnc);
  });
});

describe('PACE Integrated Mapping, Appendix H', () => {
  it('H.1: R(s,t) and the mapped generator on brainpoolP256r1', () => {
    const group = cardGroup(domainParameters(13));
    const s = H(H1.s);
    const t = H(H1.t);
    expect(pseudoRandom(s, t, group.primeBits, group.prime).toString(16).toUpperCase()).toBe(H1.prf);
    const g = integratedMap(group, s, t);
    expect(X(group.encode(g))).toBe(H1.mappedGenerator);
  });

  it('H.2: the mapped DH generator for RFC 5114 group 0', () => {
    const group = cardGroup(domainParameters(0));
    const g = integratedMap(group, H(H2.s), H(H2.t));
    expect(X(group.encode(g))).toBe(H2.mappedGenerator);
  });

  it('H.1: with the appendix K_pi the chip encrypts s to the appendix z', () => {
    // Only the nonce step is replayed: the session is given the appendix K_pi (CAN 123456) directly.
    const session = new PaceChipSession(
      { keyAgreement: 'ECDH', mapping: 'IM', cipher: 'AES-128', parameterId: 13 },
      new Uint8Array(0),
      scriptedRandom([H(H1.s)]),
      H(H1.kPi),
    );
    const r = session.step(new Uint8Array(0));
    expect(r.ok && X(r.data)).toBe(`7C128010${H1.z}`);
  });
});

describe('PACE round trips over the supported configurations', () => {
  const cases: Array<[PaceConfig['keyAgreement'], 'GM' | 'IM', SmCipher, number, 1 | 2]> = [
    ['ECDH', 'GM', 'AES-128', 13, 2],
    ['ECDH', 'GM', 'AES-256', 12, 2],
    ['ECDH', 'GM', 'AES-192', 15, 1],
    ['ECDH', 'GM', '3DES', 13, 2],
    ['ECDH', 'GM', 'AES-128', 10, 2],
    ['ECDH', 'IM', 'AES-128', 13, 2],
    ['ECDH', 'IM', 'AES-128', 12, 1],
    ['DH', 'IM', 'AES-128', 0, 2],
  ];
  for (const [keyAgreement, mapping, cipher, parameterId, passwordRef] of cases) {
    it(`${keyAgreement}-${mapping}-${cipher} on parameter ID ${parameterId} with ${passwordRef === 1 ? 'MRZ' : 'CAN'}`, () => {
      const image = testImage({ pace: [{ keyAgreement, mapping, cipher, parameterId }] });
      const card = new SimulatedCard(image, { random: seededRandom(`${cipher}${parameterId}`) });
      const sm = terminalPace((a) => card.process(a), {
        oid: paceOid(keyAgreement, mapping, cipher),
        parameterId,
        cipher,
        mapping,
        password: passwordRef === 1 ? digest('SHA-1', utf8(image.mrzInformation)) : utf8(image.can),
        passwordRef,
        random: seededRandom(7),
      });
      const r = sm.unprotect(card.process(sm.protect(0, 0xa4, 4, 0x0c, H('A0000002471001'), 0)));
      expect(r).toMatchObject({ sw: 0x9000, macOk: true });
      const read = sm.unprotect(card.process(sm.protect(0, 0xb0, 0x9e, 0, new Uint8Array(0), 4)));
      expect(read.macOk).toBe(true);
      expect(X(read.data)).toBe('60145F01');
    });
  }

  it('rejects MSE:Set AT for an OID, parameter ID or password the chip does not offer', () => {
    const card = new SimulatedCard(testImage());
    expect(X(card.process(H('0022C1A40F800A04007F00070202040204830102')))).toBe('6A80'); // AES-256 not offered
    expect(X(card.process(H('0022C1A412800A04007F00070202040202830102840112')))).toBe('6A80'); // P-521 not offered
    expect(X(card.process(H('0022C1A40F800A04007F00070202040202830103')))).toBe('6A88'); // PIN
    expect(X(card.process(H('0022C1A40F800A04007F00070202040202830109')))).toBe('6A80');
    expect(X(card.process(H('0022C1A40F800A04007F00070202040602830102')))).toBe('6A80'); // CAM
    expect(X(card.process(H('0022C1A412800A04007F0007020204020283010284010D')))).toBe('9000');
    expect(X(card.process(H('0022C1A403830102')))).toBe('6A80');
  });

  it('enforces the chaining of steps 1-3 and the unchained final step', () => {
    const card = new SimulatedCard(testImage());
    card.process(H('0022C1A40F800A04007F00070202040202830102'));
    expect(X(card.process(H('00860000027C0000')))).toBe('6883');
  });

  it('rejects a mapping key that is not on the curve with 6A80', () => {
    const card = new SimulatedCard(testImage());
    card.process(H('0022C1A40F800A04007F00070202040202830102'));
    card.process(H('10860000027C0000'));
    const params = domainParameters(13);
    if (params.kind !== 'EC') throw new Error('EC expected');
    const pk = encodeEcPoint(params, params.curve.BASE);
    pk[64]! ^= 1;
    const apdu = Uint8Array.of(0x10, 0x86, 0, 0, 0x45, 0x7c, 0x43, 0x81, 0x41, ...pk, 0);
    expect(X(card.process(apdu))).toBe('6A80');
  });
});
