/**
 * The agent's side of liveness: every `heartbeatMs` each session is pinged, and one that has shown no sign of life
 * since the previous beat (no frame, no pong) is cut without a close handshake. A peer that vanished (laptop lid
 * closed, cable pulled) would otherwise hold its socket, its session slot and any reader lease indefinitely.
 */
import type { Logger } from '../log.js';
import type { Session } from '../session.js';

export class Heartbeat {
  private readonly alive = new WeakMap<Session, boolean>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly log: Logger) {}

  /** The peer showed life: it connected, sent a frame or answered a ping. */
  seen(session: Session): void {
    this.alive.set(session, true);
  }

  start(sessions: Iterable<Session>, intervalMs: number): void {
    this.timer = setInterval(() => this.beat(sessions), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(sessions: Iterable<Session>): void {
    for (const s of sessions) {
      if (!this.alive.get(s)) {
        this.log.info({ event: 'session-reaped', sessionId: s.id }, 'no pong: session reaped');
        s.terminate();
        continue;
      }
      this.alive.set(s, false);
      s.ping();
    }
  }
}
