/**
 * Step 2 of a read: DG14, then Chip Authentication with its key (ICAO 9303-11 §6.2) right after access control, so
 * the requested files are read under the chip's own keys — unless PACE-CAM already did that (pace-cam.ts). What
 * cannot run is reported as skipped, never thrown.
 */
import { isTransientError } from '../ca/chip-auth.js';
import { EmrtdError } from '../errors.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { parseDg14 } from '../lds/dg14.js';
import type { ChipFiles } from './chip-files.js';
import type { CardSession } from './session.js';
import type { ChipAuthenticationReport, ReadCccdOptions } from './types.js';

export async function chipAuthenticationStep(
  session: CardSession,
  files: ChipFiles,
  options: Pick<ReadCccdOptions, 'chipAuthentication'>,
): Promise<ChipAuthenticationReport> {
  if (options.chipAuthentication === 'off') return { performed: false, success: false, skipped: 'off' };
  // ICAO 9303-11 §4.4.3.3.3: PACE-CAM authenticates the chip within PACE, so Chip Authentication adds nothing; the
  // verdict still requires EF.CardSecurity to pass passive authentication. Without a match, CA runs as usual.
  if (session.paceCam?.report.result === 'match') return { performed: false, success: false, skipped: 'pace-cam' };
  return runChipAuthentication(session, await files.read('DG14'));
}

async function runChipAuthentication(
  session: CardSession,
  dg14: Uint8Array | undefined,
): Promise<ChipAuthenticationReport> {
  if (!dg14) return { performed: false, success: false, skipped: 'no-dg14' };
  let infos: SecurityInfos;
  try {
    infos = parseDg14(dg14);
  } catch (e) {
    if (e instanceof EmrtdError) return { performed: false, success: false, skipped: 'malformed-dg14' };
    throw e;
  }
  if (infos.chipAuthenticationPublicKeyInfos.length === 0)
    return { performed: false, success: false, skipped: 'unsupported' };
  try {
    const transcript = await session.chipAuthenticate(infos);
    const refused = transcript.refused && transcript.failure ? { refused: transcript.failure } : {};
    return {
      performed: true,
      success: transcript.success,
      transcript,
      ...(transcript.success ? {} : { continuedWithoutCa: true }),
      ...refused,
    };
  } catch (e) {
    if (!(e instanceof EmrtdError) || isTransientError(e)) throw e;
    if (e.code === 'unsupported') return { performed: false, success: false, skipped: 'unsupported' };
    if (e.code === 'malformed-data') return { performed: false, success: false, skipped: 'malformed-dg14' };
    throw e;
  }
}
