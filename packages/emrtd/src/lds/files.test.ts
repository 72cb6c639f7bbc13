import { brainpoolP256r1 } from '@noble/curves/misc.js';
import { describe, expect, it } from 'vitest';
import { LIMITS as LDS_LIMITS } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { concat, fromHex, utf8 } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { EmrtdError, MalformedData } from '../errors.js';
import { encodeOid, int, seq, set } from '../testing/der.js';
import { buildCom, buildDg1, buildDg2, buildDg7, faceRecord, facialBlock, JP2, JPEG } from '../testing/lds-fixtures.js';
import { parseCardAccess } from './card-access.js';
import { parseCom } from './com.js';
import { parseDg1 } from './dg1.js';
import { parseDg2 } from './dg2.js';
import { parseDg7 } from './dg7.js';
import { parseDg11 } from './dg11.js';
import { parseDg12 } from './dg12.js';
import { parseDg14 } from './dg14.js';
import { parseDg15 } from './dg15.js';
import { detectImageFormat } from './image.js';
import { parseMrz } from './mrz.js';
import { ldsFileName, parseLdsFile } from './parse.js';

describe('EF.COM', () => {
  it('parses the 26-byte CCCD COM (LDS 1.7, Unicode 4.0.0, DG1/2/3/13/15/14)', () => {
    const bytes = buildCom([0x61, 0x75, 0x63, 0x6d, 0x6f, 0x6e]);
    expect(bytes.length).toBe(26);
    expect(parseCom(bytes)).toEqual({
      ldsVersion: '1.7',
      ldsVersionRaw: '0107',
      unicodeVersion: '4.0.0',
      unicodeVersionRaw: '040000',
      tags: [0x61, 0x75, 0x63, 0x6d, 0x6f, 0x6e],
      dataGroups: [1, 2, 3, 13, 15, 14],
      unknownTags: [],
    });
    expect(parseCom(buildCom([0x61, 0x99])).unknownTags).toEqual([0x99]);
    expect(() => parseCom(tlv(0x60, tlv(0x5f01, utf8('0107'))))).toThrow(/EF\.COM.*missing element with tag 5F36/);
  });
});

describe('DG1', () => {
  it('parses the 95-byte CCCD DG1', () => {
    const bytes = buildDg1();
    expect(bytes.length).toBe(95);
    const { mrz } = parseDg1(bytes);
    expect(mrz.format).toBe('TD1');
    expect(mrz.cccd?.idNumber).toBe('001090012345');
  });
  it('locates MRZ errors inside DG1', () => {
    const bytes = buildDg1(
      'IDVNM0900123450001090012345<<19008157M3008155VNM<<<<<<<<<<<2SURNAME<<GIVEN<NAMES<<<<<<<<<a',
    );
    expect(() => parseDg1(bytes)).toThrow(/^DG1: malformed data at offset 94: character outside/);
  });
});

describe('DG2', () => {
  it('parses CBEFF + ISO 19794-5 with a JPEG face', () => {
    const dg2 = parseDg2(buildDg2());
    expect(dg2.declaredInstances).toBe(1);
    expect(dg2.biometrics[0]!.header).toMatchObject({ biometricType: 2, formatOwner: 0x0101, formatType: 8 });
    expect(dg2.biometrics[0]!.facialRecord).toMatchObject({ version: '010', recordLength: 14 + 32 + JPEG.length });
    expect(dg2.faces).toHaveLength(1);
    const face = dg2.faces[0]!;
    expect(face).toMatchObject({
      gender: 1,
      eyeColour: 3,
      hairColour: 2,
      featureMask: 1,
      expression: 1,
      faceImageType: 1,
      imageDataType: 0,
      width: 480,
      height: 640,
      colourSpace: 1,
      sourceType: 2,
      format: 'jpeg',
      mimeType: 'image/jpeg',
    });
    expect(face.image).toEqual(JPEG);
    const bytes = buildDg2();
    expect(bytes.subarray(face.imageOffset, face.imageOffset + JPEG.length)).toEqual(JPEG);
  });

  it('parses multiple images, feature points and JPEG 2000', () => {
    const j2k = concat(fromHex('ff4fff51'), new Uint8Array(20));
    const dg2 = parseDg2(
      buildDg2([
        facialBlock([faceRecord(JPEG, { points: 2 }), faceRecord(JP2, { dataType: 1, width: 300 })]),
        facialBlock([faceRecord(j2k, { dataType: 1 })]),
      ]),
    );
    expect(dg2.biometrics).toHaveLength(2);
    expect(dg2.faces.map((f) => f.format)).toEqual(['jpeg', 'jpeg2000', 'j2k']);
    expect(dg2.faces[0]!.featurePoints).toEqual([
      { type: 1, code: 0x31, x: 100, y: 120 },
      { type: 1, code: 0x32, x: 101, y: 121 },
    ]);
    expect(dg2.faces[1]).toMatchObject({ width: 300, imageDataType: 1, mimeType: 'image/jp2' });
    expect(dg2.faces[1]!.image).toEqual(JP2);
  });

  it('keeps a non-19794 block raw and rejects inconsistent record lengths', () => {
    const other = parseDg2(buildDg2([fromHex('a1020000')]));
    expect(other.biometrics[0]!.facialRecord).toBeUndefined();
    expect(other.faces).toEqual([]);
    const block = facialBlock([faceRecord(JPEG)]);
    const lying = block.slice();
    lying[14 + 3] = 0xff; // facial record data length far past the block
    expect(() => parseDg2(buildDg2([lying]))).toThrow(/^DG2: .*facial record length out of range/);
    expect(() => parseDg2(buildDg2([block.subarray(0, 10)]))).toThrow(/DG2: .*truncated facial record general header/);
  });
});

describe('DG7, DG11, DG12', () => {
  it('parses the displayed signature', () => {
    const dg7 = parseDg7(buildDg7([JPEG, JP2]));
    expect(dg7.declaredInstances).toBe(2);
    expect(dg7.images.map((i) => i.mimeType)).toEqual(['image/jpeg', 'image/jp2']);
    expect(dg7.images[1]!.image).toEqual(JP2);
  });

  it('maps generic DG11 tags to named fields', () => {
    const bytes = tlv(
      0x6b,
      tlv(0x5c, fromHex('5f0e5f2b5f115f42a0')),
      tlv(0x5f0e, utf8('ERIKSSON<<ANNA<MARIA')),
      tlv(0xa0, tlv(0x02, Uint8Array.of(2)), tlv(0x5f0f, utf8('OTHER<<ONE')), tlv(0x5f0f, utf8('OTHER<<TWO'))),
      tlv(0x5f2b, utf8('19740812')),
      tlv(0x5f11, utf8('ZENITH')),
      tlv(0x5f42, utf8('123 MAPLE RD<ANYTOWN')),
      tlv(0x5f50, fromHex('01')),
    );
    expect(parseDg11(bytes)).toEqual({
      tagList: [0x5f0e, 0x5f2b, 0x5f11, 0x5f42, 0xa0],
      fullName: 'ERIKSSON<<ANNA<MARIA',
      otherNames: ['OTHER<<ONE', 'OTHER<<TWO'],
      fullDateOfBirth: '19740812',
      placeOfBirth: 'ZENITH',
      permanentAddress: '123 MAPLE RD<ANYTOWN',
      unknown: [{ tag: 0x5f50, value: fromHex('01') }],
    });
  });

  it('maps generic DG12 tags, with Latin-1 fallback and binary images', () => {
    const bytes = tlv(
      0x6c,
      tlv(0x5c, fromHex('5f195f265f1d')),
      tlv(0x5f19, fromHex('4dfc6e6368656e')), // "München" in Latin-1
      tlv(0x5f26, utf8('20210510')),
      tlv(0x5f1d, JPEG),
    );
    expect(parseDg12(bytes)).toMatchObject({
      issuingAuthority: 'München',
      dateOfIssue: '20210510',
      imageOfFront: JPEG,
      tagList: [0x5f19, 0x5f26, 0x5f1d],
    });
  });
});

describe('DG14, DG15', () => {
  const point = brainpoolP256r1.getPublicKey(brainpoolP256r1.utils.randomSecretKey(), false);
  const ecSpki = seq(
    seq(encodeOid(OID.ecPublicKey), encodeOid(OID.brainpoolP256r1)),
    tlv(0x03, Uint8Array.of(0), point),
  );

  it('parses DG14 SecurityInfos', () => {
    const dg14 = parseDg14(
      tlv(
        0x6e,
        set(
          seq(encodeOid('0.4.0.127.0.7.2.2.3.2.2'), int(1)),
          seq(
            encodeOid(OID.pkECDH),
            seq(seq(encodeOid(OID.pkECDH), encodeOid(OID.brainpoolP256r1)), tlv(0x03, Uint8Array.of(0), point)),
          ),
        ),
      ),
    );
    expect(dg14.chipAuthenticationInfos).toHaveLength(1);
    expect(dg14.chipAuthenticationPublicKeyInfos[0]!.publicKey.publicKey).toEqual({ kind: 'ec', point });
  });

  it('parses an EC and an RSA DG15 key, keeping the raw SPKI', () => {
    const ec = parseDg15(tlv(0x6f, ecSpki));
    expect(ec.raw).toEqual(ecSpki);
    expect(ec.domainParameters).toEqual({ kind: 'named-curve', curveOid: OID.brainpoolP256r1 });
    expect(ec.publicKey).toEqual({ kind: 'ec', point });

    const n = (1n << 1023n) + 12345n;
    const nBytes = fromHex(`00${n.toString(16)}`);
    const rsaSpki = seq(
      seq(encodeOid(OID.rsaEncryption), tlv(0x05, new Uint8Array())),
      tlv(0x03, Uint8Array.of(0), seq(tlv(0x02, nBytes), int(65537))),
    );
    const rsa = parseDg15(tlv(0x6f, rsaSpki));
    expect(rsa.publicKey).toEqual({ kind: 'rsa', modulus: n, exponent: 65537n });
    expect(rsa.algorithm.parameters).toEqual(fromHex('0500'));
    expect(rsa.domainParameters).toBeUndefined();
  });

  it('locates errors inside the key at absolute offsets', () => {
    const bad = seq(seq(encodeOid(OID.rsaEncryption)), tlv(0x03, Uint8Array.of(0), fromHex('3005020100')));
    let err: MalformedData | undefined;
    try {
      parseDg15(tlv(0x6f, bad));
    } catch (e) {
      err = e as MalformedData;
    }
    expect(err).toBeInstanceOf(MalformedData);
    expect(err!.file).toBe('DG15');
    // 6F 12 | 30 10 | 30 0B 06 09 <9 bytes> | 03 07 00 | 30 05 …: the RSAPublicKey SEQUENCE starts at offset 20.
    expect(err!.offset).toBe(20);
  });
});

describe('parseLdsFile', () => {
  it('dispatches by name', () => {
    expect(ldsFileName('ef.dg13')).toBe('DG13');
    expect(ldsFileName('SOD')).toBe('EF.SOD');
    expect(ldsFileName('CardAccess')).toBe('EF.CardAccess');
    expect(ldsFileName('DG17')).toBeUndefined();
    const parsed = parseLdsFile('DG1', buildDg1());
    expect(parsed.file).toBe('DG1');
    if (parsed.file === 'DG1') expect(parsed.data.mrz.documentNumber).toBe('090012345');
    expect(parseLdsFile('COM', buildCom()).file).toBe('EF.COM');
    expect(parseLdsFile('DG3', tlv(0x63, fromHex('00')))).toEqual({ file: 'DG3', data: { raw: fromHex('630100') } });
    expect(() => parseLdsFile('DG3', tlv(0x64, fromHex('00')))).toThrow(/^DG3: .*expected tag 63/);
    expect(() => parseLdsFile('EF.DIR', new Uint8Array())).toThrow(EmrtdError);
  });

  it('detects image formats by signature', () => {
    expect(detectImageFormat(JPEG)).toBe('jpeg');
    expect(detectImageFormat(JP2)).toBe('jpeg2000');
    expect(detectImageFormat(fromHex('ff4fff51'))).toBe('j2k');
    expect(detectImageFormat(fromHex('89504e47'))).toBe('unknown');
  });
});

describe('limits against hostile input', () => {
  it('caps element counts, file size, INTEGER size and MRZ text length', () => {
    const many = tlv(0x31, new Uint8Array(2 * 5000));
    expect(() => parseCardAccess(many)).toThrow(/more than 4096 elements/);
    expect(() => parseCardAccess(new Uint8Array(LDS_LIMITS.maxFileBytes + 1))).toThrow(/file larger than/);
    const hugeInt = set(seq(encodeOid('0.4.0.127.0.7.2.2.4.2.2'), tlv(0x02, new Uint8Array(2000).fill(1))));
    expect(() => parseCardAccess(hugeInt)).toThrow(/INTEGER too long/);
    expect(() => parseMrz('<'.repeat(100_000))).toThrow(/MRZ text too long/);
  });
});
