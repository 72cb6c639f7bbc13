/** Type and size of a public key (DG15, DG14, DS certificate): what a chip profile may say about a key. */
import { OID } from '../asn1/oids.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { resolveCurve } from '../pki/ec.js';
import { bitLength } from '../pki/rsa.js';

export interface KeyProfile {
  type: 'RSA' | 'RSA-PSS' | 'EC' | 'DH' | 'unknown';
  /** Modulus, field or group size in bits. */
  bits?: number;
  /** Curve name when it resolves to a known one (named or explicit parameters). */
  curve?: string;
  /** EC domain parameters spelled out in the key rather than named by OID. */
  explicitParameters?: boolean;
  algorithmOid: string;
}

export function describeKey(spki: SubjectPublicKeyInfo): KeyProfile {
  const out: KeyProfile = { type: 'unknown', algorithmOid: spki.algorithm.oid };
  const key = spki.publicKey;
  const dp = spki.domainParameters;
  if (key.kind === 'rsa') {
    out.type = spki.algorithm.oid === OID.rsassaPss ? 'RSA-PSS' : 'RSA';
    out.bits = bitLength(key.modulus);
  } else if (key.kind === 'ec') {
    out.type = 'EC';
    const curve = resolveCurve(dp);
    if (curve) {
      out.curve = curve.params.name;
      out.bits = bitLength(curve.params.curve.CURVE().p);
    } else if (dp?.kind === 'ec-explicit') out.bits = bitLength(dp.ec.p);
    if (dp?.kind === 'ec-explicit') out.explicitParameters = true;
  } else if (key.kind === 'dh') {
    out.type = 'DH';
    if (dp?.kind === 'dh') out.bits = bitLength(dp.dh.p);
  }
  return out;
}
