/**
 * Accepting a result: one typed decision. Order matters. The pending ticket is read without consuming it, and the
 * binding is checked first (time, origin, enrolled agent, the ticket's agent, the signature over origin and nonce
 * from the server's own record, never from the request): a submission that fails any of these is refused without
 * touching the ticket, so whoever learns a ticketId cannot burn it with garbage. Only then is the ticket consumed
 * (atomically, exactly once across instances: a second signed submission is a replay), and the rest is checked:
 * the released fields, the simulated flag, the server's own passive/active authentication of the evidence bundle
 * against its trust store, the released values against the signed chip data, and the agent's own signed verdict
 * (it covers the data groups withheld from the bundle). A store failure throws ServerError ERR_STORE_UNAVAILABLE:
 * it never becomes an acceptance.
 */
import {
  type CccdField,
  DATA_GROUP_FIELDS,
  PUBLIC_DATA_GROUPS,
  type ReadResult,
  readResultSchema,
  type VerificationReason,
  verifyAgentSig,
} from '@cccd/client';
import {
  EvidenceError,
  type OverallStatus,
  type TrustStore,
  type Verdict,
  type VerifyEvidenceOptions,
  verifyEvidence,
} from '@cccd/emrtd';
import { type ClaimedField, checkReleasedFields } from './consistency.js';
import { type RefusalCode, refusalReason } from './reasons.js';
import type { CccdStore, TicketRecord } from './store.js';

export interface AcceptedDecision {
  accepted: true;
  ticketId: string;
  agentId: string;
  origin: string;
  purpose: string;
  operatorId: string;
  consentRef?: string;
  /** The fields the result released (⊆ the ticket's). */
  fields: CccdField[];
  /** Released fields equal to chip data the server verified itself (DG1, DG2, DG13 in the evidence). */
  verifiedFields: CccdField[];
  /**
   * Released items only the agent's signature vouches for (the bundle withholds their data group, or the MRZ cannot
   * settle them, or `photo.display`): a compromised agent key could have invented them. See docs/server.md §2.
   */
  claimedFields: ClaimedField[];
  simulated: boolean;
  /**
   * The server's own verdict from the evidence bundle (undefined only when evidence is not required and absent).
   * Chip authentication cannot be re-proved offline: it is the agent's claim (`chip.reasons` has
   * `ca-claimed-only`), see `chipAuthenticationClaimed`.
   */
  verdict: Verdict | undefined;
  chipAuthenticationClaimed: boolean;
  reasons: VerificationReason[];
  /** The verified result itself: personal data. Keep it out of logs. */
  result: ReadResult;
}

export interface RefusedDecision {
  accepted: false;
  code: RefusalCode;
  ticketId: string;
  reasons: VerificationReason[];
  /** When the refusal is the server's verdict: which one. */
  overall?: OverallStatus;
}

export type Decision = AcceptedDecision | RefusedDecision;

export interface ResultPolicy {
  trustStore: TrustStore;
  /** Accept results read on simulated readers (test and demo setups only). Default false. */
  allowSimulated: boolean;
  /** Refuse results without an evidence bundle. Default true. */
  requireEvidence: boolean;
  /** Server verdicts accepted. Default authentic and genuine-data. */
  acceptVerdicts: readonly OverallStatus[];
  clockToleranceSec: number;
  evidenceOptions?: VerifyEvidenceOptions;
}

export interface VerifyResultOptions {
  ticketId: string;
  /** The Origin of the request that posted the result, when known: it must be the ticket's. */
  origin?: string;
}

const refused = (
  code: RefusalCode,
  ticketId: string,
  params?: Record<string, string>,
  extra: Partial<RefusedDecision> = {},
): RefusedDecision => ({ accepted: false, code, ticketId, reasons: [refusalReason(code, params)], ...extra });

/** The fields a result releases: every field present (null counts: the field was asked for), and photo. */
export function releasedFields(result: ReadResult): CccdField[] {
  const out = Object.entries(result.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k as CccdField);
  if (result.photo) out.push('photo');
  return out;
}

const GROUP_FIELDS: Readonly<Record<string, readonly CccdField[]>> = DATA_GROUP_FIELDS;

/** Fields (or data groups no field covers) the result discloses beyond the ticket: the whole of a data group counts. */
export function widenedBeyond(result: ReadResult, allowed: readonly CccdField[]): string[] {
  const ok = new Set<string>(allowed);
  const extra = new Set<string>(releasedFields(result).filter((f) => !ok.has(f)));
  for (const group of Object.keys(result.evidence?.dataGroups ?? {})) {
    if (PUBLIC_DATA_GROUPS.includes(group)) continue;
    const carried = GROUP_FIELDS[group];
    if (!carried) extra.add(group);
    else for (const f of carried) if (!ok.has(f)) extra.add(f);
  }
  return [...extra].sort();
}

function malformedPath(body: unknown): string {
  const parsed = readResultSchema.safeParse(body);
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  // Only the path (key names from the schema, array indexes), never the value found there.
  return (issue?.path ?? []).map(String).join('.').slice(0, 64) || 'result';
}

type Agent = { agentId: string; publicKey: string };

/** The binding, checked before the ticket is consumed: a refusal here leaves the ticket pending. */
async function checkBinding(
  result: ReadResult,
  rec: TicketRecord,
  agent: Agent | undefined,
  opts: VerifyResultOptions,
  policy: ResultPolicy,
  now: Date,
): Promise<RefusedDecision | { agent: Agent }> {
  const id = rec.ticketId;
  if (Math.floor(now.getTime() / 1000) > rec.exp + policy.clockToleranceSec) return refused('expired', id);
  if (opts.origin !== undefined && opts.origin !== rec.origin) return refused('cross-origin', id);
  if (!agent) return refused('agent-not-enrolled', id);
  if (rec.agentId !== undefined && rec.agentId !== agent.agentId) return refused('cross-agent', id);
  const sigOk = await verifyAgentSig(result, {
    origin: rec.origin,
    nonce: rec.nonce,
    trustedPublicKey: agent.publicKey,
  });
  return sigOk ? { agent } : refused('signature-invalid', id);
}

/** Everything after the ticket is consumed (the result is the enrolled agent's, signed for this ticket). */
function checkContent(result: ReadResult, rec: TicketRecord, agent: Agent, policy: ResultPolicy, now: Date): Decision {
  const id = rec.ticketId;
  const widened = widenedBeyond(result, rec.fields);
  if (widened.length > 0) return refused('field-widened', id, { fields: widened.join(', ') });
  if (result.simulated && !policy.allowSimulated) return refused('simulated', id);
  let verdict: Verdict | undefined;
  if (result.evidence) {
    try {
      verdict = verifyEvidence(JSON.stringify(result.evidence), policy.trustStore, policy.evidenceOptions);
    } catch (e) {
      if (e instanceof EvidenceError) return refused('evidence-malformed', id, { field: e.field.slice(0, 64) });
      throw e;
    }
    if (!policy.acceptVerdicts.includes(verdict.overall))
      return {
        ...refused('verdict-not-accepted', id, { overall: verdict.overall }, { overall: verdict.overall }),
        reasons: [refusalReason('verdict-not-accepted', { overall: verdict.overall }), ...allReasons(verdict)],
      };
  } else if (policy.requireEvidence) return refused('evidence-missing', id);
  // Without a bundle nothing is verified: every field is the agent's claim.
  const consistency = checkReleasedFields(result, now);
  if (consistency.mismatched.length > 0)
    return refused('fields-mismatch', id, { fields: consistency.mismatched.join(', ') });
  // The agent's own verdict is under agentSig and covers what the bundle cannot: data groups withheld from it (a
  // DG13 whose fields the ticket did not release whole, evidence.ts in the agent). Never accept more than it found.
  const claimed = result.verification.overall;
  if (!policy.acceptVerdicts.includes(claimed))
    return {
      ...refused('verdict-not-accepted', id, { overall: claimed }, { overall: claimed }),
      reasons: [refusalReason('verdict-not-accepted', { overall: claimed }), ...agentReasons(result)],
    };
  return {
    accepted: true,
    ticketId: id,
    agentId: agent.agentId,
    origin: rec.origin,
    purpose: rec.purpose,
    operatorId: rec.operatorId,
    ...(rec.consentRef === undefined ? {} : { consentRef: rec.consentRef }),
    fields: releasedFields(result),
    verifiedFields: consistency.verified,
    claimedFields: consistency.claimed,
    simulated: result.simulated,
    verdict,
    chipAuthenticationClaimed: result.evidence?.chipAuthentication?.succeeded === true,
    reasons: verdict ? allReasons(verdict) : [],
    result,
  };
}

/** The agent's reasons for its verdict (warnings and errors), shown with a refusal of that verdict. */
function agentReasons(r: ReadResult): VerificationReason[] {
  const v = r.verification;
  return [...v.passive.reasons, ...(v.chip.reasons ?? []), ...(v.active.reasons ?? []), ...(v.reasons ?? [])].filter(
    (x) => x.severity !== 'info',
  );
}

function allReasons(v: Verdict): VerificationReason[] {
  return [...v.passive.reasons, ...(v.chip?.reasons ?? []), ...(v.active?.reasons ?? []), ...v.reasons];
}

/** See the file header. `body` is untrusted (the page relays it); only `opts` and the store are trusted. */
export async function verifyResult(
  body: unknown,
  opts: VerifyResultOptions,
  store: CccdStore,
  policy: ResultPolicy,
  now: Date,
): Promise<Decision> {
  const parsed = readResultSchema.safeParse(body);
  // A result that does not parse is refused before the ticket is touched: the genuine result may still follow.
  if (!parsed.success) return refused('malformed', opts.ticketId, { path: malformedPath(body) });
  const pending = await store.peekTicket(opts.ticketId);
  if (pending.status === 'unknown') return refused('ticket-unknown', opts.ticketId);
  if (pending.status === 'replayed') return refused('replayed', opts.ticketId);
  const enrolled = await store.enrolmentByKey(parsed.data.agentSig.publicKey);
  const bound = await checkBinding(parsed.data, pending.record, enrolled, opts, policy, now);
  if (!('agent' in bound)) return bound;
  // The one atomic step: of every submission that got this far (on any instance), exactly one goes on.
  const consumed = await store.consumeTicket(opts.ticketId);
  if (consumed.status === 'unknown') return refused('ticket-unknown', opts.ticketId);
  if (consumed.status === 'replayed') return refused('replayed', opts.ticketId);
  return checkContent(parsed.data, consumed.record, bound.agent, policy, now);
}
