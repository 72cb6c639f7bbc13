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
import { GMRTD_CA_AT as AT, GMRTD_CA_DE as DE, GMRTD_CA_FR as FR, GMRTD_CA_MY as MY } from '../testing/vectors.js';
import { chipAuthenticationEvidence } from '../verify/evidence.js';
import { ephemeralKeyAgreement, performChipAuthentication } from './chip-auth.js';

const H = (b: Uint8Array) => hex(b).toUpperCase();

// gmrtd chipauth/chip_auth_test.go: real AT, DE, MY and FR passports (GMRTD_CA_* in testing/vectors.ts).
const DG14_AT = fromHex(AT.dg14);
const DG14_DE = fromHex(DE.dg14);
const DG14_MY = fromHex(MY.dg14);
const DG14_FR = fromHex(FR.dg14);

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
    const sk = fromHex(AT.ephemeralPrivateKey);
    const ka = ephemeralKeyAgreement(params.group, params.chipPublicKey, sk);
    expect(H(ka.publicKey)).toBe(AT.ephemeralPublicKey);
    expect(H(ka.sharedSecret)).toBe(AT.sharedSecret);
    expect(H(kdf(ka.sharedSecret, KDF_ENC, 'AES-128'))).toBe(AT.ksEnc);
    expect(H(kdf(ka.sharedSecret, KDF_MAC, 'AES-128'))).toBe(AT.ksMac);
    const t = new ScriptedTransport(AT.apdus);
    const old = oldChannel(t, AT.before.cipher, AT.before.ksEnc, AT.before.ksMac, AT.before.ssc);
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
    const t = new ScriptedTransport(DE.apdus);
    const old = oldChannel(t, DE.before.cipher, DE.before.ksEnc, DE.before.ksMac, DE.before.ssc);
    const sk = fromHex(DE.ephemeralPrivateKey);
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk });
    expect(r.transcript).toMatchObject({ success: true, keyId: 0xc3 });
    expect(t.finished).toBe(true);
  });

  it('MY passport: 3DES CA over Set AT + GA, SM restarted with an 8-byte SSC of zero', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_MY));
    expect(params.protocol.cipher).toBe('3DES');
    const t = new ScriptedTransport(MY.apdus);
    const old = oldChannel(t, MY.before.cipher, MY.before.ksEnc, MY.before.ksMac, MY.before.ssc);
    const sk = fromHex(MY.ephemeralPrivateKey);
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk, command: 'set-at' });
    expect(r.transcript).toMatchObject({ success: true, command: 'set-at', cipher: '3DES' });
    expect(H(r.channel!.sm.ssc)).toBe('0000000000000002');
  });

  it('FR passport: no ChipAuthenticationInfo → CA v1 3DES inferred, MSE:Set KAT under AES-256 SM', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_FR));
    expect(params).toMatchObject({ inferred: true, protocol: { oid: caOid('ECDH', '3DES') } });
    expect(params.group).toMatchObject({ explicit: true, params: { name: 'secp256r1' } });
    const t = new ScriptedTransport(FR.apdus);
    const old = oldChannel(t, FR.before.cipher, FR.before.ksEnc, FR.before.ksMac, FR.before.ssc);
    const sk = fromHex(FR.ephemeralPrivateKey);
    const r = await performChipAuthentication(old, params, { ephemeralPrivateKey: sk });
    expect(r.transcript).toMatchObject({ success: true, command: 'set-kat', inferred: true });
    expect(t.finished).toBe(true);
  });

  it('records a failure when the first response under the new keys does not verify', async () => {
    const params = selectChipAuthentication(parseDg14(DG14_AT));
    const sk = fromHex(AT.ephemeralPrivateKey);
    const t = new ScriptedTransport([
      ['*', AT.apdus[0]![1]],
      ['*', AT.apdus[1]![1]],
      ['*', '990290008E0803C4B125B4218CEE9000'], // AT's third answer with one MAC bit flipped
    ]);
    const old = oldChannel(t, AT.before.cipher, AT.before.ksEnc, AT.before.ksMac, AT.before.ssc);
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
