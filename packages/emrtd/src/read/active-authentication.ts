/**
 * Step 4 of a read: DG15, then Active Authentication (ICAO 9303-11 §6.1) after the files. The signature is checked
 * here against DG15 only; whether it proves the chip is decided with passive authentication (verification.ts).
 */
import type { ActiveAuthenticationExchange } from '../aa/active-auth.js';
import { EmrtdError } from '../errors.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { parseDg14 } from '../lds/dg14.js';
import { verifyActiveAuthenticationExchange } from '../verify/active-auth.js';
import { activeAuthenticationKey, expectedSignatureLength } from './aa-key.js';
import type { ChipFiles } from './chip-files.js';
import type { CardSession } from './session.js';
import type { ActiveAuthenticationReport, ReadCccdOptions, StepFailure } from './types.js';

const failureOf = (e: EmrtdError, step: string): StepFailure => ({
  step: e.step ?? step,
  code: e.code,
  ...(e.sw === undefined ? {} : { sw: e.sw }),
});

export async function activeAuthenticationStep(
  session: CardSession,
  files: ChipFiles,
  options: Pick<ReadCccdOptions, 'activeAuthentication' | 'aaChallenge'>,
): Promise<ActiveAuthenticationReport> {
  if (options.activeAuthentication === 'off') return { performed: false, skipped: 'off' };
  return runActiveAuthentication(session, files, options.aaChallenge);
}

async function runActiveAuthentication(
  session: CardSession,
  files: ChipFiles,
  challenge: Uint8Array | undefined,
): Promise<ActiveAuthenticationReport> {
  const dg15 = await files.read('DG15');
  if (!dg15) return { performed: false, skipped: 'no-dg15' };
  const key = activeAuthenticationKey(dg15);
  const expectedLength = key && expectedSignatureLength(key);
  let exchange: ActiveAuthenticationExchange;
  try {
    exchange = await session.activeAuthenticate({
      ...(challenge ? { challenge } : {}),
      ...(expectedLength ? { expectedLength } : {}),
    });
  } catch (e) {
    if (!(e instanceof EmrtdError) || e.code === 'cancelled' || e.code === 'invalid-argument') throw e;
    if (e.code === 'unsupported' && e.step === 'INTERNAL AUTHENTICATE') {
      return { performed: false, skipped: 'needs-extended-length', failure: failureOf(e, 'INTERNAL AUTHENTICATE') };
    }
    const failure = failureOf(e, 'INTERNAL AUTHENTICATE');
    // A status word is the chip's answer (declined); a link error or a malformed answer says nothing either way.
    const refused = e.sw !== undefined && e.code !== 'secure-messaging' ? { refused: failure } : {};
    return { performed: true, ...(challenge ? { challenge } : {}), failure, ...refused };
  }
  // ECDSA AA names its hash in DG14's ActiveAuthenticationInfo (not personal data: fetch it when CA did not).
  const dg14Bytes = files.raw.DG14 ?? (key?.publicKey.kind === 'ec' ? await files.read('DG14') : undefined);
  let dg14: SecurityInfos | undefined;
  try {
    dg14 = dg14Bytes ? parseDg14(dg14Bytes) : undefined;
  } catch {
    // a malformed DG14 only loses the ECDSA hash hint; the verifier then reports the hash it inferred
  }
  const verdict = verifyActiveAuthenticationExchange({ ...exchange, dg15, ...(dg14 ? { dg14 } : {}) });
  return { performed: true, ...exchange, verified: verdict.status === 'valid', verdict };
}
