/**
 * One read, end to end: access key → reader lease → card → readVerified (only the groups the released fields
 * need) → release filter → signed result → audit line. Personal data lives only in this call's memory: byte
 * buffers are zeroed once the result is built, and nothing but field names, codes and an HMAC reaches logs/audit.
 */
import { randomBytes } from 'node:crypto';
import {
  type CccdFields,
  cccdFieldsSchema,
  type Photo,
  type ReadResult,
  type ReadStage,
  type ReadStartParams,
  signReadResult,
  type UnsignedReadResult,
  type Verification,
  type VerificationReason,
} from '@cccd/client';
import {
  type AccessKey,
  type CandidateKey,
  canKey,
  EmrtdError,
  keyFromCccd,
  keyFromMrzText,
  type ReadProgress,
  readVerified,
  serializeEvidence,
  type VerifiedRead,
} from '@cccd/emrtd';
import type { AuditTrail } from './audit.js';
import { AgentError, cardTaskFailure } from './errors.js';
import { releasableEvidence } from './evidence.js';
import { type FieldName, groupsFor, pickFields } from './fields.js';
import type { DeviceIdentity } from './identity.js';
import { errorFields, type Logger } from './log.js';
import { resultPhoto } from './photo.js';
import type { QrKeySource } from './qr.js';
import type { ReaderHub } from './readers/hub.js';
import type { CardLink, Reader } from './readers/types.js';
import type { AgentTrust } from './trust/agent-trust.js';

export interface ReadEnvironment {
  hub: ReaderHub;
  qr: QrKeySource | undefined;
  /** Trust stores by reader kind: simulated readers alone may also trust the simulator's test CSCA. */
  trust: AgentTrust;
  identity: DeviceIdentity;
  audit: AuditTrail | undefined;
  log: Logger;
  limits: { waitCardTimeoutMs: number; readTimeoutMs: number; leaseQueueTimeoutMs: number };
}

export interface ReadRequest {
  requestId: string | number;
  params: ReadStartParams;
  /** Connection origin, or 'native' for clients without one; the signature binds it. */
  origin: string;
  operatorId?: string;
  clientId?: string;
  sessionId: string;
  includeEvidence: boolean;
  signal: AbortSignal;
  onProgress(stage: ReadStage, percent: number): void;
}

/** Access key from the request (validated formats only; errors name no value). */
async function accessKeyOf(
  p: ReadStartParams['accessKey'],
  env: ReadEnvironment,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<AccessKey | CandidateKey[]> {
  try {
    if ('can' in p) return canKey(p.can);
    if ('mrz' in p) return keyFromMrzText(p.mrz);
    if ('idNumber' in p) return keyFromCccd(p.idNumber, p.dateOfBirth, p.dateOfExpiry);
  } catch (e) {
    if (e instanceof EmrtdError) throw new AgentError('ERR_INVALID_PARAMS', 'bad access key', { field: 'accessKey' });
    throw e;
  }
  if (!env.qr) throw new AgentError('ERR_ACCESS_KEY_REQUIRED', 'no QR scanner', { reason: 'no-scanner' });
  return env.qr.waitForScan(signal, timeoutMs);
}

const STAGE_OF_FILE: Record<string, ReadStage> = {
  DG1: 'dg1',
  DG2: 'dg2',
  DG13: 'dg13',
  DG14: 'dg14',
  DG15: 'dg15',
  SOD: 'sod',
};

/** Progress 10→90 % over the files in read order; never goes backwards. */
function fileProgress(groups: string[], report: (stage: ReadStage, percent: number) => void) {
  const order = ['DG14', ...groups.filter((g) => g !== 'SOD'), 'SOD', 'DG15'];
  return (p: ReadProgress) => {
    const stage = STAGE_OF_FILE[p.file] ?? 'access-control';
    const i = Math.max(0, order.indexOf(p.file));
    const fraction = p.total > 0 ? Math.min(1, p.bytes / p.total) : 0;
    report(stage, Math.round(10 + (80 * (i + fraction)) / order.length));
  };
}

/** Protocol view of the verdict: statuses and reasons only (no certificate bytes, no data). */
function verificationOf(v: VerifiedRead['verification']): Verification {
  return {
    overall: v.overall,
    passive: { status: v.passive.status, dataGroups: { ...v.passive.dataGroups }, reasons: v.passive.reasons },
    chip: { status: v.chip?.status ?? 'not-checked', reasons: v.chip?.reasons ?? [] },
    active: { status: v.active?.status ?? 'not-checked', reasons: v.active?.reasons ?? [] },
    reasons: v.reasons,
  };
}

/**
 * Said in the verdict itself, beside the signed `simulated: true`, so a page that lists the reasons shows it too: a
 * simulated card passes PA only through the simulator's test CSCA and is never a real card (docs/agent-protocol.md).
 */
const SIMULATED_CARD: VerificationReason = {
  code: 'simulated-card',
  severity: 'warning',
  message: {
    vi: 'Thẻ mô phỏng: dữ liệu giả lập, được ký bằng chứng thư gốc dùng để thử nghiệm — không phải thẻ CCCD thật.',
    en: 'Simulated card: invented data signed by a test CSCA — not a real CCCD.',
  },
};

/** The verdict of a read on a simulated reader: the simulated-card reason first, so the 16-reason cap never drops it. */
function markSimulated(v: Verification): Verification {
  return { ...v, reasons: [SIMULATED_CARD, ...(v.reasons ?? [])].slice(0, 16) };
}

/** Values that do not fit the protocol's shapes are released as null rather than sent malformed. */
function sanitize(fields: CccdFields): CccdFields {
  const shape = cccdFieldsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = shape[k]?.safeParse(v).success ? v : null;
  return out as CccdFields;
}

function wipe(read: VerifiedRead | undefined): void {
  if (!read) return;
  for (const bytes of Object.values(read.raw)) bytes?.fill(0);
  read.photo?.image.fill(0);
}

const readId = () => `r_${randomBytes(12).toString('base64url')}`;

function withDeadline(signal: AbortSignal, ms: number): { signal: AbortSignal; timedOut: () => boolean } {
  const timeout = AbortSignal.timeout(ms);
  return { signal: AbortSignal.any([signal, timeout]), timedOut: () => timeout.aborted && !signal.aborted };
}

/** Progress as the page sees it: never backwards, never past 100 %. */
function monotonic(report: ReadRequest['onProgress']): (stage: ReadStage, percent: number) => void {
  let lastPercent = 0;
  return (stage, percent) => {
    lastPercent = Math.max(lastPercent, Math.min(100, percent));
    report(stage, lastPercent);
  };
}

interface ReadOutcome {
  verdict?: string;
  idHash?: string;
  fieldsReleased?: string[];
}

/** The audit line of one read: who asked for which fields on which reader, what was released under which verdict. */
function readAuditor(env: ReadEnvironment, req: ReadRequest, id: string, fields: FieldName[]) {
  return (outcome: string, reader: Reader | undefined, extra: ReadOutcome = {}) =>
    env.audit?.append({
      event: 'read',
      outcome,
      origin: req.origin,
      ...(req.clientId ? { clientId: req.clientId } : {}),
      ...(req.operatorId ? { operatorId: req.operatorId } : {}),
      purpose: req.params.purpose,
      ...(reader ? { readerId: reader.readerId } : {}),
      readId: id,
      fieldsRequested: [...fields],
      fieldsReleased: extra.fieldsReleased ?? [],
      ...(extra.verdict ? { verdict: extra.verdict } : {}),
      ...(extra.idHash ? { idHash: extra.idHash } : {}),
      evidence: req.includeEvidence,
    });
}

/** readVerified within the read deadline: running out of it is a card I/O timeout, not a cancellation. */
async function readChip(
  env: ReadEnvironment,
  req: ReadRequest,
  reader: Reader,
  link: CardLink,
  key: AccessKey | CandidateKey[],
  groups: ReturnType<typeof groupsFor>,
  progress: (stage: ReadStage, percent: number) => void,
): Promise<VerifiedRead> {
  const deadline = withDeadline(req.signal, env.limits.readTimeoutMs);
  try {
    return await readVerified(link.transport, key, {
      groups,
      trustStore: env.trust.forReader(reader.kind),
      evidence: req.includeEvidence,
      signal: deadline.signal,
      onProgress: fileProgress(groups, progress),
    });
  } catch (e) {
    if (deadline.timedOut()) throw new AgentError('ERR_CARD_IO', 'chip read timed out', { reason: 'timeout' });
    throw e;
  }
}

/**
 * The result before it is signed: the released fields (malformed values as null), the verdict (marked on a
 * simulated reader), the photo (resultPhoto, when asked for) and the evidence when asked for. `fields` passed
 * checkRelease.
 */
function unsignedResult(
  read: VerifiedRead,
  id: string,
  fields: FieldName[],
  photo: Photo | undefined,
  simulated: boolean,
  includeEvidence: boolean,
): UnsignedReadResult {
  const verification = verificationOf(read.verification);
  const unsigned: UnsignedReadResult = {
    readId: id,
    fields: sanitize(pickFields(read.document, fields)),
    verification: simulated ? markSimulated(verification) : verification,
    simulated,
  };
  if (photo) unsigned.photo = photo;
  if (includeEvidence && read.evidence) {
    // `fields` passed checkRelease: they are exactly what this read may release.
    const { bundle, withheld } = releasableEvidence(read.evidence, fields);
    unsigned.evidence = JSON.parse(serializeEvidence(bundle));
    unsigned.evidenceWithheld = withheld;
  }
  return unsigned;
}

/** agentSig binds the result to the connection's origin and the ticket's nonce, under the device key. */
function signingFor(env: ReadEnvironment, req: ReadRequest): Parameters<typeof signReadResult>[1] {
  return {
    origin: req.origin,
    nonce: req.params.nonce,
    privateKey: env.identity.privateKey,
    publicKeySpki: env.identity.publicKeySpki,
  };
}

export async function performRead(env: ReadEnvironment, req: ReadRequest): Promise<ReadResult> {
  const { params } = req;
  const fields = params.fields as FieldName[];
  const groups = groupsFor(fields);
  const id = readId();
  const started = Date.now();
  const timeoutMs = params.timeoutMs ?? env.limits.waitCardTimeoutMs;
  const log = env.log.child({ sessionId: req.sessionId, readId: id });
  const progress = monotonic(req.onProgress);
  const audit = readAuditor(env, req, id, fields);
  let reader: Reader | undefined;
  let link: CardLink | undefined;
  let read: VerifiedRead | undefined;
  let release: (() => void) | undefined;
  try {
    progress('queued', 0);
    const waitKey = 'fromQrScanner' in params.accessKey;
    if (waitKey) progress('waiting-card', 2);
    const key = await accessKeyOf(params.accessKey, env, req.signal, timeoutMs);
    const lease = await env.hub.acquire(params.readerId, {
      signal: req.signal,
      queueTimeoutMs: env.limits.leaseQueueTimeoutMs,
    });
    release = lease.release;
    reader = lease.reader;
    log.info({ event: 'read-start', readerId: reader.readerId, fields, groups, purpose: params.purpose }, 'read');
    progress('waiting-card', 5);
    link = await reader.open({ signal: req.signal, waitCardTimeoutMs: timeoutMs });
    progress('access-control', 8);
    read = await readChip(env, req, reader, link, key, groups, progress);
    progress('verifying', 92);
    const photo = fields.includes('photo') && read.photo ? await resultPhoto(read.photo, log) : undefined;
    const released = fields.filter((f) => f !== 'photo' || photo);
    const unsigned = unsignedResult(read, id, fields, photo, reader.kind === 'simulated', req.includeEvidence);
    const result = await signReadResult(unsigned, signingFor(env, req));
    const idNumber = read.document?.idNumber;
    audit('ok', reader, {
      verdict: read.verification.overall,
      fieldsReleased: released,
      ...(idNumber && env.audit ? { idHash: env.audit.idHash(idNumber) } : {}),
    });
    log.info(
      { event: 'read-done', verdict: read.verification.overall, durationMs: Date.now() - started },
      'read finished',
    );
    progress('done', 100);
    return result;
  } catch (e) {
    const { code, error } = cardTaskFailure(e, req.signal, 'read');
    audit(code, reader);
    log.warn(
      { event: 'read-failed', ...errorFields(e), status: code, durationMs: Date.now() - started },
      'read failed',
    );
    throw error;
  } finally {
    wipe(read);
    await link?.close().catch(() => {});
    release?.();
  }
}
