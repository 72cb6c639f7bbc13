/**
 * DG15's Active Authentication key, read for sizing INTERNAL AUTHENTICATE (aa/): how long the chip's signature
 * will be decides between a short and an extended APDU.
 */
import { EmrtdError } from '../errors.js';
import { parseDg15 } from '../lds/dg15.js';
import type { SubjectPublicKeyInfo } from '../lds/public-key.js';
import { resolveCurve } from '../pki/ec.js';

/** Signature length the DG15 key produces: modulus bytes (RSA) or 2 × order bytes + DER slack (ECDSA). */
export function expectedSignatureLength(key: SubjectPublicKeyInfo): number | undefined {
  if (key.publicKey.kind === 'rsa') return Math.ceil(key.publicKey.modulus.toString(2).length / 8);
  if (key.publicKey.kind === 'ec') {
    const curve = resolveCurve(key.domainParameters);
    return curve ? 2 * curve.params.orderBytes + 8 : undefined;
  }
  return undefined;
}

/** Parses DG15 bytes for sizing the exchange; undefined when DG15 is not a key this reader understands. */
export function activeAuthenticationKey(dg15: Uint8Array): SubjectPublicKeyInfo | undefined {
  try {
    return parseDg15(dg15);
  } catch (e) {
    if (e instanceof EmrtdError) return undefined;
    throw e;
  }
}
