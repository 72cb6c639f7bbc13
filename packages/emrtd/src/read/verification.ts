/**
 * Steps 6 and 7 of a read, without card I/O: passive authentication of what was read (EF.SOD signature, the DS
 * certificate's path to a CSCA in the trust store, the data group hashes; ICAO 9303-11 §5.1), then the verdict,
 * where CA and AA count only when passive authentication covers their keys (DG14, DG15). Also the evidence
 * bundle a backend can re-check.
 */
import {
  activeAuthenticationAlgorithm,
  activeAuthenticationNotPerformed,
  activeAuthenticationRefused,
  verifyActiveAuthentication,
} from '../verify/active-auth.js';
import { verifyCardSecurity } from '../verify/card-security.js';
import {
  type ChipAuthVerdict,
  chipAuthenticationVerdict,
  combineChipVerdicts,
  paceCamVerdict,
} from '../verify/chip-auth.js';
import { cardSecurityHoldsKey, dg14ChipKeys } from '../verify/chip-keys.js';
import { chipAuthenticationEvidence, createEvidence, type EvidenceBundle } from '../verify/evidence.js';
import { type DgName, issuingStateOf, type PassiveVerdict, verifyPassive } from '../verify/passive.js';
import { overallVerdict, type Verdict } from '../verify/verdict.js';
import type { CccdReadResult, RawFile, VerifiedReadOptions } from './types.js';

export type VerifyReadOptions = Pick<VerifiedReadOptions, 'trustStore' | 'policy' | 'now'>;

/** Data groups as the verifier names them; COM and SOD are not data groups. */
export function dataGroupsOf(raw: CccdReadResult['raw']): Partial<Record<DgName, Uint8Array>> {
  const out: Partial<Record<DgName, Uint8Array>> = {};
  for (const [name, bytes] of Object.entries(raw) as [RawFile, Uint8Array | undefined][])
    if (bytes && name.startsWith('DG')) out[name as DgName] = bytes;
  return out;
}

/** Step 6: passive authentication of the files read. */
export function passiveAuthentication(read: CccdReadResult, options: VerifyReadOptions): PassiveVerdict {
  return verifyPassive({
    ...(read.raw.SOD ? { sod: read.raw.SOD } : {}),
    dataGroups: dataGroupsOf(read.raw),
    trustStore: options.trustStore,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Chip Authentication and PACE-CAM as one chip verdict (verify/chip-auth.ts combineChipVerdicts). */
function chipVerdict(read: CccdReadResult, passive: PassiveVerdict, options: VerifyReadOptions): ChipAuthVerdict {
  const ca = caVerdict(read, passive);
  const { CardSecurity: cardSecurity, DG14: dg14 } = read.raw;
  const caKeyInCardSecurity =
    cardSecurity !== undefined &&
    dg14 !== undefined &&
    read.chipAuthentication.success &&
    cardSecurityHoldsKey(cardSecurity, dg14ChipKeys(dg14, read.chipAuthentication.transcript?.keyId));
  return combineChipVerdicts(ca, camVerdict(read, options), { caKeyInCardSecurity }) ?? ca;
}

function camVerdict(read: CccdReadResult, options: VerifyReadOptions): ChipAuthVerdict | undefined {
  const cam = read.paceCam;
  if (!cam) return undefined;
  const bytes = read.raw.CardSecurity;
  const issuingState = issuingStateOf({ dataGroups: dataGroupsOf(read.raw) });
  const cardSecurity = bytes
    ? verifyCardSecurity({
        cardSecurity: bytes,
        trustStore: options.trustStore,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(issuingState ? { issuingState } : {}),
      })
    : undefined;
  return paceCamVerdict({
    result: cam.result,
    ...(cam.notChecked ? { notChecked: cam.notChecked } : {}),
    ...(cardSecurity ? { cardSecurity } : {}),
    ...(read.access.pace ? { protocol: read.access.pace.oid } : {}),
  });
}

function caVerdict(read: CccdReadResult, passive: PassiveVerdict): ChipAuthVerdict {
  const ca = read.chipAuthentication;
  return chipAuthenticationVerdict({
    ...(ca.performed ? { succeeded: ca.success } : {}),
    ...(ca.refused?.sw === undefined ? {} : { refusedSw: ca.refused.sw }),
    notOffered: ca.skipped === 'no-dg14' || ca.skipped === 'unsupported',
    ...(passive.dataGroups.DG14 ? { dg14Status: passive.dataGroups.DG14 } : {}),
    ...(ca.transcript ? { protocol: ca.transcript.oid } : {}),
  });
}

function activeVerdict(read: CccdReadResult, passive: PassiveVerdict) {
  const aa = read.activeAuthentication;
  const signatureAlgorithm = activeAuthenticationAlgorithm(read.raw.DG14);
  if (aa.refused?.sw !== undefined) return activeAuthenticationRefused(aa.refused.sw);
  if (aa.performed && aa.challenge && aa.response && read.raw.DG15)
    return verifyActiveAuthentication({
      publicKey: read.raw.DG15,
      challenge: aa.challenge,
      response: aa.response,
      ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
      ...(passive.dataGroups.DG15 ? { dg15Status: passive.dataGroups.DG15 } : {}),
    });
  return activeAuthenticationNotPerformed(
    aa.skipped === 'needs-extended-length' || aa.skipped === 'no-dg15' ? aa.skipped : undefined,
  );
}

/** Step 7: the verdict over passive authentication and the chip's CA and AA. */
export function verdict(read: CccdReadResult, passive: PassiveVerdict, options: VerifyReadOptions): Verdict {
  return overallVerdict({ passive, chip: chipVerdict(read, passive, options), active: activeVerdict(read, passive) });
}

/** Verifies what readCccd returned (no card I/O): steps 6 and 7. */
export function verifyRead(read: CccdReadResult, options: VerifyReadOptions): Verdict {
  return verdict(read, passiveAuthentication(read, options), options);
}

/** The evidence bundle of a read (raw SOD, DGs, AA and CA records), when it has an EF.SOD. */
export function evidenceOf(read: CccdReadResult, options: { now?: Date }): EvidenceBundle | undefined {
  if (!read.raw.SOD) return undefined;
  const aa = read.activeAuthentication;
  const ca = read.chipAuthentication.transcript;
  const cam = read.paceCam;
  return createEvidence({
    sod: read.raw.SOD,
    dataGroups: dataGroupsOf(read.raw),
    ...(aa.performed && aa.challenge && aa.response
      ? { activeAuthentication: { challenge: aa.challenge, response: aa.response } }
      : {}),
    ...(aa.refused?.sw === undefined ? {} : { activeAuthenticationRefused: { sw: aa.refused.sw } }),
    ...(ca ? { chipAuthentication: chipAuthenticationEvidence(ca) } : {}),
    ...(read.raw.CardSecurity ? { cardSecurity: read.raw.CardSecurity } : {}),
    ...(cam
      ? {
          paceCam: {
            result: cam.result,
            ...(cam.notChecked ? { notChecked: cam.notChecked } : {}),
            ...(read.access.pace ? { protocol: read.access.pace.oid } : {}),
          },
        }
      : {}),
    ...(options.now ? { createdAt: options.now } : {}),
  });
}
