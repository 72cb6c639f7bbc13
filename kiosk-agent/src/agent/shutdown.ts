/**
 * close(): stop accepting, say goodbye, then cut. New upgrades get 503, every session is closed with 4002 (its read
 * cancelled), and clients get a moment to answer the close frame before what is left is terminated; then the
 * readers and QR scanners close and the HTTP server has stopped. Closing twice returns the same promise.
 */
import type { Server } from 'node:http';
import type { AbuseLog } from '../abuse-log.js';
import type { Logger } from '../log.js';
import type { QrKeySource } from '../qr.js';
import type { ReaderHub } from '../readers/hub.js';
import { CLOSE } from '../session.js';
import type { Heartbeat } from './heartbeat.js';
import type { SessionTable } from './sessions.js';
import type { UpgradeGate } from './upgrades.js';

/** How long sessions have to answer the close frame before they are terminated. */
const CLOSE_ANSWER_MS = 200;

export interface RunningAgent {
  server: Server;
  gate: UpgradeGate;
  sessions: SessionTable;
  heartbeat: Heartbeat;
  abuse: AbuseLog;
  hub: ReaderHub;
  qr: QrKeySource | undefined;
  log: Logger;
}

export class Shutdown {
  private closing: Promise<void> | undefined;
  private signalHandler: ((signal: NodeJS.Signals) => void) | undefined;

  constructor(private readonly agent: RunningAgent) {}

  readonly close = (): Promise<void> => {
    this.closing ??= this.run();
    return this.closing;
  };

  /** SIGINT and SIGTERM close the agent gracefully (the CLI asks for this). */
  handleSignals(): void {
    this.signalHandler = (signal) => {
      this.agent.log.info({ event: 'signal', signal }, 'signal received');
      void this.close();
    };
    process.once('SIGINT', this.signalHandler);
    process.once('SIGTERM', this.signalHandler);
  }

  private async run(): Promise<void> {
    const { server, gate, sessions, heartbeat, abuse, hub, qr, log } = this.agent;
    gate.stopAccepting();
    log.info({ event: 'shutdown', sessions: sessions.size }, 'shutting down');
    heartbeat.stop();
    abuse.close();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sessions) s.close(CLOSE.SHUTDOWN, 'agent shutting down');
    server.closeIdleConnections();
    if (sessions.size > 0) await new Promise((r) => setTimeout(r, CLOSE_ANSWER_MS));
    for (const s of sessions) s.terminate();
    gate.close();
    server.closeAllConnections();
    await Promise.allSettled([hub.close(), qr?.close()]);
    await serverClosed;
    if (this.signalHandler) {
      process.off('SIGINT', this.signalHandler);
      process.off('SIGTERM', this.signalHandler);
    }
  }
}
