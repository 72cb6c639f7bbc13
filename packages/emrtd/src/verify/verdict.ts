/**
 * The overall verdict. Chip and active authentication only prove a genuine chip when passive authentication
 * is valid AND covers the key they used (DG14 / DG15): those keys are supplied by the chip itself
 * (anchors-emrtd §2 pitfall 7). Any explicit failure makes the whole read invalid.
 */
import type { ActiveAuthVerdict } from './active-auth.js';
import type { ChipAuthVerdict } from './chip-auth.js';
import type { PassiveVerdict } from './passive.js';
import { type Reason, reason } from './reasons.js';

export type OverallStatus = 'authentic' | 'genuine-data' | 'invalid' | 'unknown-csca' | 'not-checked';

export interface Verdict {
  overall: OverallStatus;
  passive: PassiveVerdict;
  chip?: ChipAuthVerdict;
  active?: ActiveAuthVerdict;
  /** Reasons about the combination (e.g. CA/AA not counted because PA is not valid). */
  reasons: Reason[];
}

export interface OverallInput {
  passive: PassiveVerdict;
  chip?: ChipAuthVerdict;
  active?: ActiveAuthVerdict;
}

/**
 * authentic: PA valid and CA or AA valid with its key covered by the SOD (the chip is not a copy).
 * genuine-data: PA valid, no counting CA/AA (the data was issued by the state; the chip may be a clone).
 * invalid: PA, CA or AA failed. unknown-csca: nothing failed but the CSCA is not in the trust store.
 */
export function overallVerdict(input: OverallInput): Verdict {
  const { passive, chip, active } = input;
  const out: Verdict = { overall: 'not-checked', passive, reasons: [] };
  if (chip) out.chip = chip;
  if (active) out.active = active;
  const failed = passive.status === 'invalid' || chip?.status === 'invalid' || active?.status === 'invalid';
  if (failed) out.overall = 'invalid';
  else if (passive.status === 'unknown-csca') out.overall = 'unknown-csca';
  else if (passive.status === 'not-checked') out.overall = 'not-checked';
  else {
    const caCounts = chip?.status === 'valid' && passive.dataGroups.DG14 === 'match';
    const aaCounts = active?.status === 'valid' && passive.dataGroups.DG15 === 'match';
    out.overall = caCounts || aaCounts ? 'authentic' : 'genuine-data';
  }
  if (passive.status !== 'valid' && (chip?.status === 'valid' || active?.status === 'valid'))
    out.reasons.push(reason('passive-not-valid'));
  return out;
}
