/**
 * The HTTP server as startAgent wires it (the routes themselves are http.ts): allow-lists from the endpoint, /health
 * from the readers and sessions, the demo pages in demo mode, and the admin page's pairing decisions, logged and
 * audited; a revocation also closes the sessions the revoked client had opened.
 */
import { createServer, type Server } from 'node:http';
import { createHttpApp, type HttpContext } from '../http.js';
import type { AgentEndpoint } from './endpoint.js';
import type { AgentCore } from './open.js';
import type { SessionTable } from './sessions.js';

export interface AgentHttpOptions {
  endpoint: AgentEndpoint;
  sessions: SessionTable;
  /** Served at /demo/ in demo mode (config `demo`); their tickets come from the demo backend (`demoBackend`). */
  demoDir: string;
}

/** The /admin page's hooks; `token` (config adminToken) turns the page on. */
function adminHooks(token: string, core: AgentCore, sessions: SessionTable): NonNullable<HttpContext['admin']> {
  const { pairing, log, audit } = core;
  return {
    token,
    pairing,
    onDecision: (clientId, approved) => {
      log.info(
        { event: 'pairing-decision', pairingId: clientId, status: approved ? 'approved' : 'rejected' },
        'pairing decided',
      );
      audit?.append({ event: 'pair', outcome: approved ? 'approved' : 'rejected', clientId });
    },
    onRevoke: (clientId) => {
      log.info({ event: 'pairing-revoked', pairingId: clientId }, 'paired client revoked');
      audit?.append({ event: 'pair', outcome: 'revoked', clientId });
      sessions.closePaired(clientId);
    },
  };
}

export async function createAgentHttpServer(core: AgentCore, o: AgentHttpOptions): Promise<Server> {
  const { config, hub, log } = core;
  const { endpoint, sessions } = o;
  const started = Date.now();
  const app = await createHttpApp({
    allowedHosts: () => endpoint.hosts,
    allowedOrigins: () => endpoint.origins,
    ownOrigins: () => endpoint.own,
    health: () => ({
      pcsc: hub.pcscStatus(),
      simulated: hub.simulating,
      readers: hub.readers().length,
      uptimeSec: Math.round((Date.now() - started) / 1000),
      sessions: sessions.size,
      ...(core.trustFeed ? { trustFeed: core.trustFeed.status() } : {}),
    }),
    demoDir: o.demoDir,
    demo: config.demo ? { backendUrl: config.demoBackend } : undefined,
    admin: config.adminToken ? adminHooks(config.adminToken, core, sessions) : undefined,
    log,
  });
  return createServer(app);
}
