/**
 * The start-up steps that open something: the device key and audit trail, the readers, the QR scanners, the
 * paired-clients file, the listening socket. What holds a process resource registers its closer with
 * StartupResources as soon as it exists, so a later failure closes it again (startup.ts); data-folder problems
 * become a ConfigError on `dataDir` (inDataDir).
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AuditTrail } from '../audit.js';
import type { AgentConfig } from '../config.js';
import { type DeviceIdentity, loadIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import { PairingRegistry } from '../pairing.js';
import { type QrDeviceInput, QrKeySource } from '../qr.js';
import type { ReadEnvironment } from '../read.js';
import { ReaderHub } from '../readers/hub.js';
import { inDataDir, listenError, type StartupResources } from '../startup.js';
import type { TicketVerifier } from '../tickets.js';
import type { AgentTrust } from '../trust/agent-trust.js';
import { TrustFeed } from '../trust/feed.js';

/** What start-up has checked and opened before anything listens; the rest of the agent is wired from it. */
export interface AgentCore {
  config: AgentConfig;
  log: Logger;
  /** The human-readable lines (`listening on …`). */
  print: (line: string) => void;
  identity: DeviceIdentity;
  audit: AuditTrail | undefined;
  hub: ReaderHub;
  qr: QrKeySource | undefined;
  tickets: TicketVerifier;
  pairing: PairingRegistry;
  trust: ReadEnvironment['trust'];
  trustFeed: TrustFeed | undefined;
}

/** The device key (agentId, result signatures) and, when on, the audit trail keyed from it. */
export async function openDevice(
  dataDir: string,
  config: Pick<AgentConfig, 'agentId' | 'audit'>,
): Promise<{ identity: DeviceIdentity; audit: AuditTrail | undefined }> {
  const identity = await inDataDir(dataDir, 'device-key.pem', () => loadIdentity(dataDir, config.agentId));
  const audit = config.audit
    ? await inDataDir(dataDir, 'audit.jsonl', () => new AuditTrail(join(dataDir, 'audit.jsonl'), identity.auditKey))
    : undefined;
  return { identity, audit };
}

export async function openReaders(config: AgentConfig, opened: StartupResources): Promise<ReaderHub> {
  const hub = new ReaderHub({
    pcsc: config.pcsc,
    simulate: config.simulate,
    simulateWhenNoReader: config.simulateWhenNoReader,
    simulation: config.simulation,
    maxQueuePerReader: config.limits.maxQueuePerReader,
  });
  opened.add(() => hub.close());
  await hub.start();
  return hub;
}

/** QR scanners when configured, or the given devices (tests, embedding); none otherwise. */
export async function openQrScanners(
  config: Pick<AgentConfig, 'qrScanner'>,
  devices: QrDeviceInput[] | undefined,
  log: Logger,
  opened: StartupResources,
): Promise<QrKeySource | undefined> {
  if (!config.qrScanner && !devices) return undefined;
  const qr = new QrKeySource(log);
  opened.add(() => qr.close());
  await qr.start(devices);
  return qr;
}

export function openPairing(
  dataDir: string,
  identity: DeviceIdentity,
  limits: Pick<AgentConfig['limits'], 'pairingTtlMs' | 'pairedClientTtlDays'>,
): Promise<PairingRegistry> {
  return inDataDir(
    dataDir,
    'paired-clients.json',
    () =>
      new PairingRegistry(dataDir, identity.publicKeySpki, {
        pendingTtlMs: limits.pairingTtlMs,
        pairedTtlMs: limits.pairedClientTtlDays * 24 * 3600_000,
      }),
  );
}

/** Listens on 127.0.0.1 only; resolves with the port (the one chosen when `port` is 0). */
export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const failed = (e: Error) => reject(listenError(e, port));
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** The fleet trust feed when configured: the disk copy, then one bounded fetch; a fetch failure does not stop start-up. */
export async function openTrustFeed(
  config: AgentConfig,
  dataDir: string,
  trust: AgentTrust,
  log: Logger,
  opened: StartupResources,
): Promise<TrustFeed | undefined> {
  if (!config.trustFeed) return undefined;
  const feed = await inDataDir(dataDir, 'trust-bundle.jws', () =>
    TrustFeed.open({ ...config.trustFeed!, dataDir, trust, log }),
  );
  opened.add(() => feed.stop());
  return feed;
}
