/**
 * ecStaticPublicKey and ecPublicPoint: a raw uncompressed point on a 256-bit curve whose X starts with 0x3F begins
 * "04 3F" exactly like an OCTET STRING of 63 bytes; one chip key in 256 looks like that, and stripping two bytes off
 * it made a valid DG14 / EF.CardSecurity key "malformed" (review 16).
 */
import { describe, expect, it } from 'vitest';
import { concat } from '../codec/bytes.js';
import { tlv } from '../codec/tlv.js';
import { domainParameters, type EcDomainParameters, encodeEcPoint } from '../crypto/domain-params.js';
import { MalformedData } from '../errors.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { ecPublicPoint } from '../pki/ec.js';
import { ecStaticPublicKey } from './ca-selection.js';

/** The first multiple of G whose uncompressed encoding starts 04 ‖ (length − 2): X[0] = 0x3F on a 256-bit curve. */
function lookalikePoint(params: EcDomainParameters): Uint8Array {
  for (let k = 1n; ; k++) {
    const p = encodeEcPoint(params, params.curve.BASE.multiply(k));
    if (p[1] === p.length - 2) return p;
  }
}

const spkiOf = (point: Uint8Array) =>
  ({ publicKey: { kind: 'ec', point }, publicKeyBytes: point }) as unknown as SubjectPublicKeyInfo;

describe('ecStaticPublicKey', () => {
  for (const [id, name] of [
    [12, 'P-256'],
    [13, 'brainpoolP256r1'],
  ] as const) {
    const params = domainParameters(id) as EcDomainParameters;
    const point = lookalikePoint(params);

    it(`keeps a raw point whose X starts 0x3F (${name}, parameter ${id})`, () => {
      expect(point[1]).toBe(0x3f);
      expect(ecStaticPublicKey(spkiOf(point), params)).toEqual(point);
      expect(ecPublicPoint(params, point)).toEqual(point);
    });

    it(`removes a real OCTET STRING wrapper, also around such a point (${name})`, () => {
      const wrapped = tlv(0x04, point);
      expect(wrapped.length).toBe(2 + 1 + 2 * params.fieldSize);
      expect(ecStaticPublicKey(spkiOf(wrapped), params)).toEqual(point);
      const ordinary = encodeEcPoint(params, params.curve.BASE);
      expect(ecStaticPublicKey(spkiOf(tlv(0x04, ordinary)), params)).toEqual(ordinary);
    });
  }

  it('rejects bytes that are a point in neither reading', () => {
    const params = domainParameters(13) as EcDomainParameters;
    const point = encodeEcPoint(params, params.curve.BASE);
    const offCurve = point.slice();
    offCurve[offCurve.length - 1]! ^= 1;
    expect(ecPublicPoint(params, offCurve)).toBeUndefined();
    expect(ecPublicPoint(params, tlv(0x04, offCurve))).toBeUndefined();
    // A wrapper whose length byte does not say 1 + 2·fieldSize is not unwrapped.
    expect(ecPublicPoint(params, concat(Uint8Array.of(0x04, 0x40), point))).toBeUndefined();
    expect(() => ecStaticPublicKey(spkiOf(offCurve), params)).toThrow(MalformedData);
  });
});
