/** Deterministic ICAO 9303-12 test PKI: keys, certificates, CRLs, EF.SOD, master lists and PKD LDIF. */
export {
  deriveKeyPairFor,
  type EcdsaSignatureFormat,
  hashAlgorithmIdentifier,
  isSignatureAlgorithmName,
  nodeHashName,
  pssParametersDer,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithmName,
  type SignatureAlgorithmSpec,
  type SignOptions,
  signatureAlgorithmIdentifier,
  signatureAlgorithmSpec,
  signWith,
  verifyWith,
} from './algorithms.js';
export {
  type BuildCardSecurityOptions,
  type BuildMasterListOptions,
  type BuildSodOptions,
  buildCardSecurity,
  buildLdsSecurityObject,
  buildMasterList,
  buildMasterListContent,
  buildSod,
  buildSodParts,
  type CmsSigner,
  type LdsSecurityObjectOptions,
  type LdsVersion,
  type Sod,
  type SodTamper,
} from './cms.js';
export { CURVES, type CurveDomain, type CurveName, curveDomain } from './curves.js';
export { deriveBytes, type Seed } from './drbg.js';
export {
  clearKeyCache,
  deriveEcKeyPair,
  deriveRsaKeyPair,
  type EcKeyPair,
  ecParametersDer,
  ecSpkiDer,
  type RsaBits,
  type RsaKeyPair,
  type TestKeyPair,
} from './keys.js';
export { buildLdif, type LdifEntry, nameToString } from './ldif.js';
export {
  createTestPki,
  DEFAULT_NOW,
  deterministicSerial,
  type TestCertificate,
  type TestPki,
  type TestPkiOptions,
  type Validity,
} from './test-pki.js';
export {
  type CertificateFields,
  type CertificateProfile,
  type CertificateRequest,
  type CrlRequest,
  certificateFields,
  type DistinguishedName,
  issueCertificate,
  issueCrl,
  keyIdentifier,
  nameDer,
  type RevokedEntry,
  serialOf,
  toPem,
} from './x509.js';
