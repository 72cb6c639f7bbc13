import { constants, createHash, generateKeyPairSync, type KeyObject, privateEncrypt, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { bigToBytes, bytesToBig, concat, fromHex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { parseDg15 } from '../lds/dg15.js';
import { bitLength } from '../pki/rsa.js';
import { GMRTD_AA } from '../testing/vectors.js';
import { verifyActiveAuthentication, verifyIso9796Scheme1 } from './active-auth.js';

const challenge = fromHex('0102030405060708');

function rsaKey(bits: number) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
  return {
    privateKey,
    n: bytesToBig(b64(jwk.n!)),
    spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
  };
}

const TRAILER: Record<string, Uint8Array> = {
  sha1: Uint8Array.of(0xbc),
  sha224: Uint8Array.of(0x38, 0xcc),
  sha256: Uint8Array.of(0x34, 0xcc),
  sha384: Uint8Array.of(0x36, 0xcc),
  sha512: Uint8Array.of(0x35, 0xcc),
};

/** ISO/IEC 9796-2 scheme 1 signature, built here independently of the verifier: 6A ‖ M1 ‖ H(M1‖M2) ‖ trailer. */
function sign9796(
  key: { privateKey: KeyObject; n: bigint },
  hash: keyof typeof TRAILER,
  m2: Uint8Array,
  useMin = false,
) {
  const k = Math.ceil(key.n.toString(2).length / 8);
  const trailer = TRAILER[hash]!;
  const hLen = createHash(hash).digest().length;
  const m1 = Uint8Array.from({ length: k - 1 - hLen - trailer.length }, (_, i) => (i * 7 + 3) & 0xff);
  const h = new Uint8Array(createHash(hash).update(concat(m1, m2)).digest());
  const f = concat(Uint8Array.of(0x6a), m1, h, trailer);
  let s: Uint8Array = new Uint8Array(privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, f));
  if (useMin) s = bigToBytes(key.n - bytesToBig(s), k);
  return { signature: s, m1 };
}

const dg15 = (spki: Uint8Array) => tlv(0x6f, spki);

describe('Active Authentication: RSA ISO/IEC 9796-2 scheme 1', () => {
  const key1024 = rsaKey(1024);
  const key2048 = rsaKey(2048);

  for (const hash of Object.keys(TRAILER) as (keyof typeof TRAILER)[]) {
    it(`recovers M1 and verifies with the ${hash} trailer`, () => {
      const { signature, m1 } = sign9796(key2048, hash, challenge);
      const r = verifyIso9796Scheme1({ modulus: key2048.n, exponent: 65537n }, signature, challenge);
      expect(r?.m1).toEqual(m1);
      const v = verifyActiveAuthentication({ publicKey: dg15(key2048.spki), challenge, response: signature });
      expect(v).toEqual({ status: 'valid', algorithm: `rsa-iso9796-2-${hash}`, reasons: [] });
    });
  }

  it('accepts the min(Σ, n−Σ) representative', () => {
    const { signature } = sign9796(key1024, 'sha1', challenge, true);
    expect(verifyActiveAuthentication({ publicKey: key1024.spki, challenge, response: signature }).status).toBe(
      'valid',
    );
  });

  it('rejects a wrong challenge, a tampered response and a key below the minimum size', () => {
    const { signature } = sign9796(key1024, 'sha256', challenge);
    const other = fromHex('0102030405060709');
    const wrong = verifyActiveAuthentication({ publicKey: key1024.spki, challenge: other, response: signature });
    expect(wrong.status).toBe('invalid');
    expect(wrong.reasons.map((r) => r.code)).toEqual(['aa-signature-invalid']);
    const tampered = signature.slice();
    tampered[5]! ^= 0x40;
    expect(verifyActiveAuthentication({ publicKey: key1024.spki, challenge, response: tampered }).status).toBe(
      'invalid',
    );
    const small = verifyActiveAuthentication({
      publicKey: key1024.spki,
      challenge,
      response: signature,
      minRsaBits: 2048,
    });
    expect(small.reasons.map((r) => r.code)).toEqual(['aa-key-too-small']);
  });

  it('rejects a wrong-length challenge and malformed DG15 without throwing', () => {
    const { signature } = sign9796(key1024, 'sha1', challenge);
    expect(
      verifyActiveAuthentication({ publicKey: key1024.spki, challenge: new Uint8Array(4), response: signature })
        .reasons[0]?.code,
    ).toBe('aa-challenge-invalid');
    expect(
      verifyActiveAuthentication({ publicKey: Uint8Array.of(0x6f, 0x01, 0x00), challenge, response: signature }).status,
    ).toBe('invalid');
  });
});

// Real-passport AA transcript (RSA-1792, trailer 34CC = SHA-256): gmrtd's TestDoActiveAuth (GMRTD_AA, vectors.ts).
const REAL_DG15 = fromHex(GMRTD_AA.dg15);
const REAL_SIGNATURE = fromHex(GMRTD_AA.signature);
const REAL_M1 = fromHex(GMRTD_AA.m1);

describe('Active Authentication: real-card vector', () => {
  it('verifies the gmrtd RSA-1792 SHA-256 transcript and recovers its M1', () => {
    const challenge = fromHex(GMRTD_AA.rndIfd);
    const v = verifyActiveAuthentication({ publicKey: REAL_DG15, challenge, response: REAL_SIGNATURE });
    expect(v).toEqual({ status: 'valid', algorithm: 'rsa-iso9796-2-sha256', reasons: [] });
    const key = parseDg15(REAL_DG15).publicKey;
    if (key.kind !== 'rsa') throw new Error('DG15 is not RSA');
    expect(bitLength(key.modulus)).toBe(1792);
    expect(verifyIso9796Scheme1(key, REAL_SIGNATURE, challenge)?.m1).toEqual(REAL_M1);
    expect(
      verifyActiveAuthentication({
        publicKey: REAL_DG15,
        challenge: fromHex('96302B0F3D7E7865'),
        response: REAL_SIGNATURE,
      }).status,
    ).toBe('invalid');
  });
});

describe('Active Authentication: ECDSA', () => {
  for (const [curve, hash, oid] of [
    ['brainpoolP256r1', 'sha256', OID.ecdsaPlainSHA256],
    ['prime256v1', 'sha256', OID.ecdsaWithSHA256],
    ['brainpoolP384r1', 'sha384', OID.ecdsaPlainSHA384],
    ['brainpoolP512r1', 'sha512', OID.ecdsaPlainSHA512],
    ['secp384r1', 'sha1', OID.ecdsaPlainSHA1],
  ] as const) {
    it(`${curve} ${hash}: plain and DER signatures, tampered rejected`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
      for (const dsaEncoding of ['ieee-p1363', 'der'] as const) {
        const response = new Uint8Array(sign(hash, challenge, { key: privateKey, dsaEncoding }));
        const v = verifyActiveAuthentication({
          publicKey: dg15(spki),
          challenge,
          response,
          signatureAlgorithm: oid,
          dg15Status: 'match',
        });
        expect(v.status).toBe('valid');
        expect(v.reasons).toEqual([]);
        response[response.length - 1]! ^= 1;
        expect(
          verifyActiveAuthentication({ publicKey: spki, challenge, response, signatureAlgorithm: oid }).status,
        ).toBe('invalid');
      }
    });
  }

  it('infers the hash when DG14 has no ActiveAuthenticationInfo, and reports it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const response = new Uint8Array(sign('sha224', challenge, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    const v = verifyActiveAuthentication({ publicKey: spki, challenge, response, dg15Status: 'not-read' });
    expect(v.status).toBe('valid');
    expect(v.reasons.map((r) => r.code)).toEqual(['aa-key-not-verified', 'aa-hash-inferred']);
  });
});
