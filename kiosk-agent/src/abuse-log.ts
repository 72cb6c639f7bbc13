/**
 * Log and audit lines for events any client past the gate can cause at will: refused upgrades, sockets pushed out
 * of the unauthenticated budget, failed authentications. Each kind is written in full a few times a minute, then
 * only counted; a summary line (and, for failures, an audit record `outcome: "suppressed"`) carries the count once a
 * minute, so a flood costs a few lines instead of gigabytes (docs/security.md, threats 21–22).
 */
import type { AuditTrail } from './audit.js';
import type { Logger } from './log.js';
import type { AuthFailure } from './session.js';
import { EventThrottle, loggableOrigin } from './throttle.js';

const WINDOW_MS = 60_000;

const auditEventOf = (event: string) => (event === 'admin-auth-failed' ? 'diagnose' : 'auth');

export class AbuseLog {
  private readonly refusals = new EventThrottle({ burst: 10, windowMs: WINDOW_MS });
  private readonly failures = new EventThrottle({ burst: 5, windowMs: WINDOW_MS });
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly log: Logger,
    private readonly audit: AuditTrail | undefined,
  ) {
    this.timer = setInterval(() => this.summarise(false), WINDOW_MS);
    this.timer.unref();
  }

  /** `origin` is the raw header: only a bounded, printable form of it is written. */
  refusedUpgrade(httpStatus: number, reason: string, origin: string | undefined, sessions: number): void {
    if (this.refusals.admit(reason))
      this.log.warn(
        { event: 'upgrade-refused', httpStatus, reason, origin: loggableOrigin(origin), sessions },
        'upgrade refused',
      );
  }

  evicted(sessionId: string): void {
    if (this.refusals.admit('unauthenticated-budget'))
      this.log.info({ event: 'session-evicted', sessionId, reason: 'unauthenticated-budget' }, 'session evicted');
  }

  authFailed(f: AuthFailure): void {
    if (!this.failures.admit(`${f.event}|${f.origin}`)) return;
    this.log.warn(
      { event: f.event, sessionId: f.sessionId, status: f.code, reason: f.reason, origin: f.origin },
      'authentication failed',
    );
    this.audit?.append({ event: auditEventOf(f.event), outcome: f.code, origin: f.origin });
  }

  /** Writes the counts of ended windows (all of them when `all`, at shutdown). */
  summarise(all: boolean): void {
    for (const { key, suppressed } of this.refusals.drain(all))
      this.log.warn(
        { event: 'upgrade-refused-summary', reason: key, count: suppressed },
        'upgrades refused (not logged one by one)',
      );
    for (const { key, suppressed } of this.failures.drain(all)) {
      const [event, origin] = key.split('|') as [string, string];
      this.log.warn(
        { event: `${event}-summary`, origin, count: suppressed },
        'authentication failures (not logged one by one)',
      );
      this.audit?.append({ event: auditEventOf(event), outcome: 'suppressed', origin, count: suppressed });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.summarise(true);
  }
}
