/**
 * The read, step by step in protocol order (ICAO 9303-11; laid out like gmrtd's reader). `readDocument` names
 * every step; each is a function of this folder:
 *
 *   1. select EF.CardAccess; access control: PACE (else BAC); select the application   session.ts
 *      after PACE-CAM, before the application: EF.CardSecurity and the CAM check      pace-cam.ts
 *   2. read DG14; Chip Authentication, so the files come under the chip's own keys     chip-authentication.ts
 *      (skipped when PACE-CAM matched a signed key: the chip is authenticated already)
 *   3. read the requested files (EF.SOD, DG1, DG13, …)                                  chip-files.ts
 *   4. read DG15; Active Authentication                                                 active-authentication.ts
 *   5. parse the LDS files into the CCCD view, with the read report                     result.ts
 *   6. passive authentication against the trust store (EF.SOD; EF.CardSecurity)        verification.ts
 *   7. the verdict: CA, PACE-CAM and AA count only when PA covers DG14, EF.CardSecurity
 *      and DG15                                                                          verification.ts
 *
 * readCccd stops after step 5; readVerified runs them all. DG2 (photo) and DG13 (personal data) are read only when
 * asked for; DG14 and DG15 (keys, not personal) are read for CA and AA.
 */
import type { Transport } from '../transport.js';
import type { AccessKeys } from './access-control.js';
import { activeAuthenticationStep } from './active-authentication.js';
import { chipAuthenticationStep } from './chip-authentication.js';
import { ChipFiles, readRequestedFiles } from './chip-files.js';
import { readResult } from './result.js';
import { openSession } from './session.js';
import type { CccdGroup, CccdReadResult, ReadCccdOptions, VerifiedRead, VerifiedReadOptions } from './types.js';
import { evidenceOf, passiveAuthentication, type VerifyReadOptions, verdict } from './verification.js';

const DEFAULT_GROUPS: CccdGroup[] = ['DG1', 'DG13', 'SOD'];

async function readDocument(transport: Transport, key: AccessKeys, options: ReadCccdOptions): Promise<CccdReadResult>;
async function readDocument(
  transport: Transport,
  key: AccessKeys,
  options: ReadCccdOptions,
  verification: VerifyReadOptions & { evidence?: boolean },
): Promise<VerifiedRead>;
async function readDocument(
  transport: Transport,
  key: AccessKeys,
  options: ReadCccdOptions,
  verification?: VerifyReadOptions & { evidence?: boolean },
): Promise<CccdReadResult | VerifiedRead> {
  const started = Date.now();
  const groups = [...new Set(options.groups ?? DEFAULT_GROUPS)];
  const session = await openSession(transport, key, options); // 1
  const files = new ChipFiles(session, options);
  const chipAuthentication = await chipAuthenticationStep(session, files, options, verification); // 2
  await readRequestedFiles(files, groups, options); // 3
  const activeAuthentication = await activeAuthenticationStep(session, files, options); // 4
  const read = readResult(session, files, { started, groups, chipAuthentication, activeAuthentication }); // 5
  if (!verification) return read;
  const passive = passiveAuthentication(read, verification); // 6
  const result: VerifiedRead = { ...read, verification: verdict(read, passive, verification) }; // 7
  const evidence = verification.evidence ? evidenceOf(read, verification) : undefined;
  if (evidence) result.evidence = evidence;
  return result;
}

/** Reads the requested files (default DG1, DG13 and EF.SOD) with CA and AA when offered; no verification. */
export function readCccd(
  transport: Transport,
  key: AccessKeys,
  options: ReadCccdOptions = {},
): Promise<CccdReadResult> {
  return readDocument(transport, key, options);
}

/** Reads and verifies. Only the groups asked for are read (DG2 and DG13 are sensitive); EF.SOD always is. */
export function readVerified(
  transport: Transport,
  key: AccessKeys,
  options: VerifiedReadOptions,
): Promise<VerifiedRead> {
  const groups = [...new Set<CccdGroup>([...(options.groups ?? ['DG1', 'DG13']), 'SOD'])];
  return readDocument(transport, key, { ...options, groups }, options);
}
