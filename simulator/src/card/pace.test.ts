import { digest, domainParameters, encodeEcPoint, fromHex, hex, paceOid, type SmCipher, utf8 } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import { cardGroup } from './group.js';
import type { PaceConfig } from './image.js';
import { integratedMap, pseudoRandom } from './integrated-mapping.js';
import { PaceChipSession } from './pace.js';
import { scriptedRandom, seededRandom } from './random.js';
import { testImage } from './testing/image.js';
import { terminalPace } from './testing/terminal.js';

const H = (s: string) => fromHex(s);
const X = (b: Uint8Array) => hex(b).toUpperCase();
const G1_MRZ = 'T22000129364081251010318';

// ICAO 9303-11 Appendix G.1 (ECDH-GM, brainpoolP256r1, AES-128), /tmp/icao-vectors.md §2.
const G1 = {
  s: H('3F00C4D39D153F2B2A214A078D899B22'),
  skMapIc: H('498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560'),
  skIc: H('107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A'),
  apdus: [
    ['0022C1A40F800A04007F00070202040202830101', '9000'],
    ['10860000027C0000', '7C12801095A3A016522EE98D01E76CB6B98B42C39000'],
    [
      '10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00',
      '7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000',
    ],
    [
      '10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200',
      '7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000',
    ],
    ['008600000C7C0A8508C2B0BD78D94BA86600', '7C0A86083ABB9674BCE93C089000'],
  ],
};

// Appendix G.2 (DH-GM, RFC 5114 1024/160, AES-128), /tmp/icao-vectors.md §3.
const G2 = {
  s: H('FA5B7E3E49753A0DB9178B7B9BD898C8'),
  skMapIc: H('66DDAFEAC1609CB5B963BB0CB3FF8B3E047F336C'),
  skIc: H('A5B780126B7C980E9FCEA1D4539DA1D27C342DFA'),
  pkMapIfd:
    '23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C',
  pkMapIc:
    '78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6',
  pkIfd:
    '907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4',
  pkIc: '075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1',
};

describe('PACE, chip side, ICAO 9303-11 Appendix G.1 (ECDH-GM brainpoolP256r1 AES-128)', () => {
  it('answers every GENERAL AUTHENTICATE exactly as the appendix chip and derives its session keys', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: G1_MRZ }), {
      random: scriptedRandom([G1.s, G1.skMapIc, G1.skIc]),
    });
    for (const [command, expected] of G1.apdus) expect(X(card.process(H(command!)))).toBe(expected);
    const s = card.debugSession()!;
    expect(s.cipher).toBe('AES-128');
    expect(X(s.ksEnc)).toBe('F5F0E35C0D7161EE6724EE513A0D9A7F');
    expect(X(s.ksMac)).toBe('FE251C7858B356B24514B3BD5F4297D1');
    expect(X(s.ssc)).toBe('00000000000000000000000000000000');
  });

  it('then unwraps an AES-protected SELECT EF.COM and protects its answer (icao-vectors §6b)', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: G1_MRZ }), {
      random: scriptedRandom([G1.s, G1.skMapIc, G1.skIc]),
    });
    for (const [command] of G1.apdus) card.process(H(command!));
    expect(X(card.process(H('00A4040C07A0000002471001')))).toBe('6982'); // plain after PACE
    // Fresh run with the application selected before PACE, so EF.COM is the first protected command (SSC 1).
    const again = new SimulatedCard(testImage({ mrzInformation: G1_MRZ }), {
      random: scriptedRandom([G1.s, G1.skMapIc, G1.skIc]),
    });
    expect(X(again.process(H('00A4040C07A0000002471001')))).toBe('9000');
    for (const [command] of G1.apdus) again.process(H(command!));
    expect(X(again.process(H('0CA4020C1D871101EE0E4724F4465C1BE9C2F73ABDD73A3D8E08835D1B54575C955F00')))).toBe(
      '990290008E08BEA7B381C494A0799000',
    );
  });

  it('answers 6300 to a wrong terminal token and keeps no session', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: G1_MRZ }), {
      random: scriptedRandom([G1.s, G1.skMapIc, G1.skIc]),
    });
    for (const [command] of G1.apdus.slice(0, 4)) card.process(H(command!));
    expect(X(card.process(H('008600000C7C0A8508C2B0BD78D94BA86700')))).toBe('6300');
    expect(card.secureMessagingActive).toBe(false);
    // The run is over: a GA without a new MSE:Set AT is out of sequence.
    expect(X(card.process(H('10860000027C0000')))).toBe('6985');
  });

  it('fails PACE with the wrong password (the nonce decrypts to something else)', () => {
    const card = new SimulatedCard(testImage({ mrzInformation: 'L898902C<369080619406236' }));
    expect(() =>
      terminalPace((a) => card.process(a), {
        oid: paceOid('ECDH', 'GM', 'AES-128'),
        parameterId: 13,
        cipher: 'AES-128',
        mapping: 'GM',
        password: digest('SHA-1', utf8(G1_MRZ)),
        passwordRef: 1,
        random: seededRandom(1),
      }),
    ).toThrow(/SW 6300/);
  });
});

describe('PACE, chip side, Appendix G.2 (DH-GM, RFC 5114 group 0, AES-128)', () => {
  it('reproduces the chip mapping key, ephemeral key and T_IC', () => {
    const image = testImage({
      mrzInformation: G1_MRZ,
      pace: [{ keyAgreement: 'DH', mapping: 'GM', cipher: 'AES-128', parameterId: 0 }],
    });
    const card = new SimulatedCard(image, { random: scriptedRandom([G2.s, G2.skMapIc, G2.skIc]) });
    expect(X(card.process(H('0022C1A40F800A04007F00070202040102830101')))).toBe('9000');
    expect(X(card.process(H('10860000027C0000')))).toBe('7C128010854D8DF5827FA6852D1A4FA701CDDDCA9000');
    expect(X(card.process(H(`10860000867C8183818180${G2.pkMapIfd}00`)))).toBe(`7C8183828180${G2.pkMapIc}9000`);
    expect(X(card.process(H(`10860000867C8183838180${G2.pkIfd}00`)))).toBe(`7C8183848180${G2.pkIc}9000`);
    // The appendix chip also returns CAR (tag 87) because it supports EAC; ours has no TA, so only T_IC.
    expect(X(card.process(H('008600000C7C0A8508B46DD9BD4D98381F00')))).toBe('7C0A8608917F37B5C0E6D8D19000');
    expect(X(card.debugSession()!.ksEnc)).toBe('2F7F46ADCC9E7E521B45D192FAFA9126');
  });
});

describe('PACE Integrated Mapping, Appendix H', () => {
  it('H.1: R(s,t) and the mapped generator on brainpoolP256r1', () => {
    const group = cardGroup(domainParameters(13));
    const s = H('2923BE84E16CD6AE529049F1F1BBE9EB');
    const t = H('5DD4CBFC96F5453B130D890A1CDBAE32');
    expect(pseudoRandom(s, t, group.primeBits, group.prime).toString(16).toUpperCase()).toBe(
      'A2F8FF2DF50E52C6599F386ADCB595D229F6A167ADE2BE5F2C3296ADD5B7430E',
    );
    const g = integratedMap(group, s, t);
    expect(X(group.encode(g))).toBe(
      '048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D4274C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD',
    );
  });

  it('H.2: the mapped DH generator for RFC 5114 group 0', () => {
    const group = cardGroup(domainParameters(0));
    const g = integratedMap(group, H('FA5B7E3E49753A0DB9178B7B9BD898C8'), H('B3A6DB3C870C3E99245E0D1C06B747DE'));
    expect(X(group.encode(g))).toBe(
      '1D7D767F11E333BCD6DBAEF40E799E7A926B96973550656FF3C830726D118D61C276CDCC61D475CF03A98E0C0E79CAEBA5BE25578BD4551D0B10903236F0B0F976852FA78EEA14EA0ACA87D1E91F688FE0DFF897BBE35A472621D343564B262F34223AE8FC59B664BFEDFA2BFE7516CA5510A6BBB633D517EC25D4E0BBAA16C2',
    );
  });

  it('H.1: with the appendix K_pi the chip encrypts s to the appendix z', () => {
    // K_pi of Appendix H is not derivable from the G.1 MRZ (icao-vectors §4), so check the cipher step directly.
    const session = new PaceChipSession(
      { keyAgreement: 'ECDH', mapping: 'IM', cipher: 'AES-128', parameterId: 13 },
      new Uint8Array(0),
      scriptedRandom([H('2923BE84E16CD6AE529049F1F1BBE9EB')]),
      H('591468CDA83D65219CCCB8560233600F'),
    );
    const r = session.step(new Uint8Array(0));
    expect(r.ok && X(r.data)).toBe('7C128010143DC40C08C8E891FBED7DEDB92B64AD');
  });
});

describe('PACE round trips over the supported configurations', () => {
  const cases: Array<[PaceConfig['keyAgreement'], PaceConfig['mapping'], SmCipher, number, 1 | 2]> = [
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
