/**
 * Chip Authentication verdict (ICAO 9303-11 §6.2). The key agreement and the switch to new secure-messaging
 * keys are the reader's job; success there proves the chip holds the private key of DG14's public key, which
 * only means "issued by the state" when DG14 itself is covered by a valid SOD.
 */
import { swHex } from '../apdu/status.js';
import { type Reason, reason } from '../pki/reasons.js';
import type { DataGroupStatus } from './passive.js';

/** refused: the chip declined CA before any proof (a warning: a genuine chip may do it, and so may a clone). */
export type ChipAuthStatus = 'valid' | 'invalid' | 'refused' | 'not-checked';

export interface ChipAuthInput {
  /** Whether CA ran to completion with secure messaging restarted under the new keys; undefined = not run. */
  succeeded?: boolean;
  /** DG14's passive-authentication status. */
  dg14Status?: DataGroupStatus;
  /** True when the result comes from a reader's claim (evidence bundle) rather than this process. */
  claimed?: boolean;
  /** CA protocol OID used (id-CA-ECDH-AES-CBC-CMAC-256, …), for the report. */
  protocol?: string;
  /** The chip declined CA with this status word before any proof (`succeeded` is then false). */
  refusedSw?: number;
  /** The card offers no CA this reader can run (no DG14, or no CA key in it): not run, by the card's choice. */
  notOffered?: boolean;
}

export interface ChipAuthVerdict {
  status: ChipAuthStatus;
  protocol?: string;
  /** True when DG14 (the CA public key) matched a hash in the SOD. */
  keyVerified: boolean;
  /** The status word of a refusal. */
  sw?: number;
  reasons: Reason[];
}

export function chipAuthenticationVerdict(input: ChipAuthInput): ChipAuthVerdict {
  const keyVerified = input.dg14Status === 'match';
  const base = input.protocol ? { protocol: input.protocol, keyVerified } : { keyVerified };
  if (input.succeeded === undefined)
    return {
      ...base,
      status: 'not-checked',
      reasons: [reason(input.notOffered ? 'ca-not-offered' : 'ca-not-performed')],
    };
  const reasons: Reason[] = [];
  if (input.claimed) reasons.push(reason('ca-claimed-only'));
  if (!input.succeeded && input.refusedSw !== undefined)
    return {
      ...base,
      status: 'refused',
      sw: input.refusedSw,
      reasons: [...reasons, reason('ca-refused', { sw: swHex(input.refusedSw) })],
    };
  if (!input.succeeded) return { ...base, status: 'invalid', reasons: [...reasons, reason('ca-failed')] };
  if (!keyVerified) reasons.push(reason('ca-key-not-verified'));
  return { ...base, status: 'valid', reasons };
}
