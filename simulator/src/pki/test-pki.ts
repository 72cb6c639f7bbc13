/** A whole test PKI for one country: CSCA, document signer, CRL, master-list signer and optionally a link CSCA. */
import { bytesToBig } from '@cccd/emrtd/codec';
import { deriveKeyPairFor, type SignatureAlgorithmName } from './algorithms.js';
import { deriveBytes, type Seed } from './drbg.js';
import type { RsaBits, TestKeyPair } from './keys.js';
import { type DistinguishedName, issueCertificate, issueCrl } from './x509.js';

export interface TestCertificate {
  certDer: Uint8Array;
  keyPair: TestKeyPair;
  serial: bigint;
  subject: DistinguishedName;
  /** The algorithm this key signs with (certificates it issues, or the SOD for a DS). */
  algorithm: SignatureAlgorithmName;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export interface TestPkiOptions {
  seed: Seed;
  /** CSCA algorithm (signs certificates and the CRL); also the DS algorithm unless dsSignature is given. */
  signature: SignatureAlgorithmName;
  /** DS key and SOD signature algorithm. */
  dsSignature?: SignatureAlgorithmName;
  /** Country in every DN (C=), default 'VN'; e.g. 'XX' for wrong-country tests. */
  country?: string;
  /** Reference time; fixed by default so fixtures do not depend on the clock. */
  now?: Date;
  cscaValidity?: Validity;
  dsValidity?: Validity;
  /** Put the DS serial on the CRL (revoked at `now`, reason keyCompromise). */
  revokeDs?: boolean;
  /** Create a new CSCA key, its self-signed certificate and the link certificate (old key signs new). */
  withLink?: boolean;
  /** Issue the DS from the new CSCA (needs withLink), so a verifier trusting only the old CSCA needs the link. */
  dsIssuedByNewCsca?: boolean;
  rsaBits?: RsaBits;
  organization?: string;
  /** Suffix added to every CN, to tell PKIs of one test apart. */
  name?: string;
  /** The CSCA's DN instead of 'Test CSCA' (e.g. a real CSCA's DN, for a look-alike that must not be trusted). */
  cscaSubject?: DistinguishedName;
}

export interface TestPki {
  seed: Seed;
  country: string;
  now: Date;
  /** A signing time inside the DS validity and private key usage period (the DS notBefore + 1 day). */
  signingTime: Date;
  csca: TestCertificate;
  ds: TestCertificate;
  masterListSigner: TestCertificate;
  /** CRL v2 of the CA that issued the DS (the CSCA, or the new CSCA with dsIssuedByNewCsca). */
  crlDer: Uint8Array;
  link?: { newCsca: TestCertificate; linkCertDer: Uint8Array };
}

/** 2024-01-01T00:00:00Z: a fixed default `now`. */
export const DEFAULT_NOW = new Date(Date.UTC(2024, 0, 1));
const DAY = 86_400_000;
const addYears = (d: Date, years: number) => {
  const out = new Date(d);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
};

/** Positive 8-byte serial (top bit clear, never zero) from (seed, label). */
export function deterministicSerial(seed: Seed, label: string): bigint {
  const bytes = deriveBytes(seed, `serial:${label}`, 8);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytesToBig(bytes);
}

export function createTestPki(options: TestPkiOptions): TestPki {
  const { seed, signature } = options;
  const dsSignature = options.dsSignature ?? signature;
  const country = options.country ?? 'VN';
  const now = options.now ?? DEFAULT_NOW;
  const organization = options.organization ?? 'Test Ministry of Public Security';
  const suffix = options.name ? ` ${options.name}` : '';
  const crlUrl = `http://pkd.test.invalid/${country}.crl`;
  const key = (label: string, alg: SignatureAlgorithmName) => deriveKeyPairFor(seed, label, alg, options.rsaBits);
  const dn = (commonName: string): DistinguishedName => ({ country, organization, commonName: commonName + suffix });

  const cscaValidity = options.cscaValidity ?? {
    notBefore: new Date(now.getTime() - 365 * DAY),
    notAfter: addYears(now, 15),
  };
  const csca: TestCertificate = {
    keyPair: key('csca', signature),
    serial: deterministicSerial(seed, 'csca'),
    subject: options.cscaSubject ?? dn('Test CSCA'),
    algorithm: signature,
    certDer: new Uint8Array(0),
  };
  csca.certDer = issueCertificate({
    profile: 'csca',
    serial: csca.serial,
    subject: csca.subject,
    subjectKey: csca.keyPair,
    issuer: csca.subject,
    issuerKey: csca.keyPair,
    algorithm: signature,
    ...cscaValidity,
    privateKeyUsage: { notBefore: cscaValidity.notBefore, notAfter: addYears(cscaValidity.notBefore, 5) },
    crlDistributionPoint: crlUrl,
  });

  let link: TestPki['link'];
  if (options.withLink) {
    const newCsca: TestCertificate = {
      keyPair: key('csca-2', signature),
      serial: deterministicSerial(seed, 'csca-2'),
      // Same DN as the old CSCA: the link is then self-issued, which the CSCA's pathLen 0 allows (RFC 5280 6.1.4).
      subject: csca.subject,
      algorithm: signature,
      certDer: new Uint8Array(0),
    };
    const validity = { notBefore: new Date(now.getTime() - 30 * DAY), notAfter: addYears(now, 15) };
    const base = {
      serial: newCsca.serial,
      subject: newCsca.subject,
      subjectKey: newCsca.keyPair,
      algorithm: signature,
      ...validity,
      crlDistributionPoint: crlUrl,
    };
    newCsca.certDer = issueCertificate({
      ...base,
      profile: 'csca',
      issuer: newCsca.subject,
      issuerKey: newCsca.keyPair,
    });
    const linkCertDer = issueCertificate({
      ...base,
      profile: 'link',
      serial: deterministicSerial(seed, 'link'),
      issuer: csca.subject,
      issuerKey: csca.keyPair,
    });
    link = { newCsca, linkCertDer };
  }
  if (options.dsIssuedByNewCsca && !link) throw new RangeError('createTestPki: dsIssuedByNewCsca needs withLink');
  const dsIssuer = options.dsIssuedByNewCsca && link ? link.newCsca : csca;

  const dsValidity = options.dsValidity ?? {
    notBefore: new Date(now.getTime() - 30 * DAY),
    notAfter: addYears(now, 10),
  };
  const ds: TestCertificate = {
    keyPair: key('ds', dsSignature),
    serial: deterministicSerial(seed, 'ds'),
    subject: dn('Test Document Signer'),
    algorithm: dsSignature,
    certDer: new Uint8Array(0),
  };
  ds.certDer = issueCertificate({
    profile: 'ds',
    serial: ds.serial,
    subject: ds.subject,
    subjectKey: ds.keyPair,
    issuer: dsIssuer.subject,
    issuerKey: dsIssuer.keyPair,
    algorithm: dsIssuer.algorithm,
    ...dsValidity,
    // ICAO 9303-12: a DS key signs for about three months, while the certificate outlives the documents.
    privateKeyUsage: { notBefore: dsValidity.notBefore, notAfter: new Date(dsValidity.notBefore.getTime() + 90 * DAY) },
    crlDistributionPoint: crlUrl,
    documentTypes: ['ID'],
  });

  const masterListSigner: TestCertificate = {
    keyPair: key('ml-signer', signature),
    serial: deterministicSerial(seed, 'ml-signer'),
    subject: dn('Test Master List Signer'),
    algorithm: signature,
    certDer: new Uint8Array(0),
  };
  masterListSigner.certDer = issueCertificate({
    profile: 'masterListSigner',
    serial: masterListSigner.serial,
    subject: masterListSigner.subject,
    subjectKey: masterListSigner.keyPair,
    issuer: csca.subject,
    issuerKey: csca.keyPair,
    algorithm: signature,
    notBefore: new Date(now.getTime() - 30 * DAY),
    notAfter: addYears(now, 3),
  });

  // The CRL comes from the CA that issued the DS, so a revoked DS is listed where a verifier looks for it.
  const crlDer = issueCrl({
    issuer: dsIssuer.subject,
    issuerKey: dsIssuer.keyPair,
    algorithm: dsIssuer.algorithm,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + 90 * DAY),
    crlNumber: 1n,
    revoked: options.revokeDs ? [{ serial: ds.serial, revocationDate: now, reason: 1 }] : [],
  });

  return {
    seed,
    country,
    now,
    signingTime: new Date(dsValidity.notBefore.getTime() + DAY),
    csca,
    ds,
    masterListSigner,
    crlDer,
    ...(link ? { link } : {}),
  };
}
