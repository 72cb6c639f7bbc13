/**
 * What the readers tell the front-desk apps: attach/detach, card in/out and status changes become notifications to
 * authenticated sessions, carrying reader IDs and names only (docs/security.md, threat 5). Simulated readers
 * produce invented cards, so using them is said at start-up and on every fallback switch, never silently (threat 19).
 */
import type { NotificationName, NotificationParams } from '@cccd/client';
import type { Logger } from '../log.js';
import type { ReaderHub } from '../readers/hub.js';
import type { Reader } from '../readers/types.js';

export interface Broadcaster {
  broadcast<N extends NotificationName>(method: N, params: NotificationParams<N>): void;
}

export const readerInfo = (r: Reader) => ({ readerId: r.readerId, name: r.name, kind: r.kind });

export const agentStatus = (hub: ReaderHub): NotificationParams<'agent.status'> => ({
  pcsc: hub.pcscStatus(),
  simulated: hub.simulating,
});

/** `simulate`: simulated readers were configured (rather than the no-reader fallback). */
export function relayReaderEvents(hub: ReaderHub, to: Broadcaster, log: Logger, simulate: boolean): void {
  hub.on('reader-attached', (r) => to.broadcast('reader.attached', readerInfo(r)));
  hub.on('reader-detached', (r) => to.broadcast('reader.detached', { readerId: r.readerId }));
  hub.on('card-inserted', (r) => to.broadcast('card.inserted', { readerId: r.readerId }));
  hub.on('card-removed', (r) => to.broadcast('card.removed', { readerId: r.readerId }));
  hub.on('status', () => {
    log.info({ event: 'pcsc-status', pcsc: hub.pcscStatus() }, 'PC/SC status');
    to.broadcast('agent.status', agentStatus(hub));
  });
  const simulationReason = simulate ? 'configured' : 'no-reader';
  if (hub.simulating)
    log.warn({ event: 'simulated-readers', simulated: true, reason: simulationReason }, 'simulated readers in use');
  hub.on('simulation', (simulated) => {
    log.warn(
      { event: 'simulated-readers', simulated, reason: simulated ? simulationReason : 'reader-attached' },
      simulated ? 'no reader: falling back to simulated readers' : 'reader attached: simulated readers off',
    );
    to.broadcast('agent.status', agentStatus(hub));
  });
}
