/** DG11 (ICAO 9303-10 §4.7.11): additional personal details. The CCCD has no DG11 (its details are in DG13). */
import { readTaggedFields, type TaggedFields } from './tagged-fields.js';

export interface Dg11 {
  tagList: number[];
  fullName?: string;
  otherNames?: string[];
  personalNumber?: string;
  /** yyyymmdd as stored. */
  fullDateOfBirth?: string;
  placeOfBirth?: string;
  permanentAddress?: string;
  telephone?: string;
  profession?: string;
  title?: string;
  personalSummary?: string;
  proofOfCitizenship?: Uint8Array;
  otherValidTdNumbers?: string;
  custodyInformation?: string;
  unknown: TaggedFields['unknown'];
}

const SPEC = {
  file: 'DG11',
  rootTag: 0x6b,
  list: { tag: 0x5f0f, name: 'otherNames' },
  fields: {
    24334: { name: 'fullName', kind: 'text' },
    24336: { name: 'personalNumber', kind: 'text' },
    24363: { name: 'fullDateOfBirth', kind: 'text' },
    24337: { name: 'placeOfBirth', kind: 'text' },
    24386: { name: 'permanentAddress', kind: 'text' },
    24338: { name: 'telephone', kind: 'text' },
    24339: { name: 'profession', kind: 'text' },
    24340: { name: 'title', kind: 'text' },
    24341: { name: 'personalSummary', kind: 'text' },
    24342: { name: 'proofOfCitizenship', kind: 'bytes' },
    24343: { name: 'otherValidTdNumbers', kind: 'text' },
    24344: { name: 'custodyInformation', kind: 'text' },
  },
} as const;

export function parseDg11(bytes: Uint8Array): Dg11 {
  const { tagList, values, unknown } = readTaggedFields(bytes, SPEC);
  return { tagList, ...values, unknown } as Dg11;
}
