import { bigToBytes, type HashName, type SmCipher } from '@cccd/emrtd/codec';
import type { ActiveAuthenticationKey, ChipAuthenticationKey } from '../card/image.js';
import { CURVES, type CurveName, deriveEcKeyPair, deriveRsaKeyPair, type RsaBits, type Seed } from '../pki/index.js';

/** Standardised domain parameter IDs (ICAO 9303-11 §9.5.1) → curves the test PKI can derive keys on. */
export const CURVE_BY_PARAMETER_ID: Record<number, CurveName> = {
  12: 'P-256',
  13: 'brainpoolP256r1',
  15: 'P-384',
  16: 'brainpoolP384r1',
};

/** Curve names as the card image records them (ICAO/SEC names). */
const IMAGE_CURVE_NAME: Record<CurveName, string> = {
  'P-256': 'secp256r1',
  'P-384': 'secp384r1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};

export function curveForParameterId(parameterId: number): CurveName {
  const c = CURVE_BY_PARAMETER_ID[parameterId];
  if (!c) throw new RangeError(`domain parameter ID ${parameterId} is not a curve the simulator personalises`);
  return c;
}

/** Chip authentication ECDH key pair, derived from the card seed (the same seed gives the same DG14). */
export function chipAuthenticationKey(
  seed: Seed,
  parameterId = 13,
  cipher: SmCipher = 'AES-128',
  keyId?: number,
): ChipAuthenticationKey {
  const curve = curveForParameterId(parameterId);
  const pair = deriveEcKeyPair(seed, 'card:chip-authentication', curve);
  return {
    keyAgreement: 'ECDH',
    cipher,
    parameterId,
    ...(keyId === undefined ? {} : { keyId }),
    privateKey: bigToBytes(pair.d, CURVES[curve].size),
    publicKey: pair.publicPoint,
  };
}

export interface ActiveAuthenticationChoice {
  type: 'RSA' | 'ECDSA';
  rsaBits?: RsaBits;
  /** ECDSA curve, default brainpoolP256r1 (the curve the CCCD uses everywhere else). */
  curve?: CurveName;
  /** ECDSA hash named in DG14's ActiveAuthenticationInfo, default SHA-256. */
  hash?: HashName;
}

/** Active authentication key pair (DG15 holds the SubjectPublicKeyInfo). */
export function activeAuthenticationKey(seed: Seed, choice: ActiveAuthenticationChoice): ActiveAuthenticationKey {
  if (choice.type === 'RSA') {
    const pair = deriveRsaKeyPair(seed, 'card:active-authentication', choice.rsaBits ?? 2048);
    return {
      type: 'RSA',
      privateKeyDer: new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })),
      publicKeyDer: pair.spkiDer,
    };
  }
  const curve = choice.curve ?? 'brainpoolP256r1';
  const pair = deriveEcKeyPair(seed, 'card:active-authentication', curve);
  return {
    type: 'ECDSA',
    curve: IMAGE_CURVE_NAME[curve],
    privateKey: bigToBytes(pair.d, CURVES[curve].size),
    publicKeyDer: pair.spkiDer,
    hash: choice.hash ?? 'SHA-256',
  };
}
