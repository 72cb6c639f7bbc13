/** Issuer matching and country codes shared by the trust store, master lists and the certificate path builder. */
import { COUNTRY_OID, type Name, nameAttribute, sameName } from './name.js';
import type { Certificate } from './x509.js';

/**
 * A CSCA root is self-issued with its own key; a link certificate certifies a new CSCA key with the old one,
 * often under the same DN, so the key identifiers tell them apart.
 */
export function isSelfSignedCsca(c: Certificate): boolean {
  if (!sameName(c.subject, c.issuer)) return false;
  const aki = c.authorityKeyIdentifier;
  const ski = c.subjectKeyIdentifier;
  return !aki || !ski || (aki.length === ski.length && aki.every((b, i) => b === ski[i]));
}

/** Name match plus key-identifier match when both sides carry one (RFC 5280 4.2.1.1). */
export function isCandidateIssuer(issuer: Certificate, cert: Certificate): boolean {
  if (!sameName(issuer.subject, cert.issuer)) return false;
  const aki = cert.authorityKeyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  if (aki && ski) return aki.length === ski.length && aki.every((b, i) => b === ski[i]);
  return true;
}

/**
 * The C= of a name, upper-cased: real master lists carry CSCAs with `c=al`, `c=gb`, `c=ro` next to `C=AL`, … and
 * those are one country.
 */
export function countryOf(name: Name): string | undefined {
  return nameAttribute(name, COUNTRY_OID)?.trim().toUpperCase() || undefined;
}
