/**
 * Backend-signed tickets (the QZ Tray pattern, bound like Web eID tokens): an ES256 JWS from the front-desk
 * application's backend, whose public key is in the agent config. It binds the session to one origin, this agent
 * (aud), one operator, one purpose and a field list, for at most 5 minutes, and is accepted once (jti).
 */

import { type TicketClaims, ticketClaimsSchema } from '@cccd/client';
import {
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  importSPKI,
  type JWK,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { ConfigError, type IssuerConfig } from './config.js';
import { AgentError } from './errors.js';
import type { FieldName } from './fields.js';

export interface Ticket {
  iss: string;
  origin: string;
  operatorId: string | undefined;
  purpose: string;
  fields: FieldName[];
  nonce: string;
  jti: string;
  iat: number;
  exp: number;
}

type TicketKey = Awaited<ReturnType<typeof importSPKI>> | Uint8Array;

interface LoadedIssuer {
  iss: string;
  key: TicketKey;
  /** The only origins this issuer's tickets may name; every issuer has such a list (no "any origin"). */
  origins: () => ReadonlySet<string>;
}

/** Imports every configured issuer key; a key that is not ES256 fails start-up naming `issuers.N.publicKey`. */
export async function loadIssuers(issuers: IssuerConfig[]): Promise<Map<string, LoadedIssuer>> {
  const out = new Map<string, LoadedIssuer>();
  for (const [i, cfg] of issuers.entries()) {
    let key: TicketKey;
    try {
      key =
        typeof cfg.publicKey === 'string'
          ? await importSPKI(cfg.publicKey, 'ES256')
          : await importJWK(cfg.publicKey as JWK, 'ES256');
    } catch {
      // jose's message may quote the key material: say what is wrong, not what was found.
      throw new ConfigError(
        `issuers.${i}.publicKey`,
        "not an ES256 (P-256) public key in PEM or JWK form: paste the public half of that backend's ticket key",
      );
    }
    const origins = new Set(cfg.origins);
    out.set(cfg.iss, { iss: cfg.iss, key, origins: () => origins });
  }
  return out;
}

/** Seen ticket IDs until they expire. Full → refuse new tickets rather than forget old ones (fail closed). */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly capacity = 100_000) {}

  /** Records jti; false when it was seen before (a replay) or the cache is full of live entries. */
  use(jti: string, expiresAtMs: number, nowMs = Date.now()): boolean {
    if (this.seen.size >= this.capacity) for (const [k, exp] of this.seen) if (exp <= nowMs) this.seen.delete(k);
    if (this.seen.has(jti)) return false;
    if (this.seen.size >= this.capacity) throw new AgentError('ERR_RATE_LIMITED', 'too many live tickets');
    this.seen.set(jti, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

export interface TicketCheck {
  agentId: string;
  /** Origin header of the WebSocket connection. */
  connectionOrigin: string | undefined;
  maxLifetimeSec: number;
  clockToleranceSec: number;
  now?: Date;
}

export class TicketVerifier {
  constructor(
    private readonly issuers: Map<string, LoadedIssuer>,
    private readonly replay = new ReplayCache(),
  ) {}

  async verify(token: string, check: TicketCheck): Promise<Ticket> {
    const now = check.now ?? new Date();
    if (token.length > 8192) throw new AgentError('ERR_TICKET_INVALID', 'ticket too long', { reason: 'format' });
    const issuer = this.issuerOf(token);
    const c = claimsOf(await verifiedPayload(token, issuer, check, now));
    checkClaims(c, issuer, check, now);
    if (!this.replay.use(`${c.iss}\u0000${c.jti}`, (c.exp + check.clockToleranceSec) * 1000, now.getTime()))
      throw new AgentError('ERR_TICKET_INVALID', 'ticket already used', { reason: 'replayed' });
    return {
      iss: c.iss,
      origin: c.origin,
      operatorId: c.operatorId,
      purpose: c.purpose,
      fields: c.fields,
      nonce: c.nonce,
      jti: c.jti,
      iat: c.iat,
      exp: c.exp,
    };
  }

  /** The configured issuer the ticket names, read before its signature is checked (ES256 only). */
  private issuerOf(token: string): LoadedIssuer {
    let issuer: LoadedIssuer | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'ES256')
        throw new AgentError('ERR_TICKET_INVALID', 'ticket must be ES256', { reason: 'algorithm' });
      const { iss } = decodeJwt(token);
      issuer = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    } catch (e) {
      if (e instanceof AgentError) throw e;
      throw new AgentError('ERR_TICKET_INVALID', 'ticket is not a compact JWS', { reason: 'format' });
    }
    if (!issuer) throw new AgentError('ERR_TICKET_INVALID', 'unknown ticket issuer', { reason: 'issuer' });
    return issuer;
  }
}

/** Signature, issuer, audience and time window, checked by jose; its errors become ERR_TICKET_*. */
async function verifiedPayload(
  token: string,
  issuer: LoadedIssuer,
  check: TicketCheck,
  now: Date,
): Promise<JWTPayload> {
  try {
    const result = await jwtVerify(token, issuer.key, {
      algorithms: ['ES256'],
      issuer: issuer.iss,
      audience: `cccd-agent:${check.agentId}`,
      clockTolerance: check.clockToleranceSec,
      currentDate: now,
      requiredClaims: ['iss', 'aud', 'iat', 'exp', 'jti'],
    });
    return result.payload;
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired)
      throw new AgentError('ERR_TICKET_EXPIRED', 'ticket expired', { reason: 'expired' });
    throw new AgentError('ERR_TICKET_INVALID', 'ticket rejected', {
      reason: String((e as { code?: string }).code ?? 'malformed').slice(0, 64),
    });
  }
}

function claimsOf(payload: JWTPayload): TicketClaims {
  const parsed = ticketClaimsSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const claim = String(parsed.error.issues[0]?.path[0] ?? 'claims').slice(0, 32);
  throw new AgentError('ERR_TICKET_INVALID', `ticket claim ${claim} invalid`, { reason: 'claims', claim });
}

/** What jose does not check: the lifetime cap, iat in the future, and the origin binding. */
function checkClaims(c: TicketClaims, issuer: LoadedIssuer, check: TicketCheck, now: Date): void {
  const nowSec = Math.floor(now.getTime() / 1000);
  if (c.exp - c.iat > check.maxLifetimeSec)
    throw new AgentError('ERR_TICKET_INVALID', 'ticket lifetime too long', { reason: 'lifetime' });
  if (c.iat > nowSec + check.clockToleranceSec)
    throw new AgentError('ERR_TICKET_INVALID', 'ticket issued in the future', { reason: 'iat' });
  // Bound to the page that opened this socket: a ticket lifted from one site is useless on another.
  if (check.connectionOrigin === undefined || c.origin !== check.connectionOrigin)
    throw new AgentError('ERR_TICKET_INVALID', 'ticket origin does not match the connection', { reason: 'origin' });
  if (!issuer.origins().has(c.origin))
    throw new AgentError('ERR_TICKET_INVALID', 'issuer may not issue tickets for this origin', {
      reason: 'issuer-origin',
    });
}
