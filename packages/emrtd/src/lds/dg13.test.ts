import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { fromHex, hex, utf8 } from '../codec/bytes.js';
import { readTlv, tlv } from '../codec/tlv.js';
import { MalformedData } from '../errors.js';
import { encodeOid, int, printable, seq, set, utf8String } from '../testing/der.js';
import { buildDg1, buildDg13, field, PERSON, parentsField, personFields } from '../testing/lds-fixtures.js';
import { crossCheck, mrzDateToIso, toCccdDocument, vnDateToIso } from './cccd.js';
import { parseDg1 } from './dg1.js';
import { dg13Text, parseDg13 } from './dg13.js';

const withFields = (patch: Record<number, Uint8Array | null>) => {
  const fields = personFields();
  for (const [n, f] of Object.entries(patch)) {
    if (f) fields.set(Number(n), f);
    else fields.delete(Number(n));
  }
  return buildDg13(fields.values());
};

describe('parseDg13', () => {
  it('parses the docs/reference/vn-cccd.md §2.1 layout, keyed by field number', () => {
    const bytes = buildDg13();
    expect(readTlv(bytes).tag).toBe(0x6d);
    const dg13 = parseDg13(bytes);
    expect(dg13.version).toBe(1);
    expect(dg13.encodingOid).toBe(OID.iso10646Utf8);
    expect(dg13.fields.size).toBe(16);
    expect(dg13Text(dg13, 1)).toBe(PERSON.id);
    expect(dg13Text(dg13, 2)).toBe(PERSON.name);
    expect(dg13.fields.get(13)!.strings).toEqual([PERSON.father, PERSON.mother]);
    expect(dg13.fields.get(13)!.parts).toEqual([PERSON.father, PERSON.mother]);
    expect(dg13.fields.get(14)!.strings).toEqual([]);
    expect(dg13Text(dg13, 14)).toBeNull();
    expect(hex(dg13.fields.get(14)!.raw)).toBe('300302010e');
    expect(dg13Text(dg13, 99)).toBeNull();
  });

  it('does not depend on field order, and tolerates missing and unknown fields', () => {
    const fields = [...personFields()].filter(([n]) => n !== 7 && n !== 15).map(([, f]) => f);
    fields.reverse();
    fields.push(field(42, utf8String('mới'), int(7)));
    const dg13 = parseDg13(buildDg13(fields));
    expect(dg13Text(dg13, 1)).toBe(PERSON.id);
    expect(dg13.fields.has(7)).toBe(false);
    expect(dg13.fields.get(42)!.strings).toEqual(['mới']);
    expect(dg13.fields.get(42)!.raw).toEqual(field(42, utf8String('mới'), int(7)));
  });

  it('accepts PrintableString and UTF8String for any field and NFC-normalises', () => {
    const nfd = PERSON.name.normalize('NFD');
    expect(nfd).not.toBe(PERSON.name);
    const dg13 = parseDg13(
      withFields({ 1: field(1, utf8String(PERSON.id)), 2: field(2, utf8String(nfd)), 4: field(4, printable('Nam')) }),
    );
    expect(dg13Text(dg13, 1)).toBe(PERSON.id);
    expect(dg13Text(dg13, 2)).toBe(PERSON.name);
    expect(dg13Text(dg13, 4)).toBe('Nam');
  });

  it('reads both father/mother shapes of field 13 and a filled spouse field', () => {
    for (const shape of ['nested', 'flat'] as const) {
      const spouse = field(14, seq(utf8String('Lê Thị Dung')));
      const dg13 = parseDg13(withFields({ 13: parentsField(shape), 14: spouse }));
      expect(dg13.fields.get(13)!.parts).toEqual([PERSON.father, PERSON.mother]);
      expect(dg13.fields.get(14)!.parts).toEqual(['Lê Thị Dung']);
    }
    const motherOnly = field(13, seq(), seq(utf8String(PERSON.mother)));
    expect(parseDg13(withFields({ 13: motherOnly })).fields.get(13)!.parts).toEqual([null, PERSON.mother]);
  });

  it('handles a place of residence longer than 255 UTF-8 bytes', () => {
    const residence = 'Thôn Đông Hưng, Xã Thượng Đình, '.repeat(12);
    expect(utf8(residence).length).toBeGreaterThan(255);
    const dg13 = parseDg13(withFields({ 9: field(9, utf8String(residence)) }));
    expect(dg13Text(dg13, 9)).toBe(residence);
  });

  it('tolerates an empty value and a header without version/OID', () => {
    const bare = tlv(0x6d, seq(set(field(1, printable('')), field(2, utf8String('A')))));
    const dg13 = parseDg13(bare);
    expect(dg13.version).toBeUndefined();
    expect(dg13.fields.get(1)!.strings).toEqual(['']);
    expect(dg13Text(dg13, 2)).toBe('A');
  });

  it('rejects malformed content with offsets and without personal data', () => {
    const secret = 'Nguyễn Bí Mật';
    const badUtf8 = tlv(0x6d, seq(int(1), set(field(2, tlv(0x0c, fromHex('c328'))), field(9, utf8String(secret)))));
    const cases: [Uint8Array, RegExp][] = [
      [tlv(0x6c, seq()), /expected tag 6D/],
      [tlv(0x6d, seq(int(1))), /missing element with tag 31/],
      [tlv(0x6d, seq(set(seq(utf8String(secret))))), /expected tag 02/],
      [tlv(0x6d, seq(set(field(1, printable('1')), field(1, printable('2'))))), /duplicate field 1/],
      [badUtf8, /invalid UTF-8/],
      [fromHex('6d0a3008020101310330'), /exceeds|truncated/],
    ];
    for (const [bytes, reason] of cases) {
      let err: MalformedData | undefined;
      try {
        parseDg13(bytes);
      } catch (e) {
        err = e as MalformedData;
      }
      expect(err).toBeInstanceOf(MalformedData);
      expect(err!.message).toMatch(reason);
      expect(err!.message).toMatch(/^DG13: malformed data at offset \d+/);
      expect(err!.message).not.toContain(secret);
    }
  });

  it('bounds nesting depth', () => {
    let deep = utf8String('x');
    for (let i = 0; i < 40; i++) deep = seq(deep);
    expect(() => parseDg13(tlv(0x6d, seq(set(field(13, deep)))))).toThrow(/nesting too deep/);
  });
});

describe('toCccdDocument', () => {
  const dg1 = parseDg1(buildDg1());

  it('normalises DG13 into the CCCD view', () => {
    const doc = toCccdDocument({ dg1, dg13: parseDg13(buildDg13()) });
    expect(doc).toEqual({
      idNumber: PERSON.id,
      oldIdNumber: PERSON.oldId,
      fullName: PERSON.name,
      dateOfBirth: '1990-08-15',
      sex: 'M',
      nationality: 'Việt Nam',
      ethnicity: 'Kinh',
      religion: 'Không',
      placeOfOrigin: PERSON.origin,
      placeOfResidence: PERSON.residence,
      identifyingMarks: PERSON.marks,
      dateOfIssue: '2021-05-10',
      dateOfExpiry: '2030-08-15',
      noExpiry: false,
      fatherName: PERSON.father,
      motherName: PERSON.mother,
      spouseName: null,
      unknownFields: { 16: hex(field(16, printable('0123456789ABCDEF'))) },
    });
  });

  it('maps no-expiry, female, field 16 fallback and unknown fields', () => {
    const dg13 = parseDg13(
      withFields({
        4: field(4, utf8String('Nữ')),
        12: field(12, utf8String('Không thời hạn')),
        15: null,
        16: field(16, printable('212566766')),
        17: field(17, utf8String('x')),
        13: parentsField('flat'),
      }),
    );
    const doc = toCccdDocument({ dg13 });
    expect(doc.sex).toBe('F');
    expect(doc.dateOfExpiry).toBeNull();
    expect(doc.noExpiry).toBe(true);
    expect(doc.oldIdNumber).toBe('212566766');
    expect(Object.keys(doc.unknownFields).sort()).toEqual(['16', '17']);
    expect(doc.motherName).toBe(PERSON.mother);
    // Field 16 is not used when it is not 9 digits, nor when field 15 exists.
    expect(toCccdDocument({ dg13: parseDg13(withFields({ 15: null })) }).oldIdNumber).toBeNull();
  });

  it('falls back to DG1 when DG13 is absent', () => {
    const doc = toCccdDocument({ dg1 }, { now: new Date('2025-01-01T00:00:00Z') });
    expect(doc).toMatchObject({
      idNumber: '001090012345',
      fullName: 'SURNAME GIVEN NAMES',
      dateOfBirth: '1990-08-15',
      dateOfExpiry: '2030-08-15',
      sex: 'M',
      nationality: 'VNM',
      noExpiry: false,
      placeOfResidence: null,
      unknownFields: {},
    });
    const forever = parseDg1(
      buildDg1('IDVNM0900123450001090012345<<19008157M9912315VNM<<<<<<<<<<<2SURNAME<<GIVEN<NAMES<<<<<<<<<<'),
    );
    expect(toCccdDocument({ dg1: forever })).toMatchObject({ dateOfExpiry: null, noExpiry: true });
  });

  it('converts dates', () => {
    expect(vnDateToIso('01/02/2003')).toBe('2003-02-01');
    expect(vnDateToIso('31/02/2003')).toBeNull();
    expect(vnDateToIso('2003-02-01')).toBeNull();
    const now = new Date('2025-06-01T00:00:00Z');
    expect(mrzDateToIso('250101', 'birth', now)).toBe('2025-01-01');
    expect(mrzDateToIso('250701', 'birth', now)).toBe('1925-07-01');
    expect(mrzDateToIso('900815', 'birth', now)).toBe('1990-08-15');
    expect(mrzDateToIso('600815', 'expiry', now)).toBe('2060-08-15');
    expect(mrzDateToIso('99<<<<', 'expiry', now)).toBeNull();
  });
});

describe('crossCheck', () => {
  const dg1 = parseDg1(buildDg1());

  it('finds no disagreement on a consistent card', () => {
    expect(crossCheck(dg1, parseDg13(buildDg13()))).toEqual([]);
  });

  it('reports disagreeing fields without their values', () => {
    const dg13 = parseDg13(
      withFields({
        1: field(1, printable('001090099999')),
        3: field(3, printable('16/08/1990')),
        4: field(4, utf8String('Nữ')),
        12: null,
      }),
    );
    const issues = crossCheck(dg1, dg13);
    expect(issues).toEqual([
      { field: 'idNumber', reason: 'mismatch' },
      { field: 'dateOfBirth', reason: 'mismatch' },
      { field: 'dateOfExpiry', reason: 'missing-in-dg13' },
      { field: 'sex', reason: 'mismatch' },
    ]);
    expect(JSON.stringify(issues)).not.toMatch(/\d{4}/);
  });

  it('treats 991231 and "Không thời hạn" as the same expiry', () => {
    const forever = parseDg1(
      buildDg1('IDVNM0900123450001090012345<<19008157M9912315VNM<<<<<<<<<<<2SURNAME<<GIVEN<NAMES<<<<<<<<<<'),
    );
    const dg13 = parseDg13(withFields({ 12: field(12, utf8String('Không thời hạn')) }));
    expect(crossCheck(forever, dg13)).toEqual([]);
  });

  it('uses fixtures that match the docs/reference/vn-cccd.md §2.1 bytes', () => {
    expect(hex(field(1, printable('1')))).toBe('3006020101130131');
    expect(encodeOid(OID.iso10646Utf8)).toEqual(fromHex('060628d316010008'));
  });
});
