/**
 * The demo backend `npm start` runs beside the kiosk agent (docs/demo.md): @cccd/server in memory on a loopback
 * port, for the agent's own demo pages. A page only names its desk; this backend decides what the ticket asks for
 * (purpose, fields), re-verifies the signed result and answers with its decision. It accepts simulated results —
 * the demo reads simulated cards — and the decision says `simulated: true`, which the pages show. Keys are made at
 * first start in its data folder. A demo, not a production setup: docs/server.md shows that.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CccdField } from '@cccd/client';
import express from 'express';
import { createCccdBackend } from './backend.js';
import { ConfigError, ServerError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { type CccdServer, createCccdServer } from './server.js';
import { cors, listen, loadTrust } from './start.js';
import { createTrustBundlePublisher } from './trust-bundle.js';

export const DEMO_ISSUER = 'cccd-demo-backend';

/** What each demo desk may read: the backend's decision, not the page's. Evidence always (the server re-verifies). */
export const DEMO_DESKS: Record<string, { purpose: string; fields: CccdField[] }> = {
  clinic: { purpose: 'clinic-checkin', fields: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'] },
  // With nationality every MRZ field is released, so DG1 goes in the evidence bundle with DG2 (photo + sex); DG13
  // holds more than the teller needs and stays out (docs/agent-protocol.md, "Evidence and the field policy").
  bank: {
    purpose: 'bank-kyc',
    fields: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'nationality', 'dateOfExpiry', 'photo'],
  },
  commune: {
    purpose: 'commune-form',
    fields: [
      'fullName',
      'dateOfBirth',
      'sex',
      'nationality',
      'idNumber',
      'dateOfIssue',
      'dateOfExpiry',
      'placeOfOrigin',
      'placeOfResidence',
    ],
  },
};

export interface DemoBackendOptions {
  /** Its own folder: the ticket key and the trust bundle key (generated at first start, mode 0600). */
  dataDir: string;
  /** The demo pages' origins: the agent's own, http://127.0.0.1:PORT and http://localhost:PORT. */
  pageOrigins: string[];
  host?: string;
  /** Default 0: any free port (the agent tells its pages where the backend is). */
  port?: number;
  /** CSCA/CRL paths for real cards (the agent's own `trust`): verified against and published in the bundle. */
  trust?: readonly string[];
}

export interface DemoBackend {
  url: string;
  /** The agent's `issuers` entry for this backend's tickets. */
  issuer: { iss: string; publicKey: string; origins: string[] };
  /** The agent's `trustFeed` for this backend's bundle. */
  trustFeed: { url: string; publicKey: string };
  /**
   * Enrols the agent beside it (its device key, `AgentHandle.publicKey`) and issues tickets for it from then on.
   * `testCsca`: the simulator's CSCA when the agent trusts it for its simulated readers — so does this backend,
   * for results signed `simulated: true` only (it is never published in the trust bundle).
   */
  attachAgent(agent: { agentId: string; publicKey: string; testCsca?: Uint8Array }): Promise<void>;
  server: CccdServer;
  close(): Promise<void>;
}

/** A P-256 key of the data folder, made at first start; returns the private PEM and the public one. */
function keyPair(dir: string, file: string): { privateKey: string; publicKey: string } {
  const path = join(dir, file);
  if (!existsSync(path)) {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    try {
      writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  chmodSync(path, 0o600);
  const privateKey = readFileSync(path, 'utf8');
  let publicKey: string;
  try {
    publicKey = createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new ConfigError(file, `${path} is not a PEM private key: delete it to make a new one`);
  }
  return { privateKey, publicKey };
}

export async function startDemoBackend(o: DemoBackendOptions): Promise<DemoBackend> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const ticketKey = keyPair(o.dataDir, 'ticket-key.pem');
  const bundleKey = keyPair(o.dataDir, 'trust-bundle-key.pem');
  const trust = loadTrust(o.trust ?? []);
  const origins = new Set(o.pageOrigins);
  const store = new MemoryStore();
  const base = { issuer: DEMO_ISSUER, ticketKey: ticketKey.privateKey, origins: o.pageOrigins, store };
  // Real cards: the configured CSCAs only, simulated results refused. Simulated results (the flag is under the
  // agent's signature) go to a second server on the same store (one nonce, one use) that also trusts the test CSCA
  // — only once the attached agent says it trusts it too, so a forged card on a real reader never passes with it.
  const real = createCccdServer({ ...base, trustStore: trust.store, allowSimulated: false });
  let simulated = real;
  const server: CccdServer = {
    ...real,
    verifyResult: (result, opts) =>
      ((result as { simulated?: unknown } | null)?.simulated === true ? simulated : real).verifyResult(result, opts),
  };
  const trustBundle = createTrustBundlePublisher({
    key: bundleKey.privateKey,
    trustStore: trust.store,
    provenance: trust.provenance,
    issuer: 'demo backend',
    ttlSec: 24 * 3600,
  });
  let agentId: string | undefined;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(cors(origins));
  // The desk's ticket: the page names its desk, the backend decides the rest.
  app.post('/desks/:desk/tickets', async (req, res) => {
    const name = String(req.params.desk);
    const desk = Object.hasOwn(DEMO_DESKS, name) ? DEMO_DESKS[name] : undefined;
    const origin = req.get('origin');
    if (!desk) res.status(404).json({ error: { code: 'ERR_NOT_FOUND', message: 'no such desk' } });
    else if (!origin || !origins.has(origin))
      res.status(403).json({ error: { code: 'ERR_FORBIDDEN', message: 'only the demo pages get tickets' } });
    else if (agentId === undefined)
      res.status(503).json({ error: { code: 'ERR_NOT_READY', message: 'the agent is not enrolled yet' } });
    else {
      const issued = await server.issueTicket({ ...desk, origin, agentId, operatorId: 'demo-clerk', ttl: 120 });
      res.status(201).json({ ...issued, ...desk, includeEvidence: true });
    }
  });
  // POST /results and GET /trust-bundle; the generic POST /tickets is closed (403): desks decide, not pages.
  app.use(createCccdBackend({ server, authorize: () => false, trustBundle }));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'ERR_NOT_FOUND', message: 'not found' } });
  });
  // express's own handler would answer with the error's text: say what failed, never echo it.
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const store = err instanceof ServerError && err.code === 'ERR_STORE_UNAVAILABLE';
    res
      .status(store ? 503 : 500)
      .json({ error: { code: store ? err.code : 'ERR_INTERNAL', message: 'request failed' } });
  });
  const http = await listen(app, { host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
  const url = `http://${o.host ?? '127.0.0.1'}:${(http.address() as AddressInfo).port}`;
  return {
    url,
    issuer: { iss: DEMO_ISSUER, publicKey: ticketKey.publicKey, origins: [...o.pageOrigins] },
    trustFeed: { url: `${url}/trust-bundle`, publicKey: bundleKey.publicKey },
    server,
    async attachAgent(agent) {
      const simTrust = loadTrust(o.trust ?? []).store;
      if (agent.testCsca) simTrust.addCertificate(agent.testCsca, 'simulator test CSCA (simulated results only)');
      simulated = createCccdServer({ ...base, trustStore: simTrust, allowSimulated: true });
      await server.enrol(agent.agentId, agent.publicKey, 'demo kiosk agent');
      agentId = agent.agentId;
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await server.close();
    },
  };
}
