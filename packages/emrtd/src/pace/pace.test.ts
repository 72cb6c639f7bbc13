import { describe, expect, it } from 'vitest';
import { type ApduChannel, PlainChannel } from '../apdu/channel.js';
import type { CommandApdu } from '../apdu/command.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { paceOid } from '../asn1/oids.js';
import { bytesToBig, fromHex, hex } from '../codec/bytes.js';
import { findTlv, readTlv, readTlvs, tlv } from '../codec/tlv.js';
import {
  type DhDomainParameters,
  dhPublicKey,
  dhSharedSecret,
  domainParameters,
  type EcDomainParameters,
  ecdhSharedPoint,
  ecdhSharedSecret,
  ecPublicKey,
  encodeDhElement,
  encodeEcPoint,
  randomDhPrivateKey,
  randomEcPrivateKey,
} from '../crypto/domain-params.js';
import { KDF_ENC, KDF_MAC, kdf } from '../crypto/kdf.js';
import { AccessDenied } from '../errors.js';
import {
  blockEncrypt,
  dhGenericMapping,
  dhPointEncoding,
  ecGenericMapping,
  ecPointEncoding,
  integratedMappingPrf,
} from './mapping.js';
import { authenticationToken, canPassword, derivePaceKey, mrzPassword, performPace } from './pace.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();
const G1_MRZ = 'T22000129364081251010318';

describe('PACE worked examples (ICAO 9303-11)', () => {
  it('G.1 ECDH-GM, brainpoolP256r1, AES-128: every APDU and the session keys', async () => {
    const t = new ScriptedTransport([
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
    ]);
    expect(H(derivePaceKey(mrzPassword(G1_MRZ), 'AES-128'))).toBe('89DED1B26624EC1E634C1989302849DD');
    const r = await performPace(
      new PlainChannel(t),
      mrzPassword(G1_MRZ),
      { oid: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 },
      {
        injected: {
          mappingKey: 0x7f4ef07b9ea82fd78ad689b38d0bc78cf21f249d953bc46f4c6e19259c010f99n,
          agreementKey: 0xa73fb703ac1436a18e0cfa5abb3f7bec7a070e7a6788486bee230c4a22762595n,
        },
      },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe('F5F0E35C0D7161EE6724EE513A0D9A7F');
    expect(H(r.ksMac)).toBe('FE251C7858B356B24514B3BD5F4297D1');
    expect(H(r.sm.ssc)).toBe('00'.repeat(16));
  });

  it('G.1 sends the parameter ID (84 01 0D) when the CardAccess is ambiguous', async () => {
    const t = new ScriptedTransport([['0022C1A412800A04007F0007020204020283010184010D', '6A80']]);
    await expect(
      performPace(
        new PlainChannel(t),
        mrzPassword(G1_MRZ),
        { oid: '0.4.0.127.0.7.2.2.4.2.2', parameterId: 13 },
        { ambiguous: true },
      ),
    ).rejects.toThrow('MSE:Set AT failed (SW 6A80)');
  });

  it('G.2 DH-GM, RFC 5114 1024-bit group, AES-128', async () => {
    const pkMapIfd =
      '23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C';
    const pkMapIc =
      '78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6';
    const pkIfd =
      '907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4';
    const pkIc =
      '075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1';
    const t = new ScriptedTransport([
      ['0022C1A40F800A04007F00070202040102830101', '9000'],
      ['10860000027C0000', '7C128010854D8DF5827FA6852D1A4FA701CDDDCA9000'],
      [`10860000867C8183818180${pkMapIfd}00`, `7C8183828180${pkMapIc}9000`],
      [`10860000867C8183838180${pkIfd}00`, `7C8183848180${pkIc}9000`],
      ['008600000C7C0A8508B46DD9BD4D98381F00', '7C1B8608917F37B5C0E6D8D1870F4445544553544356434130303030339000'],
    ]);
    const r = await performPace(
      new PlainChannel(t),
      mrzPassword(G1_MRZ),
      { oid: '0.4.0.127.0.7.2.2.4.1.2', parameterId: 0 },
      {
        injected: {
          mappingKey: 0x5265030f751f4ad18b08ac565fc7ac952e41618dn,
          agreementKey: 0x89ccd99b0e8d3b1f11e1296dca68ec53411cf2can,
        },
      },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe('2F7F46ADCC9E7E521B45D192FAFA9126');
    expect(H(r.ksMac)).toBe('805A1D27D45A5116F73C54469462B7D8');
    expect(r.certificationAuthorityReferences).toEqual(['DETESTCVCA00003']);
  });

  it('H.1 ECDH-IM, brainpoolP256r1, AES-128 (CAN 123456)', async () => {
    expect(H(derivePaceKey(canPassword('123456'), 'AES-128'))).toBe('591468CDA83D65219CCCB8560233600F');
    const t = new ScriptedTransport([
      ['0022C1A40F800A04007F00070202040402830102', '9000'],
      ['10860000027C0000', '7C128010143DC40C08C8E891FBED7DEDB92B64AD9000'],
      ['10860000147C1281105DD4CBFC96F5453B130D890A1CDBAE3200', '7C0282009000'],
      [
        '10860000457C4383410489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D46755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C3700',
        '7C4384410467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D227539000',
      ],
      ['008600000C7C0A8508450F02B86F6A090900', '7C0A860875D4D96E8D5B03089000'],
    ]);
    const r = await performPace(
      new PlainChannel(t),
      canPassword('123456'),
      { oid: '0.4.0.127.0.7.2.2.4.4.2', parameterId: 13 },
      {
        injected: {
          terminalNonce: fromHex('5DD4CBFC96F5453B130D890A1CDBAE32'),
          agreementKey: 0xa73fb703ac1436a18e0cfa5abb3f7bec7a070e7a6788486bee230c4a22762595n,
        },
      },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe('0D3FEB33251A6370893D62AE8DAAF51B');
    expect(H(r.ksMac)).toBe('B01E89E3D9E8719E586B50B4A7506E0B');
  });

  it('H.1/H.2 pseudo-random function and point encodings', () => {
    const bp = domainParameters(13) as EcDomainParameters;
    const s = fromHex('2923BE84E16CD6AE529049F1F1BBE9EB');
    const tNonce = fromHex('5DD4CBFC96F5453B130D890A1CDBAE32');
    const x = integratedMappingPrf('AES-128', s, tNonce, bp.curve.CURVE().p);
    expect(x.toString(16).toUpperCase()).toBe('A2F8FF2DF50E52C6599F386ADCB595D229F6A167ADE2BE5F2C3296ADD5B7430E');
    expect(H(encodeEcPoint(bp, ecPointEncoding(bp, x)))).toBe(
      '048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D4274C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD',
    );
    const dh = domainParameters(0) as DhDomainParameters;
    const xd = integratedMappingPrf(
      'AES-128',
      fromHex('FA5B7E3E49753A0DB9178B7B9BD898C8'),
      fromHex('B3A6DB3C870C3E99245E0D1C06B747DE'),
      dh.p,
    );
    expect(xd.toString(16).toUpperCase().startsWith('A0C7C50C002061A51CC87D25')).toBe(true);
    expect(dhPointEncoding(dh, xd).toString(16).toUpperCase().endsWith('EC25D4E0BBAA16C2')).toBe(true);
  });

  it('H.2 DH-IM tokens and keys (from the published K)', () => {
    const dh = domainParameters(0) as DhDomainParameters;
    const k = fromHex(
      '419410D6C0A17A4C07C54872CE1CBCEB0A2705C1A434C8A89A4CFE41F1D78124CA7EC52BDE7615E5345E48AB1ABB6E7D1D59A57F3174084D3CA4570397C1F62228BDFDB2DA191EA2239E2C060DBE3BBC23C2FCD0AF12E0F9E0B99FCF91FF1959011D5798B2FCBC1F14FCC24E441F4C8F9B08D977E9498560E63E7FFAB3134EA7',
    );
    const ksMac = kdf(k, KDF_MAC, 'AES-128');
    expect(H(kdf(k, KDF_ENC, 'AES-128'))).toBe('01AFC10CF87BE36D8179E87370171F07');
    const pkIc = fromHex(
      '928D9A0F9DBA450F13FC859C6F290D1D36E42431138A4378500BEB4E0401854CFF111F71CB6DC1D0335807A11388CC8EAA87B07907AAD9FBA6B169AF6D8C26AF8DDDC39ADC3AD2E3FF882B84D23E9768E95A80E4746FB07A9767679FE92133B4D379935C771BD7FBED6C7BB4B1708B275EA75679524CDC9C6A91370CC662A2F3',
    );
    expect(H(authenticationToken('AES-128', ksMac, '0.4.0.127.0.7.2.2.4.3.2', dh, pkIc))).toBe('55D61977CBF5307E');
  });

  it('reproduces a real 3DES ECDH-GM transcript (New Zealand passport, MRZ password)', async () => {
    const t = new ScriptedTransport([
      ['0022C1A40F800A04007F00070202040201830101', '9000'],
      ['10860000027C0000', '7C128010B88382812290017AF1CC906FF00E7F4D9000'],
      [
        '10860000457C438141047706B2B6246AB4612229B8A11212DDBA7FEA0568C9C0975DEE22C0E3DD3A3F0321E8AFEE836E373B570D24000D56FB195104D486E63321FF8C819DD5EE018DCB00',
        '7C43824104780B4EDEC9B926F9F964FAD826D9990A667608D96BA7B397AE8609B6533E0D036D148365DDF4E5FF6611C2B62AA17FC9899F327BC929DB543E7ABD0EE724E4BE9000',
      ],
      [
        '10860000457C43834104507A0156EFAE8FB8ACC519036C0B2FE0393C878744C7F91878EE4E07A41412BA5C0753D68A44A91E9F57F3F992AB689E6C2065D3B2A27C3658A4FD632931EE3800',
        '7C438441042DBAF62E6FDFB31EB66F206493B9E7721586F0E5C93754D7BD5A884CA251EE4D720AB539A60561BC46812FA289B58AC69F0C6E32ADBAF7241049A31211F80F5B9000',
      ],
      ['008600000C7C0A85088D7C617D43EFE09E00', '7C0A8608CB57047C809079F69000'],
    ]);
    const r = await performPace(
      new PlainChannel(t),
      mrzPassword('LM277954<178121452711151'),
      { oid: '0.4.0.127.0.7.2.2.4.2.1', parameterId: 13 },
      {
        injected: {
          mappingKey: 0x2808272c0ec20e01a3450030ef32855e9feb5cb17719e985389b1cf47609e69fn,
          agreementKey: 0x8f89449052df6c7983750c7b042c3cea12b36819174424c7cd28153f7b70b402n,
        },
      },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe('430E4C8C38DFEFAED92067B919A897F8');
    expect(H(r.ksMac)).toBe('C1BC1F075797B970B5A45E64A764B0CB');
    expect(H(r.sm.ssc)).toBe('0000000000000000');
  });

  it('refuses a wrong chip token or a 6300 at mutual authentication as AccessDenied(PACE)', async () => {
    const base: [string, string][] = [
      ['*', '9000'],
      ['*', '7C12801095A3A016522EE98D01E76CB6B98B42C39000'],
      [
        '*',
        '7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000',
      ],
      [
        '*',
        '7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000',
      ],
    ];
    const injected = {
      mappingKey: 0x7f4ef07b9ea82fd78ad689b38d0bc78cf21f249d953bc46f4c6e19259c010f99n,
      agreementKey: 0xa73fb703ac1436a18e0cfa5abb3f7bec7a070e7a6788486bee230c4a22762595n,
    };
    for (const last of ['7C0A86083ABB9674BCE93C099000', '6300']) {
      const t = new ScriptedTransport([...base, ['*', last]]);
      const e = await performPace(
        new PlainChannel(t),
        mrzPassword(G1_MRZ),
        { oid: '0.4.0.127.0.7.2.2.4.2.2', parameterId: 13 },
        { injected },
      ).catch((x) => x);
      expect(e).toBeInstanceOf(AccessDenied);
      expect(e.method).toBe('PACE');
    }
  });
});

/**
 * A minimal chip side of PACE written in the test (GM and IM, EC and DH) so every standardized parameter ID and
 * cipher can be exercised without the simulator. The ICAO examples above pin the shared primitives.
 */
class MockPaceChip implements ApduChannel {
  private oid = '';
  private s = new Uint8Array(0);
  private generator: unknown;
  private sk = 0n;
  private pkIc: Uint8Array = new Uint8Array(0);
  private ksMac: Uint8Array = new Uint8Array(0);
  private pkIfd: Uint8Array = new Uint8Array(0);
  constructor(
    private readonly params: EcDomainParameters | DhDomainParameters,
    private readonly kPi: Uint8Array,
  ) {}

  async send(c: CommandApdu) {
    const ok = (data: Uint8Array) => ({ data, sw: 0x9000 });
    if (c.ins === 0x22) {
      this.oid = oidFromContent(findTlv(readTlvs(c.data!), 0x80)!.value);
      return ok(new Uint8Array(0));
    }
    const proto = this.oid.split('.');
    const cipher = (['3DES', 'AES-128', 'AES-192', 'AES-256'] as const)[Number(proto[10]) - 1]!;
    const im = proto[9] === '3' || proto[9] === '4';
    const dos = readTlvs(readTlv(c.data!).value);
    const p = this.params;
    const ec = p.kind === 'EC';
    const pub = (sk: bigint, g: unknown) =>
      ec ? encodeEcPoint(p, ecPublicKey(p, sk, g as never)) : encodeDhElement(p, dhPublicKey(p, sk, g as bigint));
    if (dos.length === 0) {
      // IM needs l ≥ k (§4.4.3.3): 32-byte nonces for AES-192/256.
      this.s = globalThis.crypto.getRandomValues(
        new Uint8Array(cipher === 'AES-192' || cipher === 'AES-256' ? 32 : 16),
      );
      return ok(tlv(0x7c, tlv(0x80, blockEncrypt(cipher, this.kPi, this.s))));
    }
    const d = dos[0]!;
    if (d.tag === 0x81) {
      if (im) {
        const x = integratedMappingPrf(cipher, this.s, d.value, ec ? p.curve.CURVE().p : p.p);
        this.generator = ec ? ecPointEncoding(p, x) : dhPointEncoding(p, x);
        return ok(tlv(0x7c, tlv(0x82, new Uint8Array(0))));
      }
      const sk = ec ? randomEcPrivateKey(p) : randomDhPrivateKey(p);
      this.generator = ec
        ? ecGenericMapping(p, this.s, ecdhSharedPoint(p, sk, d.value))
        : dhGenericMapping(p, this.s, bytesToBig(dhSharedSecret(p, sk, d.value)));
      return ok(tlv(0x7c, tlv(0x82, pub(sk, ec ? p.curve.BASE : p.g))));
    }
    if (d.tag === 0x83) {
      this.sk = ec ? randomEcPrivateKey(p) : randomDhPrivateKey(p);
      this.pkIc = pub(this.sk, this.generator);
      const k = ec ? ecdhSharedSecret(p, this.sk, d.value) : dhSharedSecret(p, this.sk, d.value);
      this.ksMac = kdf(k, KDF_MAC, cipher);
      this.pkIfd = d.value;
      return ok(tlv(0x7c, tlv(0x84, this.pkIc)));
    }
    if (H(d.value) !== H(authenticationToken(cipher, this.ksMac, this.oid, p, this.pkIc)))
      return { data: new Uint8Array(0), sw: 0x6300 };
    return ok(tlv(0x7c, tlv(0x86, authenticationToken(cipher, this.ksMac, this.oid, p, this.pkIfd))));
  }
}

function oidFromContent(v: Uint8Array): string {
  const arcs: number[] = [];
  let acc = 0;
  for (const b of v) {
    acc = acc * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(acc);
      acc = 0;
    }
  }
  const first = arcs.shift()!;
  return [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40)), ...arcs].join('.');
}

describe('PACE over every standardized domain parameter set (mock chip)', () => {
  const can = canPassword('012345');
  for (const id of [0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]) {
    it(`GM on parameter ID ${id}${id === 13 ? ' (CCCD: brainpoolP256r1)' : ''}`, async () => {
      const params = domainParameters(id) as EcDomainParameters | DhDomainParameters;
      const ka = params.kind === 'EC' ? 'ECDH' : 'DH';
      for (const cipher of id === 13 ? (['3DES', 'AES-128', 'AES-192', 'AES-256'] as const) : (['AES-128'] as const)) {
        const chip = new MockPaceChip(params, derivePaceKey(can, cipher));
        const r = await performPace(chip, can, { oid: paceOid(ka, 'GM', cipher), parameterId: id });
        expect(r.protocol.cipher).toBe(cipher);
      }
    });
  }
  for (const id of [0, 2, 8, 12, 13, 14, 17, 18]) {
    it(`IM on parameter ID ${id}`, async () => {
      const params = domainParameters(id) as EcDomainParameters | DhDomainParameters;
      const ka = params.kind === 'EC' ? 'ECDH' : 'DH';
      for (const cipher of id === 13 ? (['3DES', 'AES-128', 'AES-192', 'AES-256'] as const) : (['AES-256'] as const)) {
        const chip = new MockPaceChip(params, derivePaceKey(can, cipher));
        const r = await performPace(chip, can, { oid: paceOid(ka, 'IM', cipher), parameterId: id });
        expect(r.sm.blockSize).toBe(cipher === '3DES' ? 8 : 16);
      }
    });
  }
  it('a wrong password ends in AccessDenied(PACE)', async () => {
    const params = domainParameters(13) as EcDomainParameters;
    const chip = new MockPaceChip(params, derivePaceKey(canPassword('999999'), 'AES-128'));
    await expect(
      performPace(chip, can, { oid: paceOid('ECDH', 'GM', 'AES-128'), parameterId: 13 }),
    ).rejects.toBeInstanceOf(AccessDenied);
  });
});
