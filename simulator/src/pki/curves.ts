/** The ECDSA curves the test PKI signs with, with their named-curve OIDs and full domain parameters. */
import { OID } from '@cccd/emrtd/codec';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { p256, p384 } from '@noble/curves/nist.js';

export type CurveName = 'P-256' | 'P-384' | 'brainpoolP256r1' | 'brainpoolP384r1' | 'brainpoolP512r1';

export interface CurveDomain {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  h: bigint;
  Gx: bigint;
  Gy: bigint;
}

interface NobleCurve {
  sign(message: Uint8Array, secretKey: Uint8Array, opts: { prehash: boolean; format: 'der' | 'compact' }): Uint8Array;
  verify(
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
    opts: { prehash: boolean; format: 'der' | 'compact'; lowS: boolean },
  ): boolean;
  getPublicKey(secretKey: Uint8Array, compressed: boolean): Uint8Array;
  Point: { CURVE(): CurveDomain };
}

export interface CurveSpec {
  name: CurveName;
  oid: string;
  /** Name OpenSSL / node:crypto use. */
  nodeName: string;
  /** Field element and scalar length in bytes. */
  size: number;
  noble: NobleCurve;
}

export const CURVES: Record<CurveName, CurveSpec> = {
  'P-256': { name: 'P-256', oid: OID.secp256r1, nodeName: 'prime256v1', size: 32, noble: p256 },
  'P-384': { name: 'P-384', oid: OID.secp384r1, nodeName: 'secp384r1', size: 48, noble: p384 },
  brainpoolP256r1: {
    name: 'brainpoolP256r1',
    oid: OID.brainpoolP256r1,
    nodeName: 'brainpoolP256r1',
    size: 32,
    noble: brainpoolP256r1,
  },
  brainpoolP384r1: {
    name: 'brainpoolP384r1',
    oid: OID.brainpoolP384r1,
    nodeName: 'brainpoolP384r1',
    size: 48,
    noble: brainpoolP384r1,
  },
  // The curve of the public Vietnam ePassport CSCA (with explicit parameters and ecdsa-with-SHA512).
  brainpoolP512r1: {
    name: 'brainpoolP512r1',
    oid: OID.brainpoolP512r1,
    nodeName: 'brainpoolP512r1',
    size: 64,
    noble: brainpoolP512r1,
  },
};

export function curveDomain(name: CurveName): CurveDomain {
  return CURVES[name].noble.Point.CURVE();
}
