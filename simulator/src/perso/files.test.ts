import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FID } from '../card/image.js';
import { expectedExpiry } from './expiry.js';
import { jp2Codestream } from './face.js';
import { buildCardAccess } from './files/card-access.js';
import { buildCom } from './files/com.js';
import { buildDg1 } from './files/dg1.js';
import { buildDg2 } from './files/dg2.js';
import { buildDg13, NO_EXPIRY_TEXT } from './files/dg13.js';
import { buildDg14 } from './files/dg14.js';
import { activeAuthenticationKey, chipAuthenticationKey } from './keys.js';
import { canOf, mrzInformation, td1Lines, td3Lines, transliterate } from './mrz.js';
import { DEFAULT_PACE, personalise } from './personalise.js';
import { type CitizenProfile, parseProfile } from './profile.js';
import { listProfiles, loadProfile } from './profiles.js';

// --- An independent minimal BER walker: the test must not trust the simulator's own (or the reader's) TLV code. ---
interface Node {
  tag: number;
  header: Uint8Array;
  value: Uint8Array;
}
function walk(buf: Uint8Array): Node[] {
  const out: Node[] = [];
  let p = 0;
  while (p < buf.length) {
    const start = p;
    let tag = buf[p++]!;
    if ((tag & 0x1f) === 0x1f) {
      do tag = (tag << 8) | buf[p]!;
      while (buf[p++]! & 0x80);
    }
    let len = buf[p++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    }
    if (p + len > buf.length) throw new Error('walk: element overruns its parent');
    out.push({ tag, header: buf.subarray(start, p), value: buf.subarray(p, p + len) });
    p += len;
  }
  return out;
}
const one = (buf: Uint8Array) => {
  const nodes = walk(buf);
  expect(nodes).toHaveLength(1);
  return nodes[0]!;
};
const text = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

// ICAO 9303-3 §4.9, written again here so the test does not share the simulator's check-digit code.
function cd(s: string): string {
  const w = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const v = c === '<' ? 0 : /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * w[i % 3]!;
  }
  return String(sum % 10);
}

const adult = () => loadProfile('cccd-2021-adult');
const withOverrides = (p: CitizenProfile, o: Partial<CitizenProfile>) => parseProfile({ ...p, ...o });

describe('MRZ (DG1)', () => {
  it('reproduces the docs/reference/vn-cccd.md §3.1 worked example', () => {
    const p = withOverrides(adult(), { mrzName: 'SURNAME<<GIVEN<NAMES' });
    expect(p.idNumber).toBe('001090012345');
    expect(td1Lines(p)).toEqual([
      'IDVNM0900123450001090012345<<1',
      '9008157M3008155VNM<<<<<<<<<<<2',
      'SURNAME<<GIVEN<NAMES<<<<<<<<<<',
    ]);
    expect(mrzInformation(p)).toBe('090012345090081573008155');
    expect(canOf(p)).toBe('012345');
    const dg1 = buildDg1(p);
    expect(dg1).toHaveLength(95);
    expect(hexOf(dg1.subarray(0, 5))).toBe('615d5f1f5a');
  });

  it('has every check digit right on every ready profile', () => {
    for (const name of listProfiles()) {
      const p = loadProfile(name);
      if (p.kind === 'passport-td3') {
        const [l1, l2] = td3Lines(p);
        expect(l1).toHaveLength(44);
        expect(l2).toHaveLength(44);
        expect(l2[9]).toBe(cd(l2.slice(0, 9)));
        expect(l2[19]).toBe(cd(l2.slice(13, 19)));
        expect(l2[27]).toBe(cd(l2.slice(21, 27)));
        expect(l2[42]).toBe(cd(l2.slice(28, 42)));
        expect(l2[43]).toBe(cd(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43)));
        continue;
      }
      const [l1, l2, l3] = td1Lines(p);
      for (const l of [l1, l2, l3]) expect(l).toMatch(/^[A-Z0-9<]{30}$/);
      expect(l1.slice(5, 14)).toBe(p.idNumber.slice(3));
      expect(l1[14]).toBe(cd(l1.slice(5, 14)));
      expect(l1.slice(15, 27)).toBe(p.idNumber);
      expect(l1[29]).toBe(cd(p.idNumber));
      expect(l2[6]).toBe(cd(l2.slice(0, 6)));
      expect(l2[14]).toBe(cd(l2.slice(8, 14)));
      expect(l2[29]).toBe(cd(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29)));
    }
  });

  it('writes 991231 for a card without expiry', () => {
    expect(td1Lines(loadProfile('cccd-no-expiry'))[1].slice(8, 14)).toBe('991231');
  });

  it('transliterates Vietnamese names (diacritics dropped, đ → D) and truncates to the field', () => {
    expect(transliterate('Đặng Thị Ánh Tuyết')).toBe('DANG<THI<ANH<TUYET');
    const p = withOverrides(adult(), { fullName: 'Đặng Thị Ánh Tuyết' });
    expect(td1Lines(p)[2]).toBe('DANG<<THI<ANH<TUYET<<<<<<<<<<<');
    const long = withOverrides(adult(), { fullName: 'Tôn Nữ Hoàng Phương Thảo Quỳnh Như Ngọc Bích' });
    expect(td1Lines(long)[2]).toHaveLength(30);
  });
});

describe('EF.CardAccess and EF.COM', () => {
  it('default CCCD CardAccess equals the real card (docs/reference/vn-cccd.md §3.2), PACE last', async () => {
    const card = await personalise(adult(), { activeAuthentication: null });
    const real =
      '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d';
    expect(hexOf(card.files.get(FID.cardAccess)!)).toBe(real);
  });

  it('adds an Integrated Mapping PACEInfo and several PACE configurations in order', () => {
    const ca = buildCardAccess({
      pace: [...DEFAULT_PACE, { keyAgreement: 'ECDH', mapping: 'IM', cipher: 'AES-256', parameterId: 12 }],
    });
    const infos = walk(one(ca).value);
    expect(infos).toHaveLength(2);
    // id-PACE-ECDH-IM-AES-CBC-CMAC-256 = 0.4.0.127.0.7.2.2.4.4.4, parameter 12
    expect(hexOf(infos[1]!.value)).toBe('060a04007f0007020204040402010202010c');
  });

  it('CCCD EF.COM is the 26-byte file listing DG1, DG2, DG3, DG13, DG15, DG14', () => {
    const com = buildCom([1, 2, 3, 13, 15, 14]);
    expect(com).toHaveLength(26);
    expect(hexOf(com)).toBe(
      `6018${'5f0104'}${hexOf(Buffer.from('0107'))}5f3606${hexOf(Buffer.from('040000'))}5c066175636d6f6e`,
    );
  });
});

function dg13Fields(dg13: Uint8Array): Map<number, Uint8Array> {
  const app = one(dg13);
  expect(app.tag).toBe(0x6d);
  const [version, oid, set, ...rest] = walk(one(app.value).value);
  expect(rest).toHaveLength(0);
  expect(hexOf(version!.value)).toBe('01');
  expect(hexOf(oid!.value)).toBe('28d316010008'); // 1.0.10646.1.0.8
  expect(set!.tag).toBe(0x31);
  const fields = new Map<number, Uint8Array>();
  let last = 0;
  for (const seq of walk(set!.value)) {
    expect(seq.tag).toBe(0x30);
    const [n, ...values] = walk(seq.value);
    expect(n!.tag).toBe(0x02);
    const num = n!.value[0]!;
    expect(num).toBeGreaterThan(last); // real cards keep field-number order
    last = num;
    fields.set(num, Uint8Array.from(values.flatMap((v) => [...v.header, ...v.value])));
  }
  return fields;
}
const strOf = (encoded: Uint8Array) => {
  const n = one(encoded);
  return { tag: n.tag, text: text(n.value) };
};
/** Every string inside a constructed value, depth first (how readers must treat fields 13/14). */
function strings(encoded: Uint8Array): string[] {
  return walk(encoded).flatMap((n) => (n.tag === 0x30 ? strings(n.value) : [text(n.value)]));
}

describe('DG13', () => {
  it('round-trips every field of the adult profile (swift layout)', () => {
    const p = adult();
    const f = dg13Fields(buildDg13(p));
    expect([...f.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(strOf(f.get(1)!)).toEqual({ tag: 0x13, text: '001090012345' });
    expect(strOf(f.get(2)!)).toEqual({ tag: 0x0c, text: p.fullName });
    expect(strOf(f.get(3)!)).toEqual({ tag: 0x13, text: '15/08/1990' });
    expect(strOf(f.get(4)!)).toEqual({ tag: 0x0c, text: 'Nam' });
    expect(strOf(f.get(5)!)).toEqual({ tag: 0x0c, text: 'Việt Nam' });
    expect(one(f.get(5)!).value).toHaveLength(10); // NFC: precomposed "ệ"
    expect(one(f.get(7)!).value).toHaveLength(6); // "Không"
    expect(strOf(f.get(8)!).text).toBe(p.placeOfOrigin);
    expect(strOf(f.get(9)!).text).toBe(p.placeOfResidence);
    expect(strOf(f.get(10)!).text).toBe(p.identifyingMarks);
    expect(strOf(f.get(11)!)).toEqual({ tag: 0x13, text: '12/04/2021' });
    expect(strOf(f.get(12)!)).toEqual({ tag: 0x0c, text: '15/08/2030' });
    // swift: each parent in its own SEQUENCE
    const parents = walk(f.get(13)!);
    expect(parents.map((n) => n.tag)).toEqual([0x30, 0x30]);
    expect(strings(f.get(13)!)).toEqual([p.fatherName, p.motherName]);
    expect(strings(f.get(14)!)).toEqual([p.spouseName]);
    expect(strOf(f.get(15)!)).toEqual({ tag: 0x13, text: p.oldIdNumber });
    expect(strOf(f.get(16)!).text).toMatch(/^[0-9A-F]{16}$/);
  });

  it('nested field 13, empty spouse as 30 03 02 01 0E, no-expiry text', () => {
    const p = withOverrides(loadProfile('cccd-no-expiry'), { spouseName: null });
    const dg13 = buildDg13(p);
    const f = dg13Fields(dg13);
    expect(walk(f.get(13)!).map((n) => n.tag)).toEqual([0x30]);
    expect(strings(f.get(13)!)).toEqual([p.fatherName, p.motherName]);
    expect(hexOf(dg13)).toContain('300302010e');
    expect(f.get(14)).toHaveLength(0);
    expect(strOf(f.get(12)!)).toEqual({ tag: 0x0c, text: NO_EXPIRY_TEXT });
    expect(strOf(f.get(4)!).text).toBe('Nữ');
  });

  it('field 15/16 layout options', () => {
    const none = withOverrides(adult(), { oldIdNumber: null });
    expect(dg13Fields(buildDg13(none)).get(15)).toHaveLength(0);
    const omit = parseProfile({ ...none, dg13Layout: { field15WhenNone: 'omit', field16: 'none' } });
    expect([...dg13Fields(buildDg13(omit)).keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const old16 = parseProfile({ ...adult(), dg13Layout: { field16: 'oldIdNumber' } });
    expect(strOf(dg13Fields(buildDg13(old16)).get(16)!).text).toBe(adult().oldIdNumber);
  });

  it('a residence over 255 UTF-8 bytes uses long-form lengths', () => {
    const p = loadProfile('cccd-long-address');
    const bytes = new TextEncoder().encode(p.placeOfResidence);
    expect(bytes.length).toBeGreaterThan(255);
    const dg13 = buildDg13(p);
    expect(hexOf(dg13.subarray(0, 2))).toBe('6d82');
    const field9 = one(dg13Fields(dg13).get(9)!);
    expect(hexOf(field9.header)).toBe(`0c82${bytes.length.toString(16).padStart(4, '0')}`);
    expect(text(field9.value)).toBe(p.placeOfResidence);
  });
});

describe('DG2', () => {
  function facialRecord(dg2: Uint8Array) {
    const group = one(one(dg2).value);
    expect(group.tag).toBe(0x7f61);
    const [count, bit] = walk(group.value);
    expect(hexOf(count!.header) + hexOf(count!.value)).toBe('020101');
    const [bht, record] = walk(bit!.value);
    expect(bht!.tag).toBe(0xa1);
    expect(walk(bht!.value).map((n) => `${n.tag.toString(16)}=${hexOf(n.value)}`)).toEqual([
      '80=0101',
      '81=02',
      '87=0101',
      '88=0008',
    ]);
    expect(record!.tag).toBe(0x5f2e);
    const r = record!.value;
    const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
    expect(text(r.subarray(0, 8))).toBe('FAC\u0000010\u0000');
    expect(v.getUint32(8)).toBe(r.length);
    expect(v.getUint16(12)).toBe(1);
    expect(v.getUint32(14)).toBe(r.length - 14);
    expect(v.getUint16(18)).toBe(0); // feature points
    return { type: r[34], dataType: r[35], width: v.getUint16(36), height: v.getUint16(38), image: r.subarray(46) };
  }

  it('JPEG face near the 16 KB default, headers per ISO 19794-5', async () => {
    const card = await personalise(adult(), { activeAuthentication: null });
    const dg2 = card.files.get(FID.dg(2))!;
    expect(Math.abs(dg2.length - 16_000)).toBeLessThan(1_600);
    const rec = facialRecord(dg2);
    expect(rec.type).toBe(1);
    expect(rec.dataType).toBe(0);
    expect([rec.width, rec.height]).toEqual([360, 480]);
    expect(hexOf(rec.image.subarray(0, 4))).toBe('ffd8ffe0'); // JFIF, what khoa288 scans for
    expect(hexOf(rec.image.subarray(-2))).toBe('ffd9');
  });

  it('honours targetBytes', async () => {
    const p = parseProfile({ ...adult(), face: { targetBytes: 8_000, width: 240, height: 320 } });
    const card = await personalise(p, { activeAuthentication: null });
    expect(Math.abs(card.files.get(FID.dg(2))!.length - 8_000)).toBeLessThan(800);
  });

  it('JPEG 2000 option carries the JP2 signature and data type 01', async () => {
    const p = parseProfile({ ...adult(), face: { format: 'jp2' } });
    const card = await personalise(p, { activeAuthentication: null });
    const rec = facialRecord(card.files.get(FID.dg(2))!);
    expect(rec.dataType).toBe(1);
    expect([rec.width, rec.height]).toEqual([240, 320]);
    expect(hexOf(rec.image.subarray(0, 12))).toBe('0000000c6a5020200d0a870a');
  });

  it('the cccd-2021-jp2 profile carries the JP2 fixture; format j2k carries its bare codestream (data type 01 both)', async () => {
    const jp2 = facialRecord(
      (await personalise(loadProfile('cccd-2021-jp2'), { activeAuthentication: null })).files.get(FID.dg(2))!,
    );
    const p = parseProfile({ ...adult(), face: { format: 'j2k' } });
    const j2k = facialRecord((await personalise(p, { activeAuthentication: null })).files.get(FID.dg(2))!);
    expect([jp2.dataType, j2k.dataType]).toEqual([1, 1]);
    expect([j2k.width, j2k.height]).toEqual([240, 320]);
    expect(hexOf(j2k.image.subarray(0, 4))).toBe('ff4fff51'); // SOC, SIZ (ISO/IEC 15444-1 §A.4.1)
    expect(hexOf(j2k.image.subarray(-2))).toBe('ffd9'); // EOC
    expect(Buffer.from(jp2.image).indexOf(Buffer.from(j2k.image))).toBeGreaterThan(12); // inside the jp2c box
    expect(jp2Codestream(jp2.image)).toEqual(j2k.image);
  });

  it('builds DG2 around any image without changing it', () => {
    const data = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9);
    const rec = facialRecord(buildDg2({ format: 'jpeg', width: 3, height: 4, data }));
    expect([...rec.image]).toEqual([...data]);
  });
});

describe('DG14 / DG15', () => {
  it('DG14 holds ChipAuthenticationInfo and the CA public key (brainpoolP256r1)', () => {
    const ca = chipAuthenticationKey(7);
    const dg14 = buildDg14({ chipAuthentication: ca });
    const infos = walk(one(one(dg14).value).value);
    const oids = infos.map((i) => hexOf(walk(i.value)[0]!.value));
    expect(oids).toContain('04007f00070202030202'); // id-CA-ECDH-AES-CBC-CMAC-128
    expect(oids).toContain('04007f000702020102'); // id-PK-ECDH
    const pk = infos[oids.indexOf('04007f000702020102')]!;
    const spki = walk(pk.value)[1]!;
    const [alg, bits] = walk(spki.value);
    expect(hexOf(walk(alg!.value)[1]!.value)).toBe('2b2403030208010107'); // brainpoolP256r1
    expect(hexOf(bits!.value.subarray(1))).toBe(hexOf(ca.publicKey));
    expect(ca.publicKey).toHaveLength(65);
  });

  it('ECDSA active authentication adds ActiveAuthenticationInfo; DG15 keys are valid SPKIs', () => {
    const aa = activeAuthenticationKey(7, { type: 'ECDSA' });
    const dg14 = buildDg14({ chipAuthentication: chipAuthenticationKey(7), activeAuthentication: aa });
    expect(hexOf(dg14)).toContain('0606678108010105'); // id-AA 2.23.136.1.1.5
    expect(hexOf(dg14)).toContain('060a04007f00070101040103'); // ecdsa-plain-SHA256
    const rsa = activeAuthenticationKey(7, { type: 'RSA' });
    const key = createPublicKey({ key: Buffer.from(rsa.publicKeyDer), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});

describe('expiry rule (docs/reference/vn-cccd.md §4)', () => {
  it('follows the milestones and the 2-year rule', () => {
    expect(expectedExpiry('1990-01-01', '2013-06-01')).toBe('2030-01-01'); // 23y5m → 40
    expect(expectedExpiry('1990-01-01', '2012-01-01')).toBe('2015-01-01'); // 22 → 25
    expect(expectedExpiry('2009-01-01', '2021-01-01')).toBe('2034-01-01'); // 12 → 25
    expect(expectedExpiry('2009-01-01', '2020-01-01', 'can-cuoc-2024')).toBe('2023-01-01'); // 11 → 14
    expect(expectedExpiry('2009-01-01', '2021-01-01', 'can-cuoc-2024')).toBe('2034-01-01'); // 12 → 25 (2-year rule)
    expect(expectedExpiry('1980-01-01', '2018-02-01')).toBe('2040-01-01'); // 38 → 60
    expect(expectedExpiry('1960-01-01', '2018-02-01')).toBeNull(); // 58 → none
  });

  it('every ready CCCD profile obeys it', () => {
    for (const name of listProfiles()) {
      const p = loadProfile(name);
      if (p.kind === 'passport-td3') continue;
      expect({ name, expiry: p.dateOfExpiry }).toEqual({
        name,
        expiry: expectedExpiry(p.dateOfBirth, p.dateOfIssue, p.kind),
      });
    }
  });
});
