/**
 * Step 2 of a read: DG14, then Chip Authentication with its key (ICAO 9303-11 §6.2) right after access control, so
 * the requested files are read under the chip's own keys — unless PACE-CAM already did that (pace-cam.ts). What
 * cannot run is reported as skipped, never thrown.
 */
import { isTransientError } from '../ca/chip-auth.js';
import { EmrtdError } from '../errors.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { parseDg14 } from '../lds/dg14.js';
import { verifyCardSecurity } from '../verify/card-security.js';
import type { ChipFiles } from './chip-files.js';
import type { CardSession } from './session.js';
import type { ChipAuthenticationReport, ReadCccdOptions, VerifiedReadOptions } from './types.js';

export async function chipAuthenticationStep(
  session: CardSession,
  files: ChipFiles,
  options: Pick<ReadCccdOptions, 'chipAuthentication'>,
  verification?: Pick<VerifiedReadOptions, 'trustStore' | 'policy' | 'now'>,
): Promise<ChipAuthenticationReport> {
  if (options.chipAuthentication === 'off') return { performed: false, success: false, skipped: 'off' };
  if (camAuthenticated(session, verification)) return { performed: false, success: false, skipped: 'pace-cam' };
  return runChipAuthentication(session, await files.read('DG14'));
}

/**
 * ICAO 9303-11 §4.4.3.3.3: PACE-CAM authenticates the chip within PACE, so Chip Authentication adds nothing once
 * CA_IC fits EF.CardSecurity's key. With a trust store (readVerified) the file's signature and chain are checked
 * first, so a chip whose EF.CardSecurity does not verify still gets CA; the verdict checks it again with DG1's
 * country. Without one (readCccd) the CAM match alone decides.
 */
function camAuthenticated(
  session: CardSession,
  verification: Pick<VerifiedReadOptions, 'trustStore' | 'policy' | 'now'> | undefined,
): boolean {
  const cam = session.paceCam;
  if (cam?.report.result !== 'match' || !cam.cardSecurity) return false;
  if (!verification) return true;
  const v = verifyCardSecurity({
    cardSecurity: cam.cardSecurity,
    trustStore: verification.trustStore,
    ...(verification.policy ? { policy: verification.policy } : {}),
    ...(verification.now ? { now: verification.now } : {}),
  });
  return v.status === 'valid';
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
