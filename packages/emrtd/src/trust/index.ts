/** Trust anchors for passive authentication. Browser-safe: file loading lives in trust/node.ts (Node only). */
export { isCandidateIssuer, isSelfSignedCsca } from '../pki/issuer.js';
export { importLdif, type LdifAttribute, type LdifImport, type LdifRecord, parseLdif } from './ldif.js';
export {
  type CertificateSummary,
  importMasterList,
  type MasterList,
  MasterListError,
  type MasterListImport,
  type MasterListImportOptions,
  type MasterListVerification,
  parseMasterList,
  summarize,
  verifyMasterList,
} from './master-list.js';
export {
  type CrlEntry,
  type TrustEntry,
  type TrustEntryInfo,
  type TrustEntryKind,
  TrustStore,
  TrustStoreError,
} from './store.js';
