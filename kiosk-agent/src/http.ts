/**
 * HTTP side of the agent (express): Host allow-list and anti-framing headers on every request, /health,
 * /.well-known/cccd-agent (CORS only to allowed origins), and in demo mode only the static /demo/ pages and where
 * their backend is (GET /demo/backend.json); the /admin pairing page when an admin token is configured.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { PROTOCOL } from '@cccd/client';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { adminPage } from './admin-page.js';
import { AgentError } from './errors.js';
import { hostAllowed } from './gate.js';
import type { Logger } from './log.js';
import { displayClientName, type PairingRegistry } from './pairing.js';
import type { TrustFeedStatus } from './trust/feed.js';
import { AGENT_VERSION } from './version.js';

export interface HttpContext {
  allowedHosts: () => ReadonlySet<string>;
  allowedOrigins: () => ReadonlySet<string>;
  /** The agent's own origins (http://127.0.0.1:p, http://localhost:p), for the admin CSRF checks. */
  ownOrigins: () => ReadonlySet<string>;
  /** `simulated`: the readers are simulated ones (invented cards), configured or as the no-reader fallback. */
  health: () => {
    pcsc: string;
    simulated: boolean;
    readers: number;
    uptimeSec: number;
    sessions: number;
    trustFeed?: TrustFeedStatus;
  };
  /** Folder of the demo pages, served at /demo/ only when `demo` is set (demo mode). */
  demoDir: string | undefined;
  /** Demo mode: the backend the demo pages get their tickets from and post their results to (config demoBackend). */
  demo: { backendUrl: string | undefined } | undefined;
  admin:
    | {
        token: string;
        pairing: PairingRegistry;
        onDecision: (clientId: string, approved: boolean) => void;
        /** A paired client was revoked: audit it and close the sessions it authenticated. */
        onRevoke: (clientId: string) => void;
      }
    | undefined;
  log: Logger;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cors(req: Request, res: Response, allowed: ReadonlySet<string>): void {
  const origin = req.headers.origin;
  res.vary('Origin');
  if (origin && allowed.has(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    // Chrome's Private/Local Network Access preflight for pages that are not on loopback themselves.
    if (req.headers['access-control-request-private-network'])
      res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
}

export async function createHttpApp(ctx: HttpContext): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(hardening(ctx.allowedHosts));
  discoveryRoutes(app, ctx);
  if (ctx.demo) demoRoutes(app, ctx.demo, ctx);
  if (ctx.admin) adminRoutes(app, ctx.admin, ctx.ownOrigins);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  // express 5 error handler: never echo the error (it may quote a request body).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    ctx.log.warn({ event: 'http-error', errorName: err instanceof Error ? err.name : typeof err }, 'http error');
    const status = (err as { status?: number }).status;
    res
      .status(typeof status === 'number' && status >= 400 && status < 500 ? status : 500)
      .json({ error: 'request failed' });
  });
  return app;
}

/** Headers every answer carries, then the Host allow-list (DNS rebinding → 421). */
function hardening(allowedHosts: () => ReadonlySet<string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    // No page of the agent is meant to be framed: a framing site could overlay the /admin buttons or a demo page
    // (clickjacking). Set before the Host check so every answer, refusals included, carries them.
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    if (!hostAllowed(req.headers.host, allowedHosts())) {
      res.status(421).type('text/plain').send('misdirected request');
      return;
    }
    next();
  };
}

/** /health and /.well-known/cccd-agent (how a page finds the agent; CORS only to allowed origins). */
function discoveryRoutes(app: Express, ctx: HttpContext): void {
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', ...ctx.health() });
  });
  app.options('/.well-known/cccd-agent', (req, res) => {
    cors(req, res, ctx.allowedOrigins());
    res.setHeader('Access-Control-Allow-Methods', 'GET');
    res.status(204).end();
  });
  app.get('/.well-known/cccd-agent', (req, res) => {
    cors(req, res, ctx.allowedOrigins());
    res.json({ protocol: PROTOCOL, version: AGENT_VERSION });
  });
}

/** Demo mode: the pages, the client they use, and where their backend is. */
function demoRoutes(app: Express, demo: NonNullable<HttpContext['demo']>, ctx: HttpContext): void {
  // The pages only work with the demo backend and the demo policy, and they are not for production desks.
  if (!ctx.demoDir || !existsSync(ctx.demoDir)) return;
  const statics = { dotfiles: 'deny', fallthrough: true } as const;
  app.get('/demo/backend.json', (_req, res) => {
    if (demo.backendUrl) res.json({ url: demo.backendUrl });
    else res.status(404).json({ error: 'no demo backend configured (npm start runs one)' });
  });
  app.use('/demo', express.static(ctx.demoDir, { index: 'index.html', ...statics }));
  // The pages reuse the real client (no CDN): its build and its one dependency, served from node_modules.
  const assets = demoAssets();
  if (assets) {
    app.use('/client', express.static(assets.client, statics));
    app.use('/vendor/zod', express.static(assets.zod, statics));
  }
}

/** The /admin page and its API: pairing decisions and revocations, behind the admin token and the agent's origin. */
function adminRoutes(
  app: Express,
  admin: NonNullable<HttpContext['admin']>,
  ownOrigins: () => ReadonlySet<string>,
): void {
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    const token = req.headers['x-admin-token'];
    if (origin !== undefined && !ownOrigins().has(origin)) res.status(403).json({ error: 'origin' });
    else if (typeof token !== 'string' || !sameToken(token, admin.token)) res.status(401).json({ error: 'token' });
    else next();
  };
  app.get('/admin', (_req, res) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    );
    res.type('html').send(adminPage.html);
  });
  app.get('/admin/admin.js', (_req, res) => {
    res.type('application/javascript').send(adminPage.script);
  });
  app.get('/admin/api/pairings', guard, (_req, res) => {
    res.json(adminListing(admin.pairing));
  });
  const decide = (approve: boolean) => (req: Request, res: Response) => {
    const clientId = String(req.params.clientId);
    try {
      if (approve) admin.pairing.approve(clientId);
      else admin.pairing.reject(clientId);
    } catch (e) {
      if (e instanceof AgentError && e.code === 'ERR_RATE_LIMITED')
        res.status(409).json({ error: 'too many paired clients: revoke some first' });
      else res.status(404).json({ error: 'no such pending pairing' });
      return;
    }
    admin.onDecision(clientId, approve);
    res.json({ clientId, status: approve ? 'approved' : 'rejected' });
  };
  app.post('/admin/api/pairings/:clientId/approve', guard, decide(true));
  app.post('/admin/api/pairings/:clientId/reject', guard, decide(false));
  app.delete('/admin/api/clients/:clientId', guard, (req, res) => {
    const clientId = String(req.params.clientId);
    if (!admin.pairing.revoke(clientId)) {
      res.status(404).json({ error: 'no such paired client' });
      return;
    }
    admin.onRevoke(clientId);
    res.json({ clientId, status: 'revoked' });
  });
}

/** What /admin lists. Names go through displayClientName: files of older versions may hold unchecked ones. */
function adminListing(pairing: PairingRegistry) {
  return {
    pending: pairing.list().map((p) => ({
      clientId: p.clientId,
      clientName: displayClientName(p.clientName),
      origin: p.origin,
      code: p.code,
      expiresAt: new Date(p.expiresAt).toISOString(),
    })),
    paired: pairing.paired().map((c) => ({
      clientId: c.clientId,
      clientName: displayClientName(c.clientName),
      origin: c.origin,
      approvedAt: c.approvedAt,
      expiresAt: c.expiresAt,
      ...(c.lastUsedAt ? { lastUsedAt: c.lastUsedAt } : {}),
      status: pairing.isExpired(c) ? 'expired' : 'active',
    })),
  };
}

/** Folders of the built @cccd/client and of zod, or undefined when they are not installed/built. */
function demoAssets(): { client: string; zod: string } | undefined {
  try {
    const require = createRequire(import.meta.url);
    return { client: dirname(require.resolve('@cccd/client')), zod: dirname(require.resolve('zod/package.json')) };
  } catch {
    return undefined;
  }
}
