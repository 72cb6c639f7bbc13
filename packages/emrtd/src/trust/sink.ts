/**
 * What the master-list and LDIF importers need from a trust store. TrustStore implements it; the importers take
 * this interface rather than the store, so store.ts can call them without an import cycle.
 */
import type { Certificate } from '../pki/x509.js';

export interface TrustSink {
  /** Adds a parsed CSCA or link certificate. */
  addParsed(certificate: Certificate, source: string): unknown;
  /** Adds a document signer certificate (DER). */
  addDocumentSigner(der: Uint8Array, source?: string): unknown;
  /** Adds a CRL (DER or PEM). */
  addCrl(input: Uint8Array | string, source?: string): unknown;
  /** Trusted certificates that may have issued `cert`. */
  issuersOf(cert: Certificate): readonly { certificate: Certificate }[];
}
