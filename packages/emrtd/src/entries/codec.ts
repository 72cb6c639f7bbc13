/**
 * @cccd/emrtd/codec: the pure codecs under the protocols, for the simulator (which implements the card side of
 * every protocol itself and may share only these), benchmarks and tools. Bytes, BER-TLV reading, the DER
 * writer, OIDs, check digits, crypto primitives, KDF, domain parameters, SM sizing, PEM and the parsers of the
 * security files (EF.CardAccess, EF.COM, DG14, DG15, EF.SOD), and the CCCD expiry rule.
 * No protocol logic: nothing here talks to a card. index.test.ts pins this list.
 */
export * from '../asn1/der-writer.js';
export { oidContent, oidFromContent } from '../asn1/oid.js';
export * from '../asn1/oids.js';
export * from '../codec/bytes.js';
export { checkDigit } from '../codec/check-digit.js';
export * from '../codec/tlv.js';
export { aesCbc, aesCmac, aesEcb } from '../crypto/aes.js';
export { adjustParity, desEcb, retailMac, tdesCbc } from '../crypto/des.js';
export * from '../crypto/domain-params.js';
export { digest, HASH_LENGTH, HASHES, type HashName } from '../crypto/hash.js';
export { type CipherName, KDF_ENC, KDF_MAC, KDF_PI, kdf } from '../crypto/kdf.js';
export { pad, unpad } from '../crypto/padding.js';
// The CCCD expiry rule (docs/reference/vn-cccd.md §4): the simulator personalises cards with the reader's one rule.
export { type CccdLaw, cccdExpiry, type ExpiryGuess, MILESTONES } from '../keys/cccd-qr.js';
export { parseCardAccess, type SecurityInfos } from '../lds/card-access.js';
export { type EfCom, parseCom } from '../lds/com.js';
export { parseDg14 } from '../lds/dg14.js';
export { parseDg15 } from '../lds/dg15.js';
export type { SubjectPublicKeyInfo } from '../lds/public-key.js';
export { parseSod, type Sod } from '../lds/sod.js';
export { pemBlocks, toPem } from '../pki/x509.js';
export { maxBlockForResponse } from '../reader/read-size.js';
