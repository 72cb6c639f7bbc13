/**
 * Active Authentication signature check (ICAO 9303-11 §6.1): the chip signs a caller-chosen 8-byte challenge
 * with the DG15 key. RSA uses ISO/IEC 9796-2 digital signature scheme 1 (partial message recovery); ECDSA uses
 * the hash named by DG14's ActiveAuthenticationInfo. The APDU exchange itself belongs to the reader.
 */
import type { ActiveAuthenticationExchange } from '../aa/active-auth.js';
import { swHex } from '../apdu/status.js';
import { OID } from '../asn1/oids.js';
import { bigToBytes, bytesToBig, concat, equal } from '../codec/bytes.js';
import { modPow } from '../crypto/domain-params.js';
import { digest, type HashName } from '../crypto/hash.js';
import { EmrtdError } from '../errors.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { parseDg14 } from '../lds/dg14.js';
import { parseDg15 } from '../lds/dg15.js';
import { parseSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '../lds/public-key.js';
import { ecdsaSignatureCandidates, ecPublicPoint, resolveCurve, verifyEcdsaDigest } from '../pki/ec.js';
import { type Reason, reason } from '../pki/reasons.js';
import { bitLength, HASH_LENGTH } from '../pki/rsa.js';
import type { DataGroupStatus } from './passive.js';

/** refused: the chip answered INTERNAL AUTHENTICATE with an error status word (a warning, not a failure). */
export type ActiveAuthStatus = 'valid' | 'invalid' | 'refused' | 'not-checked';

export interface ActiveAuthInput {
  /** DG15 file bytes (tag 6F), a DER SubjectPublicKeyInfo, or a parsed one. */
  publicKey: Uint8Array | SubjectPublicKeyInfo;
  /** The 8-byte challenge sent in INTERNAL AUTHENTICATE (caller-supplied for relay binding, or random). */
  challenge: Uint8Array;
  /** The chip's response to INTERNAL AUTHENTICATE. */
  response: Uint8Array;
  /** ActiveAuthenticationInfo.signatureAlgorithm from DG14 (needed for ECDSA). */
  signatureAlgorithm?: string;
  /** Smallest accepted RSA modulus in bits (default 1024). */
  minRsaBits?: number;
  /** DG15's passive-authentication status: only 'match' means the key is the issuer's. */
  dg15Status?: DataGroupStatus;
}

export interface ActiveAuthVerdict {
  status: ActiveAuthStatus;
  algorithm?: string;
  /** The status word of a refusal. */
  sw?: number;
  reasons: Reason[];
}

/** ISO/IEC 10118-3 hash identifiers used in the two-byte 9796-2 trailer xx CC. */
const TRAILER_HASH: Record<number, HashName> = {
  51: 'SHA-1',
  52: 'SHA-256',
  53: 'SHA-512',
  54: 'SHA-384',
  56: 'SHA-224',
};

const ECDSA_AA_HASH: Record<string, HashName> = {
  [OID.ecdsaPlainSHA1]: 'SHA-1',
  [OID.ecdsaPlainSHA224]: 'SHA-224',
  [OID.ecdsaPlainSHA256]: 'SHA-256',
  [OID.ecdsaPlainSHA384]: 'SHA-384',
  [OID.ecdsaPlainSHA512]: 'SHA-512',
  [OID.ecdsaWithSHA1]: 'SHA-1',
  [OID.ecdsaWithSHA224]: 'SHA-224',
  [OID.ecdsaWithSHA256]: 'SHA-256',
  [OID.ecdsaWithSHA384]: 'SHA-384',
  [OID.ecdsaWithSHA512]: 'SHA-512',
};

export interface Iso9796Recovery {
  hash: HashName;
  /** The recovered message part M1 (the chip's nonce). */
  m1: Uint8Array;
}

/**
 * ISO/IEC 9796-2 scheme 1 verification with the non-recoverable part `m2` (the challenge). Returns the recovered
 * M1 and hash, or undefined when the signature does not verify.
 */
export function verifyIso9796Scheme1(
  key: { modulus: bigint; exponent: bigint },
  signature: Uint8Array,
  m2: Uint8Array,
): Iso9796Recovery | undefined {
  const n = key.modulus;
  const s = bytesToBig(signature);
  if (n < 3n || s <= 0n || s >= n || signature.length > Math.ceil(bitLength(n) / 8)) return undefined;
  let j = modPow(s, key.exponent, n);
  // ISO 9796-2 (RSA, odd e): the signer may publish min(Σ, n−Σ); J ends in nibble C, otherwise take n − J.
  if ((j & 0xfn) !== 0xcn) j = n - j;
  if ((j & 0xfn) !== 0xcn) return undefined;
  let f = bigToBytes(j, Math.ceil(bitLength(n) / 8));
  while (f.length > 0 && f[0] === 0) f = f.subarray(1);
  if (f.length < 2 || f[0] !== 0x6a) return undefined; // header 01, partial recovery, no padding
  let hash: HashName | undefined;
  let t = 1;
  if (f[f.length - 1] === 0xbc) hash = 'SHA-1';
  else if (f[f.length - 1] === 0xcc) {
    hash = TRAILER_HASH[f[f.length - 2]!];
    t = 2;
  }
  if (!hash) return undefined;
  const hLen = HASH_LENGTH[hash];
  const end = f.length - t;
  if (end - hLen < 1) return undefined;
  const m1 = f.subarray(1, end - hLen);
  const d = f.subarray(end - hLen, end);
  return equal(digest(hash, concat(m1, m2)), d) ? { hash, m1: m1.slice() } : undefined;
}

function readKey(input: ActiveAuthInput['publicKey']): SubjectPublicKeyInfo {
  if (!(input instanceof Uint8Array)) return input;
  return input[0] === 0x6f ? parseDg15(input) : parseSubjectPublicKeyInfo(input, 'DG15');
}

function verifyRsa(spki: SubjectPublicKeyInfo, input: ActiveAuthInput, reasons: Reason[]): ActiveAuthVerdict {
  const key = spki.publicKey;
  if (key.kind !== 'rsa') throw new Error('unreachable');
  const bits = bitLength(key.modulus);
  const min = input.minRsaBits ?? 1024;
  if (bits < min)
    return {
      status: 'invalid',
      algorithm: 'rsa-iso9796-2',
      reasons: [...reasons, reason('aa-key-too-small', { bits, min })],
    };
  const r = verifyIso9796Scheme1(key, input.response, input.challenge);
  if (!r)
    return {
      status: 'invalid',
      algorithm: 'rsa-iso9796-2',
      reasons: [...reasons, reason('aa-signature-invalid', { detail: 'ISO/IEC 9796-2' })],
    };
  return { status: 'valid', algorithm: `rsa-iso9796-2-${r.hash.replace('-', '').toLowerCase()}`, reasons };
}

function verifyEc(spki: SubjectPublicKeyInfo, input: ActiveAuthInput, reasons: Reason[]): ActiveAuthVerdict {
  const key = spki.publicKey;
  if (key.kind !== 'ec') throw new Error('unreachable');
  const curve = resolveCurve(spki.domainParameters);
  if (!curve)
    return { status: 'invalid', reasons: [...reasons, reason('aa-unsupported', { detail: 'EC domain parameters' })] };
  const declared = input.signatureAlgorithm ? ECDSA_AA_HASH[input.signatureAlgorithm] : undefined;
  if (input.signatureAlgorithm && !declared)
    return { status: 'invalid', reasons: [...reasons, reason('aa-unsupported', { detail: input.signatureAlgorithm })] };
  const hashes: HashName[] = declared ? [declared] : ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];
  // Not a point (either reading): every check below fails and the verdict says the signature is invalid.
  const point = ecPublicPoint(curve.params, key.point) ?? key.point;
  for (const hash of hashes) {
    const h = digest(hash, input.challenge);
    for (const c of ecdsaSignatureCandidates(input.response, curve.params.orderBytes)) {
      if (!verifyEcdsaDigest(curve.params, point, h, c.r, c.s)) continue;
      const out = [...reasons];
      if (!declared) out.push(reason('aa-hash-inferred', { hash }));
      return {
        status: 'valid',
        algorithm: `ecdsa-${curve.params.name}-${hash.replace('-', '').toLowerCase()}`,
        reasons: out,
      };
    }
  }
  return {
    status: 'invalid',
    algorithm: `ecdsa-${curve.params.name}`,
    reasons: [...reasons, reason('aa-signature-invalid', { detail: 'ECDSA' })],
  };
}

/** Verifies an Active Authentication response. Bad key bytes give 'invalid' with a reason, never a throw. */
export function verifyActiveAuthentication(input: ActiveAuthInput): ActiveAuthVerdict {
  const reasons: Reason[] = [];
  if (input.dg15Status !== undefined && input.dg15Status !== 'match') reasons.push(reason('aa-key-not-verified'));
  if (!(input.challenge instanceof Uint8Array) || input.challenge.length !== 8)
    return { status: 'invalid', reasons: [...reasons, reason('aa-challenge-invalid')] };
  let spki: SubjectPublicKeyInfo;
  try {
    spki = readKey(input.publicKey);
  } catch (e) {
    if (!(e instanceof EmrtdError)) throw e;
    return { status: 'invalid', reasons: [...reasons, reason('aa-unsupported', { detail: 'malformed DG15' })] };
  }
  if (spki.publicKey.kind === 'rsa') return verifyRsa(spki, input, reasons);
  if (spki.publicKey.kind === 'ec') return verifyEc(spki, input, reasons);
  return { status: 'invalid', reasons: [...reasons, reason('aa-unsupported', { detail: spki.algorithm.oid })] };
}

const NOT_PERFORMED = {
  'needs-extended-length': 'aa-needs-extended-length',
  'no-dg15': 'aa-not-offered',
} as const;

/**
 * Verdict for a read where AA was not run. `why`: the reader was the limit (needs-extended-length) or the card
 * offers no AA (no-dg15); ActiveAuthenticationReport.skipped.
 */
export function activeAuthenticationNotPerformed(why?: keyof typeof NOT_PERFORMED): ActiveAuthVerdict {
  return { status: 'not-checked', reasons: [reason(why ? NOT_PERFORMED[why] : 'aa-not-performed')] };
}

/** Verdict for a chip that answered INTERNAL AUTHENTICATE with an error status word. */
export function activeAuthenticationRefused(sw: number): ActiveAuthVerdict {
  return { status: 'refused', sw, reasons: [reason('aa-refused', { sw: swHex(sw) })] };
}

/**
 * ActiveAuthenticationInfo's signature algorithm from DG14 bytes (ECDSA AA needs its hash), or undefined; a
 * malformed DG14 shows up in passive authentication instead.
 */
export function activeAuthenticationAlgorithm(dg14: Uint8Array | undefined): string | undefined {
  if (!dg14) return undefined;
  try {
    return parseDg14(dg14).activeAuthenticationInfos[0]?.signatureAlgorithm;
  } catch {
    return undefined;
  }
}

export interface ActiveAuthenticationVerificationInput extends ActiveAuthenticationExchange {
  /** DG15 file bytes or its parsed key. */
  dg15: Uint8Array | SubjectPublicKeyInfo;
  /** DG14 SecurityInfos: ActiveAuthenticationInfo names the ECDSA hash. */
  dg14?: SecurityInfos;
}

/**
 * Signature-only verdict: whether the chip holding the DG15 key signed the challenge. It means "authentic" only when
 * passive authentication covers DG15 (pass dg15Status to verifyActiveAuthentication for that).
 */
export function verifyActiveAuthenticationExchange(input: ActiveAuthenticationVerificationInput): ActiveAuthVerdict {
  const signatureAlgorithm = input.dg14?.activeAuthenticationInfos[0]?.signatureAlgorithm;
  return verifyActiveAuthentication({
    publicKey: input.dg15,
    challenge: input.challenge,
    response: input.response,
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  });
}
