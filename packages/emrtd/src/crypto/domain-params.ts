/**
 * Standardized domain parameters of ICAO 9303-11 §9.5.1 (PACE / CA parameter IDs 0-2 and 8-18) and the small
 * amount of group arithmetic both sides of PACE and Chip Authentication need. Pure: shared by reader and simulator.
 */
import { type WeierstrassPoint, type WeierstrassPointCons, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { OID } from '../asn1/oids.js';
import { bigToBytes, bytesToBig } from '../codec/bytes.js';
import { EmrtdError, MalformedData } from '../errors.js';

export type EcPoint = WeierstrassPoint<bigint>;
export type EcCurve = WeierstrassPointCons<bigint>;

export interface EcDomainParameters {
  kind: 'EC';
  /** Standardized parameter ID (ICAO 9303-11 table 9.5.1), or -1 for a curve known only by name. */
  id: number;
  name: EcCurveName;
  curve: EcCurve;
  /** Bytes of one field element (one coordinate). */
  fieldSize: number;
  /** Bytes of the group order n. */
  orderBytes: number;
  /** Named-curve OID. */
  oid: string;
}

export interface DhDomainParameters {
  kind: 'DH';
  id: number;
  name: DhGroupName;
  p: bigint;
  g: bigint;
  q: bigint;
  /** Bytes of p: public keys and shared secrets are encoded on this many bytes. */
  byteLength: number;
}

export type DomainParameters = EcDomainParameters | DhDomainParameters;

export type EcCurveName =
  | 'secp192r1'
  | 'brainpoolP192r1'
  | 'secp224r1'
  | 'brainpoolP224r1'
  | 'secp256r1'
  | 'brainpoolP256r1'
  | 'brainpoolP320r1'
  | 'secp384r1'
  | 'brainpoolP384r1'
  | 'brainpoolP512r1'
  | 'secp521r1';

export type DhGroupName = 'MODP-1024-160' | 'MODP-2048-224' | 'MODP-2048-256';

const big = (h: string) => BigInt(`0x${h}`);

// Curves noble does not ship, with the constants of SEC 2 v2 (secp*) and RFC 5639 (brainpool*).
const EXPLICIT: Partial<Record<EcCurveName, { p: string; a: string; b: string; gx: string; gy: string; n: string }>> = {
  secp192r1: {
    p: 'fffffffffffffffffffffffffffffffeffffffffffffffff',
    a: 'fffffffffffffffffffffffffffffffefffffffffffffffc',
    b: '64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1',
    gx: '188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012',
    gy: '07192b95ffc8da78631011ed6b24cdd573f977a11e794811',
    n: 'ffffffffffffffffffffffff99def836146bc9b1b4d22831',
  },
  brainpoolP192r1: {
    p: 'c302f41d932a36cda7a3463093d18db78fce476de1a86297',
    a: '6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef',
    b: '469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9',
    gx: 'c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd6',
    gy: '14b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f',
    n: 'c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1',
  },
  secp224r1: {
    p: 'ffffffffffffffffffffffffffffffff000000000000000000000001',
    a: 'fffffffffffffffffffffffffffffffefffffffffffffffffffffffe',
    b: 'b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4',
    gx: 'b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21',
    gy: 'bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34',
    n: 'ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d',
  },
  brainpoolP224r1: {
    p: 'd7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff',
    a: '68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43',
    b: '2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b',
    gx: '0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d',
    gy: '58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd',
    n: 'd7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f',
  },
  brainpoolP320r1: {
    p: 'd35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27',
    a: '3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4',
    b: '520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6',
    gx: '43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611',
    gy: '14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1',
    n: 'd35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311',
  },
};

const BUILT_IN: Partial<Record<EcCurveName, EcCurve>> = {
  secp256r1: p256.Point,
  brainpoolP256r1: brainpoolP256r1.Point,
  secp384r1: p384.Point,
  brainpoolP384r1: brainpoolP384r1.Point,
  brainpoolP512r1: brainpoolP512r1.Point,
  secp521r1: p521.Point,
};

/** ICAO 9303-11 §9.5.1: standardized domain parameter IDs. 3-7 and 19-31 are reserved. */
const EC_IDS: Record<number, EcCurveName> = {
  8: 'secp192r1',
  9: 'brainpoolP192r1',
  10: 'secp224r1',
  11: 'brainpoolP224r1',
  12: 'secp256r1',
  13: 'brainpoolP256r1',
  14: 'brainpoolP320r1',
  15: 'secp384r1',
  16: 'brainpoolP384r1',
  17: 'brainpoolP512r1',
  18: 'secp521r1',
};

// RFC 5114 §2.1-2.3 (p, g, q).
const DH_GROUPS: Record<number, { name: DhGroupName; p: string; g: string; q: string }> = {
  0: {
    name: 'MODP-1024-160',
    p:
      'B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA9061123' +
      '24975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65' +
      'E68CFDA76D4DA708DF1FB2BC2E4A4371',
    g:
      'A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A' +
      '5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8' +
      '858F4DCEF97C2A24855E6EEB22B3B2E5',
    q: 'F518AA8781A8DF278ABA4E7D64B7CB9D49462353',
  },
  1: {
    name: 'MODP-2048-224',
    p:
      'AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E' +
      '1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE' +
      '6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486D' +
      'CDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29' +
      'E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F',
    g:
      'AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52' +
      'C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CD' +
      'B5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB' +
      '10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD' +
      '7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA',
    q: '801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB',
  },
  2: {
    name: 'MODP-2048-256',
    p:
      '87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA' +
      '3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8' +
      'BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D9' +
      '67E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103' +
      'A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597',
    g:
      '3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1' +
      'BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED38' +
      '64E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14' +
      'C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C3' +
      '2F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659',
    q: '8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3',
  },
};

const byteLen = (v: bigint) => Math.ceil(v.toString(2).length / 8);

const ecCache = new Map<EcCurveName, EcDomainParameters>();
const dhCache = new Map<number, DhDomainParameters>();

function curveOf(name: EcCurveName): EcCurve {
  const builtIn = BUILT_IN[name];
  if (builtIn) return builtIn;
  const c = EXPLICIT[name];
  if (!c) throw new EmrtdError('unsupported', `no curve ${name}`);
  return weierstrass({ p: big(c.p), n: big(c.n), h: 1n, a: big(c.a), b: big(c.b), Gx: big(c.gx), Gy: big(c.gy) });
}

/** The parameters of a named curve (also for curves met outside PACE, e.g. explicit parameters resolved by name). */
export function ecParametersByName(name: EcCurveName): EcDomainParameters {
  let params = ecCache.get(name);
  if (!params) {
    const curve = curveOf(name);
    const opts = curve.CURVE();
    const id = Number(Object.entries(EC_IDS).find(([, n]) => n === name)?.[0] ?? -1);
    params = { kind: 'EC', id, name, curve, fieldSize: byteLen(opts.p), orderBytes: byteLen(opts.n), oid: OID[name] };
    ecCache.set(name, params);
  }
  return params;
}

/** True for the IDs of the §9.5.1 table that this module implements (0-2, 8-18). */
export function isStandardizedDomainParameterId(id: number): boolean {
  return id in DH_GROUPS || id in EC_IDS;
}

/** Standardized domain parameters by ID; an unknown or reserved ID is `unsupported`. */
export function domainParameters(id: number): DomainParameters {
  const ecName = EC_IDS[id];
  if (ecName) return { ...ecParametersByName(ecName), id };
  const group = DH_GROUPS[id];
  if (!group) throw new EmrtdError('unsupported', `standardized domain parameter ID ${id} is not supported`);
  let params = dhCache.get(id);
  if (!params) {
    const p = big(group.p);
    params = { kind: 'DH', id, name: group.name, p, g: big(group.g), q: big(group.q), byteLength: byteLen(p) };
    dhCache.set(id, params);
  }
  return params;
}

// ---------------------------------------------------------------- EC helpers

/** Uncompressed point encoding 04 ‖ X ‖ Y (TR-03111 §3.2.1), each coordinate on fieldSize bytes. */
export function encodeEcPoint(params: EcDomainParameters, point: EcPoint): Uint8Array {
  if (point.is0()) throw new EmrtdError('invalid-argument', 'cannot encode the point at infinity');
  const { x, y } = point.toAffine();
  const out = new Uint8Array(1 + 2 * params.fieldSize);
  out[0] = 0x04;
  out.set(bigToBytes(x, params.fieldSize), 1);
  out.set(bigToBytes(y, params.fieldSize), 1 + params.fieldSize);
  return out;
}

/**
 * Decodes an uncompressed point sent by the other party and validates it: right length, coordinates below p,
 * on the curve, not the point at infinity (all §9.5.1 curves have cofactor 1, so that also proves subgroup
 * membership). Anything else is MalformedData naming `what`.
 */
export function decodeEcPoint(params: EcDomainParameters, bytes: Uint8Array, what = 'EC public key'): EcPoint {
  const n = params.fieldSize;
  if (bytes.length !== 1 + 2 * n || bytes[0] !== 0x04)
    throw new MalformedData(what, 0, `expected an uncompressed point of ${1 + 2 * n} bytes`);
  const x = bytesToBig(bytes.subarray(1, 1 + n));
  const y = bytesToBig(bytes.subarray(1 + n));
  const { p } = params.curve.CURVE();
  if (x >= p || y >= p) throw new MalformedData(what, 1, 'coordinate not below the field prime');
  const point = params.curve.fromAffine({ x, y });
  try {
    point.assertValidity();
  } catch {
    throw new MalformedData(what, 0, 'point is not on the curve');
  }
  if (point.is0()) throw new MalformedData(what, 0, 'point at infinity');
  return point;
}

/** Checks 1 ≤ k < n and returns k as a bigint. */
export function ecScalar(params: EcDomainParameters, key: bigint | Uint8Array): bigint {
  const k = typeof key === 'bigint' ? key : bytesToBig(key);
  if (k <= 0n || k >= params.curve.CURVE().n) throw new EmrtdError('invalid-argument', 'EC private key out of range');
  return k;
}

export function ecPublicKey(params: EcDomainParameters, privateKey: bigint | Uint8Array, generator?: EcPoint): EcPoint {
  return (generator ?? params.curve.BASE).multiply(ecScalar(params, privateKey));
}

/** Random private key in [1, n-1] (rejection sampling on orderBytes + 8 random bytes reduced mod n-1). */
export function randomEcPrivateKey(params: EcDomainParameters): bigint {
  const n = params.curve.CURVE().n;
  return (bytesToBig(randomBytes(params.orderBytes + 8)) % (n - 1n)) + 1n;
}

/** The ECDH point k·Q after validating Q; the shared secret of ICAO 9303-11 is its x-coordinate. */
export function ecdhSharedPoint(
  params: EcDomainParameters,
  privateKey: bigint | Uint8Array,
  peerPublic: Uint8Array | EcPoint,
): EcPoint {
  const q = peerPublic instanceof Uint8Array ? decodeEcPoint(params, peerPublic) : peerPublic;
  q.assertValidity();
  const s = q.multiply(ecScalar(params, privateKey));
  if (s.is0()) throw new MalformedData('EC public key', 0, 'shared point at infinity');
  return s;
}

/** ECDH shared secret: the x-coordinate of k·Q on fieldSize bytes (TR-03111 ECKA-DH, ICAO 9303-11 §9.6). */
export function ecdhSharedSecret(
  params: EcDomainParameters,
  privateKey: bigint | Uint8Array,
  peerPublic: Uint8Array | EcPoint,
): Uint8Array {
  return bigToBytes(ecdhSharedPoint(params, privateKey, peerPublic).toAffine().x, params.fieldSize);
}

// ---------------------------------------------------------------- DH helpers

/** base^exp mod m by square-and-multiply (BigInt has no modPow). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 1n) throw new RangeError('modPow: modulus must be > 1');
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  let result = 1n;
  let b = ((base % m) + m) % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Checks a DH group element from the other party: 1 < y < p-1 and y^q = 1 (it lies in the order-q subgroup). */
export function checkDhElement(params: DhDomainParameters, y: bigint, what = 'DH public key'): bigint {
  if (y <= 1n || y >= params.p - 1n) throw new MalformedData(what, 0, 'DH element out of range');
  if (modPow(y, params.q, params.p) !== 1n)
    throw new MalformedData(what, 0, 'DH element not in the prime-order subgroup');
  return y;
}

export function decodeDhElement(params: DhDomainParameters, bytes: Uint8Array, what = 'DH public key'): bigint {
  if (bytes.length === 0 || bytes.length > params.byteLength)
    throw new MalformedData(what, 0, `expected at most ${params.byteLength} bytes`);
  return checkDhElement(params, bytesToBig(bytes), what);
}

/** Big-endian on byteLength bytes (ICAO 9303-11 §9.4.1: public values and shared secrets keep leading zeros). */
export function encodeDhElement(params: DhDomainParameters, y: bigint): Uint8Array {
  return bigToBytes(y, params.byteLength);
}

/** Checks 1 ≤ x < q for a private exponent. */
export function dhExponent(params: DhDomainParameters, key: bigint | Uint8Array): bigint {
  const x = typeof key === 'bigint' ? key : bytesToBig(key);
  if (x <= 0n || x >= params.q) throw new EmrtdError('invalid-argument', 'DH private key out of range');
  return x;
}

export function dhPublicKey(params: DhDomainParameters, privateKey: bigint | Uint8Array, generator?: bigint): bigint {
  return modPow(generator ?? params.g, dhExponent(params, privateKey), params.p);
}

export function randomDhPrivateKey(params: DhDomainParameters): bigint {
  return (bytesToBig(randomBytes(byteLen(params.q) + 8)) % (params.q - 1n)) + 1n;
}

/** DH shared secret y^x mod p on byteLength bytes, after validating y. */
export function dhSharedSecret(
  params: DhDomainParameters,
  privateKey: bigint | Uint8Array,
  peerPublic: bigint | Uint8Array,
): Uint8Array {
  const y = typeof peerPublic === 'bigint' ? checkDhElement(params, peerPublic) : decodeDhElement(params, peerPublic);
  return encodeDhElement(params, modPow(y, dhExponent(params, privateKey), params.p));
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}
