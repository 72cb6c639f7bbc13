import { checkPrimeSync, constants, createECDH, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { bigToBytes, equal, integer, objectIdentifier, time } from '@cccd/emrtd/codec';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveKeyPairFor, SIGNATURE_ALGORITHMS, signWith, verifyWith } from './algorithms.js';
import { CURVES, type CurveName, curveDomain } from './curves.js';
import { ByteStream } from './drbg.js';
import { clearKeyCache, deriveEcKeyPair, deriveRsaKeyPair } from './keys.js';
import { OpensslWorkspace } from './openssl-harness.js';
import { gcd, modInverse, modPow } from './rsa-prime.js';

const ws = new OpensslWorkspace();
afterAll(() => ws.dispose());

describe('EC keys', () => {
  for (const curve of Object.keys(CURVES) as CurveName[]) {
    it(`${curve}: noble public point equals OpenSSL's, deterministic per (seed, label)`, () => {
      const k = deriveEcKeyPair('keys', 'a', curve);
      expect(k.d > 0n && k.d < curveDomain(curve).n).toBe(true);
      const ecdh = createECDH(CURVES[curve].nodeName);
      ecdh.setPrivateKey(Buffer.from(bigToBytes(k.d, CURVES[curve].size)));
      expect(equal(new Uint8Array(ecdh.getPublicKey()), k.publicPoint)).toBe(true);
      clearKeyCache();
      expect(deriveEcKeyPair('keys', 'a', curve).d).toBe(k.d);
      expect(deriveEcKeyPair('keys', 'b', curve).d).not.toBe(k.d);
      expect(deriveEcKeyPair('keys2', 'a', curve).d).not.toBe(k.d);
      // A text seed stands for its UTF-8 bytes, so a CLI `--seed 7` and a test's seed 7 agree.
      expect(deriveEcKeyPair(new TextEncoder().encode('keys'), 'a', curve).d).toBe(k.d);
      expect(deriveEcKeyPair(7, 'a', curve).d).toBe(deriveEcKeyPair('7', 'a', curve).d);
    });
  }

  it('explicit ECParameters carry p, a, b, G, n, h of the named curve (openssl reads them)', () => {
    const k = deriveEcKeyPair('keys', 'a', 'brainpoolP256r1', true);
    const r = ws.run(['pkey', '-pubin', '-inform', 'DER', '-noout', '-text', '-in', ws.write('ex.der', k.spkiDer)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Field Type: prime-field');
    const flat = r.stdout.replace(/[\s:]/g, '');
    const { p, n } = curveDomain('brainpoolP256r1');
    expect(flat).toContain(`Prime00${p.toString(16)}`);
    expect(flat).toContain(`Order00${n.toString(16)}`);
    expect(flat).toContain('Cofactor1(0x1)');
    // OpenSSL matches the explicit domain to the named curve's public key.
    const named = createPublicKey({ key: Buffer.from(k.spkiDer), format: 'der', type: 'spki' });
    expect(named.asymmetricKeyDetails?.namedCurve).toBe('brainpoolP256r1');
  });

  it('scalars stay in [1, n-1] for arbitrary seeds', () => {
    const n = curveDomain('P-256').n;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string(), (seed, label) => {
        const d = new ByteStream(seed, label).scalarBelow(n);
        return d >= 1n && d <= n - 1n;
      }),
      { numRuns: 200 },
    );
  });
});

describe('RSA keys', () => {
  it('2048-bit: two primes, exact length, d·e ≡ 1, reproducible after the cache is cleared', () => {
    const k = deriveRsaKeyPair('keys', 'rsa', 2048);
    expect(k.n.toString(2)).toHaveLength(2048);
    expect(k.p * k.q).toBe(k.n);
    expect(checkPrimeSync(k.p) && checkPrimeSync(k.q)).toBe(true);
    const lambda = ((k.p - 1n) * (k.q - 1n)) / gcd(k.p - 1n, k.q - 1n);
    expect((k.d * k.e) % lambda).toBe(1n);
    expect(modPow(modPow(12345n, k.e, k.n), k.d, k.n)).toBe(12345n);
    expect(k.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    clearKeyCache();
    expect(deriveRsaKeyPair('keys', 'rsa', 2048).n).toBe(k.n);
  });

  it('modPow and modInverse agree with the definitions', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 1n << 80n), fc.bigInt(0n, 300n), fc.bigInt(2n, 1n << 64n), (b, e, m) => {
        let naive = 1n;
        for (let i = 0n; i < e; i++) naive = (naive * b) % m;
        return modPow(b, e, m) === naive % m;
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.bigInt(1n, 1n << 60n), (a) => {
        const m = (1n << 61n) - 1n; // a Mersenne prime
        return (modInverse(a, m) * a) % m === 1n;
      }),
      { numRuns: 200 },
    );
  });
});

describe('signWith / verifyWith', () => {
  const data = new TextEncoder().encode('signed attributes stand-in');
  for (const alg of SIGNATURE_ALGORITHMS) {
    it(`${alg}: node:crypto verifies, deterministic, a flipped bit fails`, () => {
      const key = deriveKeyPairFor('keys', 'sig', alg);
      const sig = signWith(key, alg, data);
      expect(verifyWith(key, alg, data, sig)).toBe(true);
      expect(equal(signWith(key, alg, data), sig)).toBe(true);
      const bad = Uint8Array.from(sig);
      bad[bad.length - 1]! ^= 1;
      expect(verifyWith(key, alg, data, bad)).toBe(false);
    });
  }

  it('PSS signatures carry a salt of hash length (node rejects a different salt length)', () => {
    const key = deriveKeyPairFor('keys', 'sig', 'rsa-pss-sha384');
    const sig = signWith(key, 'rsa-pss-sha384', data);
    const check = (saltLength: number) =>
      nodeVerify('sha384', data, { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
    expect(check(48)).toBe(true);
    expect(check(32)).toBe(false);
  });

  it('plain r‖s ECDSA is exactly 2 × field size', () => {
    const key = deriveKeyPairFor('keys', 'sig', 'ecdsa-p384-sha384');
    const sig = signWith(key, 'ecdsa-p384-sha384', data, { ecdsaFormat: 'plain' });
    expect(sig).toHaveLength(96);
    expect(verifyWith(key, 'ecdsa-p384-sha384', data, sig, { ecdsaFormat: 'plain' })).toBe(true);
  });

  it('a key of the wrong type is refused', () => {
    const ec = deriveKeyPairFor('keys', 'sig', 'ecdsa-p256-sha256');
    expect(() => signWith(ec, 'ecdsa-brainpoolP256r1-sha256', data)).toThrow(TypeError);
    expect(() => signWith(ec, 'rsa-pkcs1-sha256', data)).toThrow(TypeError);
  });
});

describe('DER writer', () => {
  it('OIDs and INTEGERs encode like asn1js', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2),
        fc.nat(39),
        fc.array(fc.nat({ max: 2 ** 31 }), { maxLength: 8 }),
        (a, b, rest) => {
          const oid = [a, b, ...rest].join('.');
          return equal(objectIdentifier(oid), new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER()));
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.bigInt(0n, 1n << 200n), (v) => {
        const ours = integer(v);
        const parsed = asn1js.fromBER(ours).result as asn1js.Integer;
        return parsed.toBigInt() === v && equal(new Uint8Array(parsed.toBER()), ours);
      }),
      { numRuns: 300 },
    );
  });

  it('Time switches from UTCTime to GeneralizedTime in 2050 (RFC 5280)', () => {
    expect(new TextDecoder().decode(time(new Date('2049-12-31T23:59:59Z')))).toBe('\x17\x0d491231235959Z');
    expect(new TextDecoder().decode(time(new Date('2050-01-01T00:00:00Z')))).toBe('\x18\x0f20500101000000Z');
  });
});
