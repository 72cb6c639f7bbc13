import {
  bigToBytes,
  bytesToBig,
  type DomainParameters,
  decodeDhElement,
  decodeEcPoint,
  type EcPoint,
  encodeDhElement,
  encodeEcPoint,
  modPow,
} from '@cccd/emrtd/codec';

/** A group element: a curve point (ECDH) or a residue mod p (DH). */
export type GroupElement = EcPoint | bigint;

/**
 * The few group operations the chip's PACE and CA need, over either an elliptic curve or a MODP group, so the
 * protocol code is written once. Decoding a peer element throws (callers answer 6A80).
 */
export interface CardGroup {
  readonly params: DomainParameters;
  readonly generator: GroupElement;
  /** Tag of the public key in a 7F49 public key data object: 86 (EC point) or 84 (DH value). */
  readonly publicKeyTag: 0x84 | 0x86;
  /** Draws a private key in [1, order-1] from the chip's random source. */
  randomPrivate(random: (n: number) => Uint8Array): bigint;
  multiply(element: GroupElement, k: bigint): GroupElement;
  combine(a: GroupElement, b: GroupElement): GroupElement;
  isIdentity(e: GroupElement): boolean;
  equals(a: GroupElement, b: GroupElement): boolean;
  decode(bytes: Uint8Array): GroupElement;
  encode(e: GroupElement): Uint8Array;
  /** Shared secret bytes of ICAO 9303-11 §9.6: x-coordinate (EC) or the element itself (DH). */
  secret(e: GroupElement): Uint8Array;
  /** Bit length of the field prime p. */
  readonly primeBits: number;
  readonly prime: bigint;
}

function randomBelow(order: bigint, random: (n: number) => Uint8Array): bigint {
  const len = Math.ceil(order.toString(2).length / 8);
  // Rejection sampling; the bound keeps a broken random source from looping forever.
  for (let i = 0; i < 64; i++) {
    const k = bytesToBig(random(len));
    if (k > 0n && k < order) return k;
  }
  return (bytesToBig(random(len + 8)) % (order - 1n)) + 1n;
}

export function cardGroup(params: DomainParameters): CardGroup {
  if (params.kind === 'EC') {
    const { p, n } = params.curve.CURVE();
    const asPoint = (e: GroupElement) => e as EcPoint;
    return {
      params,
      generator: params.curve.BASE,
      publicKeyTag: 0x86,
      primeBits: p.toString(2).length,
      prime: p,
      randomPrivate: (random) => randomBelow(n, random),
      multiply: (e, k) => asPoint(e).multiply(k),
      combine: (a, b) => asPoint(a).add(asPoint(b)),
      isIdentity: (e) => asPoint(e).is0(),
      equals: (a, b) => asPoint(a).equals(asPoint(b)),
      decode: (bytes) => decodeEcPoint(params, bytes),
      encode: (e) => encodeEcPoint(params, asPoint(e)),
      secret: (e) => bigToBytes(asPoint(e).toAffine().x, params.fieldSize),
    };
  }
  const asValue = (e: GroupElement) => e as bigint;
  return {
    params,
    generator: params.g,
    publicKeyTag: 0x84,
    primeBits: params.p.toString(2).length,
    prime: params.p,
    randomPrivate: (random) => randomBelow(params.q, random),
    multiply: (e, k) => modPow(asValue(e), k, params.p),
    combine: (a, b) => (asValue(a) * asValue(b)) % params.p,
    isIdentity: (e) => asValue(e) === 1n,
    equals: (a, b) => a === b,
    decode: (bytes) => decodeDhElement(params, bytes),
    encode: (e) => encodeDhElement(params, asValue(e)),
    secret: (e) => encodeDhElement(params, asValue(e)),
  };
}
