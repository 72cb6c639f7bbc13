/** DG1 (ICAO 9303-10 §4.7.1): the MRZ in tag 5F1F inside template 61. */
import { children, expectTag, findChild, latin1Text, readRoot } from '../asn1/der.js';
import { type Mrz, parseMrz } from './mrz.js';

export interface Dg1 {
  mrz: Mrz;
}

const FILE = 'DG1';

export function parseDg1(bytes: Uint8Array): Dg1 {
  const root = readRoot(bytes, FILE, 0x61);
  const data = expectTag(findChild(children(root, FILE), 0x5f1f), 0x5f1f, FILE, root.offset);
  return { mrz: parseMrz(latin1Text(data.value), FILE, data.offset + data.headerLength) };
}
