/**
 * admin.diagnose: the chip profile of the card on a reader (@cccd/emrtd diagnoseChip), for administrators who are
 * asked to send what their real CCCD does. The session is authenticated like any other and must also present the
 * agent's admin token (compared in constant time). The profile carries no personal data; the audit line records
 * who asked, on which reader, and the outcome — no key, no card value.
 */
import { timingSafeEqual } from 'node:crypto';
import { type AdminDiagnoseParams, DIAGNOSE_TIMEOUT_MS, type MethodResult } from '@cccd/client';
import { type AccessKey, canKey, EmrtdError, keyFromCccd, keyFromMrzText } from '@cccd/emrtd';
import { diagnoseChip } from '@cccd/emrtd/diagnose';
import { AgentError, cardTaskFailure } from './errors.js';
import { errorFields } from './log.js';
import type { ReadEnvironment } from './read.js';
import type { CardLink, Reader } from './readers/types.js';

export interface DiagnoseRequest {
  params: AdminDiagnoseParams;
  origin: string;
  sessionId: string;
  operatorId?: string;
  clientId?: string;
  signal: AbortSignal;
}

/** Throws ERR_UNAUTHENTICATED unless `given` is the configured admin token (none configured: always). */
export function checkAdminToken(given: string, expected: string | undefined): void {
  if (expected === undefined)
    throw new AgentError('ERR_UNAUTHENTICATED', 'admin token not configured', { reason: 'admin-disabled' });
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new AgentError('ERR_UNAUTHENTICATED', 'admin token refused', { reason: 'admin-token' });
}

function keyOf(p: AdminDiagnoseParams['accessKey']): AccessKey {
  try {
    if ('can' in p) return canKey(p.can);
    if ('mrz' in p) return keyFromMrzText(p.mrz);
    return keyFromCccd(p.idNumber, p.dateOfBirth, p.dateOfExpiry);
  } catch (e) {
    if (e instanceof EmrtdError) throw new AgentError('ERR_INVALID_PARAMS', 'bad access key', { field: 'accessKey' });
    throw e;
  }
}

/** diagnoseChip within its own bound: running out of it is a card I/O timeout, not a cancellation. */
async function diagnoseWithin(
  env: ReadEnvironment,
  req: DiagnoseRequest,
  reader: Reader,
  link: CardLink,
  key: AccessKey,
): Promise<MethodResult<'admin.diagnose'>> {
  const deadline = AbortSignal.timeout(DIAGNOSE_TIMEOUT_MS);
  try {
    return await diagnoseChip(link.transport, key, {
      trustStore: env.trust.forReader(reader.kind),
      reader: { name: reader.name },
      probes: req.params.probes ?? true,
      signal: AbortSignal.any([req.signal, deadline]),
    });
  } catch (e) {
    if (deadline.aborted && !req.signal.aborted)
      throw new AgentError('ERR_CARD_IO', 'diagnosis timed out', { reason: 'timeout' });
    throw e;
  }
}

export async function performDiagnose(
  env: ReadEnvironment,
  req: DiagnoseRequest,
): Promise<MethodResult<'admin.diagnose'>> {
  const started = Date.now();
  const log = env.log.child({ sessionId: req.sessionId });
  let reader: Reader | undefined;
  let link: CardLink | undefined;
  let release: (() => void) | undefined;
  const audit = (outcome: string, verdict?: string) =>
    env.audit?.append({
      event: 'diagnose',
      outcome,
      origin: req.origin,
      ...(req.clientId ? { clientId: req.clientId } : {}),
      ...(req.operatorId ? { operatorId: req.operatorId } : {}),
      ...(reader ? { readerId: reader.readerId } : {}),
      ...(verdict ? { verdict } : {}),
    });
  try {
    const key = keyOf(req.params.accessKey);
    const lease = await env.hub.acquire(req.params.readerId, {
      signal: req.signal,
      queueTimeoutMs: env.limits.leaseQueueTimeoutMs,
    });
    release = lease.release;
    reader = lease.reader;
    log.info({ event: 'diagnose-start', readerId: reader.readerId }, 'diagnose');
    link = await reader.open({
      signal: req.signal,
      waitCardTimeoutMs: req.params.timeoutMs ?? env.limits.waitCardTimeoutMs,
    });
    const profile = await diagnoseWithin(env, req, reader, link, key);
    // A read that stopped (wrong key, refused step) is still a diagnosis: the profile says where and why.
    const outcome = profile.outcome === 'complete' ? 'ok' : (profile.failure?.code ?? 'failed');
    audit(outcome, profile.verification?.overall);
    log.info(
      {
        event: 'diagnose-done',
        status: profile.outcome,
        verdict: profile.verification?.overall,
        durationMs: Date.now() - started,
      },
      'diagnose finished',
    );
    return profile;
  } catch (e) {
    const { code, error } = cardTaskFailure(e, req.signal, 'diagnose');
    audit(code);
    log.warn(
      { event: 'diagnose-failed', ...errorFields(e), status: code, durationMs: Date.now() - started },
      'diagnose failed',
    );
    throw error;
  } finally {
    await link?.close().catch(() => {});
    release?.();
  }
}
