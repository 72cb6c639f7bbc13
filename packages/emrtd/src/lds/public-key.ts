/**
 * SubjectPublicKeyInfo (RFC 5280) as found in DG15 (AA key), DG14 / CardSecurity (ChipAuthenticationPublicKeyInfo,
 * TR-03110-3 A.1.2.3) and DS certificates. Domain parameters are kept raw and parsed where the shape is known:
 * named curve OID, explicit ECParameters (RFC 3279), DH parameters (PKCS #3 or X9.42).
 */

import {
  type AlgorithmIdentifier,
  children,
  expectTag,
  malformed,
  rawTlv,
  readBigInt,
  readBitString,
  readNested,
  readOctets,
  readOid,
  readRoot,
  readUint,
  TAG,
} from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import type { Tlv } from '../codec/tlv.js';

export interface ExplicitEcParameters {
  /** Prime p of the prime field. */
  p: bigint;
  a: bigint;
  b: bigint;
  /** Base point G, as encoded (usually uncompressed 04‖x‖y). */
  generator: Uint8Array;
  order: bigint;
  cofactor?: bigint;
}

export interface DhParameters {
  p: bigint;
  g: bigint;
  q?: bigint;
}

export type KeyDomainParameters =
  | { kind: 'named-curve'; curveOid: string }
  | { kind: 'ec-explicit'; ec: ExplicitEcParameters }
  | { kind: 'dh'; dh: DhParameters }
  /** Standardized domain parameters by ID (TR-03110-3 A.2.1.1, id 0.4.0.127.0.7.1.2). */
  | { kind: 'standardized'; parameterId: number }
  | { kind: 'unknown' };

export type PublicKey =
  /**
   * The BIT STRING contents as found: the point (SEC 1 §2.3.3), or — from some TR-03110 producers — the point
   * wrapped in an OCTET STRING. Only the curve can tell those apart: read it with `ecPublicPoint` (pki/ec.ts).
   */
  | { kind: 'ec'; point: Uint8Array }
  | { kind: 'rsa'; modulus: bigint; exponent: bigint }
  | { kind: 'dh'; y: bigint }
  | { kind: 'unknown' };

export interface SubjectPublicKeyInfo {
  /** Full SPKI DER bytes as read. */
  raw: Uint8Array;
  algorithm: AlgorithmIdentifier;
  /** Parsed view of `algorithm.parameters` (absent when there are none or they are NULL). */
  domainParameters?: KeyDomainParameters;
  /** subjectPublicKey BIT STRING content (without the unused-bits byte). */
  publicKeyBytes: Uint8Array;
  publicKey: PublicKey;
}

export const STANDARDIZED_DOMAIN_PARAMETERS = '0.4.0.127.0.7.1.2';
const PRIME_FIELD = OID.primeField;

function parseExplicitEc(seq: Tlv, file: string): ExplicitEcParameters {
  const [version, fieldId, curve, base, order, cofactor] = children(seq, file);
  readUint(version, file, seq.offset);
  const [fieldType, prime] = children(expectTag(fieldId, TAG.SEQUENCE, file, seq.offset), file);
  if (readOid(fieldType, file, fieldId!.offset) !== PRIME_FIELD)
    throw malformed(file, fieldType!.offset, 'only prime-field curves are supported');
  const [a, b] = children(expectTag(curve, TAG.SEQUENCE, file, seq.offset), file);
  const unsigned = (t: Tlv | undefined) => {
    const bytes = readOctets(t, file, curve!.offset);
    let n = 0n;
    for (const x of bytes) n = (n << 8n) | BigInt(x);
    return n;
  };
  const ec: ExplicitEcParameters = {
    p: readBigInt(prime, file, fieldId!.offset),
    a: unsigned(a),
    b: unsigned(b),
    generator: readOctets(base, file, seq.offset),
    order: readBigInt(order, file, seq.offset),
  };
  if (cofactor) ec.cofactor = readBigInt(cofactor, file, seq.offset);
  return ec;
}

function parseDh(kids: Tlv[], file: string, at: number): DhParameters {
  const dh: DhParameters = { p: readBigInt(kids[0], file, at), g: readBigInt(kids[1], file, at) };
  // PKCS #3 DHParameter: {p, g, privateValueLength?}; X9.42 KeyDomainParameters: {p, g, q, j?, validationParms?}.
  if (kids[2]?.tag === TAG.INTEGER && kids.length > 2) dh.q = readBigInt(kids[2], file, at);
  return dh;
}

/**
 * Parses AlgorithmIdentifier parameters given the algorithm OID; unknown shapes are reported as 'unknown' (the raw
 * bytes stay in the AlgorithmIdentifier).
 */
export function readDomainParameters(algorithm: string, t: Tlv, file: string): KeyDomainParameters | undefined {
  if (algorithm === STANDARDIZED_DOMAIN_PARAMETERS) return { kind: 'standardized', parameterId: readUint(t, file) };
  if (t.tag === TAG.NULL) return undefined;
  if (t.tag === TAG.OID) return { kind: 'named-curve', curveOid: readOid(t, file) };
  if (t.tag !== TAG.SEQUENCE) return { kind: 'unknown' };
  const kids = children(t, file);
  if (kids[0]?.tag === TAG.INTEGER && kids[1]?.tag === TAG.SEQUENCE)
    return { kind: 'ec-explicit', ec: parseExplicitEc(t, file) };
  if (kids[0]?.tag === TAG.INTEGER && kids[1]?.tag === TAG.INTEGER)
    return { kind: 'dh', dh: parseDh(kids, file, t.offset) };
  return { kind: 'unknown' };
}

const EC_ALGORITHMS = new Set<string>([OID.ecPublicKey, OID.pkECDH]);
const DH_ALGORITHMS = new Set<string>([OID.dhPublicNumber, OID.pkDH]);

function parsePublicKey(algorithm: string, bytes: Uint8Array, file: string, base: number): PublicKey {
  if (EC_ALGORITHMS.has(algorithm)) {
    if (bytes.length === 0) throw malformed(file, base, 'empty EC public point');
    return { kind: 'ec', point: bytes };
  }
  if (algorithm === OID.rsaEncryption || algorithm === OID.rsassaPss) {
    const seq = readNested(bytes, file, base, TAG.SEQUENCE);
    const [n, e] = children(seq, file);
    return { kind: 'rsa', modulus: readBigInt(n, file, base), exponent: readBigInt(e, file, base) };
  }
  if (DH_ALGORITHMS.has(algorithm)) {
    return { kind: 'dh', y: readBigInt(readNested(bytes, file, base), file) };
  }
  return { kind: 'unknown' };
}

/** Parses a SubjectPublicKeyInfo element already located inside a file. */
export function readSubjectPublicKeyInfo(t: Tlv | undefined, file: string, at = 0): SubjectPublicKeyInfo {
  const seq = expectTag(t, TAG.SEQUENCE, file, at);
  const [alg, key, extra] = children(seq, file);
  if (extra) throw malformed(file, extra.offset, 'unexpected element in SubjectPublicKeyInfo');
  const algSeq = expectTag(alg, TAG.SEQUENCE, file, seq.offset);
  const [oidTlv, params, extraParam] = children(algSeq, file);
  if (extraParam) throw malformed(file, extraParam.offset, 'unexpected element in AlgorithmIdentifier');
  const algorithm: AlgorithmIdentifier = { oid: readOid(oidTlv, file, algSeq.offset) };
  const out: Omit<SubjectPublicKeyInfo, 'publicKey' | 'publicKeyBytes'> = { raw: rawTlv(seq), algorithm };
  if (params) {
    algorithm.parameters = rawTlv(params);
    const dp = readDomainParameters(algorithm.oid, params, file);
    if (dp) out.domainParameters = dp;
  }
  const publicKeyBytes = readBitString(key, file, seq.offset);
  const keyOffset = key!.offset + key!.headerLength + 1;
  return { ...out, publicKeyBytes, publicKey: parsePublicKey(algorithm.oid, publicKeyBytes, file, keyOffset) };
}

/** Parses a standalone DER SubjectPublicKeyInfo. */
export function parseSubjectPublicKeyInfo(bytes: Uint8Array, file = 'SubjectPublicKeyInfo'): SubjectPublicKeyInfo {
  return readSubjectPublicKeyInfo(readRoot(bytes, file), file);
}
