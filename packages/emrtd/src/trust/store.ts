/**
 * TrustStore: the CSCA certificates (trust anchors, incl. link certificates), CRLs and optional document signer
 * certificates a passive-authentication verifier uses. Takes bytes only, so it runs in browsers; trust/node.ts
 * reads files and folders in Node.
 */
import { fromUtf8, hex } from '../codec/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { EmrtdError } from '../errors.js';
import { countryOf, isCandidateIssuer, isSelfSignedCsca } from '../pki/issuer.js';
import { nameToString, sameName } from '../pki/name.js';
import { type Certificate, type Crl, parseCertificate, parseCrl, pemBlocks } from '../pki/x509.js';
import { importLdif, type LdifImport } from './ldif.js';
import { importMasterList, type MasterListImport, type MasterListImportOptions } from './master-list.js';
import type { TrustSink } from './sink.js';

export type TrustEntryKind = 'csca' | 'link';

export interface TrustEntry {
  certificate: Certificate;
  kind: TrustEntryKind;
  /** Where it came from, e.g. 'file:csca.pem', 'master-list:C=DE, …', 'ldif'. */
  source: string;
}

export interface CrlEntry {
  crl: Crl;
  source: string;
}

export interface TrustEntryInfo {
  kind: TrustEntryKind | 'document-signer' | 'crl';
  subject: string;
  issuer: string;
  country?: string;
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** CRLs: thisUpdate / nextUpdate and the number of revoked serials. */
  thisUpdate?: Date;
  nextUpdate?: Date;
  revokedCount?: number;
  source: string;
}

/** A trust-material input that cannot be used (bad encoding, wrong kind, failed master-list signature). */
export class TrustStoreError extends EmrtdError {
  override name = 'TrustStoreError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid-argument', message, { step: 'trust-store', ...options });
  }
}

const keyOf = (raw: Uint8Array) => hex(sha256(raw));

function looksLikePem(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 4096));
  for (let i = 0; i + 10 < head.length; i++) if (head[i] === 0x2d && head[i + 5] === 0x42) return true; // "-----B"
  return false;
}

function decodeText(bytes: Uint8Array): string {
  try {
    return fromUtf8(bytes);
  } catch (cause) {
    throw new TrustStoreError('PEM input is not valid UTF-8', { cause });
  }
}

export class TrustStore implements TrustSink {
  readonly #anchors = new Map<string, TrustEntry>();
  readonly #documentSigners = new Map<string, { certificate: Certificate; source: string }>();
  readonly #crls = new Map<string, CrlEntry>();

  /**
   * Adds one DER certificate as a trust anchor. Self-issued certificates are CSCAs; others are link
   * certificates (new CSCA key certified by the old one), which ICAO master lists also carry.
   */
  addCertificate(der: Uint8Array, source = 'certificate'): TrustEntry {
    let certificate: Certificate;
    try {
      certificate = parseCertificate(der);
    } catch (cause) {
      throw new TrustStoreError(`${source}: not a DER X.509 certificate`, { cause });
    }
    return this.addParsed(certificate, source);
  }

  /** Adds an already parsed certificate as a trust anchor (de-duplicated by its DER bytes). */
  addParsed(certificate: Certificate, source: string): TrustEntry {
    const key = keyOf(certificate.raw);
    const existing = this.#anchors.get(key);
    if (existing) return existing;
    const entry: TrustEntry = { certificate, kind: isSelfSignedCsca(certificate) ? 'csca' : 'link', source };
    this.#anchors.set(key, entry);
    return entry;
  }

  /** Adds every certificate of a PEM text or a DER/PEM file's bytes. Returns the entries added. */
  addCertificates(input: Uint8Array | string, source = 'certificates'): TrustEntry[] {
    if (typeof input !== 'string' && !looksLikePem(input)) return [this.addCertificate(input, source)];
    const text = typeof input === 'string' ? input : decodeText(input);
    const blocks = pemBlocks(text, 'CERTIFICATE');
    if (blocks.length === 0) throw new TrustStoreError(`${source}: no PEM CERTIFICATE block`);
    return blocks.map((b, i) => this.addCertificate(b.der, blocks.length > 1 ? `${source}#${i + 1}` : source));
  }

  /** Adds a CRL (DER, or PEM "X509 CRL"). Its signature is checked when it is used, against the issuer's key. */
  addCrl(input: Uint8Array | string, source = 'crl'): CrlEntry[] {
    const ders =
      typeof input === 'string' || looksLikePem(input)
        ? pemBlocks(typeof input === 'string' ? input : decodeText(input), 'X509 CRL').map((b) => b.der)
        : [input];
    if (ders.length === 0) throw new TrustStoreError(`${source}: no PEM X509 CRL block`);
    return ders.map((der) => {
      let crl: Crl;
      try {
        crl = parseCrl(der);
      } catch (cause) {
        throw new TrustStoreError(`${source}: not a DER CRL`, { cause });
      }
      const key = keyOf(crl.raw);
      const entry = this.#crls.get(key) ?? { crl, source };
      this.#crls.set(key, entry);
      return entry;
    });
  }

  /** Verifies and imports an ICAO CSCA master list (see importMasterList for the options). */
  addMasterList(bytes: Uint8Array, options: MasterListImportOptions = {}): MasterListImport {
    return importMasterList(this, bytes, options);
  }

  /** Imports an ICAO PKD LDIF: master lists, CRLs, CA certificates as anchors, DS certificates as signers. */
  addLdif(
    input: string | Uint8Array,
    options: { source?: string; masterList?: MasterListImportOptions } = {},
  ): LdifImport {
    return importLdif(this, input, options);
  }

  /**
   * Adds a document signer certificate (e.g. from the ICAO PKD) for SODs that do not embed theirs. These are
   * NOT trust anchors: they must still chain to a CSCA.
   */
  addDocumentSigner(der: Uint8Array, source = 'document-signer'): Certificate {
    let certificate: Certificate;
    try {
      certificate = parseCertificate(der);
    } catch (cause) {
      throw new TrustStoreError(`${source}: not a DER X.509 certificate`, { cause });
    }
    const key = keyOf(certificate.raw);
    if (!this.#documentSigners.has(key)) this.#documentSigners.set(key, { certificate, source });
    return certificate;
  }

  get size(): number {
    return this.#anchors.size;
  }

  anchors(): TrustEntry[] {
    return [...this.#anchors.values()];
  }

  /** Anchors whose subject is `cert`'s issuer (and whose SKI equals its AKI when both are present). */
  issuersOf(cert: Certificate): TrustEntry[] {
    return this.anchors().filter((e) => isCandidateIssuer(e.certificate, cert));
  }

  isAnchor(cert: Certificate): TrustEntry | undefined {
    return this.#anchors.get(keyOf(cert.raw));
  }

  documentSigners(): Certificate[] {
    return [...this.#documentSigners.values()].map((d) => d.certificate);
  }

  crls(): CrlEntry[] {
    return [...this.#crls.values()];
  }

  crlsFor(cert: Certificate): CrlEntry[] {
    return this.crls().filter((e) => sameName(e.crl.issuer, cert.issuer));
  }

  /** What is loaded, one row per anchor, document signer and CRL. */
  list(): TrustEntryInfo[] {
    const certInfo = (c: Certificate, kind: TrustEntryInfo['kind'], source: string): TrustEntryInfo => {
      const info: TrustEntryInfo = {
        kind,
        subject: nameToString(c.subject),
        issuer: nameToString(c.issuer),
        serial: c.serialHex,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        source,
      };
      const country = countryOf(c.subject);
      if (country) info.country = country;
      return info;
    };
    const rows = this.anchors().map((e) => certInfo(e.certificate, e.kind, e.source));
    for (const d of this.#documentSigners.values()) rows.push(certInfo(d.certificate, 'document-signer', d.source));
    for (const { crl, source } of this.#crls.values()) {
      const row: TrustEntryInfo = {
        kind: 'crl',
        subject: nameToString(crl.issuer),
        issuer: nameToString(crl.issuer),
        thisUpdate: crl.thisUpdate,
        revokedCount: crl.revoked.length,
        source,
      };
      if (crl.nextUpdate) row.nextUpdate = crl.nextUpdate;
      const country = countryOf(crl.issuer);
      if (country) row.country = country;
      rows.push(row);
    }
    return rows;
  }

  /** Human-readable summary: counts per country, then one line per entry (expired ones marked). */
  explain(now: Date = new Date()): string {
    const rows = this.list();
    const countries = new Map<string, number>();
    for (const r of rows)
      if (r.kind === 'csca' || r.kind === 'link')
        countries.set(r.country ?? '?', (countries.get(r.country ?? '?') ?? 0) + 1);
    const day = (d?: Date) => d?.toISOString().slice(0, 10) ?? '-';
    const lines = [
      `${this.size} CSCA/link certificate(s) from ${countries.size} country(ies), ${this.#documentSigners.size} document signer(s), ${this.#crls.size} CRL(s)`,
    ];
    if (countries.size)
      lines.push(
        `countries: ${[...countries]
          .sort()
          .map(([c, n]) => `${c}(${n})`)
          .join(' ')}`,
      );
    for (const r of rows) {
      const expired = r.notAfter && r.notAfter < now ? ' [expired]' : '';
      const validity =
        r.kind === 'crl'
          ? `${day(r.thisUpdate)}..${day(r.nextUpdate)}, ${r.revokedCount} revoked`
          : `${day(r.notBefore)}..${day(r.notAfter)}`;
      lines.push(`${r.kind} ${r.country ?? '?'} ${r.subject} (${validity})${expired} from ${r.source}`);
    }
    return lines.join('\n');
  }
}

export { isCandidateIssuer, isSelfSignedCsca };
