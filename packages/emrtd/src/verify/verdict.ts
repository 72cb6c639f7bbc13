/**
 * The overall verdict. Chip and active authentication only prove a genuine chip when passive authentication
 * is valid AND covers the key they used (DG14 / DG15): those keys are supplied by the chip itself
 * (docs/reference/anchors-emrtd.md §2 pitfall 7). Any explicit failure makes the whole read invalid; a refusal
 * does not (docs/verification.md, "Refused is not failed").
 */
import { swHex } from '../apdu/status.js';
import { type ProofState, type Reason, reason } from '../pki/reasons.js';
import type { ActiveAuthVerdict } from './active-auth.js';
import type { ChipAuthVerdict } from './chip-auth.js';
import type { DataGroupStatus, PassiveVerdict } from './passive.js';

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
 * genuine-data: PA valid and no counting CA/AA — refused, not offered or not run (the data was issued by the state;
 * the chip may be a clone, and a clone can refuse CA, so a refusal never counts for or against the chip).
 * invalid: PA, CA or AA failed — a proof that ran and did not verify. A refusal is never a failure.
 * unknown-csca: nothing failed but the CSCA is not in the trust store.
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
    // CA's key is DG14 (covered by the SOD); PACE-CAM's is in EF.CardSecurity, verified on its own (keyVerified).
    const ca = proofState(
      chip,
      chip?.method === 'pace-cam' ? (chip.keyVerified ? 'match' : undefined) : passive.dataGroups.DG14,
    );
    const aa = proofState(active, passive.dataGroups.DG15);
    out.overall = ca === 'counts' || aa === 'counts' ? 'authentic' : 'genuine-data';
    if (out.overall === 'genuine-data')
      out.reasons.push(reason('no-anti-clone-proof', { ca, aa, caSw: swOf(chip), aaSw: swOf(active) }));
  }
  if (passive.status !== 'valid' && (chip?.status === 'valid' || active?.status === 'valid'))
    out.reasons.push(reason('passive-not-valid'));
  return out;
}

type Proof = { status: string; sw?: number; reasons: { code: string }[] };

/** Whether a CA/AA verdict proves the chip, and if not, why (for the genuine-data reason). */
function proofState(v: Proof | undefined, keyStatus: DataGroupStatus | undefined): ProofState | 'counts' {
  if (!v) return 'not-run';
  if (v.status === 'valid') return keyStatus === 'match' ? 'counts' : 'key-not-covered';
  if (v.status === 'refused') return 'refused';
  const codes = v.reasons.map((r) => r.code);
  if (codes.includes('ca-not-offered') || codes.includes('aa-not-offered')) return 'not-offered';
  if (codes.includes('aa-needs-extended-length')) return 'reader-limit';
  if (codes.includes('cam-card-security-not-valid')) return 'card-security-not-valid';
  return 'not-run';
}

const swOf = (v: Proof | undefined) => (v?.status === 'refused' && v.sw !== undefined ? swHex(v.sw) : undefined);
