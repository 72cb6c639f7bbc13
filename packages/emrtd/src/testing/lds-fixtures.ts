/**
 * Test-only builders of LDS files from the byte layouts in docs/reference/vn-cccd.md and ICAO 9303-10 (invented
 * person data).
 */
import { OID } from '../asn1/oids.js';
import { concat, fromHex, u16, u32, utf8 } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { sha256 } from '../crypto/hash.js';
import { encodeOid, int, printable, seq, set, utf8String } from './der.js';

export const CCCD_MRZ = 'IDVNM0900123450001090012345<<19008157M3008155VNM<<<<<<<<<<<2SURNAME<<GIVEN<NAMES<<<<<<<<<<';

export const buildDg1 = (mrz = CCCD_MRZ) => tlv(0x61, tlv(0x5f1f, utf8(mrz)));

export const buildCom = (tags = [0x61, 0x75, 0x63, 0x6d, 0x6f, 0x6e]) =>
  tlv(0x60, tlv(0x5f01, utf8('0107')), tlv(0x5f36, utf8('040000')), tlv(0x5c, Uint8Array.from(tags)));

/** A DG13 field: SEQUENCE { INTEGER n, value… }. */
export const field = (n: number, ...values: Uint8Array[]) => seq(int(n), ...values);

export const PERSON = {
  id: '001090012345',
  name: 'Nguyễn Văn An',
  dob: '15/08/1990',
  sex: 'Nam',
  nationality: 'Việt Nam',
  ethnicity: 'Kinh',
  religion: 'Không',
  origin: 'Xã Tân Phú, Huyện Đông Hưng, Thái Bình',
  residence: 'Số 12, Ngõ 34, Phường Điện Biên, Quận Ba Đình, Hà Nội',
  marks: 'Nốt ruồi c.1cm trên sau mép phải',
  issue: '10/05/2021',
  expiry: '15/08/2030',
  father: 'Nguyễn Văn Bình',
  mother: 'Trần Thị Cúc',
  oldId: '123456789',
};

export type ParentsShape = 'nested' | 'flat';

/**
 * Field 13 in the two shapes of docs/reference/vn-cccd.md §2.2: each name in its own SEQUENCE, or one SEQUENCE of
 * both.
 */
export function parentsField(shape: ParentsShape, father = PERSON.father, mother = PERSON.mother): Uint8Array {
  return shape === 'nested'
    ? field(13, seq(utf8String(father)), seq(utf8String(mother)))
    : field(13, seq(utf8String(father), utf8String(mother)));
}

export function personFields(p = PERSON): Map<number, Uint8Array> {
  return new Map([
    [1, field(1, printable(p.id))],
    [2, field(2, utf8String(p.name))],
    [3, field(3, printable(p.dob))],
    [4, field(4, utf8String(p.sex))],
    [5, field(5, utf8String(p.nationality))],
    [6, field(6, utf8String(p.ethnicity))],
    [7, field(7, utf8String(p.religion))],
    [8, field(8, utf8String(p.origin))],
    [9, field(9, utf8String(p.residence))],
    [10, field(10, utf8String(p.marks))],
    [11, field(11, printable(p.issue))],
    [12, field(12, utf8String(p.expiry))],
    [13, parentsField('nested', p.father, p.mother)],
    [14, field(14)],
    [15, field(15, printable(p.oldId))],
    [16, field(16, printable('0123456789ABCDEF'))],
  ]);
}

export function buildDg13(fields: Iterable<Uint8Array> = personFields().values()): Uint8Array {
  return tlv(0x6d, seq(int(1), encodeOid(OID.iso10646Utf8), set(...fields)));
}

export const JPEG = concat(
  fromHex('ffd8ffe000104a46494600010100000100010000'),
  new Uint8Array(64).fill(7),
  fromHex('ffd9'),
);
export const JP2 = concat(fromHex('0000000c6a5020200d0a870a'), new Uint8Array(40).fill(3));

/** ISO 19794-5 facial record data for one image, with `points` feature points. */
export function faceRecord(image: Uint8Array, opts: { points?: number; width?: number; dataType?: number } = {}) {
  const points = opts.points ?? 0;
  const fp: Uint8Array[] = [];
  for (let i = 0; i < points; i++) fp.push(Uint8Array.of(1, 0x31 + i, 0, 100 + i, 0, 120 + i, 0, 0));
  const header = concat(
    u32(20 + 8 * points + 12 + image.length),
    u16(points),
    Uint8Array.of(1, 3, 2), // gender male, eye colour brown, hair colour black
    Uint8Array.of(0, 0, 1), // feature mask
    u16(1), // expression neutral
    Uint8Array.of(0, 0, 0, 0, 0, 0),
  );
  const info = concat(
    Uint8Array.of(1, opts.dataType ?? 0),
    u16(opts.width ?? 480),
    u16(640),
    Uint8Array.of(1, 2),
    u16(0),
    u16(0),
  );
  return concat(header, ...fp, info, image);
}

export function facialBlock(records: Uint8Array[]): Uint8Array {
  const body = concat(...records);
  return concat(
    Uint8Array.of(0x46, 0x41, 0x43, 0, 0x30, 0x31, 0x30, 0),
    u32(14 + body.length),
    u16(records.length),
    body,
  );
}

export function buildDg2(blocks: Uint8Array[] = [facialBlock([faceRecord(JPEG)])]): Uint8Array {
  const templates = blocks.map((bdb) =>
    tlv(
      0x7f60,
      tlv(
        0xa1,
        tlv(0x80, fromHex('0101')),
        tlv(0x81, fromHex('02')),
        tlv(0x87, fromHex('0101')),
        tlv(0x88, fromHex('0008')),
      ),
      tlv(0x5f2e, bdb),
    ),
  );
  return tlv(0x75, tlv(0x7f61, tlv(0x02, Uint8Array.of(blocks.length)), ...templates));
}

export const buildDg7 = (images: Uint8Array[] = [JPEG]) =>
  tlv(0x67, tlv(0x02, Uint8Array.of(images.length)), ...images.map((i) => tlv(0x5f43, i)));

/** An LDSSecurityObject over the given data group files (SHA-256). */
export function ldsSecurityObject(groups: Map<number, Uint8Array>, versionInfo = false): Uint8Array {
  const hashes = [...groups].map(([n, bytes]) => seq(int(n), tlv(0x04, sha256(bytes))));
  return seq(
    int(versionInfo ? 1 : 0),
    seq(encodeOid(OID.sha256)),
    seq(...hashes),
    ...(versionInfo ? [seq(printable('0108'), printable('040000'))] : []),
  );
}

const NAME = seq(set(seq(encodeOid('2.5.4.3'), printable('Test DS'))));
export const FAKE_CERT = seq(seq(int(2), NAME), seq(encodeOid(OID.ecdsaWithSHA256)), tlv(0x03, Uint8Array.of(0, 1, 2)));

/** A ContentInfo/SignedData around `eContent`, with signed attributes and a placeholder signature. */
export function signedData(
  eContentType: string,
  eContent: Uint8Array,
  opts: { ski?: boolean; certificates?: Uint8Array[]; extraAttributes?: Uint8Array[] } = {},
): Uint8Array {
  const certificates = opts.certificates ?? [FAKE_CERT];
  const attrs = tlv(
    0xa0,
    seq(encodeOid(OID.contentType), set(encodeOid(eContentType))),
    seq(encodeOid(OID.signingTime), set(tlv(0x17, utf8('210510120000Z')))),
    seq(encodeOid(OID.messageDigest), set(tlv(0x04, sha256(eContent)))),
    ...(opts.extraAttributes ?? []),
  );
  const sid = opts.ski ? tlv(0x80, fromHex('0102030405')) : seq(NAME, int(0x1234));
  const signer = seq(
    int(opts.ski ? 3 : 1),
    sid,
    seq(encodeOid(OID.sha256)),
    attrs,
    seq(encodeOid(OID.ecdsaWithSHA256)),
    tlv(0x04, new Uint8Array(64).fill(9)),
  );
  const sd = seq(
    int(3),
    set(seq(encodeOid(OID.sha256))),
    seq(encodeOid(eContentType), tlv(0xa0, tlv(0x04, eContent))),
    ...(certificates.length ? [tlv(0xa0, ...certificates)] : []),
    set(signer),
  );
  return seq(encodeOid(OID.signedData), tlv(0xa0, sd));
}

export function buildSod(groups: Map<number, Uint8Array>, versionInfo = false): Uint8Array {
  return tlv(0x77, signedData(OID.ldsSecurityObject, ldsSecurityObject(groups, versionInfo)));
}
