/**
 * Chip Authentication verdict (ICAO 9303-11 §6.2). The key agreement and the switch to new secure-messaging
 * keys are the reader's job; success there proves the chip holds the private key of DG14's public key, which
 * only means "issued by the state" when DG14 itself is covered by a valid SOD.
 */
import { swHex } from '../apdu/status.js';
import { type Reason, reason } from '../pki/reasons.js';
import type { CardSecurityVerdict } from './card-security.js';
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
  /** How the chip was authenticated: Chip Authentication with DG14's key (default) or PACE-CAM. */
  method?: 'ca' | 'pace-cam';
  protocol?: string;
  /** True when the key is covered by passive authentication: DG14 by the SOD (CA), EF.CardSecurity (PACE-CAM). */
  keyVerified: boolean;
  /** PACE-CAM: passive authentication of EF.CardSecurity, which holds the key. */
  cardSecurity?: CardSecurityVerdict;
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

export interface PaceCamInput {
  /** The read's CAM check (read/types.ts PaceCamReport): match, mismatch or not-checked and why. */
  result: 'match' | 'mismatch' | 'not-checked';
  notChecked?: string;
  /** Passive authentication of EF.CardSecurity; absent when the file was not read. */
  cardSecurity?: CardSecurityVerdict;
  /** id-PACE-ECDH-CAM-* OID used. */
  protocol?: string;
  /** True when the result is a reader's claim (evidence bundle) rather than this process's check. */
  claimed?: boolean;
  /**
   * A claim only: false when nothing ties this EF.CardSecurity to the document (its key is not DG14's, or it was
   * not signed by EF.SOD's Document Signer; evidence.ts camTiedToDocument). The claim then counts neither way.
   */
  tied?: boolean;
}

/**
 * PACE-CAM verdict (ICAO 9303-11 §4.4.3.3.3 and §4.4.3.5.2). The check PK_Map,IC = CA_IC · PK_IC proves the chip
 * holds the key EF.CardSecurity names; that key counts only when EF.CardSecurity passes passive authentication.
 * valid: match under a valid EF.CardSecurity (the chip is authenticated). invalid: mismatch under a valid
 * EF.CardSecurity (a proven wrong answer: a clone signal). not-checked: the file was missing, unreadable or did not
 * pass passive authentication — nothing was proven either way, so never "failed".
 */
export function paceCamVerdict(input: PaceCamInput): ChipAuthVerdict {
  const claimed = input.claimed ? [reason('cam-claimed-only')] : [];
  const base = {
    method: 'pace-cam' as const,
    ...(input.protocol ? { protocol: input.protocol } : {}),
    ...(input.cardSecurity ? { cardSecurity: input.cardSecurity } : {}),
  };
  if (input.result === 'not-checked')
    return {
      ...base,
      status: 'not-checked',
      keyVerified: false,
      reasons: [reason('cam-not-checked', { why: input.notChecked })],
    };
  const cs = input.cardSecurity;
  if (cs?.status !== 'valid')
    return {
      ...base,
      status: 'not-checked',
      keyVerified: false,
      reasons: [...claimed, reason('cam-card-security-not-valid', { status: cs?.status ?? 'not-checked' })],
    };
  if (input.tied === false)
    return { ...base, status: 'not-checked', keyVerified: false, reasons: [...claimed, reason('cam-not-tied')] };
  return input.result === 'match'
    ? { ...base, status: 'valid', keyVerified: true, reasons: [...claimed, reason('cam-verified')] }
    : { ...base, status: 'invalid', keyVerified: true, reasons: [...claimed, reason('cam-failed')] };
}

export interface CombineOptions {
  /**
   * The key Chip Authentication ran with is a key of EF.CardSecurity (verify/chip-keys.ts cardSecurityHoldsKey):
   * under the valid EF.CardSecurity a CAM verdict implies, CA then proves the very key CAM was checked against.
   */
  caKeyInCardSecurity?: boolean;
}

/**
 * One chip verdict from Chip Authentication and PACE-CAM (docs/verification.md "PACE-CAM"):
 *
 * - CAM valid: CAM's verdict.
 * - CAM invalid (a well-formed CA_IC that fits no key of a valid EF.CardSecurity). DO'8A', which carries CA_IC, is
 *   the one PACE value without a MAC (ICAO 9303-11 §4.4.3.5.2), so one flipped bit on the way makes a genuine chip
 *   "mismatch"; the reader then runs Chip Authentication with DG14, which is MAC-protected end to end. CA valid
 *   with a key PA vouches for (DG14 under a valid SOD, or the key of EF.CardSecurity itself): the chip is proven by
 *   CA — `valid` with the warning `cam-mismatch-ca-valid`. CA invalid: `invalid`. CA refused, not run, or with a key
 *   nothing vouches for: CAM's `invalid` stays, the clone signal (a clone without SK_IC can make neither a fitting
 *   CA_IC nor a CA, and tampering can only make a proof fail, never pass).
 * - CAM not checked: CA's verdict when CA ran, with CAM's reason in front; else CAM's not-checked verdict.
 */
export function combineChipVerdicts(
  ca: ChipAuthVerdict | undefined,
  cam: ChipAuthVerdict | undefined,
  options: CombineOptions = {},
): ChipAuthVerdict | undefined {
  if (!cam) return ca;
  if (cam.status === 'valid') return cam;
  const caRan = ca !== undefined && ca.status !== 'not-checked';
  if (cam.status === 'invalid') {
    if (ca?.status === 'valid' && (ca.keyVerified || options.caKeyInCardSecurity)) {
      const coveredByCardSecurity = !ca.keyVerified;
      const caReasons = coveredByCardSecurity ? ca.reasons.filter((r) => r.code !== 'ca-key-not-verified') : ca.reasons;
      return {
        ...ca,
        method: 'ca',
        keyVerified: true,
        ...(cam.cardSecurity ? { cardSecurity: cam.cardSecurity } : {}),
        reasons: [reason('cam-mismatch-ca-valid'), ...caReasons],
      };
    }
    return ca?.status === 'invalid' ? { ...ca, reasons: [...cam.reasons, ...ca.reasons] } : cam;
  }
  return caRan ? { ...ca, reasons: [...cam.reasons, ...ca.reasons] } : cam;
}
