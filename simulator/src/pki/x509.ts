/** X.509 v3 certificates and v2 CRLs (RFC 5280) with the profile ICAO 9303-12 asks of CSCA, DS and ML signers. */
import { createHash } from 'node:crypto';
import {
  bitString,
  boolean,
  directoryString,
  enumerated,
  explicit,
  generalizedTime,
  ia5String,
  implicitPrimitive,
  integer,
  OID,
  objectIdentifier,
  octetString,
  printableString,
  readTlv,
  readTlvs,
  retag,
  sequence,
  set,
  setOf,
  time,
} from '@cccd/emrtd/codec';
import { type SignatureAlgorithmName, signatureAlgorithmIdentifier, signWith } from './algorithms.js';
import type { TestKeyPair } from './keys.js';

export interface DistinguishedName {
  country: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
  serialNumber?: string;
}

const ATTR = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
} as const;

const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  privateKeyUsagePeriod: '2.5.29.16',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  cRLDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  /** ICAO 9303-12 id-icao-mrtd-security-extensions-documentTypeList. */
  documentTypeList: '2.23.136.1.1.6.2',
} as const;

export function nameDer(dn: DistinguishedName): Uint8Array {
  const rdn = (oid: string, value: Uint8Array) => set(sequence(objectIdentifier(oid), value));
  const rdns = [rdn(ATTR.country, printableString(dn.country))];
  if (dn.organization) rdns.push(rdn(ATTR.organization, directoryString(dn.organization)));
  if (dn.organizationalUnit) rdns.push(rdn(ATTR.organizationalUnit, directoryString(dn.organizationalUnit)));
  rdns.push(rdn(ATTR.commonName, directoryString(dn.commonName)));
  if (dn.serialNumber) rdns.push(rdn(ATTR.serialNumber, printableString(dn.serialNumber)));
  return sequence(...rdns);
}

const extension = (oid: string, critical: boolean, value: Uint8Array) =>
  critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));

/** KeyUsage named bits (RFC 5280 4.2.1.3). */
export type KeyUsageBit = 'digitalSignature' | 'keyCertSign' | 'cRLSign';
const KEY_USAGE_BIT: Record<KeyUsageBit, number> = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 };

/** DER named-bit BIT STRING: trailing zero bits dropped (X.690 11.2.2). */
function keyUsageValue(bits: KeyUsageBit[]): Uint8Array {
  let mask = 0;
  for (const b of bits) mask |= 0x80 >> KEY_USAGE_BIT[b];
  let unused = 0;
  while (unused < 7 && !(mask & (1 << unused))) unused++;
  return bitString(Uint8Array.of(mask), unused);
}

/** SKI by RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const [, subjectPublicKey] = readTlvs(readTlv(spkiDer).value, 'spki');
  if (!subjectPublicKey) throw new RangeError('keyIdentifier: not a SubjectPublicKeyInfo');
  return new Uint8Array(createHash('sha1').update(subjectPublicKey.value.subarray(1)).digest());
}

export type CertificateProfile = 'csca' | 'link' | 'ds' | 'masterListSigner';

export interface CertificateRequest {
  profile: CertificateProfile;
  serial: bigint;
  subject: DistinguishedName;
  subjectKey: TestKeyPair;
  issuer: DistinguishedName;
  issuerKey: TestKeyPair;
  algorithm: SignatureAlgorithmName;
  notBefore: Date;
  notAfter: Date;
  /** Private key usage period (ICAO 9303-12 recommends it for CSCA and DS); defaults to the validity. */
  privateKeyUsage?: { notBefore: Date; notAfter: Date };
  crlDistributionPoint?: string;
  /** DS only: ICAO DocumentTypeList (e.g. ['ID'] for the CCCD TD1). */
  documentTypes?: string[];
}

function extensionsFor(req: CertificateRequest): Uint8Array[] {
  const ski = keyIdentifier(req.subjectKey.spkiDer);
  const aki = keyIdentifier(req.issuerKey.spkiDer);
  const usage = req.privateKeyUsage ?? { notBefore: req.notBefore, notAfter: req.notAfter };
  const exts: Uint8Array[] = [
    extension(EXT.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, aki))),
    extension(EXT.subjectKeyIdentifier, false, octetString(ski)),
  ];
  const isCa = req.profile === 'csca' || req.profile === 'link';
  exts.push(extension(EXT.keyUsage, true, keyUsageValue(isCa ? ['keyCertSign', 'cRLSign'] : ['digitalSignature'])));
  if (req.profile !== 'masterListSigner')
    exts.push(
      extension(
        EXT.privateKeyUsagePeriod,
        false,
        sequence(retag(generalizedTime(usage.notBefore), 0x80), retag(generalizedTime(usage.notAfter), 0x81)),
      ),
    );
  if (isCa) exts.push(extension(EXT.basicConstraints, true, sequence(boolean(true), integer(0))));
  if (req.profile === 'masterListSigner')
    exts.push(extension(EXT.extKeyUsage, true, sequence(objectIdentifier(OID.cscaMasterListSigningKey))));
  if (req.crlDistributionPoint)
    exts.push(
      extension(
        EXT.cRLDistributionPoints,
        false,
        sequence(sequence(explicit(0, explicit(0, retag(ia5String(req.crlDistributionPoint), 0x86))))),
      ),
    );
  if (req.profile === 'ds' && req.documentTypes?.length)
    exts.push(
      extension(EXT.documentTypeList, false, sequence(integer(0), setOf(...req.documentTypes.map(printableString)))),
    );
  return exts;
}

export function issueCertificate(req: CertificateRequest): Uint8Array {
  const sigAlg = signatureAlgorithmIdentifier(req.algorithm);
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(req.serial),
    sigAlg,
    nameDer(req.issuer),
    sequence(time(req.notBefore), time(req.notAfter)),
    nameDer(req.subject),
    req.subjectKey.spkiDer,
    explicit(3, sequence(...extensionsFor(req))),
  );
  const signature = signWith(req.issuerKey, req.algorithm, tbs);
  return sequence(tbs, sigAlg, bitString(signature));
}

export interface RevokedEntry {
  serial: bigint;
  revocationDate: Date;
  /** CRLReason (RFC 5280 5.3.1), e.g. 1 keyCompromise. */
  reason?: number;
}

export interface CrlRequest {
  issuer: DistinguishedName;
  issuerKey: TestKeyPair;
  algorithm: SignatureAlgorithmName;
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: bigint;
  revoked: RevokedEntry[];
}

/** CRL v2 with the AKI and cRLNumber extensions ICAO 9303-12 requires. */
export function issueCrl(req: CrlRequest): Uint8Array {
  const sigAlg = signatureAlgorithmIdentifier(req.algorithm);
  const entries = req.revoked.map((r) =>
    r.reason === undefined
      ? sequence(integer(r.serial), time(r.revocationDate))
      : sequence(
          integer(r.serial),
          time(r.revocationDate),
          sequence(extension(EXT.reasonCode, false, enumerated(r.reason))),
        ),
  );
  const tbs = sequence(
    integer(1),
    sigAlg,
    nameDer(req.issuer),
    time(req.thisUpdate),
    time(req.nextUpdate),
    ...(entries.length ? [sequence(...entries)] : []),
    explicit(
      0,
      sequence(
        extension(
          EXT.authorityKeyIdentifier,
          false,
          sequence(implicitPrimitive(0, keyIdentifier(req.issuerKey.spkiDer))),
        ),
        extension(EXT.cRLNumber, false, integer(req.crlNumber)),
      ),
    ),
  );
  return sequence(tbs, sigAlg, bitString(signWith(req.issuerKey, req.algorithm, tbs)));
}

/** The parts of a certificate a CMS SignerIdentifier needs, cut from its DER without re-encoding. */
export interface CertificateFields {
  serialDer: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  spkiDer: Uint8Array;
  subjectKeyIdentifier: Uint8Array;
}

export function certificateFields(certDer: Uint8Array): CertificateFields {
  const [tbs] = readTlvs(readTlv(certDer, 0, 'certificate').value, 'certificate');
  if (!tbs) throw new RangeError('certificateFields: empty certificate');
  const parts = readTlvs(tbs.value, 'tbsCertificate');
  const base = parts[0]?.tag === 0xa0 ? 1 : 0;
  const raw = (i: number) => {
    const p = parts[base + i];
    if (!p) throw new RangeError('certificateFields: truncated tbsCertificate');
    return tbs.value.subarray(p.offset, p.end);
  };
  const spkiDer = raw(5);
  return {
    serialDer: raw(0),
    issuerDer: raw(2),
    subjectDer: raw(4),
    spkiDer,
    subjectKeyIdentifier: findSki(parts.find((p) => p.tag === 0xa3)?.value) ?? keyIdentifier(spkiDer),
  };
}

function findSki(extensionsField: Uint8Array | undefined): Uint8Array | undefined {
  if (!extensionsField) return undefined;
  const skiOid = objectIdentifier(EXT.subjectKeyIdentifier);
  for (const ext of readTlvs(readTlv(extensionsField).value, 'extensions')) {
    const [oid, ...rest] = readTlvs(ext.value, 'extension');
    if (!oid || !sameBytes(ext.value.subarray(oid.offset, oid.end), skiOid)) continue;
    const value = rest[rest.length - 1];
    if (value) return readTlv(value.value).value;
  }
  return undefined;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Certificate serial from its INTEGER encoding (positive serials only, as issued here). */
export function serialOf(certDer: Uint8Array): bigint {
  const v = readTlv(certificateFields(certDer).serialDer).value;
  return v.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}
