/**
 * Per-origin, per-purpose field policy (PDP Law 91/2025: purpose limitation, minimisation). A session may release
 * a field only when a policy rule for its origin and purpose lists it AND (for ticket sessions) the backend's
 * ticket lists it AND the request asks for it. Sensitive fields additionally need a consentRef by default.
 */
import type { PolicyRule } from './config.js';
import { AgentError } from './errors.js';
import { type FieldName, SENSITIVE_FIELDS } from './fields.js';

export interface EffectivePolicy {
  fields: Set<FieldName>;
  evidence: boolean;
  requireConsentForSensitive: boolean;
}

/** Union of the rules for this origin ('native' for clients without Origin) and purpose (or any purpose). */
export function policyFor(rules: readonly PolicyRule[], origin: string, purpose: string | '*'): EffectivePolicy {
  const out: EffectivePolicy = { fields: new Set(), evidence: false, requireConsentForSensitive: false };
  let matched = false;
  for (const r of rules) {
    if (r.origin !== origin) continue;
    if (purpose !== '*' && r.purpose !== '*' && r.purpose !== purpose) continue;
    matched = true;
    for (const f of r.fields) out.fields.add(f);
    out.evidence ||= r.evidence;
    out.requireConsentForSensitive ||= r.requireConsentForSensitive;
  }
  if (!matched) out.requireConsentForSensitive = true;
  return out;
}

export interface ReleaseCheck {
  requested: readonly FieldName[];
  policy: EffectivePolicy;
  /** Fields the backend's ticket allows; undefined for paired clients (policy alone decides). */
  ticketFields?: readonly FieldName[];
  consentRef?: string;
  includeEvidence?: boolean;
}

/** Throws ERR_FIELD_NOT_ALLOWED / ERR_CONSENT_REQUIRED naming the first offending field (a name, not a value). */
export function checkRelease(c: ReleaseCheck): void {
  for (const f of c.requested) {
    if (!c.policy.fields.has(f) || (c.ticketFields && !c.ticketFields.includes(f)))
      throw new AgentError('ERR_FIELD_NOT_ALLOWED', 'field not allowed', { field: f });
  }
  if (c.policy.requireConsentForSensitive && !c.consentRef) {
    const sensitive = c.requested.find((f) => SENSITIVE_FIELDS.has(f));
    if (sensitive) throw new AgentError('ERR_CONSENT_REQUIRED', 'consent required', { field: sensitive });
  }
  if (c.includeEvidence && !c.policy.evidence)
    throw new AgentError('ERR_FIELD_NOT_ALLOWED', 'evidence not allowed', { field: 'evidence' });
}

/** What a freshly authenticated session may ask for (reported in session.authenticate's allowedFields). */
export function allowedFields(policy: EffectivePolicy, ticketFields?: readonly FieldName[]): FieldName[] {
  return [...policy.fields].filter((f) => !ticketFields || ticketFields.includes(f));
}
