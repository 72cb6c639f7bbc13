/** DG14 (ICAO 9303-10 §4.7.14): SecurityInfos for Chip Authentication (and PACE/AA infos), in template 6E. */

import { children, expectTag, readRoot, TAG } from '../asn1/der.js';
import { readSecurityInfos, type SecurityInfos } from './card-access.js';

const FILE = 'DG14';

export function parseDg14(bytes: Uint8Array): SecurityInfos {
  const root = readRoot(bytes, FILE, 0x6e);
  return readSecurityInfos(expectTag(children(root, FILE)[0], TAG.SET, FILE, root.offset), FILE);
}
