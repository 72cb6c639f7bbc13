import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { fromHex, hex } from '../codec/bytes.js';
import { readTlv, tlv } from '../codec/tlv.js';
import { sha256 } from '../crypto/hash.js';
import { MalformedData } from '../errors.js';
import { encodeOid, int, seq, set } from '../testing/der.js';
import {
  buildDg1,
  buildDg2,
  buildDg13,
  buildSod,
  FAKE_CERT,
  ldsSecurityObject,
  signedData,
} from '../testing/lds-fixtures.js';
import { ID_SECURITY_OBJECT, parseCardSecurity } from './card-security.js';
import { parseAsn1Time } from './cms.js';
import { parseSod } from './sod.js';

const GROUPS = new Map([
  [1, buildDg1()],
  [2, buildDg2()],
  [13, buildDg13()],
]);

describe('EF.SOD', () => {
  it('parses SignedData and the LDSSecurityObject, keeping every signed byte range', () => {
    const bytes = buildSod(GROUPS);
    const sod = parseSod(bytes);
    const sd = sod.signedData;
    expect(sd.version).toBe(3);
    expect(sd.digestAlgorithms).toEqual([{ oid: OID.sha256 }]);
    expect(sd.eContentType).toBe(OID.ldsSecurityObject);
    expect(sd.eContent).toEqual(ldsSecurityObject(GROUPS));
    expect(bytes.subarray(sd.eContentOffset!, sd.eContentOffset! + sd.eContent!.length)).toEqual(sd.eContent);
    expect(sd.certificates).toEqual([FAKE_CERT]);
    expect(sod.documentSignerCertificate).toEqual(FAKE_CERT);

    const lso = sod.ldsSecurityObject;
    expect(lso.version).toBe(0);
    expect(lso.hashAlgorithm.oid).toBe(OID.sha256);
    expect([...lso.dataGroupHashValues.keys()]).toEqual([1, 2, 13]);
    for (const [n, file] of GROUPS) expect(lso.dataGroupHashValues.get(n)).toEqual(sha256(file));
    expect(lso.ldsVersionInfo).toBeUndefined();

    const signer = sd.signerInfos[0]!;
    expect(signer.version).toBe(1);
    expect(signer.sid).toMatchObject({ kind: 'issuerAndSerialNumber', serialNumber: 0x1234n });
    expect(signer.digestAlgorithm.oid).toBe(OID.sha256);
    expect(signer.signatureAlgorithm.oid).toBe(OID.ecdsaWithSHA256);
    expect(signer.signature).toEqual(new Uint8Array(64).fill(9));
    const attrs = signer.signedAttrs!;
    expect(attrs.contentType).toBe(OID.ldsSecurityObject);
    expect(attrs.messageDigest).toEqual(sha256(sd.eContent!));
    expect(attrs.signingTimeText).toBe('210510120000Z');
    expect(attrs.signingTime?.toISOString()).toBe('2021-05-10T12:00:00.000Z');
    expect(attrs.attributes.map((a) => a.oid)).toEqual([OID.contentType, OID.signingTime, OID.messageDigest]);
    // Raw [0] bytes as stored, and the SET form that is signed: same bytes but the first.
    expect(attrs.raw[0]).toBe(0xa0);
    expect(attrs.der[0]).toBe(0x31);
    expect(attrs.der.subarray(1)).toEqual(attrs.raw.subarray(1));
    expect(hex(bytes)).toContain(hex(attrs.raw));
    expect(hex(bytes)).toContain(hex(signer.raw));
  });

  it('agrees with PKI.js on the same bytes', () => {
    // PKI.js validates certificates, so this SignedData carries none.
    const bytes = tlv(0x77, signedData(OID.ldsSecurityObject, ldsSecurityObject(GROUPS), { certificates: [] }));
    const inner = readTlv(bytes).value;
    const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(inner.slice().buffer).result });
    const sd = new pkijs.SignedData({ schema: ci.content });
    const ours = parseSod(bytes).signedData;
    const eContent = new Uint8Array(sd.encapContentInfo.eContent!.getValue());
    expect(eContent).toEqual(ours.eContent);
    expect(sd.signerInfos[0]!.digestAlgorithm.algorithmId).toBe(ours.signerInfos[0]!.digestAlgorithm.oid);
    // PKI.js hashes the SET-tagged form: the same bytes as our `der`.
    expect(new Uint8Array(sd.signerInfos[0]!.signedAttrs!.encodedValue)).toEqual(ours.signerInfos[0]!.signedAttrs!.der);
  });

  it('reads LDS 1.8 version info and a subjectKeyIdentifier signer', () => {
    const lso = ldsSecurityObject(GROUPS, true);
    const sod = parseSod(tlv(0x77, signedData(OID.ldsSecurityObject, lso, { ski: true })));
    expect(sod.ldsSecurityObject.version).toBe(1);
    expect(sod.ldsSecurityObject.ldsVersionInfo).toEqual({ ldsVersion: '0108', unicodeVersion: '040000' });
    expect(sod.signedData.signerInfos[0]!.sid).toEqual({
      kind: 'subjectKeyIdentifier',
      keyIdentifier: fromHex('0102030405'),
    });
  });

  it('rejects duplicate or out-of-range data group hashes and hostile structure', () => {
    const lsoWith = (...hashes: Uint8Array[]) => seq(int(0), seq(encodeOid(OID.sha256)), seq(...hashes));
    const hash = (n: number) => seq(int(n), tlv(0x04, new Uint8Array(32)));
    const cases: [Uint8Array, RegExp][] = [
      [tlv(0x77, signedData(OID.ldsSecurityObject, lsoWith(hash(1), hash(1)))), /duplicate hash for DG1/],
      [tlv(0x77, signedData(OID.ldsSecurityObject, lsoWith(hash(17)))), /data group number out of range/],
      [tlv(0x77, signedData(OID.ldsSecurityObject, lsoWith(hash(0)))), /data group number out of range/],
      [tlv(0x77, seq(encodeOid(OID.ldsSecurityObject), tlv(0xa0, seq()))), /not SignedData/],
      [tlv(0x66, seq()), /expected tag 77/],
    ];
    for (const [bytes, reason] of cases) {
      expect(() => parseSod(bytes)).toThrowError(MalformedData);
      expect(() => parseSod(bytes)).toThrowError(reason);
      expect(() => parseSod(bytes)).toThrowError(/^EF\.SOD: malformed data at offset \d+/);
    }
  });

  it('rejects a repeated or multi-valued messageDigest attribute', () => {
    const lso = ldsSecurityObject(GROUPS);
    const other = tlv(0x04, new Uint8Array(32));
    for (const extra of [
      seq(encodeOid(OID.messageDigest), set(other)),
      seq(encodeOid(OID.contentType), set(encodeOid(OID.ldsSecurityObject), encodeOid(OID.signedData))),
    ]) {
      const bytes = tlv(0x77, signedData(OID.ldsSecurityObject, lso, { extraAttributes: [extra] }));
      expect(() => parseSod(bytes)).toThrow(/repeated or multi-valued attribute/);
    }
  });

  it('parses ASN.1 times', () => {
    expect(parseAsn1Time(0x17, '491231235959Z')?.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(parseAsn1Time(0x17, '500101000000Z')?.getUTCFullYear()).toBe(1950);
    expect(parseAsn1Time(0x18, '20210510120000Z')?.toISOString()).toBe('2021-05-10T12:00:00.000Z');
    expect(parseAsn1Time(0x17, '211310120000Z')).toBeUndefined();
  });
});

describe('EF.CardSecurity', () => {
  it('parses the SecurityInfos inside the SignedData', () => {
    const infos = set(seq(encodeOid('0.4.0.127.0.7.2.2.4.6.2'), int(2), int(13)));
    const cs = parseCardSecurity(signedData(ID_SECURITY_OBJECT, infos));
    expect(cs.signedData.eContentType).toBe(ID_SECURITY_OBJECT);
    expect(cs.securityInfos.paceInfos[0]).toMatchObject({ parameterId: 13, protocol: { mapping: 'CAM' } });
    expect(() => parseCardSecurity(signedData(ID_SECURITY_OBJECT, seq()))).toThrow(/^EF\.CardSecurity: .*tag 31/);
  });
});
