/**
 * One entry point for every signature a verifier meets (SOD, certificates, CRLs, master lists): dispatch on the
 * AlgorithmIdentifier, verify with pure-JS RSA / @noble ECDSA, and apply the quirk policy for known national
 * deviations. A quirk is accepted only when the policy enables it, and it is always reported.
 */

import { type AlgorithmIdentifier, children, readBigInt, readNested, readOid, TAG } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import type { Tlv } from '../codec/tlv.js';
import { type EcDomainParameters, ecParametersByName } from '../crypto/domain-params.js';
import { digest, type HashName } from '../crypto/hash.js';
import { EmrtdError, UnsupportedAlgorithm } from '../errors.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import {
  EC_CURVE_NAMES,
  type EcKeyTables,
  ecdsaSignatureCandidates,
  ecPublicPoint,
  resolveCurve,
  verifyEcdsaDigest,
} from './ec.js';
import { type Reason, reason } from './reasons.js';
import { HASH_LENGTH, type PssParameters, verifyPkcs1, verifyPss } from './rsa.js';

/** Known national deviations; all off by default. */
export interface QuirkPolicy {
  /** ECDSA Ecdsa-Sig-Value in BER rather than DER (superfluous zeros, long lengths). */
  nonDerEcdsa?: boolean;
  /** PKCS#1 v1.5 signature where RSASSA-PSS is declared (by the key's certificate or the signer info). */
  pkcs1WithPssKey?: boolean;
  /** The signature verifies only on another curve than the declared one (e.g. some LT documents). */
  curveMismatch?: boolean;
}

export const HASH_BY_OID: Record<string, HashName> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha224]: 'SHA-224',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

const PKCS1: Record<string, HashName> = {
  [OID.sha1WithRSAEncryption]: 'SHA-1',
  [OID.sha224WithRSAEncryption]: 'SHA-224',
  [OID.sha256WithRSAEncryption]: 'SHA-256',
  [OID.sha384WithRSAEncryption]: 'SHA-384',
  [OID.sha512WithRSAEncryption]: 'SHA-512',
};

const ECDSA: Record<string, HashName> = {
  [OID.ecdsaWithSHA1]: 'SHA-1',
  [OID.ecdsaWithSHA224]: 'SHA-224',
  [OID.ecdsaWithSHA256]: 'SHA-256',
  [OID.ecdsaWithSHA384]: 'SHA-384',
  [OID.ecdsaWithSHA512]: 'SHA-512',
  [OID.ecdsaPlainSHA1]: 'SHA-1',
  [OID.ecdsaPlainSHA224]: 'SHA-224',
  [OID.ecdsaPlainSHA256]: 'SHA-256',
  [OID.ecdsaPlainSHA384]: 'SHA-384',
  [OID.ecdsaPlainSHA512]: 'SHA-512',
};

const hashToken = (h: HashName) => h.replace('-', '').toLowerCase();
const CURVE_TOKEN: Record<string, string> = {
  secp192r1: 'p192',
  secp224r1: 'p224',
  secp256r1: 'p256',
  secp384r1: 'p384',
  secp521r1: 'p521',
};
const curveToken = (name: string) => CURVE_TOKEN[name] ?? name;

function algorithmParams(alg: AlgorithmIdentifier): Tlv | undefined {
  if (!alg.parameters) return undefined;
  const t = readNested(alg.parameters, 'AlgorithmIdentifier', 0);
  return t.tag === TAG.NULL ? undefined : t;
}

function hashOfAlgorithmId(t: Tlv | undefined, file: string): HashName {
  const [oidT] = children(t!, file);
  const oid = readOid(oidT, file);
  const h = HASH_BY_OID[oid];
  if (!h) throw new UnsupportedAlgorithm(`hash ${oid}`);
  return h;
}

/** RSASSA-PSS-params (RFC 4055 3.1) with their DEFAULTs (SHA-1, MGF1-SHA-1, salt 20, trailer 1). */
export function parsePssParameters(alg: AlgorithmIdentifier): PssParameters {
  const file = 'RSASSA-PSS-params';
  const out: PssParameters = { hash: 'SHA-1', mgfHash: 'SHA-1', saltLength: 20, trailerField: 1 };
  const seq = algorithmParams(alg);
  if (!seq) return out;
  if (seq.tag !== TAG.SEQUENCE) throw new UnsupportedAlgorithm('PSS parameters are not a SEQUENCE');
  for (const field of children(seq, file)) {
    const inner = readNested(field.value, file, field.offset + field.headerLength);
    if (field.tag === 0xa0) out.hash = hashOfAlgorithmId(inner, file);
    else if (field.tag === 0xa1) {
      const [mgfOid, mgfHash] = children(inner, file);
      if (readOid(mgfOid, file) !== OID.mgf1) throw new UnsupportedAlgorithm('PSS mask generation function');
      out.mgfHash = hashOfAlgorithmId(mgfHash, file);
    } else if (field.tag === 0xa2) {
      const n = readBigInt(inner, file);
      if (n < 0n || n > 1024n) throw new UnsupportedAlgorithm('PSS salt length');
      out.saltLength = Number(n);
    } else if (field.tag === 0xa3) out.trailerField = Number(readBigInt(inner, file) & 0xffn);
  }
  return out;
}

export interface SignatureInput {
  /** signatureAlgorithm of SignerInfo / Certificate / CRL. */
  algorithm: AlgorithmIdentifier;
  /** SignerInfo digestAlgorithm: needed when `algorithm` is the bare key OID (rsaEncryption, id-ecPublicKey). */
  digestAlgorithm?: HashName;
  spki: SubjectPublicKeyInfo;
  /** The exact bytes that were signed. */
  data: Uint8Array;
  signature: Uint8Array;
  quirks?: QuirkPolicy;
}

export interface SignatureCheck {
  valid: boolean;
  /** Algorithm name in the project's notation, e.g. 'rsa-pss-sha256', 'ecdsa-brainpoolP256r1-explicit-sha256'. */
  algorithm: string;
  hash?: HashName;
  curve?: string;
  explicitParameters?: boolean;
  /** Set when the algorithm or key cannot be handled at all (→ verdict reason '*-unsupported'). */
  unsupported?: string;
  reasons: Reason[];
}

function describeRsa(scheme: 'pkcs1' | 'pss', hash: HashName): string {
  return `rsa-${scheme}-${hashToken(hash)}`;
}

function verifyRsa(input: SignatureInput, scheme: 'pkcs1' | 'pss', hashHint: HashName | undefined): SignatureCheck {
  const key = input.spki.publicKey;
  if (key.kind !== 'rsa') throw new UnsupportedAlgorithm('RSA signature with a non-RSA key');
  const quirks = input.quirks ?? {};
  const pssKey = input.spki.algorithm.oid === OID.rsassaPss;
  let pss: PssParameters | undefined;
  if (scheme === 'pss') {
    // SignerInfo may omit the parameters when the certificate carries them.
    pss = parsePssParameters(input.algorithm.parameters ? input.algorithm : input.spki.algorithm);
  }
  const hash = pss?.hash ?? hashHint;
  if (!hash) throw new UnsupportedAlgorithm('no hash for RSA signature');
  const h = digest(hash, input.data);
  const out: SignatureCheck = { valid: false, algorithm: describeRsa(scheme, hash), hash, reasons: [] };
  if (pss) out.valid = verifyPss(key, pss, h, input.signature);
  else if (verifyPkcs1(key, hash, h, input.signature)) {
    if (!pssKey) out.valid = true;
    else acceptQuirk(out, quirks.pkcs1WithPssKey, 'quirk-pkcs1-with-pss-key', 'pkcs1-with-pss-key');
  }
  // A PSS label (in SignerInfo or the key) on what is really a PKCS#1 signature with the same key and hash:
  // the same national deviation (e.g. some TR ID cards).
  if (!out.valid && pss && verifyPkcs1(key, hash, h, input.signature)) {
    out.algorithm = describeRsa('pkcs1', hash);
    acceptQuirk(out, quirks.pkcs1WithPssKey, 'quirk-pkcs1-with-pss-key', 'pkcs1-with-pss-key');
  }
  return out;
}

function acceptQuirk(
  out: SignatureCheck,
  enabled: boolean | undefined,
  code: 'quirk-pkcs1-with-pss-key' | 'quirk-non-der-ecdsa' | 'quirk-curve-mismatch',
  quirk: string,
  params: Record<string, string> = {},
): void {
  if (enabled) {
    out.valid = true;
    out.reasons.push(reason(code, params));
  } else out.reasons.push(reason('quirk-rejected', { quirk }));
}

function tryCurve(params: EcDomainParameters, input: SignatureInput, h: Uint8Array, tables?: EcKeyTables) {
  const point = input.spki.publicKey.kind === 'ec' ? ecPublicPoint(params, input.spki.publicKey.point) : undefined;
  if (!point) return undefined;
  for (const c of ecdsaSignatureCandidates(input.signature, params.orderBytes))
    if (verifyEcdsaDigest(params, point, h, c.r, c.s, tables)) return c;
  return undefined;
}

function verifyEc(input: SignatureInput, hash: HashName, tables?: EcKeyTables): SignatureCheck {
  if (input.spki.publicKey.kind !== 'ec') throw new UnsupportedAlgorithm('ECDSA signature with a non-EC key');
  const resolved = resolveCurve(input.spki.domainParameters);
  if (!resolved) throw new UnsupportedAlgorithm('EC domain parameters are not a known curve');
  const { params, explicit } = resolved;
  const quirks = input.quirks ?? {};
  const h = digest(hash, input.data);
  const name = `ecdsa-${curveToken(params.name)}${explicit ? '-explicit' : ''}-${hashToken(hash)}`;
  const out: SignatureCheck = {
    valid: false,
    algorithm: name,
    hash,
    curve: params.name,
    explicitParameters: explicit,
    reasons: [],
  };
  if (explicit) out.reasons.push(reason('ec-explicit-parameters', { curve: params.name }));
  const hit = tryCurve(params, input, h, tables);
  if (hit) {
    if (hit.form === 'der') out.valid = true;
    else if (hit.form === 'plain') {
      out.valid = true;
      out.reasons.push(reason('ecdsa-plain-signature'));
    } else acceptQuirk(out, quirks.nonDerEcdsa, 'quirk-non-der-ecdsa', 'non-der-ecdsa');
    return out;
  }
  for (const other of EC_CURVE_NAMES) {
    if (other === params.name) continue;
    const alt = ecParametersByName(other);
    if (alt.fieldSize !== params.fieldSize) continue;
    const altHit = tryCurve(alt, input, h, tables);
    if (altHit && (altHit.form !== 'non-der' || quirks.nonDerEcdsa)) {
      acceptQuirk(out, quirks.curveMismatch, 'quirk-curve-mismatch', 'curve-mismatch', { curve: other });
      return out;
    }
  }
  return out;
}

/**
 * Verifies one signature. Unknown algorithms or keys give `unsupported` (valid false) rather than throwing;
 * malformed parameters inside the AlgorithmIdentifier likewise. `tables` (e.g. a VerificationCache) supplies
 * precomputed tables for EC keys used many times; the verdict does not depend on it.
 */
export function verifySignature(input: SignatureInput, tables?: EcKeyTables): SignatureCheck {
  const oid = input.algorithm.oid;
  try {
    if (PKCS1[oid]) return verifyRsa(input, 'pkcs1', PKCS1[oid]);
    if (oid === OID.rsassaPss) return verifyRsa(input, 'pss', undefined);
    if (oid === OID.rsaEncryption) return verifyRsa(input, 'pkcs1', input.digestAlgorithm);
    if (ECDSA[oid]) return verifyEc(input, ECDSA[oid], tables);
    if (oid === OID.ecPublicKey && input.digestAlgorithm) return verifyEc(input, input.digestAlgorithm, tables);
    throw new UnsupportedAlgorithm(`signature algorithm ${oid}`);
  } catch (e) {
    if (!(e instanceof UnsupportedAlgorithm || e instanceof EmrtdError)) throw e;
    const detail = e instanceof UnsupportedAlgorithm ? e.message : 'malformed algorithm parameters';
    return { valid: false, algorithm: oid, unsupported: detail, reasons: [] };
  }
}

export function hashLength(hash: HashName): number {
  return HASH_LENGTH[hash];
}
