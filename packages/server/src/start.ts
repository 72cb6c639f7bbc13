/**
 * `cccd server`: the backend on its own, from a config file. Every start-up problem — a bad key, a trust path that
 * loads nothing, Redis not answering, the port taken — is one ConfigError naming the key, and whatever start-up
 * opened is closed again. Prints `listening on http://HOST:PORT` when ready; closes on SIGINT/SIGTERM.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { TrustStore } from '@cccd/emrtd';
import { loadTrustPath, TrustPathError } from '@cccd/emrtd/node';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createCccdBackend } from './backend.js';
import { loadServerConfig, parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.js';
import { ConfigError, ServerError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import { type CccdServer, createCccdServer } from './server.js';
import type { CccdStore } from './store.js';
import { importTicketKey } from './tickets.js';
import { createTrustBundlePublisher, type TrustBundlePublisher } from './trust-bundle.js';

export interface StartServerOptions {
  configFile?: string;
  /** The whole configuration (without a file), or overrides of the file's values (e.g. port). */
  config?: Partial<ServerConfigInput>;
  print?: (line: string) => void;
  handleSignals?: boolean;
}

export interface ServerHandle {
  url: string;
  server: CccdServer;
  close(): Promise<void>;
}

interface LoadedTrust {
  store: TrustStore;
  /** Each file read, with its SHA-256: the bundle's provenance. */
  provenance: { name: string; sha256?: string; note?: string }[];
}

/** Trust paths into one store; `key` names the config key in errors (`trust`, `trustBundle.trust`). */
export function loadTrust(paths: readonly string[], key = 'trust'): LoadedTrust {
  const store = new TrustStore();
  const provenance: LoadedTrust['provenance'] = [];
  for (const [i, path] of paths.entries()) {
    try {
      for (const f of loadTrustPath(store, path))
        if (f.added > 0) provenance.push({ name: basename(f.path).slice(0, 200), ...fileDigest(f.path), note: f.kind });
    } catch (e) {
      if (e instanceof TrustPathError) throw new ConfigError(`${key}.${i}`, e.message);
      throw e;
    }
  }
  return { store, provenance: provenance.slice(0, 100) };
}

function fileDigest(path: string): { sha256?: string } {
  try {
    return { sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
  } catch {
    return {};
  }
}

function readKey(file: string, key = 'ticketKeyFile'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(key, `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
}

/** The trust bundle publisher of the config, checked at start (key and trust paths). */
async function bundlePublisher(config: ServerConfig, trust: LoadedTrust): Promise<TrustBundlePublisher | undefined> {
  const tb = config.trustBundle;
  if (!tb) return undefined;
  const material = tb.trust ? loadTrust(tb.trust, 'trustBundle.trust') : trust;
  const publisher = createTrustBundlePublisher({
    key: readKey(tb.keyFile, 'trustBundle.keyFile'),
    trustStore: material.store,
    provenance: material.provenance,
    issuer: tb.issuer ?? config.issuer.slice(0, 100),
    ttlSec: tb.ttlHours * 3600,
    version: tb.version,
  });
  await publisher.current().catch((e: unknown) => {
    if (e instanceof ServerError && e.message.includes(' key '))
      throw new ConfigError('trustBundle.keyFile', 'not an ES256 (P-256) private key in PKCS#8 PEM form');
    throw new ConfigError('trustBundle.trust', e instanceof ServerError ? e.message : 'cannot sign the trust bundle');
  });
  return publisher;
}

async function openStore(config: ServerConfig, onReady: () => void): Promise<CccdStore> {
  if (!config.redis) return new MemoryStore();
  try {
    return await RedisStore.connect({
      url: config.redis.url,
      ...(config.redis.prefix === undefined ? {} : { prefix: config.redis.prefix }),
      ...(config.redis.waitReplicas === undefined ? {} : { waitReplicas: config.redis.waitReplicas }),
      ...(config.redis.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: config.redis.waitTimeoutMs }),
      onConnection: (state) => {
        if (state === 'ready') onReady();
      },
    });
  } catch (e) {
    if (!(e instanceof ServerError)) throw e;
    // The URL may carry a password: name the host only.
    const host = /^rediss?:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(config.redis.url)?.[1] ?? 'the configured host';
    throw new ConfigError('redis.url', `no Redis answers at ${host}`);
  }
}

/** Makes the store's registry exactly the configured agents. */
async function syncAgents(server: CccdServer, config: ServerConfig): Promise<void> {
  const wanted = new Map(config.agents.map((a) => [a.agentId, a.publicKey]));
  // Revoked first: agents gone, and agents whose key changed (a key may move to another agent in the same edit).
  for (const e of await server.store.enrolments())
    if (wanted.get(e.agentId) !== e.publicKey) await server.revoke(e.agentId);
  for (const [i, a] of config.agents.entries()) {
    try {
      await server.enrol(a.agentId, a.publicKey, a.label);
    } catch (e) {
      if (e instanceof ServerError && e.code === 'ERR_INVALID_ENROLMENT')
        throw new ConfigError(`agents.${i}`, e.message);
      throw e;
    }
  }
}

/** CORS for the configured front-desk origins only (the pages post tickets and results from the browser). */
export function cors(origins: ReadonlySet<string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'POST');
    }
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  };
}

export function listen(
  app: express.Express,
  config: Pick<ServerConfig, 'host' | 'port'>,
): Promise<import('node:http').Server> {
  return new Promise((resolve, reject) => {
    const http = app.listen(config.port, config.host);
    http.once('listening', () => resolve(http));
    http.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${config.host}:${config.port}`;
      if (e.code === 'EADDRINUSE') reject(new ConfigError('port', `${where} is already in use; choose another port`));
      else if (e.code === 'EACCES') reject(new ConfigError('port', `not allowed to listen on ${where}`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new ConfigError('host', `${config.host} is not an address of this computer`));
      else reject(e);
    });
  });
}

export async function startCccdServer(options: StartServerOptions = {}): Promise<ServerHandle> {
  const config = options.configFile
    ? loadServerConfig(options.configFile, options.config)
    : parseServerConfig(options.config ?? {});
  const trust = loadTrust(config.trust);
  const trustStore = trust.store;
  const trustBundle = await bundlePublisher(config, trust);
  const ticketKey = await importTicketKey(readKey(config.ticketKeyFile)).catch(() => {
    throw new ConfigError('ticketKeyFile', 'not an ES256 (P-256) private key in PKCS#8 PEM form');
  });
  // The config file is the enrolment registry: asserted at start and again whenever Redis comes back (a Redis
  // that lost its data must not leave the fleet unenrolled; until then results are refused, never accepted).
  let resync: (() => void) | undefined;
  const store = await openStore(config, () => resync?.());
  let http: import('node:http').Server | undefined;
  try {
    const server = createCccdServer({
      issuer: config.issuer,
      ticketKey,
      origins: config.origins,
      trustStore,
      store,
      allowSimulated: config.allowSimulated,
      requireEvidence: config.requireEvidence,
      acceptVerdicts: config.acceptVerdicts,
    });
    await syncAgents(server, config);
    resync = () => void syncAgents(server, config).catch(() => undefined);
    const app = express();
    app.disable('x-powered-by');
    if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
    app.set('etag', false);
    app.use(cors(new Set(config.origins)));
    const agentId = config.agentId;
    app.use(
      config.basePath || '/',
      createCccdBackend({
        server,
        ticketTtlSec: config.ticketTtlSec,
        maxBodyBytes: config.maxBodyBytes,
        ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
        authorize: () => (agentId === undefined ? {} : { agentId }),
        ...(trustBundle ? { trustBundle } : {}),
      }),
    );
    app.use((_req, res) => {
      res.status(404).json({ error: { code: 'ERR_NOT_FOUND', message: 'not found' } });
    });
    http = await listen(app, config);
    const { port } = http.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}${config.basePath}`;
    options.print?.(`listening on ${url}`);
    const running = http;
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        running.closeAllConnections();
        await new Promise<void>((r) => running.close(() => r()));
        await store.close();
      })();
      return closing;
    };
    if (options.handleSignals) {
      const onSignal = () => void close().then(() => process.exit(0));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    return { url, server, close };
  } catch (e) {
    http?.close();
    await store.close();
    throw e;
  }
}
