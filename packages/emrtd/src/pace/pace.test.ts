import { describe, expect, it } from 'vitest';
import { type ApduChannel, PlainChannel } from '../apdu/channel.js';
import type { CommandApdu } from '../apdu/command.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { oidFromContent } from '../asn1/oid.js';
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
import { APPENDIX_H1, APPENDIX_H2, APPENDIX_G1 as G1, APPENDIX_G2 as G2, scalar } from '../testing/vectors.js';
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
const G1_MRZ = G1.mrzInformation;

describe('PACE worked examples (ICAO 9303-11)', () => {
  it('G.1 ECDH-GM, brainpoolP256r1, AES-128: every APDU and the session keys', async () => {
    const t = new ScriptedTransport(G1.apdus);
    expect(H(derivePaceKey(mrzPassword(G1_MRZ), 'AES-128'))).toBe(G1.kPi);
    const r = await performPace(
      new PlainChannel(t),
      mrzPassword(G1_MRZ),
      { oid: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 },
      { injected: { mappingKey: scalar(G1.skMapIfd), agreementKey: scalar(G1.skIfd) } },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe(G1.ksEnc);
    expect(H(r.ksMac)).toBe(G1.ksMac);
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
    const { pkMapIfd, pkMapIc, pkIfd, pkIc } = G2;
    const t = new ScriptedTransport([
      G2.mse,
      G2.encryptedNonce,
      [`10860000867C8183818180${pkMapIfd}00`, `7C8183828180${pkMapIc}9000`],
      [`10860000867C8183838180${pkIfd}00`, `7C8183848180${pkIc}9000`],
      G2.tokens,
    ]);
    const r = await performPace(
      new PlainChannel(t),
      mrzPassword(G1_MRZ),
      { oid: '0.4.0.127.0.7.2.2.4.1.2', parameterId: 0 },
      { injected: { mappingKey: scalar(G2.skMapIfd), agreementKey: scalar(G2.skIfd) } },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe(G2.ksEnc);
    expect(H(r.ksMac)).toBe(G2.ksMac);
    expect(r.certificationAuthorityReferences).toEqual([G2.car]);
  });

  it('H.1 ECDH-IM, brainpoolP256r1, AES-128 (CAN 123456)', async () => {
    const H1 = APPENDIX_H1;
    expect(H(derivePaceKey(canPassword(H1.can), 'AES-128'))).toBe(H1.kPi);
    const t = new ScriptedTransport(H1.apdus);
    const r = await performPace(
      new PlainChannel(t),
      canPassword(H1.can),
      { oid: '0.4.0.127.0.7.2.2.4.4.2', parameterId: 13 },
      { injected: { terminalNonce: fromHex(H1.t), agreementKey: scalar(H1.skIfd) } },
    );
    expect(t.finished).toBe(true);
    expect(H(r.ksEnc)).toBe(H1.ksEnc);
    expect(H(r.ksMac)).toBe(H1.ksMac);
  });

  it('H.1/H.2 pseudo-random function and point encodings', () => {
    const bp = domainParameters(13) as EcDomainParameters;
    const s = fromHex(APPENDIX_H1.s);
    const tNonce = fromHex(APPENDIX_H1.t);
    const x = integratedMappingPrf('AES-128', s, tNonce, bp.curve.CURVE().p);
    expect(x.toString(16).toUpperCase()).toBe(APPENDIX_H1.prf);
    expect(H(encodeEcPoint(bp, ecPointEncoding(bp, x)))).toBe(APPENDIX_H1.mappedGenerator);
    const dh = domainParameters(0) as DhDomainParameters;
    const xd = integratedMappingPrf('AES-128', fromHex(APPENDIX_H2.s), fromHex(APPENDIX_H2.t), dh.p);
    expect(xd.toString(16).toUpperCase().startsWith(APPENDIX_H2.prfPrefix)).toBe(true);
    expect(dhPointEncoding(dh, xd).toString(16).toUpperCase().endsWith(APPENDIX_H2.mappedGenerator.slice(-16))).toBe(
      true,
    );
  });

  it('H.2 DH-IM tokens and keys (from the published K)', () => {
    const dh = domainParameters(0) as DhDomainParameters;
    const k = fromHex(APPENDIX_H2.k);
    const ksMac = kdf(k, KDF_MAC, 'AES-128');
    expect(H(kdf(k, KDF_ENC, 'AES-128'))).toBe(APPENDIX_H2.ksEnc);
    const pkIc = fromHex(APPENDIX_H2.pkIc);
    expect(H(authenticationToken('AES-128', ksMac, '0.4.0.127.0.7.2.2.4.3.2', dh, pkIc))).toBe(APPENDIX_H2.tIfd);
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
    const base = G1.apdus.slice(0, 4).map(([, answer]): [string, string] => ['*', answer]);
    const injected = { mappingKey: scalar(G1.skMapIfd), agreementKey: scalar(G1.skIfd) };
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
      this.oid = oidFromContent(findTlv(readTlvs(c.data!), 0x80)!.value)!;
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
