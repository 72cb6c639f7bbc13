/** EF.COM (ICAO 9303-10 §4.6.1): LDS version, Unicode version and the list of data group tags present. */
import { children, expectTag, findChild, latin1Text, readRoot } from '../asn1/der.js';

/** Data group template tags (9303-10 table 34) → data group number. */
export const DG_TAGS: Readonly<Record<number, number>> = {
  97: 1,
  117: 2,
  99: 3,
  118: 4,
  101: 5,
  102: 6,
  103: 7,
  104: 8,
  105: 9,
  106: 10,
  107: 11,
  108: 12,
  109: 13,
  110: 14,
  111: 15,
  112: 16,
};

export interface EfCom {
  /** 'aabb' digits as 'a.b', e.g. '0107' → '1.7'; the raw 4 digits are in `ldsVersionRaw`. */
  ldsVersion: string;
  ldsVersionRaw: string;
  /** 'aabbcc' → 'a.b.c', e.g. '040000' → '4.0.0'. */
  unicodeVersion: string;
  unicodeVersionRaw: string;
  /** Tag list exactly as stored. */
  tags: number[];
  /** Data group numbers for the known tags, in stored order. */
  dataGroups: number[];
  /** Tags in the list that are not data group tags. */
  unknownTags: number[];
}

const FILE = 'EF.COM';
const dotted = (digits: string) =>
  /^\d+$/.test(digits) && digits.length % 2 === 0
    ? (digits.match(/../g) ?? []).map((p) => String(Number(p))).join('.')
    : digits;

export function parseCom(bytes: Uint8Array): EfCom {
  const root = readRoot(bytes, FILE, 0x60);
  const kids = children(root, FILE);
  const lds = latin1Text(expectTag(findChild(kids, 0x5f01), 0x5f01, FILE, root.offset).value);
  const unicode = latin1Text(expectTag(findChild(kids, 0x5f36), 0x5f36, FILE, root.offset).value);
  const tags = [...expectTag(findChild(kids, 0x5c), 0x5c, FILE, root.offset).value];
  return {
    ldsVersion: dotted(lds),
    ldsVersionRaw: lds,
    unicodeVersion: dotted(unicode),
    unicodeVersionRaw: unicode,
    tags,
    dataGroups: tags.flatMap((t) => (DG_TAGS[t] ? [DG_TAGS[t]] : [])),
    unknownTags: tags.filter((t) => !DG_TAGS[t]),
  };
}
