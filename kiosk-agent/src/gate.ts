/**
 * The upgrade gate, run on the raw HTTP upgrade request before any WebSocket exists (docs/security.md, threats 1–2):
 * Host allow-list (DNS rebinding → 421), exact Origin allow-list (cross-site WebSocket hijacking → 403),
 * subprotocol (→ 400), then rate and session caps (→ 503). Pure decisions plus a small sliding-window counter.
 */
import { PROTOCOL, WS_PATH } from '@cccd/client';

export interface UpgradeRequest {
  path: string;
  host: string | undefined;
  origin: string | undefined;
  /** Sec-WebSocket-Protocol header (comma-separated list). */
  protocols: string | undefined;
  remoteAddress: string | undefined;
}

export interface GatePolicy {
  allowedHosts: ReadonlySet<string>;
  allowedOrigins: ReadonlySet<string>;
  /** Whether clients without an Origin header (native, paired) may connect. */
  allowNoOrigin: boolean;
}

export type GateDecision = { ok: true } | { ok: false; status: number; reason: string };

/** 127.0.0.1:p, localhost:p, [::1]:p — the names a loopback client can legitimately use. */
export function loopbackHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(host.toLowerCase());
}

export function offeredProtocols(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Checks in order: path, Host, Origin, subprotocol. Caps are checked separately (they count accepted sockets). */
export function checkUpgrade(req: UpgradeRequest, policy: GatePolicy): GateDecision {
  if (req.path !== WS_PATH) return { ok: false, status: 404, reason: 'path' };
  if (!hostAllowed(req.host, policy.allowedHosts)) return { ok: false, status: 421, reason: 'host' };
  if (req.origin === undefined) {
    if (!policy.allowNoOrigin) return { ok: false, status: 403, reason: 'origin-missing' };
  } else if (!policy.allowedOrigins.has(req.origin)) return { ok: false, status: 403, reason: 'origin' };
  if (!offeredProtocols(req.protocols).includes(PROTOCOL)) return { ok: false, status: 400, reason: 'subprotocol' };
  return { ok: true };
}

/** Sliding one-minute window of upgrade attempts per key (client address + origin). */
export class UpgradeRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  allow(key: string): boolean {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((x) => t - x < 60_000);
    if (recent.length >= this.perMinute) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(t);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000)
      for (const [k, v] of this.hits) if (v.every((x) => t - x >= 60_000)) this.hits.delete(k);
    return true;
  }
}
