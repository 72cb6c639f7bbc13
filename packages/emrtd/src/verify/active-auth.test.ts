import { constants, createHash, generateKeyPairSync, type KeyObject, privateEncrypt, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { bigToBytes, bytesToBig, concat, fromHex } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { parseDg15 } from '../lds/dg15.js';
import { bitLength } from '../pki/rsa.js';
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

// Real-passport AA transcript (RSA-1792, trailer 34CC = SHA-256), from gmrtd's TestDoActiveAuth via /tmp/icao-vectors.md §5b.
const REAL_DG15 = fromHex(
  '6F8201023081FF300D06092A864886F70D01010105000381ED003081E90281E100BB8F93F4DC95E205CDA17C6927AB1E' +
    '365B13065D03CD12E0FCE95D96840529453202F56CC4C13F77CD062930C8BC89A2873B257045C286E601CF3C09323A53' +
    '103314902804AA10A314628CE222206A8866946A36B442041BB54AC81E6855DD1D6E16101833D65A191C20AC8B33B8A1' +
    'A32920F46043F8031CF2BC17417030865FC5BE5A39DEE423BCBA3CA8177168EB23CFE01BA43EC87711B1CFFF85DB46F3' +
    '00DD8AE317B50D543B573E119E23AF7070D0B2FED6A3B2313A5EC02A531AAED1741F4390D1013E2A0F081EAC5DC8B0A1' +
    'B2C6BDB1206F08D30E3643E1E5BDF536110203010001',
);
const REAL_SIGNATURE = fromHex(
  '474256306840C0AB1B63C10E1C26BDFEF4A0DD843920283CC4E6E70A60F2BD25DC7725F9677BC1CDE66379DC28B38E84' +
    '90F33AFB2D10F9980C44C0BFC175D2B6684218F535C92FDD3E18DB770A9CCBF91DB3C7F0138E6D9E94B9BC8371761E3A' +
    'BED5E5E9B260279CFB238B58AE0D6A01DA51C74C2A3ECD62C448BD9F20127F7384587287FA971204234E55B1A856C3E5' +
    'AAAA620BB799A68FBAE08EE132BB61683EBA9B0B40DC1E54641CAD975B16991CAB50AF82E3F3985AFD19E7427A125F5B' +
    '4B9878B12A5D2E01C7EEDCA3BB41C6FC05DCCD818BCE379D04B1F2F5D43487D3',
);
const REAL_M1 = fromHex(
  'D982BDF542CDC574053DC2F30E425E378F9A907187261574A1B046AC1831FAE9F8235BEB20272E867486549EFCFC37BA' +
    '618B89594A879A46D43960469D910E3B11B5D062A6615C82B20A8C424E715109FE330A874629E731B19D267CBBC84AEE' +
    'D64E6A477A2CB416054A1F3D706C0212FB6D2C82014FD7FD827C93380A4F3F67901D55A9842C13613414A89335308886' +
    '08E02109BA6B3270CBE9F9885AF136A5ED82900FAFF4B7780454F5905833511BAFA69F51A5365C26EE7CBB7B39',
);

describe('Active Authentication: real-card vector', () => {
  it('verifies the gmrtd RSA-1792 SHA-256 transcript and recovers its M1', () => {
    const challenge = fromHex('96302B0F3D7E7864');
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
