/** The tests' short names for DER fixtures; the writer itself is asn1/der-writer.ts (one DER writer in the repo). */
export {
  integer as int,
  objectIdentifier as encodeOid,
  printableString as printable,
  sequence as seq,
  set,
  utf8String,
} from '../asn1/der-writer.js';
