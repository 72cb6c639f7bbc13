/**
 * Test support: a relayed read end to end — the simulator behind the card side (its InProcessTransport), the SDK
 * behind the verifier side, Node's `ws` as the card side's WebSocket, everything on loopback.
 */
import { canKey, type Transport, TrustStore, type VerifiedRead, type VerifiedReadOptions } from '@cccd/emrtd';
import {
  type CardOptions,
  InProcessTransport,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';
import { WebSocket } from 'ws';
import { type RelayCardOptions, type RelayCardOutcome, relayCard } from '../card-side.js';
import type { RelayLogEvent } from '../log.js';
import { type IssueTicketOptions, RelayVerifier, type RelayVerifierOptions } from '../verifier/verifier.js';

export const GROUPS: VerifiedReadOptions['groups'] = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'];

let cached: Promise<{ image: PersonalisedCard; store: TrustStore }> | undefined;

/** The 2021 profile with its ~16 KB DG2, personalised once per test file. */
export function relayCardImage(): Promise<{ image: PersonalisedCard; store: TrustStore }> {
  cached ??= personalise(loadProfile('cccd-2021-adult'), { seed: 5 }).then((image) => {
    const store = new TrustStore();
    store.addCertificate(image.pki!.cscaCertDer);
    return { image, store };
  });
  return cached;
}

export async function startVerifier(options: RelayVerifierOptions = {}) {
  const logs: RelayLogEvent[] = [];
  const verifier = new RelayVerifier({ logger: (e) => logs.push(e), ...options });
  const { url } = await verifier.listen();
  return { verifier, url, logs };
}

export interface RelayedRead {
  result: { ok: true; read: VerifiedRead } | { ok: false; error: unknown };
  card: { ok: true; outcome: RelayCardOutcome } | { ok: false; error: unknown };
  local: InProcessTransport;
  cardLogs: RelayLogEvent[];
  elapsedMs: number;
}

const settle = <T>(p: Promise<T>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );

/** One read through the relay: ticket, card side on the simulator, readVerified on the verifier's session. */
export async function relayedRead(
  verifier: RelayVerifier,
  url: string,
  image: PersonalisedCard,
  options: {
    card?: CardOptions;
    read: VerifiedReadOptions;
    ticket?: IssueTicketOptions;
    cardSide?: Partial<RelayCardOptions>;
    wrap?: (t: InProcessTransport) => Transport;
  },
): Promise<RelayedRead> {
  const local = new InProcessTransport(new SimulatedCard(image, { extendedLength: true, ...options.card }));
  const cardLogs: RelayLogEvent[] = [];
  const issued = verifier.issueTicket(options.ticket ?? { accessKey: canKey(image.can) });
  const started = performance.now();
  const card = settle(
    relayCard({
      url,
      ticket: issued.ticket,
      transport: options.wrap ? options.wrap(local) : local,
      WebSocket,
      logger: (e) => cardLogs.push(e),
      ...options.cardSide,
    }),
  );
  const read = await settle(issued.session.then((s) => s.read(options.read)));
  const side = await card;
  return {
    result: read.ok ? { ok: true, read: read.v } : { ok: false, error: read.e },
    card: side.ok ? { ok: true, outcome: side.v } : { ok: false, error: side.e },
    local,
    cardLogs,
    elapsedMs: performance.now() - started,
  };
}
