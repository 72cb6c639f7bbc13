/**
 * The upgrade gate as the HTTP server applies it: every upgrade request is checked before a WebSocket exists —
 * path, Host, Origin and subprotocol (gate.ts), then shutdown, the session caps and the per-client rate — and a
 * refusal is a bare HTTP answer on the raw socket (docs/security.md, threats 1–2 and 20). A request that passes
 * becomes a session in the SessionTable.
 */
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_REQUEST_BYTES, PROTOCOL } from '@cccd/client';
import { WebSocketServer } from 'ws';
import type { AbuseLog } from '../abuse-log.js';
import type { AgentConfig } from '../config.js';
import { checkUpgrade, UpgradeRateLimiter, type UpgradeRequest } from '../gate.js';
import type { AgentEndpoint } from './endpoint.js';
import type { SessionTable } from './sessions.js';

type CapLimits = Pick<AgentConfig['limits'], 'maxSessions' | 'maxSessionsPerOrigin'>;

export interface UpgradeGateOptions {
  endpoint: AgentEndpoint;
  sessions: SessionTable;
  abuse: AbuseLog;
  limits: CapLimits & Pick<AgentConfig['limits'], 'upgradesPerMinute'>;
}

export type CapRefusal = 'shutting-down' | 'session-cap' | 'origin-cap' | 'rate';

/**
 * Why a request that passed the gate is still turned away (503), checked in this order; undefined lets it in. Only
 * authenticated sessions count against the caps: sockets that never authenticate have their own budget
 * (sessions.ts). `rateAllows` is asked last, so only requests within the caps use up the client's rate.
 */
export function capRefusal(
  request: { origin: string; closing: boolean; authenticatedOrigins: readonly string[] },
  limits: CapLimits,
  rateAllows: () => boolean,
): CapRefusal | undefined {
  if (request.closing) return 'shutting-down';
  if (request.authenticatedOrigins.length >= limits.maxSessions) return 'session-cap';
  if (request.authenticatedOrigins.filter((o) => o === request.origin).length >= limits.maxSessionsPerOrigin)
    return 'origin-cap';
  if (!rateAllows()) return 'rate';
  return undefined;
}

function refuse(socket: Socket, status: number, retryAfter?: number): void {
  const extra = retryAfter ? `Retry-After: ${retryAfter}\r\n` : '';
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
  socket.destroySoon?.();
}

function upgradeRequest(req: IncomingMessage): UpgradeRequest {
  return {
    path: (req.url ?? '').split('?')[0] ?? '',
    host: req.headers.host,
    origin: req.headers.origin,
    protocols: req.headers['sec-websocket-protocol'],
    remoteAddress: req.socket.remoteAddress,
  };
}

export class UpgradeGate {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_REQUEST_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  private readonly limiter: UpgradeRateLimiter;
  private closing = false;

  constructor(
    server: Server,
    private readonly options: UpgradeGateOptions,
  ) {
    this.limiter = new UpgradeRateLimiter(options.limits.upgradesPerMinute);
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** From now on every upgrade is refused (503 shutting-down). */
  stopAccepting(): void {
    this.closing = true;
  }

  close(): void {
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const { endpoint, sessions, abuse, limits } = this.options;
    socket.on('error', () => socket.destroy());
    const request = upgradeRequest(req);
    const origin = request.origin;
    const decision = checkUpgrade(request, {
      allowedHosts: endpoint.hosts,
      allowedOrigins: endpoint.origins,
      allowNoOrigin: endpoint.policy.some((r) => r.origin === 'native'),
    });
    if (!decision.ok) {
      abuse.refusedUpgrade(decision.status, decision.reason, origin, sessions.size);
      refuse(socket, decision.status);
      return;
    }
    const originLabel = origin ?? 'native';
    const capped = capRefusal(
      {
        origin: originLabel,
        closing: this.closing,
        authenticatedOrigins: sessions.authenticated().map((s) => s.policyOrigin),
      },
      limits,
      () => this.limiter.allow(`${req.socket.remoteAddress}|${originLabel}`),
    );
    if (capped) {
      abuse.refusedUpgrade(503, capped, origin, sessions.size);
      refuse(socket, 503, 5);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => sessions.admit(ws, origin));
  }
}
