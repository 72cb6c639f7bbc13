/**
 * Minting tickets exactly as the kiosk agent verifies them (kiosk-agent/src/tickets.ts): a compact JWS, ES256,
 * with the claims of `ticketClaimsSchema` (@cccd/client) and nothing else (the schema is strict), aud bound to one
 * agent, exp − iat ≤ TICKET_MAX_LIFETIME_S, a fresh jti and a fresh ≥ 256-bit nonce. The nonce is recorded as
 * pending before the ticket leaves the server: the result signed for it is accepted once (results.ts).
 */
import {
  type CccdField,
  fieldListSchema,
  purposeSchema,
  TICKET_MAX_LIFETIME_S,
  type TicketClaims,
  ticketClaimsSchema,
} from '@cccd/client';
import { type CryptoKey, importJWK, importPKCS8, type JWK, type KeyObject, SignJWT } from 'jose';
import { ServerError } from './errors.js';
import type { CccdStore, TicketRecord } from './store.js';

/** ES256 private key: a PKCS#8 PEM, a private JWK, or an already imported key. */
export type TicketKeyInput = string | JWK | CryptoKey | KeyObject;
export type TicketKey = CryptoKey | KeyObject;

export interface TicketRequest {
  /** The front-desk page's origin (scheme://host[:port]); the agent compares it with the WebSocket's Origin. */
  origin: string;
  purpose: string;
  fields: readonly CccdField[];
  /** The kiosk agent this ticket is for (aud `cccd-agent:<agentId>`): the agent accepts no other audience. */
  agentId?: string;
  /** The front-desk operator (the agent's audit trail); `unspecified` when not given (the claim is required). */
  operatorId?: string;
  /** The consent the page recorded, kept with the ticket (not a ticket claim: the agent's schema is strict). */
  consentRef?: string;
  /** Lifetime in seconds, 10 … 300 (the agent refuses longer). */
  ttl: number;
}

export interface IssuedTicket {
  /** The compact JWS the page hands to the agent (`session.authenticate`). */
  ticket: string;
  /** The ticket's jti: the page posts it back with the result. */
  ticketId: string;
  nonce: string;
  expiresAt: string;
}

export const DEFAULT_OPERATOR = 'unspecified';
const MIN_TTL_S = 10;
const originSchema = ticketClaimsSchema.shape.origin;
const agentIdSchema = ticketClaimsSchema.shape.aud.options[0];

export async function importTicketKey(input: TicketKeyInput): Promise<TicketKey> {
  try {
    if (typeof input === 'string') return await importPKCS8(input, 'ES256');
    if ('kty' in input && typeof input.kty === 'string') {
      const key = await importJWK(input as JWK, 'ES256');
      if (key instanceof Uint8Array) throw new TypeError('not an EC key');
      return key;
    }
    return input as CryptoKey | KeyObject;
  } catch {
    // jose's message may quote the key: say what is wrong, not what was found.
    throw new ServerError('ERR_TICKET_REQUEST', 'ticket key is not an ES256 (P-256) private key in PEM or JWK form');
  }
}

function randomId(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Buffer.from(b).toString('base64url');
}

const refuse = (what: string) => new ServerError('ERR_TICKET_REQUEST', `ticket request refused: ${what}`);

/** Checks a request against what the agent will accept and this server serves; throws ERR_TICKET_REQUEST. */
export function checkTicketRequest(req: TicketRequest, origins: ReadonlySet<string>): void {
  if (!originSchema.safeParse(req.origin).success) throw refuse('origin is not scheme://host[:port]');
  if (!origins.has(req.origin)) throw refuse('this server does not issue tickets for that origin');
  if (!purposeSchema.safeParse(req.purpose).success) throw refuse('purpose is not a purpose label');
  if (!fieldListSchema.safeParse(req.fields).success) throw refuse('fields is not a list of distinct field names');
  if (req.agentId !== undefined && !agentIdSchema.safeParse(`cccd-agent:${req.agentId}`).success)
    throw refuse('agentId must be 1-64 characters A-Z a-z 0-9 _ -');
  if (req.operatorId !== undefined && !ticketClaimsSchema.shape.operatorId.safeParse(req.operatorId).success)
    throw refuse('operatorId must be 1-128 characters');
  if (req.consentRef !== undefined && !(req.consentRef.length >= 1 && req.consentRef.length <= 128))
    throw refuse('consentRef must be 1-128 characters');
  if (!Number.isInteger(req.ttl) || req.ttl < MIN_TTL_S || req.ttl > TICKET_MAX_LIFETIME_S)
    throw refuse(`ttl must be a whole number of seconds from ${MIN_TTL_S} to ${TICKET_MAX_LIFETIME_S}`);
}

export interface IssueContext {
  issuer: string;
  key: TicketKey;
  origins: ReadonlySet<string>;
  store: CccdStore;
  /** How long a used or expired ticket is remembered after exp (to tell `replayed`/`expired` from `unknown`). */
  retainMs: number;
  now: Date;
}

/** Signs the ticket and records its nonce as pending (store first: a ticket is never out without its record). */
export async function issueTicket(req: TicketRequest, ctx: IssueContext): Promise<IssuedTicket> {
  checkTicketRequest(req, ctx.origins);
  const iat = Math.floor(ctx.now.getTime() / 1000);
  const claims: TicketClaims = {
    iss: ctx.issuer,
    aud: req.agentId === undefined ? 'cccd-agent' : `cccd-agent:${req.agentId}`,
    origin: req.origin,
    operatorId: req.operatorId ?? DEFAULT_OPERATOR,
    purpose: req.purpose,
    fields: [...req.fields],
    nonce: randomId(32),
    iat,
    exp: iat + req.ttl,
    jti: randomId(18),
  };
  const record: TicketRecord = {
    ticketId: claims.jti,
    nonce: claims.nonce,
    origin: claims.origin,
    purpose: claims.purpose,
    fields: claims.fields,
    operatorId: claims.operatorId,
    iat,
    exp: claims.exp,
    ...(req.agentId === undefined ? {} : { agentId: req.agentId }),
    ...(req.consentRef === undefined ? {} : { consentRef: req.consentRef }),
  };
  await ctx.store.putTicket(record, req.ttl * 1000 + ctx.retainMs);
  const { iss, aud, iat: _i, exp, jti, ...rest } = claims;
  const ticket = await new SignJWT(rest)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(ctx.key);
  return { ticket, ticketId: jti, nonce: claims.nonce, expiresAt: new Date(exp * 1000).toISOString() };
}
