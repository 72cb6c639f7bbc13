/** Signature algorithm names used across the project, their AlgorithmIdentifiers, and signing/verification. */
import { constants, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  algorithmIdentifier,
  bigToBytes,
  digest,
  explicit,
  HASH_LENGTH,
  type HashName,
  integer,
  nullValue,
  OID,
  sequence,
} from '@cccd/emrtd/codec';
import { CURVES, type CurveName } from './curves.js';
import type { Seed } from './drbg.js';
import { deriveEcKeyPair, deriveRsaKeyPair, type RsaBits, type TestKeyPair } from './keys.js';
import { signPss } from './pss.js';

export const SIGNATURE_ALGORITHMS = [
  'rsa-pkcs1-sha1',
  'rsa-pkcs1-sha224',
  'rsa-pkcs1-sha256',
  'rsa-pkcs1-sha384',
  'rsa-pkcs1-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ecdsa-brainpoolP256r1-sha256',
  'ecdsa-brainpoolP384r1-sha384',
  'ecdsa-brainpoolP512r1-sha512',
  'ecdsa-p256-explicit-sha256',
  'ecdsa-p384-explicit-sha384',
  'ecdsa-brainpoolP256r1-explicit-sha256',
  'ecdsa-brainpoolP384r1-explicit-sha384',
  'ecdsa-brainpoolP512r1-explicit-sha512',
] as const;

export type SignatureAlgorithmName = (typeof SIGNATURE_ALGORITHMS)[number];

export type SignatureAlgorithmSpec =
  | { kind: 'rsa'; scheme: 'pkcs1' | 'pss'; hash: HashName }
  | { kind: 'ec'; curve: CurveName; explicitParameters: boolean; hash: HashName };

const HASH_BY_SUFFIX: Record<string, HashName> = {
  sha1: 'SHA-1',
  sha224: 'SHA-224',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};
const CURVE_BY_TOKEN: Record<string, CurveName> = {
  p256: 'P-256',
  p384: 'P-384',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};

export function isSignatureAlgorithmName(name: string): name is SignatureAlgorithmName {
  return (SIGNATURE_ALGORITHMS as readonly string[]).includes(name);
}

export function signatureAlgorithmSpec(name: SignatureAlgorithmName): SignatureAlgorithmSpec {
  if (!isSignatureAlgorithmName(name)) throw new RangeError(`unknown signature algorithm: ${String(name)}`);
  const parts = name.split('-');
  const hash = HASH_BY_SUFFIX[parts[parts.length - 1]!]!;
  if (parts[0] === 'rsa') return { kind: 'rsa', scheme: parts[1] as 'pkcs1' | 'pss', hash };
  return { kind: 'ec', curve: CURVE_BY_TOKEN[parts[1]!]!, explicitParameters: parts[2] === 'explicit', hash };
}

/** OID of a hash; OpenSSL and node use the lower-case names without dash. */
export const HASH_OID: Record<HashName, string> = {
  'SHA-1': OID.sha1,
  'SHA-224': OID.sha224,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};
export const nodeHashName = (hash: HashName): string => hash.replace('-', '').toLowerCase();

const RSA_PKCS1_OID: Record<HashName, string> = {
  'SHA-1': OID.sha1WithRSAEncryption,
  'SHA-224': OID.sha224WithRSAEncryption,
  'SHA-256': OID.sha256WithRSAEncryption,
  'SHA-384': OID.sha384WithRSAEncryption,
  'SHA-512': OID.sha512WithRSAEncryption,
};
const ECDSA_OID: Record<HashName, string> = {
  'SHA-1': OID.ecdsaWithSHA1,
  'SHA-224': OID.ecdsaWithSHA224,
  'SHA-256': OID.ecdsaWithSHA256,
  'SHA-384': OID.ecdsaWithSHA384,
  'SHA-512': OID.ecdsaWithSHA512,
};

/** Hash AlgorithmIdentifier; `withNullParameters` chooses between the two encodings RFC 5754 allows. */
export function hashAlgorithmIdentifier(hash: HashName, withNullParameters = false): Uint8Array {
  return algorithmIdentifier(HASH_OID[hash], withNullParameters ? nullValue() : undefined);
}

/** RSASSA-PSS-params (RFC 4055): hash, MGF1 with the same hash, salt length = hash length, trailer default. */
export function pssParametersDer(hash: HashName): Uint8Array {
  const h = hashAlgorithmIdentifier(hash, true);
  return sequence(
    explicit(0, h),
    explicit(1, algorithmIdentifier(OID.mgf1, h)),
    explicit(2, integer(HASH_LENGTH[hash])),
  );
}

/** The signatureAlgorithm AlgorithmIdentifier (certificates, CRLs, SignerInfo). */
export function signatureAlgorithmIdentifier(name: SignatureAlgorithmName): Uint8Array {
  const spec = signatureAlgorithmSpec(name);
  if (spec.kind === 'ec') return algorithmIdentifier(ECDSA_OID[spec.hash]);
  if (spec.scheme === 'pss') return algorithmIdentifier(OID.rsassaPss, pssParametersDer(spec.hash));
  return algorithmIdentifier(RSA_PKCS1_OID[spec.hash], nullValue());
}

/** The key pair an algorithm needs, derived from (seed, label); RSA size defaults to 2048 bits. */
export function deriveKeyPairFor(
  seed: Seed,
  label: string,
  name: SignatureAlgorithmName,
  rsaBits: RsaBits = 2048,
): TestKeyPair {
  const spec = signatureAlgorithmSpec(name);
  return spec.kind === 'rsa'
    ? deriveRsaKeyPair(seed, label, rsaBits)
    : deriveEcKeyPair(seed, label, spec.curve, spec.explicitParameters);
}

export type EcdsaSignatureFormat = 'der' | 'plain';

export interface SignOptions {
  /** ECDSA only: DER Ecdsa-Sig-Value (default) or plain r‖s (BSI TR-03111), a quirk real verifiers meet. */
  ecdsaFormat?: EcdsaSignatureFormat;
}

function checkKeyFits(key: TestKeyPair, spec: SignatureAlgorithmSpec, name: string): void {
  if (key.kind !== spec.kind || (spec.kind === 'ec' && key.kind === 'ec' && key.curve !== spec.curve))
    throw new TypeError(`signWith: key does not fit ${name}`);
}

/**
 * Signs `data` (hashing it with the algorithm's hash). Deterministic: PKCS#1 v1.5 is by nature, ECDSA uses
 * RFC 6979 nonces, PSS uses a salt derived from the key and message.
 */
export function signWith(
  key: TestKeyPair,
  name: SignatureAlgorithmName,
  data: Uint8Array,
  options: SignOptions = {},
): Uint8Array {
  const spec = signatureAlgorithmSpec(name);
  checkKeyFits(key, spec, name);
  if (spec.kind === 'ec' && key.kind === 'ec') {
    const curve = CURVES[spec.curve];
    const format = options.ecdsaFormat === 'plain' ? 'compact' : 'der';
    return curve.noble.sign(digest(spec.hash, data), bigToBytes(key.d, curve.size), { prehash: false, format });
  }
  if (spec.kind === 'rsa' && key.kind === 'rsa') {
    if (spec.scheme === 'pss') return signPss(key, spec.hash, data);
    return new Uint8Array(
      nodeSign(nodeHashName(spec.hash), data, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }),
    );
  }
  throw new TypeError(`signWith: key does not fit ${name}`);
}

/** Verifies with node:crypto (OpenSSL), independently of the signing code above. */
export function verifyWith(
  key: TestKeyPair,
  name: SignatureAlgorithmName,
  data: Uint8Array,
  signature: Uint8Array,
  options: SignOptions = {},
): boolean {
  const spec = signatureAlgorithmSpec(name);
  checkKeyFits(key, spec, name);
  const hash = nodeHashName(spec.hash);
  if (spec.kind === 'ec')
    return nodeVerify(
      hash,
      data,
      { key: key.publicKey, dsaEncoding: options.ecdsaFormat === 'plain' ? 'ieee-p1363' : 'der' },
      signature,
    );
  const padding = spec.scheme === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
  return nodeVerify(hash, data, { key: key.publicKey, padding, saltLength: HASH_LENGTH[spec.hash] }, signature);
}
