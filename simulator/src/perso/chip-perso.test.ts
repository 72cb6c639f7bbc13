import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, paceOid, parseCardAccess, parsePaceOid, utf8 } from '@cccd/emrtd/codec';
import * as asn1js from 'asn1js';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedCard } from '../card/applet.js';
import { FID } from '../card/image.js';
import { seededRandom } from '../card/random.js';
import { caMseData, ecCaKey } from '../card/testing/chip-auth.js';
import { terminalPace } from '../card/testing/terminal.js';
import { readCardDir, writeCardDir } from './card-dir.js';
import { type PersonalisedCard, personalise } from './personalise.js';
import { ProfileError, parseProfile } from './profile.js';
import { loadProfile } from './profiles.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-chip-perso-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** OID contents (ICAO 9303-11 §9.2): id-TA, id-CA-ECDH-AES-CBC-CMAC-128, id-PK-ECDH. */
const TA = '060804007f0007020202';
const CA_AES128 = '060a04007f00070202030202';
const PK_ECDH = '060904007f000702020102';

/** The data-group numbers hashed in EF.SOD, read with asn1js. */
function sodDataGroups(efSod: Uint8Array): number[] {
  const { result } = asn1js.fromBER(efSod);
  const contentInfo = (result as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const signedData = (contentInfo.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const encap = signedData.valueBlock.value[2] as asn1js.Sequence;
  const eContent = (encap.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.OctetString;
  const lso = asn1js.fromBER(eContent.valueBlock.valueHexView).result as asn1js.Sequence;
  const list = lso.valueBlock.value[2] as asn1js.Sequence;
  return (list.valueBlock.value as asn1js.Sequence[]).map(
    (e) => (e.valueBlock.value[0] as asn1js.Integer).valueBlock.valueDec,
  );
}

/** PACE-CAN on the personalised card; returns a function sending protected commands. */
function opened(image: PersonalisedCard) {
  const card = new SimulatedCard(image, { random: seededRandom(2) });
  card.process(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01));
  const sm = terminalPace((a) => card.process(a), {
    oid: paceOid('ECDH', 'GM', 'AES-128'),
    parameterId: 13,
    cipher: 'AES-128',
    mapping: 'GM',
    password: utf8(image.can),
    passwordRef: 2,
    random: seededRandom(3),
  });
  return (ins: number, p1: number, p2: number, data: Uint8Array, ne: number) =>
    sm.unprotect(card.process(sm.protect(0, ins, p1, p2, data, ne)));
}

describe('chip options at personalisation', () => {
  it('ca=not-advertised: no CA key, no CA info in EF.CardAccess, a DG14 with the TA info only, SOD consistent', async () => {
    const card = await personalise(loadProfile('cccd-young'), {
      activeAuthentication: 'ECDSA',
      chip: ['ca=not-advertised'],
    });
    expect(card.chipAuthentication).toBeUndefined();
    expect(card.chip).toEqual({ ca: { kind: 'not-advertised' } });
    const cardAccess = hex(card.files.get(FID.cardAccess)!);
    expect(cardAccess).toContain(TA);
    expect(cardAccess).not.toContain(CA_AES128);
    const dg14 = hex(card.files.get(FID.dg(14))!);
    expect(dg14).toContain(TA);
    expect(dg14).not.toContain(CA_AES128);
    expect(dg14).not.toContain(PK_ECDH);
    expect(hex(card.files.get(FID.com)!)).toContain('6e'); // still listed in EF.COM
    expect(sodDataGroups(card.files.get(FID.sod)!)).toContain(14);
    const send = opened(card);
    expect(send(0x22, 0x41, 0xa4, caMseData(ecCaKey('AES-128', '01')), 0)).toMatchObject({ sw: 0x6a88, macOk: true });
  });

  it('aa=absent: no DG15, not in EF.COM nor EF.SOD; INTERNAL AUTHENTICATE answers 6D00', async () => {
    const card = await personalise(loadProfile('cccd-young'), { chip: ['aa=absent'] });
    expect(card.activeAuthentication).toBeUndefined();
    expect(card.files.has(FID.dg(15))).toBe(false);
    expect(hex(card.files.get(FID.com)!).endsWith('5c056175636d6e')).toBe(true); // DG1 2 3 13 14
    expect(sodDataGroups(card.files.get(FID.sod)!)).not.toContain(15);
    const send = opened(card);
    expect(send(0x88, 0, 0, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 256)).toMatchObject({ sw: 0x6d00, macOk: true });
  });

  it('behaviour options are kept in the image and followed by the applet; profile and call options merge', async () => {
    const profile = { ...loadProfile('cccd-young'), chip: ['select-mf=9000', 'eof=9000'] };
    const card = await personalise(profile, { activeAuthentication: 'ECDSA', chip: ['eof=6b00'] });
    expect(card.chip).toEqual({ selectMf: '9000', endOfFile: '6b00' });
    expect(new SimulatedCard(card).process(Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00))).toEqual(
      Uint8Array.of(0x90, 0x00),
    );
  });

  it('a card directory keeps the chip options in card.json and reads them back', async () => {
    const card = await personalise(loadProfile('cccd-young'), {
      chip: ['aa=absent', 'ca=refuse-mse:6a86', 'ne-cap=1024'],
    });
    const dir = join(tmp, 'card');
    writeCardDir(card, dir);
    const json = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
    expect(json.chip).toEqual(['ca=refuse-mse:6A86', 'aa=absent', 'ne-cap=1024:6700']);
    expect(readCardDir(dir).chip).toEqual(card.chip);
  });
});

describe('pace-cam at personalisation', () => {
  it('adds the CAM PACEInfo and EF.CardSecurity; a card directory keeps both and the CAM key', async () => {
    const card = await personalise(loadProfile('cccd-young'), {
      chip: ['pace-cam=present'],
      activeAuthentication: null,
    });
    const cardAccess = parseCardAccess(card.files.get(0x011c)!);
    expect(cardAccess.paceInfos.map((p) => parsePaceOid(p.oid)?.mapping)).toEqual(['GM', 'CAM']);
    const cardSecurity = card.masterFiles!.get(0x011d)!;
    const dir = join(tmp, 'cam-card');
    writeCardDir(card, dir);
    const back = readCardDir(dir);
    expect(back.masterFiles?.get(0x011d)).toEqual(cardSecurity);
    expect(back.chipAuthenticationMapping).toEqual(card.chipAuthenticationMapping);
    expect(back.pace).toEqual(card.pace);
    // The same card without the option has neither.
    const plain = await personalise(loadProfile('cccd-young'), { activeAuthentication: null });
    expect(plain.masterFiles).toBeUndefined();
  });
});

describe('the profile chip field', () => {
  it('takes a list of name=value options and names the bad one', () => {
    const base = loadProfile('cccd-young');
    expect(parseProfile({ ...base, chip: ['ca=refuse-ga:6A80'] }).chip).toEqual(['ca=refuse-ga:6A80']);
    for (const chip of [['ca=sometimes'], 'eof=9000', [42]]) {
      let error: unknown;
      try {
        parseProfile({ ...base, chip });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProfileError);
      expect((error as ProfileError).issues[0]!.path).toMatch(/^chip/);
    }
  });
});
