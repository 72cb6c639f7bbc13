/**
 * What the evidence bundle may carry. A raw data group discloses every value in it, whatever the field list says,
 * so a data group goes into the bundle only when this read released every field it carries (DATA_GROUP_FIELDS;
 * docs/agent-protocol.md, "Evidence and the field policy"). The released fields are the requested ones after
 * checkRelease: policy AND ticket AND request AND, for sensitive fields, consent. EF.SOD, DG14 and DG15 carry no
 * personal data and always go: a backend can still check the SOD signature and chain, the hash of every data group
 * present and the AA/CA records, just not the content of what was withheld.
 */
import { DATA_GROUP_FIELDS, PUBLIC_DATA_GROUPS, type WithheldGroup } from '@cccd/client';
import type { DgName, EvidenceBundle } from '@cccd/emrtd';
import type { FieldName } from './fields.js';

const GROUP_FIELDS: Readonly<Record<string, readonly FieldName[]>> = DATA_GROUP_FIELDS;

/** Why `group` must stay out of the bundle when `released` are the fields released, or undefined when it may go. */
export function withholdingOf(group: string, released: ReadonlySet<FieldName>): WithheldGroup | undefined {
  if (PUBLIC_DATA_GROUPS.includes(group)) return undefined;
  const carried = GROUP_FIELDS[group];
  // A data group no field name covers (DG11, DG12… should a later read ask for them) can never be released.
  if (!carried) return { group, reason: 'no-field-name', fields: [] };
  const missing = carried.filter((f) => !released.has(f));
  return missing.length > 0 ? { group, reason: 'fields-not-released', fields: missing } : undefined;
}

const dgNumber = (name: string) => Number(name.slice(2));

export interface ReleasableEvidence {
  bundle: EvidenceBundle;
  /** The data groups read but left out, in data-group order. */
  withheld: WithheldGroup[];
}

/** The bundle with only the data groups these released fields allow (the SOD and AA/CA records unchanged). */
export function releasableEvidence(bundle: EvidenceBundle, released: readonly FieldName[]): ReleasableEvidence {
  const allowed = new Set(released);
  const dataGroups: EvidenceBundle['dataGroups'] = {};
  const withheld: WithheldGroup[] = [];
  const groups = Object.keys(bundle.dataGroups).sort((a, b) => dgNumber(a) - dgNumber(b)) as DgName[];
  for (const group of groups) {
    const bytes = bundle.dataGroups[group];
    if (!bytes) continue;
    const refusal = withholdingOf(group, allowed);
    if (refusal) withheld.push(refusal);
    else dataGroups[group] = bytes;
  }
  return { bundle: { ...bundle, dataGroups }, withheld };
}
