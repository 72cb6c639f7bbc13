/**
 * startAgent: config → device identity → readers → HTTP + WebSocket on 127.0.0.1. Every socket passes the upgrade
 * gate before it exists; each becomes a Session. Reader/card/pcsc events are broadcast (without personal data)
 * to authenticated sessions only. close() stops accepting, cancels reads, closes sockets with 4002 and readers.
 * The steps live in agent/: endpoint, open (start-up), http-server, sessions, upgrades, heartbeat, shutdown.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TrustStore } from '@cccd/emrtd';
import type { DestinationStream } from 'pino';
import { AbuseLog } from './abuse-log.js';
import { AgentEndpoint } from './agent/endpoint.js';
import { Heartbeat } from './agent/heartbeat.js';
import { createAgentHttpServer } from './agent/http-server.js';
import {
  type AgentCore,
  listen,
  openDevice,
  openPairing,
  openQrScanners,
  openReaders,
  openTrustFeed,
} from './agent/open.js';
import { agentStatus, relayReaderEvents } from './agent/reader-events.js';
import { SessionTable, sessionContext } from './agent/sessions.js';
import { Shutdown } from './agent/shutdown.js';
import { UpgradeGate } from './agent/upgrades.js';
import {
  type AgentConfig,
  type AgentConfigInput,
  defaultDataDir,
  loadConfig,
  simulatedReadersEnabled,
} from './config.js';
import { createLogger } from './log.js';
import type { QrDeviceInput } from './qr.js';
import type { ReaderHub } from './readers/hub.js';
import type { SimulatedReader } from './readers/simulated.js';
import { loadTrustPaths, StartupResources } from './startup.js';
import { loadIssuers, TicketVerifier } from './tickets.js';
import { AgentTrust } from './trust/agent-trust.js';

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

/**
 * The agent's trust: the configured paths, the fleet bundle when a feed is configured, and — for simulated readers
 * only — the simulator's test CSCA, whose key derives from a public seed. That CSCA is trusted only on an agent whose
 * configuration turns simulated readers on (their results are signed `simulated: true`), never for PC/SC.
 */
function agentTrust(config: AgentConfig, hub: ReaderHub, configured: TrustStore): AgentTrust {
  const csca = hub.simulated[0]?.image.pki?.cscaCertDer;
  const testCsca = csca && simulatedReadersEnabled(config) && config.simulation.trustTestCsca ? csca : undefined;
  return new AgentTrust(configured, testCsca ? { testCsca } : {});
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

/** Configuration, the checks that open nothing, then the device key, readers, QR scanners and pairing file. */
async function openCore(options: StartAgentOptions, opened: StartupResources): Promise<AgentCore> {
  const config = loadConfig({
    ...(options.configFile ? { file: options.configFile } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.config ? { overrides: options.config } : {}),
  });
  // Configuration that can be checked without opening anything is checked first: a typo costs no reader start-up.
  const configuredTrust = loadTrustPaths(config.trust);
  const tickets = new TicketVerifier(await loadIssuers(config.issuers));
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = createLogger({
    level: config.logLevel,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const dataDir = config.dataDir ?? defaultDataDir(options.env ?? process.env);
  const { identity, audit } = await openDevice(dataDir, config);
  const hub = await openReaders(config, opened);
  const trust = agentTrust(config, hub, configuredTrust);
  const trustFeed = await openTrustFeed(config, dataDir, trust, log, opened);
  const qr = await openQrScanners(config, options.qrDevices, log, opened);
  const pairing = await openPairing(dataDir, identity, config.limits);
  return { config, log, print, identity, audit, hub, qr, tickets, pairing, trust, trustFeed };
}

async function openAgent(options: StartAgentOptions, opened: StartupResources): Promise<AgentHandle> {
  const core = await openCore(options, opened);
  const { config, log, hub, identity } = core;
  const limits = config.limits;
  const endpoint = new AgentEndpoint(config);
  // Refused upgrades and failed authentications are attacker-triggered: a few full lines per minute, then counts.
  const abuse = new AbuseLog(log, core.audit);
  const heartbeat = new Heartbeat(log);
  const services = sessionContext(core, () => endpoint.policy);
  const sessions = new SessionTable({ services, status: () => agentStatus(hub), limits, abuse, heartbeat });
  const demoDir = options.demoDir ?? DEFAULT_DEMO_DIR;
  const server = await createAgentHttpServer(core, { endpoint, sessions, demoDir });
  opened.add(() => new Promise((resolve) => server.close(resolve)));
  relayReaderEvents(hub, sessions, log, config.simulate);
  const gate = new UpgradeGate(server, { endpoint, sessions, abuse, limits });
  heartbeat.start(sessions, limits.heartbeatMs);
  opened.add(() => heartbeat.stop());

  endpoint.bind(await listen(server, config.port));
  const url = endpoint.url;
  const demoUrl = config.demo && existsSync(demoDir) ? `${url}/demo/` : undefined;
  log.info(
    { event: 'listening', url, readers: hub.readers().length, pcsc: hub.pcscStatus(), simulated: hub.simulating },
    `listening on ${url}`,
  );
  core.print(`listening on ${url}`);
  if (demoUrl) core.print(`demo pages (dev only): ${demoUrl}`);

  const shutdown = new Shutdown({ server, gate, sessions, heartbeat, abuse, hub, qr: core.qr, log });
  if (options.handleSignals) shutdown.handleSignals();
  return {
    url,
    port: endpoint.port,
    agentId: identity.agentId,
    publicKey: Buffer.from(identity.publicKeySpki).toString('base64'),
    config,
    demoUrl,
    simulatedReaders: hub.simulated,
    close: shutdown.close,
  };
}
