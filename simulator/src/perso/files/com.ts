import { concat, tlv, utf8 } from '@cccd/emrtd/codec';

/** LDS tag of each data group (ICAO 9303-10 §4.6.1). */
export const DG_TAGS: Record<number, number> = {
  1: 0x61,
  2: 0x75,
  3: 0x63,
  4: 0x76,
  5: 0x65,
  6: 0x66,
  7: 0x67,
  8: 0x68,
  9: 0x69,
  10: 0x6a,
  11: 0x6b,
  12: 0x6c,
  13: 0x6d,
  14: 0x6e,
  15: 0x6f,
  16: 0x70,
};

/**
 * EF.COM: LDS version 1.7 ("0107"), Unicode 4.0.0 ("040000"), tag list in the order given. The CCCD lists
 * DG1, DG2, DG3, DG13, DG15, DG14 (in that order), giving the 26-byte file real readers see.
 */
export function buildCom(dataGroups: number[]): Uint8Array {
  const tags = dataGroups.map((n) => {
    const t = DG_TAGS[n];
    if (t === undefined) throw new RangeError(`no LDS tag for DG${n}`);
    return t;
  });
  return tlv(0x60, concat(tlv(0x5f01, utf8('0107')), tlv(0x5f36, utf8('040000')), tlv(0x5c, Uint8Array.from(tags))));
}
