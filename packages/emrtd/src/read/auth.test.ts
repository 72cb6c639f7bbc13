/**
 * readCccd with Chip and Active Authentication against the simulator's card (an independent card-side
 * implementation), with a minimal card image built here.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CardOptions, SimulatedCard } from '../../../../simulator/src/card/applet.js';
import type { CardImage } from '../../../../simulator/src/card/image.js';
import { caOid, OID } from '../asn1/oids.js';
import { concat, equal, fromHex } from '../codec/bytes.js';
import { checkDigit } from '../codec/check-digit.js';
import { tlv } from '../codec/tlv.js';
import { ecParametersByName, ecPublicKey, encodeEcPoint } from '../crypto/domain-params.js';
import { CardRemoved } from '../errors.js';
import { canFromCccdId, keyFromCccd } from '../keys/access-key.js';
import { encodeOid, int, seq, set } from '../testing/der.js';
import { buildDg1, buildDg2, buildDg13, faceRecord, facialBlock } from '../testing/lds-fixtures.js';
import type { Transport } from '../transport.js';
import { readCccd } from './read.js';

const ID = '001090012345';
const DOC = ID.slice(3);
const CARD_ACCESS = fromHex(
  '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d',
);
const BP256 = ecParametersByName('brainpoolP256r1');
const CA_PRIVATE = fromHex('2F0A5B8C61D1E43B7C9A0E52F3B8D64E1A7C09B2E5F48D36C1A7B0E9D2F4C3A1');
const CA_PUBLIC = encodeEcPoint(BP256, ecPublicKey(BP256, CA_PRIVATE));
const AA = generateKeyPairSync('rsa', { modulusLength: 1024 });
const AA_SPKI = new Uint8Array(AA.publicKey.export({ type: 'spki', format: 'der' }));

const bitString = (b: Uint8Array) => tlv(0x03, concat(Uint8Array.of(0), b));
const DG14 = tlv(
  0x6e,
  set(
    seq(encodeOid(caOid('ECDH', 'AES-128')), int(1)),
    seq(
      encodeOid(OID.pkECDH),
      seq(seq(encodeOid(OID.ecPublicKey), encodeOid(OID.brainpoolP256r1)), bitString(CA_PUBLIC)),
    ),
  ),
);
const DG2 = buildDg2([facialBlock([faceRecord(new Uint8Array(3000).fill(0x5a))])]);

function image(overrides: Partial<CardImage> = {}): CardImage {
  return {
    files: new Map([
      [0x011c, CARD_ACCESS],
      [0x0101, buildDg1()],
      [0x0102, DG2],
      [0x010d, buildDg13()],
      [0x010e, DG14],
      [0x010f, tlv(0x6f, AA_SPKI)],
    ]),
    protectedFids: new Set(),
    mrzInformation: `${DOC}${checkDigit(DOC)}900815${checkDigit('900815')}300815${checkDigit('300815')}`,
    can: ID.slice(-6),
    pace: [{ keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }],
    chipAuthentication: {
      keyAgreement: 'ECDH',
      cipher: 'AES-128',
      parameterId: 13,
      privateKey: CA_PRIVATE,
      publicKey: CA_PUBLIC,
    },
    activeAuthentication: {
      type: 'RSA',
      privateKeyDer: new Uint8Array(AA.privateKey.export({ type: 'pkcs8', format: 'der' })),
      publicKeyDer: AA_SPKI,
      hash: 'SHA-256',
    },
    ...overrides,
  };
}

/** The card as a Transport: no answer means the tag left; reconnect presents it again (fresh, no session). */
class SimTransport implements Transport {
  commands: Uint8Array[] = [];
  constructor(readonly card: SimulatedCard) {}
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    this.commands.push(apdu);
    const r = await this.card.exchange(apdu);
    if (r.kind !== 'response') throw new CardRemoved();
    return r.bytes;
  }
  async reconnect() {
    this.card.insert();
  }
  /** Protected MSE:Set AT for CA (the only 0C 22 41 A4 after PACE, which sends its MSE in clear). */
  get caCount(): number {
    return this.commands.filter((c) => c[0] === 0x0c && c[1] === 0x22 && c[2] === 0x41 && c[3] === 0xa4).length;
  }
}

const sim = (overrides: Partial<CardImage> = {}, options: CardOptions = {}) =>
  new SimTransport(new SimulatedCard(image(overrides), { uidRandom: false, ...options }));

describe('readCccd with chip and active authentication', () => {
  it('PACE → DG14 → CA → files under the CA keys → AA with a caller challenge', async () => {
    const t = sim();
    const challenge = fromHex('0102030405060708');
    const r = await readCccd(t, canFromCccdId(ID), { aaChallenge: challenge });
    expect(r.access.protocol).toBe('PACE');
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(r.chipAuthentication.transcript).toMatchObject({ cipher: 'AES-128', group: 'brainpoolP256r1' });
    expect(equal(r.chipAuthentication.transcript!.chipPublicKey, CA_PUBLIC)).toBe(true);
    expect(r.activeAuthentication).toMatchObject({ performed: true, verified: true, challenge });
    expect(r.activeAuthentication.verdict?.algorithm).toBe('rsa-iso9796-2-sha256');
    expect(r.document?.idNumber).toBe(ID);
    expect(r.report.files.map((f) => f.file)).toEqual(['DG14', 'DG1', 'DG13', 'DG15']);
    expect(r.missing).toEqual([{ file: 'SOD', reason: 'not-found' }]);
    expect(r.raw.DG14 && equal(r.raw.DG14, DG14)).toBe(true);
    expect(t.caCount).toBe(1);
  });

  it('redoes CA when resuming after the tag is lost mid-DG2', async () => {
    const t = sim({}, { faults: ['tag-loss-at-offset=DG2:1500'] });
    const r = await readCccd(t, canFromCccdId(ID), { groups: ['DG2'], activeAuthentication: 'off' });
    expect(equal(r.raw.DG2!, DG2)).toBe(true);
    expect(r.report.resumes).toBe(1);
    expect(t.caCount).toBe(2);
    expect(r.chipAuthentication.success).toBe(true);
  });

  it('fails closed when CA fails on resume (the card may have been swapped)', async () => {
    const t = sim({ pace: [] }, { faults: ['tag-loss-at-offset=DG2:1500', 'sw=86:6A80:2'] });
    const e = await readCccd(t, keyFromCccd(ID, '900815', '300815'), { groups: ['DG2'] }).catch((x) => x);
    expect(e).toMatchObject({ code: 'secure-messaging', step: 'CA resume', retriable: false });
    expect(String(e.message)).not.toMatch(/0900|900815|300815/);
  });

  it('a refused CA is recorded, the session is re-opened with BAC and reading continues without CA', async () => {
    const t = sim({ pace: [] }, { faults: ['sw=86:6A80'] });
    const r = await readCccd(t, keyFromCccd(ID, '900815', '300815'), { groups: ['DG1'] });
    expect(r.access.protocol).toBe('BAC');
    expect(r.chipAuthentication).toMatchObject({ performed: true, success: false, continuedWithoutCa: true });
    expect(r.chipAuthentication.transcript?.failure).toMatchObject({ step: 'CA GENERAL AUTHENTICATE', sw: 0x6a80 });
    expect(r.mrz?.documentNumber).toBe(DOC);
    expect(r.activeAuthentication.verified).toBe(true);
  });

  it('off means off: no DG14/DG15 read, no CA, no INTERNAL AUTHENTICATE', async () => {
    const t = sim();
    const r = await readCccd(t, canFromCccdId(ID), {
      groups: ['DG1'],
      chipAuthentication: 'off',
      activeAuthentication: 'off',
    });
    expect(r.chipAuthentication).toEqual({ performed: false, success: false, skipped: 'off' });
    expect(r.activeAuthentication).toEqual({ performed: false, skipped: 'off' });
    expect(r.report.files.map((f) => f.file)).toEqual(['DG1']);
    expect(t.commands.some((c) => c[1] === 0x88)).toBe(false);
  });

  it('a chip without DG14/DG15 is reported as skipped', async () => {
    const files = new Map(image().files);
    files.delete(0x010e);
    files.delete(0x010f);
    const t = sim({ files, activeAuthentication: undefined, chipAuthentication: undefined });
    const r = await readCccd(t, canFromCccdId(ID), { groups: ['DG1'] });
    expect(r.chipAuthentication).toMatchObject({ performed: false, skipped: 'no-dg14' });
    expect(r.activeAuthentication).toMatchObject({ performed: false, skipped: 'no-dg15' });
    expect(r.mrz?.documentNumber).toBe(DOC);
  });
});
