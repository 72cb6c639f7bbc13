/**
 * The PACE-CAM check against an independently computed vector: OpenSSL (node:crypto) derives PK_IC and PK_Map,IC
 * from fixed private keys on brainpoolP256r1, CA_IC = SK_IC⁻¹ · SK_Map,IC mod n comes from a textbook extended
 * Euclid here, and OpenSSL's ECDH confirms x(CA_IC · PK_IC) = x(PK_Map,IC) before the SDK's check is asked.
 * No public worked example of PACE-CAM with numbers was found (ICAO 9303-11's appendices cover GM and IM).
 */
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigToBytes, bytesToBig, fromHex } from '../codec/bytes.js';
import { domainParameters, type EcDomainParameters } from '../crypto/domain-params.js';
import { MalformedData } from '../errors.js';
import { checkChipAuthenticationMapping } from './cam.js';

const params = domainParameters(13) as EcDomainParameters;
// brainpoolP256r1 group order (RFC 5639 §3.4), written out rather than taken from the curve library under test.
const N = BigInt('0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7');
const SK_IC = BigInt('0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99');
const SK_MAP = BigInt('0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560');

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

function openSslPublic(sk: bigint): Uint8Array {
  const ecdh = createECDH('brainpoolP256r1');
  ecdh.setPrivateKey(Buffer.from(bigToBytes(sk, 32)));
  return new Uint8Array(ecdh.getPublicKey(null, 'uncompressed'));
}

const pkIc = openSslPublic(SK_IC);
const pkMap = openSslPublic(SK_MAP);
const caIc = bigToBytes((inverse(SK_IC, N) * SK_MAP) % N, 32);

describe('PACE-CAM check PK_Map,IC = CA_IC · PK_IC (ICAO 9303-11 §4.4.3.5.2)', () => {
  it('the vector is right by OpenSSL: x(CA_IC · PK_IC) = x(PK_Map,IC)', () => {
    expect(params.curve.CURVE().n).toBe(N);
    const ecdh = createECDH('brainpoolP256r1');
    ecdh.setPrivateKey(Buffer.from(caIc));
    expect(new Uint8Array(ecdh.computeSecret(Buffer.from(pkIc)))).toEqual(pkMap.subarray(1, 33));
  });

  it('accepts the genuine chip answer', () => {
    expect(checkChipAuthenticationMapping(params, caIc, pkMap, pkIc)).toEqual({ match: true });
  });

  it('refuses CA_IC computed with another key, and the negated point (same x, other y)', () => {
    const wrong = bigToBytes((inverse(SK_IC + 1n, N) * SK_MAP) % N, 32);
    expect(checkChipAuthenticationMapping(params, wrong, pkMap, pkIc)).toEqual({ match: false, why: 'mismatch' });
    // −CA_IC gives −PK_Map,IC: an x-only comparison would accept it, the point comparison does not.
    const negated = bigToBytes(N - bytesToBig(caIc), 32);
    expect(checkChipAuthenticationMapping(params, negated, pkMap, pkIc)).toEqual({ match: false, why: 'mismatch' });
  });

  it('refuses CA_IC of 0 or not below n as a bad value, and throws MalformedData for a point off the curve', () => {
    for (const bad of [new Uint8Array(32), bigToBytes(N, 32), fromHex('FF'.repeat(32))])
      expect(checkChipAuthenticationMapping(params, bad, pkMap, pkIc)).toEqual({ match: false, why: 'bad-ca-ic' });
    const offCurve = Uint8Array.from(pkIc);
    offCurve[64]! ^= 1;
    expect(() => checkChipAuthenticationMapping(params, caIc, pkMap, offCurve)).toThrow(MalformedData);
  });
});
