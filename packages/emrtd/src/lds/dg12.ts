/** DG12 (ICAO 9303-10 §4.7.12): additional document details. The CCCD has no DG12. */
import { readTaggedFields, type TaggedFields } from './tagged-fields.js';

export interface Dg12 {
  tagList: number[];
  issuingAuthority?: string;
  /** yyyymmdd as stored. */
  dateOfIssue?: string;
  namesOfOtherPersons?: string[];
  endorsementsAndObservations?: string;
  taxOrExitRequirements?: string;
  imageOfFront?: Uint8Array;
  imageOfRear?: Uint8Array;
  /** yyyymmddhhmmss as stored. */
  dateAndTimeOfPersonalization?: string;
  personalizationSystemSerialNumber?: string;
  unknown: TaggedFields['unknown'];
}

const SPEC = {
  file: 'DG12',
  rootTag: 0x6c,
  list: { tag: 0x5f1a, name: 'namesOfOtherPersons' },
  fields: {
    24345: { name: 'issuingAuthority', kind: 'text' },
    24358: { name: 'dateOfIssue', kind: 'text' },
    24347: { name: 'endorsementsAndObservations', kind: 'text' },
    24348: { name: 'taxOrExitRequirements', kind: 'text' },
    24349: { name: 'imageOfFront', kind: 'bytes' },
    24350: { name: 'imageOfRear', kind: 'bytes' },
    24405: { name: 'dateAndTimeOfPersonalization', kind: 'text' },
    24406: { name: 'personalizationSystemSerialNumber', kind: 'text' },
  },
} as const;

export function parseDg12(bytes: Uint8Array): Dg12 {
  const { tagList, values, unknown } = readTaggedFields(bytes, SPEC);
  return { tagList, ...values, unknown } as Dg12;
}
