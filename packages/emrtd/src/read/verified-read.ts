/**
 * readVerified: the one call front-desk software needs. Reads the requested files (always with EF.SOD), runs chip
 * and active authentication when the card offers them, and returns the data with a verdict a reviewer can sign:
 * passive authentication against the trust store, CA/AA counted only when PA covers their keys (DG14/DG15).
 */

import type { AccessKey } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import type { Transport } from '../transport.js';
import type { TrustStore } from '../trust/store.js';
import {
  activeAuthenticationAlgorithm,
  activeAuthenticationNotPerformed,
  activeAuthenticationRefused,
  verifyActiveAuthentication,
} from '../verify/active-auth.js';
import { chipAuthenticationVerdict } from '../verify/chip-auth.js';
import { chipAuthenticationEvidence, createEvidence, type EvidenceBundle } from '../verify/evidence.js';
import { type DgName, type PassivePolicy, verifyPassive } from '../verify/passive.js';
import { overallVerdict, type Verdict } from '../verify/verdict.js';
import { type CccdGroup, type CccdReadResult, type ReadCccdOptions, readCccd } from './read-cccd.js';

export interface VerifiedReadOptions extends ReadCccdOptions {
  trustStore: TrustStore;
  policy?: PassivePolicy;
  /** Also return the evidence bundle (raw SOD, DGs, DS certificate, AA and CA records) for a backend re-check. */
  evidence?: boolean;
  /** Clock for the verdict (tests, replays). */
  now?: Date;
}

export interface VerifiedRead extends CccdReadResult {
  verification: Verdict;
  evidence?: EvidenceBundle;
}

/** Data groups as the verifier names them; COM and SOD are not data groups. */
export function dataGroupsOf(raw: CccdReadResult['raw']): Partial<Record<DgName, Uint8Array>> {
  const out: Partial<Record<DgName, Uint8Array>> = {};
  for (const [name, bytes] of Object.entries(raw) as [CccdGroup, Uint8Array | undefined][])
    if (bytes && name.startsWith('DG')) out[name as DgName] = bytes;
  return out;
}

/** Verifies what readCccd returned (no card I/O). */
export function verifyRead(
  read: CccdReadResult,
  options: Pick<VerifiedReadOptions, 'trustStore' | 'policy' | 'now'>,
): Verdict {
  const dataGroups = dataGroupsOf(read.raw);
  const passive = verifyPassive({
    ...(read.raw.SOD ? { sod: read.raw.SOD } : {}),
    dataGroups,
    trustStore: options.trustStore,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const ca = read.chipAuthentication;
  const chip = chipAuthenticationVerdict({
    ...(ca.performed ? { succeeded: ca.success } : {}),
    ...(ca.refused?.sw === undefined ? {} : { refusedSw: ca.refused.sw }),
    notOffered: ca.skipped === 'no-dg14' || ca.skipped === 'unsupported',
    ...(passive.dataGroups.DG14 ? { dg14Status: passive.dataGroups.DG14 } : {}),
    ...(ca.transcript ? { protocol: ca.transcript.oid } : {}),
  });
  const aa = read.activeAuthentication;
  const signatureAlgorithm = activeAuthenticationAlgorithm(read.raw.DG14);
  const active =
    aa.refused?.sw !== undefined
      ? activeAuthenticationRefused(aa.refused.sw)
      : aa.performed && aa.challenge && aa.response && read.raw.DG15
        ? verifyActiveAuthentication({
            publicKey: read.raw.DG15,
            challenge: aa.challenge,
            response: aa.response,
            ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
            ...(passive.dataGroups.DG15 ? { dg15Status: passive.dataGroups.DG15 } : {}),
          })
        : activeAuthenticationNotPerformed(
            aa.skipped === 'needs-extended-length' || aa.skipped === 'no-dg15' ? aa.skipped : undefined,
          );
  return overallVerdict({ passive, chip, active });
}

/** Reads and verifies. Only the groups asked for are read (DG2 and DG13 are sensitive); EF.SOD always is. */
export async function readVerified(
  transport: Transport,
  key: AccessKey | CandidateKey | (AccessKey | CandidateKey)[],
  options: VerifiedReadOptions,
): Promise<VerifiedRead> {
  const groups = [...new Set<CccdGroup>([...(options.groups ?? ['DG1', 'DG13']), 'SOD'])];
  const read = await readCccd(transport, key, { ...options, groups });
  const result: VerifiedRead = { ...read, verification: verifyRead(read, options) };
  if (options.evidence && read.raw.SOD) {
    const aa = read.activeAuthentication;
    const ca = read.chipAuthentication.transcript;
    result.evidence = createEvidence({
      sod: read.raw.SOD,
      dataGroups: dataGroupsOf(read.raw),
      ...(aa.performed && aa.challenge && aa.response
        ? { activeAuthentication: { challenge: aa.challenge, response: aa.response } }
        : {}),
      ...(aa.refused?.sw === undefined ? {} : { activeAuthenticationRefused: { sw: aa.refused.sw } }),
      ...(ca ? { chipAuthentication: chipAuthenticationEvidence(ca) } : {}),
      ...(options.now ? { createdAt: options.now } : {}),
    });
  }
  return result;
}
