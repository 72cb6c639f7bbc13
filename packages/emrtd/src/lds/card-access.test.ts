import { brainpoolP256r1 } from '@noble/curves/misc.js';
import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { bigToBytes, fromHex, hex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { MalformedData } from '../errors.js';
import { encodeOid, int, seq, set } from '../testing/der.js';
import { parseCardAccess, parseSecurityInfos } from './card-access.js';

// docs/reference/vn-cccd.md §3.2: EF.CardAccess from a Vietnamese CCCD (TA, CA, then PACE third).
const VN_CARD_ACCESS =
  '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d';

function explicitBrainpool(): Uint8Array {
  const c = brainpoolP256r1.Point.CURVE();
  const b32 = (n: bigint) => bigToBytes(n, 32);
  return seq(
    int(1),
    seq(encodeOid(OID.primeField), tlv(0x02, Uint8Array.of(0), b32(c.p))),
    seq(tlv(0x04, b32(c.a)), tlv(0x04, b32(c.b))),
    tlv(0x04, Uint8Array.of(4), b32(c.Gx), b32(c.Gy)),
    tlv(0x02, Uint8Array.of(0), b32(c.n)),
    int(1),
  );
}

describe('parseCardAccess', () => {
  it('parses the real Vietnamese EF.CardAccess by OID (PACEInfo is the third element)', () => {
    const infos = parseCardAccess(fromHex(VN_CARD_ACCESS));
    expect(infos.paceInfos).toHaveLength(1);
    const pace = infos.paceInfos[0]!;
    expect(pace.protocol).toEqual({
      oid: '0.4.0.127.0.7.2.2.4.2.2',
      keyAgreement: 'ECDH',
      mapping: 'GM',
      cipher: 'AES-128',
    });
    expect(pace.version).toBe(2);
    expect(pace.parameterId).toBe(13);
    expect(hex(pace.raw)).toBe('3012060a04007f0007020204020202010202010d');
    expect(infos.chipAuthenticationInfos).toEqual([
      expect.objectContaining({
        oid: '0.4.0.127.0.7.2.2.3.2.2',
        version: 1,
        protocol: expect.objectContaining({ keyAgreement: 'ECDH', cipher: 'AES-128' }),
      }),
    ]);
    expect(infos.chipAuthenticationInfos[0]!.keyId).toBeUndefined();
    expect(infos.terminalAuthenticationInfos).toEqual([
      expect.objectContaining({ oid: OID.terminalAuthentication, version: 1 }),
    ]);
    expect(infos.unknown).toEqual([]);
  });

  it('tolerates a PACEInfo without parameterId and keeps unknown infos raw', () => {
    const unknownInfo = seq(encodeOid('0.4.0.127.0.7.2.2.6'), tlv(0x16, new TextEncoder().encode('http://x')));
    const bytes = set(unknownInfo, seq(encodeOid('0.4.0.127.0.7.2.2.4.4.4'), int(2)));
    const infos = parseSecurityInfos(bytes, 'EF.CardAccess');
    expect(infos.paceInfos[0]).toMatchObject({ version: 2, protocol: { mapping: 'IM', cipher: 'AES-256' } });
    expect(infos.paceInfos[0]!.parameterId).toBeUndefined();
    expect(infos.unknown).toEqual([{ oid: '0.4.0.127.0.7.2.2.6', raw: unknownInfo }]);
  });

  it('parses DG14-style infos: CA public key (explicit and named), domain parameters, TA file id, AA', () => {
    const c = brainpoolP256r1;
    const point = c.getPublicKey(c.utils.randomSecretKey(), false);
    const explicitSpki = seq(seq(encodeOid(OID.pkECDH), explicitBrainpool()), tlv(0x03, Uint8Array.of(0), point));
    const namedSpki = seq(
      seq(encodeOid(OID.ecPublicKey), encodeOid(OID.brainpoolP256r1)),
      tlv(0x03, Uint8Array.of(0), tlv(0x04, point)),
    );
    const dhSpki = seq(seq(encodeOid(OID.pkDH), seq(int(23), int(5), int(11))), tlv(0x03, Uint8Array.of(0), int(8)));
    const bytes = set(
      seq(encodeOid(OID.pkECDH), explicitSpki, int(1)),
      seq(encodeOid(OID.pkECDH), namedSpki, int(2)),
      seq(encodeOid(OID.pkDH), dhSpki),
      seq(encodeOid('0.4.0.127.0.7.2.2.4.2'), seq(encodeOid('0.4.0.127.0.7.1.2'), int(13)), int(0)),
      seq(encodeOid('0.4.0.127.0.7.2.2.3.2'), seq(encodeOid(OID.ecPublicKey), encodeOid(OID.brainpoolP256r1))),
      seq(encodeOid(OID.terminalAuthentication), int(1), seq(tlv(0x04, fromHex('011c')), tlv(0x04, fromHex('1c')))),
      seq(encodeOid(OID.activeAuthentication), int(1), encodeOid(OID.ecdsaPlainSHA256)),
      seq(encodeOid('0.4.0.127.0.7.2.2.3.2.4'), int(1), int(2)),
    );
    const infos = parseSecurityInfos(bytes, 'DG14');
    const [explicit, named, dh] = infos.chipAuthenticationPublicKeyInfos;
    const curve = c.Point.CURVE();
    expect(explicit).toMatchObject({ keyAgreement: 'ECDH', keyId: 1 });
    expect(explicit!.publicKey.domainParameters).toEqual({
      kind: 'ec-explicit',
      ec: {
        p: curve.p,
        a: curve.a,
        b: curve.b,
        generator: fromHex(`04${curve.Gx.toString(16).padStart(64, '0')}${curve.Gy.toString(16).padStart(64, '0')}`),
        order: curve.n,
        cofactor: 1n,
      },
    });
    expect(explicit!.publicKey.publicKey).toEqual({ kind: 'ec', point });
    expect(explicit!.publicKey.raw).toEqual(explicitSpki);
    expect(named!.publicKey.domainParameters).toEqual({ kind: 'named-curve', curveOid: OID.brainpoolP256r1 });
    // The OCTET STRING wrapper some producers add around the point stays: only the curve can tell a wrapper from a
    // point whose X starts 0x3F (ecPublicPoint, pki/ec.ts, removes it).
    expect(named!.publicKey.publicKey).toEqual({ kind: 'ec', point: tlv(0x04, point) });
    expect(dh!.publicKey).toMatchObject({
      domainParameters: { kind: 'dh', dh: { p: 23n, g: 5n, q: 11n } },
      publicKey: { kind: 'dh', y: 8n },
    });
    expect(dh!.keyId).toBeUndefined();
    expect(infos.paceDomainParameterInfos[0]).toMatchObject({
      keyAgreement: 'ECDH',
      mapping: 'GM',
      parameterId: 0,
      domainParameters: { kind: 'standardized', parameterId: 13 },
    });
    expect(infos.chipAuthenticationDomainParameterInfos[0]).toMatchObject({
      keyAgreement: 'ECDH',
      domainParameters: { kind: 'named-curve', curveOid: OID.brainpoolP256r1 },
    });
    expect(hex(infos.terminalAuthenticationInfos[0]!.efCvca!.fid)).toBe('011c');
    expect(infos.activeAuthenticationInfos).toEqual([
      expect.objectContaining({ version: 1, signatureAlgorithm: OID.ecdsaPlainSHA256 }),
    ]);
    expect(infos.chipAuthenticationInfos[0]).toMatchObject({ keyId: 2, protocol: { cipher: 'AES-256' } });
  });

  it('rejects malformed infos with the file name and offset', () => {
    const cases: [Uint8Array, RegExp][] = [
      [seq(seq(encodeOid(OID.pace))), /expected tag 31/],
      [set(int(1)), /expected tag 30/],
      [set(seq(int(1))), /expected tag 06/],
      [set(seq(encodeOid('0.4.0.127.0.7.2.2.4.2.2'))), /required data/],
      [set(seq(encodeOid('0.4.0.127.0.7.2.2.4.2.2'), int(2), int(13), int(1))), /unexpected element/],
      [set(seq(encodeOid('0.4.0.127.0.7.2.2.4.2.2'), int(2), tlv(0x04, Uint8Array.of(13)))), /expected tag 02/],
      [set(seq(encodeOid(OID.activeAuthentication), int(1))), /required data/],
      [fromHex('3105300306'), /exceeds|truncated/],
    ];
    for (const [bytes, reason] of cases) {
      expect(() => parseCardAccess(bytes)).toThrowError(MalformedData);
      expect(() => parseCardAccess(bytes)).toThrowError(reason);
      expect(() => parseCardAccess(bytes)).toThrowError(/^EF\.CardAccess: malformed data at offset \d+/);
    }
  });
});
