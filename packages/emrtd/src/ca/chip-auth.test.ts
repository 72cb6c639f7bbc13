import { describe, expect, it } from 'vitest';
import { SimulatedCard } from '../../../../simulator/src/card/applet.js';
import { PlainChannel } from '../apdu/channel.js';
import { ScriptedTransport } from '../apdu/scripted-transport.js';
import { caOid, OID } from '../asn1/oids.js';
import { bigToBytes, fromHex, hex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { type DhDomainParameters, domainParameters, modPow } from '../crypto/domain-params.js';
import { KDF_ENC, KDF_MAC, kdf } from '../crypto/kdf.js';
import { EmrtdError } from '../errors.js';
import { mrzKey } from '../keys/access-key.js';
import { parseDg14 } from '../lds/dg14.js';
import { selectChipAuthentication } from '../read/ca-selection.js';
import { openSession } from '../read/session.js';
import { SecureChannel } from '../sm/secure-channel.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { encodeOid, int } from '../testing/der.js';
import { chipAuthenticationEvidence } from '../verify/evidence.js';
import { ephemeralKeyAgreement, performChipAuthentication } from './chip-auth.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();

// gmrtd chipauth/chip_auth_test.go: real AT, DE, MY and FR passports (see /tmp/icao-vectors.md §5a).
const BP256_EXPLICIT =
  '3081EC06072A8648CE3D02013081E0020101302C06072A8648CE3D0101022100A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377304404207D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9042026DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B60441048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997022100A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7020101';
const DG14_AT = fromHex(
  `6E82017E3182017A300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D30820142060904007F00070202010230820133${BP256_EXPLICIT}034200041983917269AC877C0B61544C2C022000D2A5ABA723E2D80141E648B40911DC3459761F27480E4B57181A53D8FE1190EA86C939AC14363178CAFFC621F0F905C3`,
);
const DG14_DE = fromHex(
  `6E82019A31820196300D060804007F00070202020201013012060A04007F0007020204020202010202010D3012060A04007F0007020204060202010202010D3013060A04007F00070202030202020101020200C330820146060904007F00070202010230820133${BP256_EXPLICIT}034200047036BC5D0BCF31913B59103BB6F2C0C98C99EF4C19B9517340B76BFE4EE2194C76C3F3314E021D4B092DB5A32AB7D6E297F2FBEAE45AA28DEFC4DA750FEAD54E020200C3`,
);
const DG14_MY = fromHex(
  `6E82016A3182016630820142060904007F00070202010230820133${BP256_EXPLICIT}03420004A04F85AFDFC316FB5E9F33F94CA45837D20D9D91AD5002307C3F124B6EF5B92565D018A6B7F69DB73976BFBB4278757405C64E96104D161649E8A94078EAEFCE300F060A04007F00070202030201020101300D060804007F0007020202020101`,
);
const DG14_FR = fromHex(
  '6E82015E3182015A30820142060904007F000702020102308201333081EC06072A8648CE3D02013081E0020101302C06072A8648CE3D0101022100FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF30440420FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC04205AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B0441046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5022100FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551020101034200048367FC170D90AD53A28C6526A9C7EC4F5C59C4F7F5D992583F951A1654B4D1D6332163A33D82CBF245154887A8812ED9A55C15AD9D5C5C463851875BBA9AEABD3012060A04007F0007020204020402010202010C',
);

function oldChannel(
  t: ScriptedTransport,
  cipher: 'AES-128' | 'AES-256' | '3DES',
  enc: string,
  mac: string,
  ssc: string,
) {
  return new SecureChannel(new PlainChannel(t), new SecureMessaging(cipher, fromHex(enc), fromHex(mac), fromHex(ssc)));
}

describe('chip authentication against real-card transcripts (gmrtd)', () => {
  it('AT passport: ECDH brainpoolP256r1 (explicit parameters), AES-128, MSE:Set AT + GA, byte-exact', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_AT));
    expect(params.protocol.oid).toBe('0.4.0.127.0.7.2.2.3.2.2');
    expect(params.group).toMatchObject({ kind: 'ECDH', explicit: true, params: { name: 'brainpoolP256r1' } });
    const sk = fromHex('80EBAFC8A51BECD4D90BB640EE38C9FD5C12748D28AAA37096B98C4533C4F5F5');
    const ka = ephemeralKeyAgreement(params.group, params.chipPublicKey, sk);
    expect(H(ka.publicKey)).toBe(
      '044827C781BE1AC7A00B351214FD783AC76D99E831A6316C8FD6DE7BD96CFA31DA06B6B57BA380789729F4A028212A768C49BF5F97D98B1DB12BEEC1A1CD324FB2',
    );
    expect(H(ka.sharedSecret)).toBe('0346C3CA1A64F5CD62B61D7591020283089496A53DB2BB5E900D386E92F4686D');
    expect(H(kdf(ka.sharedSecret, KDF_ENC, 'AES-128'))).toBe('C8E27260EFD3F318D18C080CBF11C7E6');
    expect(H(kdf(ka.sharedSecret, KDF_MAC, 'AES-128'))).toBe('A942190365204A21409EB28B52BF9160');
    const t = new ScriptedTransport([
      ['0C2241A41D8711015D8F69B1EA365CCE4304970DB12421F38E085340D338128085E700', '990290008E083F5136E82A6C34779000'],
      [
        '0C860000608751019E18F1BA79D805379752BB560EB70AAC3CE3BC5AFE2FDD4AEB325CA8B578B4A93B9F66A5DF40005F8E878535251D33DD974AAF77FB858773E5799FA9DC1034E89B1150EC7F0BB3DB4BF37A1B9EA4458A9701008E089D204D950C0B95DB00',
        '8711010B0A5DFFC7432DE4DEB604291377A05B990290008E08B3384A1F5D1579739000',
      ],
      ['0CA4020C1D8711011B2EE500E84960DF7F37AFE7ADFF53838E084500F3B43E192A5700', '990290008E0803C4B125B4218CEF9000'],
    ]);
    const old = oldChannel(
      t,
      'AES-128',
      '524170DE3419B7AF2F23E45AD6EF9595',
      '97893F5FDC29A5C13A924FE7D8ED44FD',
      '000000000000000000000000000000F0',
    );
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk });
    expect(t.finished).toBe(true);
    expect(r.transcript).toMatchObject({ success: true, command: 'set-at', cipher: 'AES-128', inferred: false });
    expect(r.transcript.keyId).toBeUndefined();
    expect(H(r.channel!.sm.ssc)).toBe('00000000000000000000000000000002');
    const ev = chipAuthenticationEvidence(r.transcript);
    expect(ev).toMatchObject({ succeeded: true, protocol: '0.4.0.127.0.7.2.2.3.2.2' });
    expect(H(ev.ephemeralPublicKey!)).toBe(H(ka.publicKey));
  });

  it('DE passport: picks the key by keyId and sends 84 C3', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_DE));
    expect(params.keyId).toBe(0xc3);
    const t = new ScriptedTransport([
      ['0C2241A41D871101980953D37F67558690045D78A853B18A8E08929767A2CEF172E200', '990290008E08FC873EBB62219C8A9000'],
      [
        '0C8600006087510161912C367A6322D24AA1D4522DC47A7345369257672DF1D1163D506EB6489395D8083FAD393A394297CE8703C42F22C864C1F4C8E70EE1CF9B497ACF6579190D90F36CF9E16FE2149FF57247285D9E1E9701008E08A1D7A16EFBFD932C00',
        '87110123E7159AC9B0EF92CE1F6755B89697E3990290008E088972F1595E1508C29000',
      ],
      ['0CA4020C1D871101FAD37EADBCDE7E6A0833035A9FFF5B708E0836560BBCE1FECD5F00', '990290008E0829D0E1EBBB61BE7A9000'],
    ]);
    const old = oldChannel(
      t,
      'AES-128',
      'CC86415F2ED7E8FD663B754265695AE1',
      '581E84B8EE06C4D3EEE30461498D7FB3',
      '000000000000000000000000000000BA',
    );
    const sk = fromHex('84A5145885678EE9307C28C52736896267511203B7B8009C5FE27ABCBAECDCAA');
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk });
    expect(r.transcript).toMatchObject({ success: true, keyId: 0xc3 });
    expect(t.finished).toBe(true);
  });

  it('MY passport: 3DES CA over Set AT + GA, SM restarted with an 8-byte SSC of zero', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_MY));
    expect(params.protocol.cipher).toBe('3DES');
    const t = new ScriptedTransport([
      ['0C2241A41D8711019D1E70C6F5EE06A7CA1E98FBF5C945C98E087AC379DC78702E6300', '990290008E08643C2C3AC66585E49000'],
      [
        '0C86000058874901A9C6BF370C62AA43CA1EC9B97071727654822361DEB8BA4E5719AA05D8E86AA36164DFA5E506DBF60DC7418858179FD25DAC5E9E49393DDE37E29652444941B562142AB5F19AEA919701008E085083316637060C4D00',
        '87090108166157B375BC1E990290008E08FF8A254C50179F519000',
      ],
      ['0CA4020C1587090106904D37288D69488E08A13B74E87B87E44600', '990290008E08C2BF01FDDD1D599D9000'],
    ]);
    const old = oldChannel(
      t,
      '3DES',
      '896de34a942c7076fec207207acb79c2',
      'd6c47ff4677ac8ae91cb49f4ce673432',
      '9646c154bfb7be79',
    );
    const sk = fromHex('3a31f4e18418312fcb40f3efbe719182c046a9719e1ed8c376197aa9e8ed7465');
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk, command: 'set-at' });
    expect(r.transcript).toMatchObject({ success: true, command: 'set-at', cipher: '3DES' });
    expect(H(r.channel!.sm.ssc)).toBe('0000000000000002');
  });

  it('FR passport: no ChipAuthenticationInfo → CA v1 3DES inferred, MSE:Set KAT under AES-256 SM', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_FR));
    expect(params).toMatchObject({ inferred: true, protocol: { oid: caOid('ECDH', '3DES') } });
    expect(params.group).toMatchObject({ explicit: true, params: { name: 'secp256r1' } });
    const t = new ScriptedTransport([
      [
        '0c2241a65d8751013ae386873df68bd7e9f8d7ab2e696ced29eeb8da78d502645b5e97d566361341e2eaa56318f6d84bf0bc44f7808afaf14798d16048aab03545f017f557d2cce9dee724f099e3d643abd0fb03e567d9b18e08f2d238dede5abbf100',
        '990290008e089666ac14d11e8c2c9000',
      ],
      ['0ca4020c15870901db66e918fe3525f98e08d870008cea2ba80000', '990290008e08420dea0a913418ae9000'],
    ]);
    const old = oldChannel(
      t,
      'AES-256',
      '17da5d46e356f5b31c3d65b1369ef531ca811effc76967d2b62335e1ad9fe5cb',
      '5cb99a25e6081581fac80c8da621087939b6bde273f2f7c65693b3a0ea3051ed',
      '000000000000000000000000000000c6',
    );
    const sk = fromHex('d9c3b06a4dcb735351429403fcb56db520dc882512d775971f724d6112f96586');
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk });
    expect(r.transcript).toMatchObject({ success: true, command: 'set-kat', inferred: true });
    expect(t.finished).toBe(true);
  });

  it('records a failure when the first response under the new keys does not verify', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_AT));
    const sk = fromHex('80EBAFC8A51BECD4D90BB640EE38C9FD5C12748D28AAA37096B98C4533C4F5F5');
    const t = new ScriptedTransport([
      ['*', '990290008E083F5136E82A6C34779000'],
      ['*', '8711010B0A5DFFC7432DE4DEB604291377A05B990290008E08B3384A1F5D1579739000'],
      ['*', '990290008E0803C4B125B4218CEE9000'],
    ]);
    const old = oldChannel(
      t,
      'AES-128',
      '524170DE3419B7AF2F23E45AD6EF9595',
      '97893F5FDC29A5C13A924FE7D8ED44FD',
      '000000000000000000000000000000F0',
    );
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk });
    expect(r.channel).toBeUndefined();
    expect(r.transcript).toMatchObject({
      success: false,
      failure: { step: 'CA confirmation', code: 'secure-messaging' },
    });
  });

  it('records a refusal of MSE:Set AT, and rethrows transport failures', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_AT));
    const refuse = new ScriptedTransport([['*', '6A80']]);
    const old = oldChannel(refuse, 'AES-128', '00'.repeat(16), '00'.repeat(16), '00'.repeat(16));
    const r = await performChipAuthentication(old, params);
    expect(r.transcript).toMatchObject({ success: false, failure: { step: 'CA MSE:Set AT', sw: 0x6a80 } });
    const dead = oldChannel(new ScriptedTransport([]), 'AES-128', '00'.repeat(16), '00'.repeat(16), '00'.repeat(16));
    await expect(performChipAuthentication(dead, params)).rejects.toMatchObject({ code: 'transport' });
  });
});

describe('selectChipAuthentication', () => {
  it('refuses DG14 without a key, an unknown explicit curve, and a keyId that is not there', () => {
    expect(() => selectChipAuthentication(parseDg14(fromHex('6E133111300F060A04007F00070202030202020101')))).toThrow(
      EmrtdError,
    );
    // brainpoolP256r1 with one bit of b flipped: same size and prime, different curve.
    const tweaked = fromHex(H(DG14_AT).replace('26DC5C6CE94A4B44F330B5D9BBD77CBF', '26DC5C6CE94A4B44F330B5D9BBD77CBE'));
    expect(() => selectChipAuthentication(parseDg14(tweaked))).toThrow(/no chip authentication protocol/);
    expect(() => selectChipAuthentication(parseDg14(DG14_DE), { keyId: 7 })).toThrow(EmrtdError);
  });
});

// ---- DH / 3DES against the simulator card (independent card-side implementation), reached through BAC.

function dhDg14(group: DhDomainParameters, y: bigint): Uint8Array {
  const caInfo = tlv(0x30, encodeOid(caOid('DH', '3DES')), int(1n));
  const spki = tlv(
    0x30,
    tlv(0x30, encodeOid(OID.dhPublicNumber), tlv(0x30, int(group.p), int(group.g), int(group.q))),
    tlv(0x03, Uint8Array.of(0), int(y)),
  );
  const pkInfo = tlv(0x30, encodeOid(OID.pkDH), spki);
  return tlv(0x6e, tlv(0x31, caInfo, pkInfo));
}

describe('chip authentication with DH and 3DES against the simulator', () => {
  const group = domainParameters(0) as DhDomainParameters;
  const x = 0x1234567890abcdef1234567890abcdefn;
  const y = modPow(group.g, x, group.p);
  const dg14 = dhDg14(group, y);
  const dhCard = (faults: string[] = []) =>
    new SimulatedCard(
      {
        files: new Map([
          [0x010e, dg14],
          [0x0101, tlv(0x61, tlv(0x5f1f, new Uint8Array(30).fill(0x3c)))],
        ]),
        protectedFids: new Set(),
        mrzInformation: 'L898902C<369080619406236',
        can: '012345',
        pace: [],
        chipAuthentication: {
          keyAgreement: 'DH',
          cipher: '3DES',
          parameterId: 0,
          privateKey: bigToBytes(x, 16),
          publicKey: bigToBytes(y, 128),
        },
      },
      { uidRandom: false, faults },
    );

  it('MSE:Set KAT with an RFC 5114 group, then reads under the new keys', async () => {
    const session = await openSession(dhCard(), mrzKey('L898902C<', '690806', '940623'));
    const params = selectChipAuthentication(parseDg14(dg14));
    expect(params.group).toMatchObject({ kind: 'DH', parameterId: 0, byteLength: 128 });
    const r = await performChipAuthentication(session.channel, params);
    expect(r.transcript).toMatchObject({ success: true, command: 'set-kat', keyAgreement: 'DH', group: 'RFC5114-0' });
    expect(r.transcript.ephemeralPublicKey.length).toBe(128);
    const dg1 = await r.channel!.send({ cla: 0, ins: 0xb0, p1: 0x81, p2: 0, ne: 4 }, 'READ DG1');
    expect(H(dg1.data)).toBe('61215F1F');
  });

  it('falls back to MSE:Set AT + GA when the chip refuses MSE:Set KAT under intact SM', async () => {
    const session = await openSession(dhCard(['sw=22:6A80:1']), mrzKey('L898902C<', '690806', '940623'));
    const r = await performChipAuthentication(session.channel, selectChipAuthentication(parseDg14(dg14)));
    expect(r.transcript).toMatchObject({ success: true, command: 'set-at' });
  });
});
