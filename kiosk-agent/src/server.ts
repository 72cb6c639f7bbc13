/**
 * startAgent: config → device identity → readers → HTTP + WebSocket on 127.0.0.1. Every socket passes the upgrade
 * gate before it exists; each becomes a Session. Reader/card/pcsc events are broadcast (without personal data)
 * to authenticated sessions only. close() stops accepting, cancels reads, closes sockets with 4002 and readers.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CCCD_FIELDS, MAX_REQUEST_BYTES, type NotificationName, type NotificationParams, PROTOCOL } from '@cccd/client';
import type { TrustStore } from '@cccd/emrtd';
import type { DestinationStream } from 'pino';
import { WebSocketServer } from 'ws';
import { AbuseLog } from './abuse-log.js';
import { AuditTrail } from './audit.js';
import {
  type AgentConfig,
  type AgentConfigInput,
  defaultDataDir,
  loadConfig,
  type PolicyRule,
  simulatedReadersEnabled,
} from './config.js';
import { checkUpgrade, loopbackHosts, UpgradeRateLimiter } from './gate.js';
import { createHttpApp } from './http.js';
import { loadIdentity } from './identity.js';
import { createLogger, errorFields } from './log.js';
import { PairingRegistry } from './pairing.js';
import { type QrDeviceInput, QrKeySource } from './qr.js';
import { ReaderHub } from './readers/hub.js';
import type { SimulatedReader } from './readers/simulated.js';
import type { Reader } from './readers/types.js';
import { CLOSE, Session, type SessionServices } from './session.js';
import { inDataDir, listenError, loadTrustPaths, StartupResources } from './startup.js';
import { loadIssuers, TicketVerifier } from './tickets.js';

export interface StartAgentOptions {
  /** Highest-precedence settings (command-line flags, embedding code). */
  config?: AgentConfigInput;
  /** JSON config file (else CCCD_AGENT_CONFIG). */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Where JSON log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** Receives the human-readable lines (`listening on …`); default: stderr. */
  print?: (line: string) => void;
  /** Close gracefully on SIGINT/SIGTERM (the CLI sets this). */
  handleSignals?: boolean;
  /** HID scanner devices to use instead of enumerating node-hid (tests, embedding). */
  qrDevices?: QrDeviceInput[];
  /** Folder served at /demo/ (default kiosk-agent/demo). */
  demoDir?: string;
}

export interface AgentHandle {
  url: string;
  port: number;
  agentId: string;
  /** Device public key (SPKI DER, base64): what backends pin to check agentSig. */
  publicKey: string;
  config: AgentConfig;
  /** Demo pages URL, when demo mode is on and the folder exists. */
  demoUrl: string | undefined;
  /** Simulated readers (to remove/insert cards or unplug readers in tests and demos). */
  simulatedReaders: SimulatedReader[];
  close(): Promise<void>;
}

const DEFAULT_DEMO_DIR = fileURLToPath(new URL('../demo/', import.meta.url));

function refuse(socket: Socket, status: number, retryAfter?: number): void {
  const extra = retryAfter ? `Retry-After: ${retryAfter}\r\n` : '';
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
  socket.destroySoon?.();
}

function demoRules(origins: Iterable<string>): PolicyRule[] {
  return [...origins].map((origin) => ({
    origin,
    purpose: '*',
    fields: [...CCCD_FIELDS],
    evidence: true,
    requireConsentForSensitive: false,
  }));
}

/**
 * The simulated readers' store: the configured paths plus the simulator's test CSCA, whose key derives from a public
 * seed. It is trusted for simulated readers only, never for PC/SC, and only on an agent whose configuration turns
 * simulated readers on (their results are signed `simulated: true`).
 */
function simulatorTrust(config: AgentConfig, hub: ReaderHub, trustStore: TrustStore): TrustStore {
  const csca = hub.simulated[0]?.image.pki?.cscaCertDer;
  if (!csca || !simulatedReadersEnabled(config) || !config.simulation.trustTestCsca) return trustStore;
  const store = loadTrustPaths(config.trust);
  store.addCertificate(csca, 'simulator:test-csca');
  return store;
}

/**
 * Starts the agent. A failure at any step closes what the earlier steps opened before it is rethrown: left open,
 * the PC/SC host process and reader handles would keep the process alive with nothing listening.
 */
export async function startAgent(options: StartAgentOptions = {}): Promise<AgentHandle> {
  const opened = new StartupResources();
  try {
    return await openAgent(options, opened);
  } catch (e) {
    await opened.closeAll();
    throw e;
  }
}

async function openAgent(options: StartAgentOptions, opened: StartupResources): Promise<AgentHandle> {
  const config = loadConfig({
    ...(options.configFile ? { file: options.configFile } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.config ? { overrides: options.config } : {}),
  });
  // Configuration that can be checked without opening anything is checked first: a typo costs no reader start-up.
  const trustStore = loadTrustPaths(config.trust);
  const tickets = new TicketVerifier(await loadIssuers(config.issuers));
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = createLogger({
    level: config.logLevel,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const dataDir = config.dataDir ?? defaultDataDir(options.env ?? process.env);
  const identity = await inDataDir(dataDir, 'device-key.pem', () => loadIdentity(dataDir, config.agentId));
  const audit = config.audit
    ? await inDataDir(dataDir, 'audit.jsonl', () => new AuditTrail(join(dataDir, 'audit.jsonl'), identity.auditKey))
    : undefined;
  const l = config.limits;

  const hub = new ReaderHub({
    pcsc: config.pcsc,
    simulate: config.simulate,
    simulateWhenNoReader: config.simulateWhenNoReader,
    simulation: config.simulation,
    maxQueuePerReader: l.maxQueuePerReader,
  });
  opened.add(() => hub.close());
  await hub.start();
  const simulatorTrustStore = simulatorTrust(config, hub, trustStore);
  let qr: QrKeySource | undefined;
  if (config.qrScanner || options.qrDevices) {
    qr = new QrKeySource(log);
    opened.add(() => qr?.close());
    await qr.start(options.qrDevices);
  }
  const pairing = await inDataDir(
    dataDir,
    'paired-clients.json',
    () =>
      new PairingRegistry(dataDir, identity.publicKeySpki, {
        pendingTtlMs: l.pairingTtlMs,
        pairedTtlMs: l.pairedClientTtlDays * 24 * 3600_000,
      }),
  );
  const started = Date.now();
  const sessions = new Set<Session>();
  let closing: Promise<void> | undefined;

  // Filled in once the port is known (port 0 in tests).
  let port = 0;
  let hosts = new Set<string>();
  let own = new Set<string>();
  let origins = new Set<string>();
  let policy: PolicyRule[] = config.policy;

  const app = await createHttpApp({
    allowedHosts: () => hosts,
    allowedOrigins: () => origins,
    ownOrigins: () => own,
    health: () => ({
      pcsc: hub.pcscStatus(),
      simulated: hub.simulating,
      readers: hub.readers().length,
      uptimeSec: Math.round((Date.now() - started) / 1000),
      sessions: sessions.size,
    }),
    demoDir: options.demoDir ?? DEFAULT_DEMO_DIR,
    demo: config.demo ? { agentId: () => identity.agentId, tickets } : undefined,
    admin: config.adminToken
      ? {
          token: config.adminToken,
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
            // A revoked credential must not keep working on a session it already opened.
            for (const s of sessions)
              if (s.auth?.kind === 'paired' && s.auth.client.clientId === clientId)
                s.close(CLOSE.POLICY, 'pairing revoked');
          },
        }
      : undefined,
    log,
  });
  const server = createServer(app);
  opened.add(() => new Promise((resolve) => server.close(resolve)));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_REQUEST_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  const limiter = new UpgradeRateLimiter(l.upgradesPerMinute);
  const alive = new WeakMap<Session, boolean>();

  const broadcast = <N extends NotificationName>(method: N, params: NotificationParams<N>) => {
    for (const s of sessions) if (s.authenticated) s.notify(method, params);
  };
  const readerInfo = (r: Reader) => ({ readerId: r.readerId, name: r.name, kind: r.kind });
  hub.on('reader-attached', (r) => broadcast('reader.attached', readerInfo(r)));
  hub.on('reader-detached', (r) => broadcast('reader.detached', { readerId: r.readerId }));
  hub.on('card-inserted', (r) => broadcast('card.inserted', { readerId: r.readerId }));
  hub.on('card-removed', (r) => broadcast('card.removed', { readerId: r.readerId }));
  const status = () => ({ pcsc: hub.pcscStatus(), simulated: hub.simulating });
  hub.on('status', () => {
    log.info({ event: 'pcsc-status', pcsc: hub.pcscStatus() }, 'PC/SC status');
    broadcast('agent.status', status());
  });
  // Simulated readers produce invented cards: say so at start-up and on every fallback switch, never silently.
  const simulationReason = config.simulate ? 'configured' : 'no-reader';
  if (hub.simulating)
    log.warn({ event: 'simulated-readers', simulated: true, reason: simulationReason }, 'simulated readers in use');
  hub.on('simulation', (simulated) => {
    log.warn(
      { event: 'simulated-readers', simulated, reason: simulated ? simulationReason : 'reader-attached' },
      simulated ? 'no reader: falling back to simulated readers' : 'reader attached: simulated readers off',
    );
    broadcast('agent.status', status());
  });

  // Refused upgrades and failed authentications are attacker-triggered: a few full lines per minute, then counts.
  const abuse = new AbuseLog(log, audit);

  const services: SessionServices = {
    agentId: identity.agentId,
    config: {
      get policy() {
        return policy;
      },
      limits: l,
    },
    tickets,
    pairing,
    read: { hub, qr, trustStore, simulatorTrustStore, identity, audit, log, limits: l },
    adminToken: config.adminToken,
    log,
    readersList: () => hub.readers().map((r) => ({ ...readerInfo(r), cardPresent: r.cardPresent() })),
    authFailed: (f) => abuse.authFailed(f),
    onAuthenticated: (s) => {
      s.notify('agent.status', status());
      s.armExpiry(() => s.close(CLOSE.EXPIRED, 'session expired'));
    },
  };

  /**
   * The unauthenticated budget is full: the oldest waiting socket gives way to the new one (1013, try again). Refusing
   * the newcomer instead would let a local process that refills its sockets keep the real page out for good.
   */
  const makeRoomFor = (newcomer: Session) => {
    // Sockets waiting for a pairing approval are not counted: the pending-pairing caps bound them.
    const waiting = [...sessions].filter(
      (s) => !s.authenticated && !s.isClosed && pairing.pendingUntil(s.id) === undefined,
    );
    const sameOrigin = waiting.filter((s) => s.policyOrigin === newcomer.policyOrigin);
    const victim =
      sameOrigin.length >= l.maxUnauthenticatedPerOrigin
        ? sameOrigin[0]
        : waiting.length >= l.maxUnauthenticated
          ? waiting[0]
          : undefined;
    if (!victim) return;
    abuse.evicted(victim.id);
    victim.close(CLOSE.TRY_AGAIN, 'too many unauthenticated connections');
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const decision = checkUpgrade(
      {
        path,
        host: req.headers.host,
        origin,
        protocols: req.headers['sec-websocket-protocol'],
        remoteAddress: req.socket.remoteAddress,
      },
      { allowedHosts: hosts, allowedOrigins: origins, allowNoOrigin: policy.some((r) => r.origin === 'native') },
    );
    const originLabel = origin ?? 'native';
    if (!decision.ok) {
      abuse.refusedUpgrade(decision.status, decision.reason, origin, sessions.size);
      return refuse(socket, decision.status);
    }
    // Only authenticated sessions count against the caps: sockets that never authenticate have their own budget.
    const authed = [...sessions].filter((s) => s.authenticated);
    const capped =
      closing !== undefined
        ? 'shutting-down'
        : authed.length >= l.maxSessions
          ? 'session-cap'
          : authed.filter((s) => s.policyOrigin === originLabel).length >= l.maxSessionsPerOrigin
            ? 'origin-cap'
            : !limiter.allow(`${req.socket.remoteAddress}|${originLabel}`)
              ? 'rate'
              : undefined;
    if (capped) {
      abuse.refusedUpgrade(503, capped, origin, sessions.size);
      return refuse(socket, 503, 5);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, origin, services);
      makeRoomFor(session);
      sessions.add(session);
      alive.set(session, true);
      // Debug only: anyone who passes the gate can open sockets; 'authenticated' is the line that matters.
      log.debug(
        { event: 'session-open', sessionId: session.id, origin: originLabel, sessions: sessions.size },
        'session opened',
      );
      // A socket waiting for its pairing approval stays open until that request settles (docs/agent-protocol.md §4.2).
      const authCheck = () => {
        if (session.authenticated) return;
        const pendingUntil = pairing.pendingUntil(session.id);
        if (pendingUntil === undefined) return session.close(CLOSE.POLICY, 'authentication timeout');
        authTimer = setTimeout(authCheck, Math.max(100, pendingUntil - Date.now()));
        authTimer.unref();
      };
      let authTimer = setTimeout(authCheck, l.authTimeoutMs);
      authTimer.unref();
      ws.on('message', (data, isBinary) => {
        alive.set(session, true);
        session
          .handle(data as Buffer, isBinary)
          .catch((e) => log.error({ event: 'internal-error', ...errorFields(e) }, 'bug'));
      });
      ws.on('pong', () => alive.set(session, true));
      ws.on('error', (e) =>
        log.warn({ event: 'socket-error', sessionId: session.id, ...errorFields(e) }, 'socket error'),
      );
      ws.on('close', (code) => {
        clearTimeout(authTimer);
        session.dispose();
        sessions.delete(session);
        log[session.authenticated ? 'info' : 'debug'](
          { event: 'session-closed', sessionId: session.id, closeCode: code, sessions: sessions.size },
          'session closed',
        );
      });
    });
  });

  const heartbeat = setInterval(() => {
    for (const s of sessions) {
      if (!alive.get(s)) {
        log.info({ event: 'session-reaped', sessionId: s.id }, 'no pong: session reaped');
        s.terminate();
        continue;
      }
      alive.set(s, false);
      s.ping();
    }
  }, l.heartbeatMs);
  heartbeat.unref();
  opened.add(() => clearInterval(heartbeat));

  await new Promise<void>((resolve, reject) => {
    const failed = (e: Error) => reject(listenError(e, config.port));
    server.once('error', failed);
    server.listen(config.port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : config.port;
  hosts = loopbackHosts(port);
  own = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  origins = new Set([...config.allowedOrigins, ...(config.demo ? own : [])]);
  if (config.demo) policy = [...demoRules(own), ...config.policy];
  const url = `http://127.0.0.1:${port}`;
  const demoDir = options.demoDir ?? DEFAULT_DEMO_DIR;
  const demoUrl = config.demo && existsSync(demoDir) ? `${url}/demo/` : undefined;
  log.info(
    { event: 'listening', url, readers: hub.readers().length, pcsc: hub.pcscStatus(), simulated: hub.simulating },
    `listening on ${url}`,
  );
  print(`listening on ${url}`);
  if (demoUrl) print(`demo pages (dev only): ${demoUrl}`);

  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info({ event: 'shutdown', sessions: sessions.size }, 'shutting down');
      clearInterval(heartbeat);
      abuse.close();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.close(CLOSE.SHUTDOWN, 'agent shutting down');
      server.closeIdleConnections();
      // Give clients a moment to answer the close frame, then cut what is left.
      if (sessions.size > 0) await new Promise((r) => setTimeout(r, 200));
      for (const s of sessions) s.terminate();
      wss.close();
      server.closeAllConnections();
      await Promise.allSettled([hub.close(), qr?.close()]);
      await serverClosed;
      if (signalHandler) {
        process.off('SIGINT', signalHandler);
        process.off('SIGTERM', signalHandler);
      }
    })();
    return closing;
  };

  let signalHandler: ((signal: NodeJS.Signals) => void) | undefined;
  if (options.handleSignals) {
    signalHandler = (signal) => {
      log.info({ event: 'signal', signal }, 'signal received');
      void close();
    };
    process.once('SIGINT', signalHandler);
    process.once('SIGTERM', signalHandler);
  }

  return {
    url,
    port,
    agentId: identity.agentId,
    publicKey: Buffer.from(identity.publicKeySpki).toString('base64'),
    config,
    demoUrl,
    simulatedReaders: hub.simulated,
    close,
  };
}
