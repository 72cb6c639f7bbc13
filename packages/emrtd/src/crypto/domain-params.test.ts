import { createDiffieHellman, createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigToBytes, bytesToBig, hex } from '../codec/bytes.js';
import { EmrtdError, MalformedData } from '../errors.js';
import {
  type DhDomainParameters,
  decodeDhElement,
  decodeEcPoint,
  dhPublicKey,
  dhSharedSecret,
  domainParameters,
  type EcDomainParameters,
  ecdhSharedSecret,
  ecParametersByName,
  ecPublicKey,
  encodeDhElement,
  encodeEcPoint,
  modPow,
  randomDhPrivateKey,
  randomEcPrivateKey,
} from './domain-params.js';

// OpenSSL's names for the §9.5.1 curves.
const OPENSSL_NAME: Record<number, string> = {
  8: 'prime192v1',
  9: 'brainpoolP192r1',
  10: 'secp224r1',
  11: 'brainpoolP224r1',
  12: 'prime256v1',
  13: 'brainpoolP256r1',
  14: 'brainpoolP320r1',
  15: 'secp384r1',
  16: 'brainpoolP384r1',
  17: 'brainpoolP512r1',
  18: 'secp521r1',
};

const ec = (id: number) => domainParameters(id) as EcDomainParameters;
const dh = (id: number) => domainParameters(id) as DhDomainParameters;

describe('standardized EC domain parameters (ICAO 9303-11 §9.5.1)', () => {
  for (const [idText, opensslName] of Object.entries(OPENSSL_NAME)) {
    const id = Number(idText);
    it(`ID ${id} matches OpenSSL ${opensslName} (public key and ECDH secret)`, () => {
      const params = ec(id);
      expect(params.kind).toBe('EC');
      expect(params.id).toBe(id);
      const a = randomEcPrivateKey(params);
      const b = randomEcPrivateKey(params);
      const aBytes = bigToBytes(a, params.orderBytes);
      const node = createECDH(opensslName);
      node.setPrivateKey(aBytes);
      const pub = encodeEcPoint(params, ecPublicKey(params, a));
      expect(hex(pub)).toBe(hex(new Uint8Array(node.getPublicKey())));
      const bPub = encodeEcPoint(params, ecPublicKey(params, b));
      expect(hex(ecdhSharedSecret(params, a, bPub))).toBe(hex(new Uint8Array(node.computeSecret(bPub))));
      expect(ecdhSharedSecret(params, a, bPub)).toHaveLength(params.fieldSize);
    });
  }

  it('has the field and order sizes and OIDs of the table', () => {
    expect([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18].map((id) => ec(id).fieldSize)).toEqual([
      24, 24, 28, 28, 32, 32, 40, 48, 48, 64, 66,
    ]);
    expect(ec(13).name).toBe('brainpoolP256r1');
    expect(ec(13).oid).toBe('1.3.36.3.3.2.8.1.1.7');
    expect(ec(14).name).toBe('brainpoolP320r1');
    expect(ecParametersByName('secp256r1').id).toBe(12);
  });

  it('rejects reserved IDs as unsupported', () => {
    for (const id of [3, 4, 7, 19, 31, -1]) {
      expect(() => domainParameters(id)).toThrow(EmrtdError);
    }
  });

  it('decodes only valid uncompressed points', () => {
    const params = ec(13);
    const good = encodeEcPoint(params, ecPublicKey(params, 12345n));
    expect(decodeEcPoint(params, good).equals(params.curve.BASE.multiply(12345n))).toBe(true);
    const offCurve = good.slice();
    offCurve[offCurve.length - 1]! ^= 1;
    expect(() => decodeEcPoint(params, offCurve)).toThrow(MalformedData);
    expect(() => decodeEcPoint(params, good.subarray(0, 33))).toThrow(MalformedData);
    const compressedPrefix = good.slice();
    compressedPrefix[0] = 0x02;
    expect(() => decodeEcPoint(params, compressedPrefix)).toThrow(MalformedData);
    const bigX = good.slice();
    bigX.fill(0xff, 1, 33);
    expect(() => decodeEcPoint(params, bigX)).toThrow(MalformedData);
    expect(() => decodeEcPoint(params, new Uint8Array(65))).toThrow(MalformedData);
  });

  it('rejects private keys outside [1, n-1]', () => {
    const params = ec(12);
    expect(() => ecPublicKey(params, 0n)).toThrow(EmrtdError);
    expect(() => ecPublicKey(params, params.curve.CURVE().n)).toThrow(EmrtdError);
  });
});

describe('standardized DH groups (RFC 5114)', () => {
  // First and last 32 bits of each p, g and q as printed in RFC 5114 §2.1-2.3.
  const RFC_5114 = [
    {
      id: 0,
      bits: [1024, 1024, 160],
      p: ['B10B8F96', '2E4A4371'],
      g: ['A4D1CBD5', '22B3B2E5'],
      q: ['F518AA87', '49462353'],
    },
    {
      id: 1,
      bits: [2048, 2048, 224],
      p: ['AD107E1E', '0C10E64F'],
      g: ['AC4032EF', '191F2BFA'],
      q: ['801C0D34', 'B36371EB'],
    },
    {
      id: 2,
      bits: [2048, 2046, 256],
      p: ['87A8E61D', '1E1A1597'],
      g: ['3FB32C9B', '6CC41659'],
      q: ['8CF83642', '64F5FBD3'],
    },
  ];
  const ends = (v: bigint) => {
    const h = v.toString(16).toUpperCase();
    return [h.slice(0, 8), h.slice(-8)];
  };

  for (const group of RFC_5114) {
    it(`ID ${group.id} has the RFC 5114 constants and group structure`, () => {
      const params = dh(group.id);
      expect(params.kind).toBe('DH');
      expect(ends(params.p)).toEqual(group.p);
      expect(ends(params.q)).toEqual(group.q);
      expect(ends(params.g)).toEqual(group.g);
      expect([params.p, params.g, params.q].map((v) => v.toString(2).length)).toEqual(group.bits);
      expect((params.p - 1n) % params.q).toBe(0n);
      expect(modPow(params.g, params.q, params.p)).toBe(1n);
      expect(params.g).not.toBe(1n);
      expect(params.byteLength).toBe(group.bits[0]! / 8);
    });
  }

  it('agrees with OpenSSL DH on a shared secret', () => {
    const params = dh(2);
    const x = randomDhPrivateKey(params);
    const y = randomDhPrivateKey(params);
    const node = createDiffieHellman(bigToBytes(params.p, 256), bigToBytes(params.g, 256));
    node.setPrivateKey(bigToBytes(x, 32));
    const yPub = encodeDhElement(params, dhPublicKey(params, y));
    const nodePub = new Uint8Array(node.generateKeys());
    expect(bytesToBig(nodePub)).toBe(dhPublicKey(params, x));
    const ours = dhSharedSecret(params, x, yPub);
    expect(hex(ours)).toBe(hex(bigToBytes(bytesToBig(new Uint8Array(node.computeSecret(yPub))), 256)));
  });

  it('range-checks peer elements', () => {
    const params = dh(0);
    expect(() => decodeDhElement(params, Uint8Array.of(1))).toThrow(MalformedData);
    expect(() => decodeDhElement(params, bigToBytes(params.p - 1n, 128))).toThrow(MalformedData);
    expect(() => decodeDhElement(params, new Uint8Array(129))).toThrow(MalformedData);
    // 2 is almost surely outside the order-q subgroup of a Lim-Lee prime.
    expect(() => decodeDhElement(params, Uint8Array.of(2))).toThrow(MalformedData);
    expect(() => dhPublicKey(params, params.q)).toThrow(EmrtdError);
    expect(() => modPow(2n, 3n, 1n)).toThrow(RangeError);
    expect(modPow(3n, 200n, 1000007n)).toBe(
      Array.from({ length: 200 }).reduce<bigint>((acc) => (acc * 3n) % 1000007n, 1n),
    );
  });
});
