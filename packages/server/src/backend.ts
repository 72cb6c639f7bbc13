/**
 * `createCccdBackend(options)`: an express router with `POST /tickets` and `POST /results`, to mount in an
 * existing app (`app.use('/cccd', router)`), and `GET /trust-bundle` when a trust bundle publisher is given. JSON only, zod-validated, bounded bodies; every failure is a typed
 * JSON body `{ error: { code, message } }` that quotes nothing from the request. Who may have a ticket (login,
 * which desk runs which agent) is the app's decision: `authorize` answers it per request.
 */
import { fieldListSchema, purposeSchema } from '@cccd/client';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ServerError } from './errors.js';
import type { AcceptedDecision, Decision } from './results.js';
import { type CccdServer, type CccdServerOptions, createCccdServer } from './server.js';
import type { TrustBundlePublisher } from './trust-bundle.js';

/** What the app decides for one ticket request: the operator and the kiosk agent of the desk, or false (403). */
export type TicketAuthorization = { operatorId?: string; agentId?: string } | false;

/** One structural log record: event and codes only, never a field value, a ticket or a key. */
export interface BackendLogRecord {
  event: 'ticket-issued' | 'result-accepted' | 'result-refused' | 'request-failed';
  code?: string;
  status?: number;
}

export interface BackendHttpOptions {
  /** Per request: whether this user may get a ticket, and for which operator and agent. Default: anyone, no binding. */
  authorize?: (req: Request) => TicketAuthorization | Promise<TicketAuthorization>;
  /** Called with every accepted decision (the verified data): store it, start the face match… */
  onAccepted?: (decision: AcceptedDecision, req: Request) => void | Promise<void>;
  /** Ticket lifetime in seconds (default 120, at most 300). */
  ticketTtlSec?: number;
  /** Largest JSON body of `POST /results`, in bytes (default 8 MiB: a result with photo and evidence). */
  maxBodyBytes?: number;
  /**
   * Requests per client and window (default 60 tickets and 60 results a minute), counted before any body is
   * parsed. `key` names the client (default: its address, `req.ip`, see `trustProxy`), e.g. the logged-in user.
   */
  rateLimit?: { limit: number; windowMs: number; key?: (req: Request) => string };
  /**
   * Express's `trust proxy` for the client address the rate limit counts (true, a hop count, addresses/subnets or
   * 'loopback', 'uniquelocal'…; https://expressjs.com/en/guide/behind-proxies.html). Set it only behind a proxy you
   * control: a trusted X-Forwarded-For is believed, and a client could otherwise pick its own address. Default:
   * the app's own setting (none: the TCP peer, i.e. the load balancer, which then limits everyone at once).
   */
  trustProxy?: boolean | number | string | string[];
  log?: (record: BackendLogRecord) => void;
  /** Serves the fleet trust bundle at `GET /trust-bundle` (docs/trust-feed.md); without it there is no such route. */
  trustBundle?: TrustBundlePublisher;
}

/** The server's options, or a server you created (to share it with your own code), plus the HTTP options. */
export type CccdBackendOptions = BackendHttpOptions & (CccdServerOptions | { server: CccdServer });

const ticketBodySchema = z.strictObject({
  origin: z.string().max(256).optional(),
  purpose: purposeSchema,
  fields: fieldListSchema,
  consentRef: z.string().min(1).max(128).optional(),
  /** The kiosk agent of this desk, when `authorize` does not say (the page knows which agent it talks to). */
  agentId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});
const resultBodySchema = z.strictObject({
  ticketId: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/),
  result: z.unknown(),
});

type ErrorCode =
  | 'ERR_MALFORMED_JSON'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_FORBIDDEN'
  | 'ERR_RATE_LIMITED'
  | 'ERR_TICKET_REQUEST'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  ERR_MALFORMED_JSON: 400,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_INVALID_REQUEST: 400,
  ERR_FORBIDDEN: 403,
  ERR_RATE_LIMITED: 429,
  ERR_TICKET_REQUEST: 400,
  ERR_STORE_UNAVAILABLE: 503,
  ERR_INTERNAL: 500,
};

class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The first schema issue as a path and zod's code (never the value found there). */
const invalid = (error: z.ZodError) => {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.').slice(0, 64) || 'body';
  return new HttpError('ERR_INVALID_REQUEST', `${path}: ${issue?.code ?? 'invalid'}`);
};

/** The decision as sent to the page: the verdict words and reasons, not the personal data (the page has it). */
function publicDecision(d: Decision) {
  if (!d.accepted) return d;
  return {
    accepted: true as const,
    ticketId: d.ticketId,
    agentId: d.agentId,
    fields: d.fields,
    verifiedFields: d.verifiedFields,
    claimedFields: d.claimedFields,
    simulated: d.simulated,
    overall: d.verdict?.overall,
    chipAuthenticationClaimed: d.chipAuthenticationClaimed,
    reasons: d.reasons,
  };
}

/** Largest `POST /tickets` body: origin, purpose, the field list, consentRef and agentId fit many times over. */
const TICKET_BODY_BYTES = 16 * 1024;

/**
 * The client address under a `trust proxy` setting, computed exactly as express computes `req.ip` (a private app
 * holds the compiled setting; the request is seen through it), or `req.ip` under the app's own setting.
 */
function clientAddress(trustProxy: BackendHttpOptions['trustProxy']): (req: Request) => string {
  if (trustProxy === undefined) return (req) => req.ip ?? 'unknown';
  const settings = express();
  settings.set('trust proxy', trustProxy);
  return (req) => (Object.create(req, { app: { value: settings } }) as Request).ip ?? 'unknown';
}

export function createCccdBackend(options: CccdBackendOptions): Router {
  const server = 'server' in options ? options.server : createCccdServer(options);
  const log = options.log ?? (() => {});
  const ttl = options.ticketTtlSec ?? 120;
  const rate = options.rateLimit ?? { limit: 60, windowMs: 60_000 };
  const router = express.Router();
  const resultJson = express.json({ limit: options.maxBodyBytes ?? 8 * 1024 * 1024, strict: true });
  // A ticket request is a few hundred bytes, and anyone may send one: never parse megabytes for it.
  const ticketJson = express.json({ limit: TICKET_BODY_BYTES, strict: true });
  const clientKey = rate.key ?? clientAddress(options.trustProxy);

  // Counted, and the media type checked, before the body is read: a flood costs a counter, not a JSON parse.
  const gate = (what: string) => async (req: Request, _res: Response, next: NextFunction) => {
    const ok = await server.store.hit(`${what}:${String(clientKey(req)).slice(0, 256)}`, rate.limit, rate.windowMs);
    if (!ok) throw new HttpError('ERR_RATE_LIMITED', 'too many requests: try again later');
    if (!req.is('application/json')) throw new HttpError('ERR_UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    next();
  };

  router.post('/tickets', gate('tickets'), ticketJson, async (req, res) => {
    const parsed = ticketBodySchema.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error);
    const auth = options.authorize ? await options.authorize(req) : {};
    if (auth === false) throw new HttpError('ERR_FORBIDDEN', 'not allowed to request a ticket');
    const origin = parsed.data.origin ?? req.get('origin');
    if (origin === undefined) throw new HttpError('ERR_INVALID_REQUEST', 'origin: required (no Origin header)');
    // A page may only ask for its own origin's tickets when the browser says which page it is.
    const header = req.get('origin');
    if (header !== undefined && header !== origin)
      throw new HttpError('ERR_FORBIDDEN', 'origin differs from the Origin header');
    // authorize decides; the page's agentId only fills in when it says nothing (the agent is the page's own local
    // one, reachable on loopback only, so naming another desk's agent gains a page nothing).
    if (auth.agentId !== undefined && parsed.data.agentId !== undefined && auth.agentId !== parsed.data.agentId)
      throw new HttpError('ERR_FORBIDDEN', 'agentId differs from the desk this user is at');
    const agentId = auth.agentId ?? parsed.data.agentId;
    const issued = await server.issueTicket({
      origin,
      purpose: parsed.data.purpose,
      fields: parsed.data.fields,
      ttl,
      ...(agentId === undefined ? {} : { agentId }),
      ...(auth.operatorId === undefined ? {} : { operatorId: auth.operatorId }),
      ...(parsed.data.consentRef === undefined ? {} : { consentRef: parsed.data.consentRef }),
    });
    log({ event: 'ticket-issued' });
    res.status(201).json(issued);
  });

  router.post('/results', gate('results'), resultJson, async (req, res) => {
    const parsed = resultBodySchema.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error);
    const origin = req.get('origin');
    const decision = await server.verifyResult(parsed.data.result, {
      ticketId: parsed.data.ticketId,
      ...(origin === undefined ? {} : { origin }),
    });
    if (decision.accepted) {
      await options.onAccepted?.(decision, req);
      log({ event: 'result-accepted' });
    } else log({ event: 'result-refused', code: decision.code });
    res.status(decision.accepted ? 200 : 422).json(publicDecision(decision));
  });

  const bundle = options.trustBundle;
  if (bundle)
    router.get('/trust-bundle', async (req, res) => {
      const { jws, expiresAt, etag } = await bundle.current();
      // Public, signed material: caches may keep it, for at most 5 minutes and never past its expiry.
      const left = Math.max(0, expiresAt - Math.floor(Date.now() / 1000));
      res.setHeader('Cache-Control', `public, max-age=${Math.min(300, left)}`);
      res.setHeader('ETag', etag);
      if (req.get('if-none-match') === etag) {
        res.status(304).end();
        return;
      }
      res.type('application/jose').send(jws);
    });

  // express 5 passes async throws here. Never echo the error: a body parser's message may quote the request.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const code = errorCode(err);
    const message =
      err instanceof HttpError || err instanceof ServerError ? err.message : (FIXED_MESSAGE[code] ?? 'request failed');
    log({ event: 'request-failed', code, status: STATUS[code] });
    res.status(STATUS[code]).json({ error: { code, message } });
  });
  return router;
}

const FIXED_MESSAGE: Partial<Record<ErrorCode, string>> = {
  ERR_MALFORMED_JSON: 'the body is not valid JSON',
  ERR_BODY_TOO_LARGE: 'the body is too large',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'send application/json',
};

function errorCode(err: unknown): ErrorCode {
  if (err instanceof HttpError) return err.code;
  if (err instanceof ServerError)
    return err.code === 'ERR_INVALID_ENROLMENT'
      ? 'ERR_INVALID_REQUEST'
      : err.code === 'ERR_TRUST_BUNDLE'
        ? 'ERR_INTERNAL'
        : (err.code as ErrorCode);
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return 'ERR_MALFORMED_JSON';
  if (type === 'entity.too.large') return 'ERR_BODY_TOO_LARGE';
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return 'ERR_UNSUPPORTED_MEDIA_TYPE';
  return 'ERR_INTERNAL';
}
