/** DG15 (ICAO 9303-10 §4.7.15): the Active Authentication public key, a SubjectPublicKeyInfo in template 6F. */
import { children, readRoot } from '../asn1/der.js';
import { readSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from './public-key.js';

const FILE = 'DG15';

export function parseDg15(bytes: Uint8Array): SubjectPublicKeyInfo {
  const root = readRoot(bytes, FILE, 0x6f);
  return readSubjectPublicKeyInfo(children(root, FILE)[0], FILE, root.offset);
}
