/**
 * Field → chip file mapping and release. Reading is minimal: a field list maps to the smallest set of data groups,
 * so DG2 (the face) is never read unless the photo is released, and DG13 only when a personal field is.
 * Field names and the default-deny list are the protocol's (@cccd/client CCCD_FIELDS, DEFAULT_DENY_FIELDS).
 */
import { CCCD_FIELDS, type CccdField, type CccdFields, DEFAULT_DENY_FIELDS } from '@cccd/client';
import type { CccdDocument, CccdGroup } from '@cccd/emrtd';

export { CCCD_FIELDS as FIELD_NAMES };
export type FieldName = CccdField;

/** Off unless the origin's policy AND the request both name them (photo, ethnicity, religion, parents). */
export const SENSITIVE_FIELDS: ReadonlySet<FieldName> = new Set(DEFAULT_DENY_FIELDS);

const groupOf = (f: FieldName): CccdGroup => (f === 'photo' ? 'DG2' : 'DG13');

/**
 * Data groups to read for these fields, plus what verification needs: EF.SOD, and DG1 because passive
 * authentication binds the signer's country to DG1's issuing state (ICAO 9303-12). DG1 is never released unless a
 * field maps to it; DG14/DG15 (public keys) come with CA/AA.
 */
export function groupsFor(fields: readonly FieldName[]): CccdGroup[] {
  const groups = new Set<CccdGroup>();
  for (const f of fields) groups.add(groupOf(f));
  groups.add('DG1');
  groups.add('SOD');
  return [...groups];
}

type DocumentField = Exclude<FieldName, 'photo'>;

/** The released values: only the named fields, copied out of the document (never the whole object). */
export function pickFields(document: CccdDocument | undefined, fields: readonly FieldName[]): CccdFields {
  const out: Record<string, string | null> = {};
  for (const f of fields) {
    if (f === 'photo') continue;
    const key = f as DocumentField;
    if (!document) out[key] = null;
    else if (key === 'dateOfExpiry') out[key] = document.noExpiry ? 'none' : document.dateOfExpiry;
    else out[key] = document[key];
  }
  return out as CccdFields;
}
