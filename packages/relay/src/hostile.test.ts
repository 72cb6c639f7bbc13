/**
 * Hostile peers. A card side that sends garbage, oversized frames, replies out of order or of the wrong type,
 * stalls, or presents a wrong, reused or expired ticket gets a typed error within its deadline, the read fails
 * cleanly and the socket closes with the protocol's close code. A hostile verifier gets the same from the card side.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  Cancelled,
  canKey,
  EmrtdError,
  Timeout,
  type TransmitOptions,
  type Transport,
  TrustStore,
  type VerifiedReadOptions,
} from '@cccd/emrtd';
import { InProcessTransport, SimulatedCard } from '@cccd/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { relayCard } from './card-side.js';
import { RelayError } from './errors.js';
import { MAX_FRAME_BYTES, MAX_RESPONSE_APDU } from './protocol.js';
import { relayCardImage, relayedRead, startVerifier } from './test-support/harness.js';
import type { RelaySession } from './verifier/session.js';
import { CLOSE_GRACE_MS, type RelayVerifier } from './verifier/verifier.js';

/** Relay deadlines of this file: an exchange may take its SDK timeout (100 ms below) + 100 ms, a hello 200 ms. */
const LIMITS = { apduTimeoutMs: 150, networkAllowanceMs: 100, helloTimeoutMs: 200, sessionTimeoutMs: 5_000 };
/** Nothing below may take longer than this (deadline plus scheduling slack on a shared machine). */
const BOUND_MS = 2_000;

let clock = Date.now();
let verifier: RelayVerifier;
let url: string;
let logs: Awaited<ReturnType<typeof startVerifier>>['logs'];

beforeAll(async () => {
  ({ verifier, url, logs } = await startVerifier({ ...LIMITS, now: () => clock }));
});
afterAll(() => verifier.close());

type Frame = { t: string; id: number; apdu?: string };

/** Polls `done` until it holds; throws after `boundMs` (a bounded wait for a state, not a fixed sleep). */
async function until(done: () => boolean, boundMs: number): Promise<void> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > boundMs) throw new Error(`not reached within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A raw TCP peer that upgrades, sends one text frame and then goes silent: it never answers the verifier's close
 * frame (RFC 6455 §5.5.1), like a client that stops reading after its refusal.
 */
async function stallingPeer(target: string, text: string): Promise<Socket> {
  const { hostname, port } = new URL(target);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  // RFC 6455 §5.2: FIN + text, masked as a client's frames must be; an all-zero mask key leaves the payload as is.
  const payload = Buffer.from(text, 'utf8');
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
  return socket;
}

/** A raw card side: opens, sends `hello` (the ticket's by default), answers each request with `behave`. */
async function rawCardSide(
  hello: object | string,
  behave: (ws: WebSocket, f: Frame) => void = () => {},
  target: string = url,
) {
  const ws = new WebSocket(target);
  const closed = once(ws, 'close').then(([code]) => code as number);
  await once(ws, 'open');
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Frame;
    if (f.t !== 'welcome') behave(ws, f);
  });
  ws.send(typeof hello === 'string' ? hello : JSON.stringify(hello));
  return { ws, closed };
}

const helloFor = (ticket: string, extra: object = {}) => ({ t: 'hello', v: 1, ticket, ...extra });

/** A read on a hostile card side: the typed error, the close code and the time it took. */
async function readAgainst(behave: (ws: WebSocket, f: Frame) => void, extra: object = {}) {
  const issued = verifier.issueTicket({ accessKey: canKey('123456') });
  const { closed } = await rawCardSide(helloFor(issued.ticket, extra), behave);
  const session = await issued.session;
  const started = performance.now();
  const error = await session.read({ trustStore: new TrustStore(), groups: ['DG1'], timeoutMs: 100 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, code: await closed, ms: performance.now() - started, session };
}

describe('a hostile card side gets a typed error within the deadline', () => {
  const cases: [string, (ws: WebSocket, f: Frame) => void, string, number][] = [
    ['garbage', (ws) => ws.send('{"t":"response",'), 'protocol', 4400],
    ['an oversized frame', (ws) => ws.send('x'.repeat(MAX_FRAME_BYTES + 1)), 'oversized', 1009],
    [
      'an APDU over 65 538 bytes',
      (ws, f) => ws.send(JSON.stringify({ t: 'response', id: f.id, apdu: '00'.repeat(MAX_RESPONSE_APDU + 1) })),
      'protocol',
      4400,
    ],
    [
      'a reply out of order',
      (ws, f) => ws.send(JSON.stringify({ t: 'response', id: f.id + 1, apdu: '9000' })),
      'protocol',
      4400,
    ],
    ['a reply of the wrong type', (ws, f) => ws.send(JSON.stringify({ t: 'reconnected', id: f.id })), 'protocol', 4400],
    ['a binary frame', (ws) => ws.send(new Uint8Array([0x90, 0x00])), 'protocol', 4400],
    [
      'an unknown failure kind',
      (ws, f) => ws.send(JSON.stringify({ t: 'error', id: f.id, kind: 'mystery' })),
      'protocol',
      4400,
    ],
  ];
  for (const [what, behave, reason, code] of cases)
    it(`${what}: RelayError (${reason}), close ${code}`, async () => {
      const r = await readAgainst(behave);
      expect(r.error).toBeInstanceOf(RelayError);
      expect(r.error).toMatchObject({ reason, retriable: false });
      expect(r.code).toBe(code);
      expect(r.ms).toBeLessThan(BOUND_MS);
    });

  it('a stall: Timeout at the relay deadline (SDK timeout 100 ms + 100 ms), close 4408', async () => {
    const r = await readAgainst(() => {});
    expect(r.error).toBeInstanceOf(Timeout);
    expect(r.error).toMatchObject({ code: 'timeout', retriable: false, step: 'relay transmit' });
    expect(r.code).toBe(4408);
    expect(r.ms).toBeGreaterThanOrEqual(190);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("the card side sends only the protocol's capability fields, as whole numbers", async () => {
    const issued = verifier.issueTicket();
    const extra = { extendedLength: true, maxCommandLength: 1000.5, maxResponseLength: -1, maxTransceiveLength: 9 };
    const card = relayCard({
      url,
      ticket: issued.ticket,
      transport: { transmit: async () => new Uint8Array([0x90, 0x00]), capabilities: extra },
      WebSocket,
    });
    const session = await issued.session;
    expect(session.capabilities).toEqual({ extendedLength: true, maxCommandLength: 1000, maxResponseLength: 65_538 });
    session.close();
    await expect(card).resolves.toMatchObject({ code: 1000 });
  });

  it('capabilities it claims are clamped to what ISO 7816-4 allows', async () => {
    const issued = verifier.issueTicket();
    const { ws, closed } = await rawCardSide(
      helloFor(issued.ticket, {
        capabilities: { maxCommandLength: 999_999, maxResponseLength: 3, extendedLength: true },
      }),
    );
    const session: RelaySession = await issued.session;
    expect(session.capabilities).toEqual({ extendedLength: true, maxCommandLength: 65_544, maxResponseLength: 258 });
    session.close();
    expect(await closed).toBe(1000);
    ws.terminate();
  });
});

describe('session-wide bounds', () => {
  it('the session deadline ends a read that each exchange deadline would allow: Timeout, close 4408', async () => {
    const short = await startVerifier({ sessionTimeoutMs: 300 });
    try {
      const issued = short.verifier.issueTicket({ accessKey: canKey('123456') });
      const ws = new WebSocket(short.url);
      const closed = once(ws, 'close').then(([code]) => code as number);
      await once(ws, 'open');
      ws.send(JSON.stringify(helloFor(issued.ticket)));
      const session = await issued.session;
      const started = performance.now();
      const error = await session.read({ trustStore: new TrustStore(), timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Timeout);
      expect(error).toMatchObject({ step: 'relay session', retriable: false });
      expect(await closed).toBe(4408);
      expect(performance.now() - started).toBeLessThan(BOUND_MS);
    } finally {
      await short.verifier.close();
    }
  });

  it("the session deadline also bounds the operator's accessKey callback: Timeout, close 4408", async () => {
    const short = await startVerifier({ sessionTimeoutMs: 300 });
    try {
      const hangs = () => new Promise<never>(() => {});
      const issued = short.verifier.issueTicket({ accessKey: hangs });
      const ws = new WebSocket(short.url);
      const closed = once(ws, 'close').then(([code]) => code as number);
      await once(ws, 'open');
      ws.send(JSON.stringify(helloFor(issued.ticket)));
      const session = await issued.session;
      const started = performance.now();
      const error = await session.read({ trustStore: new TrustStore() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Timeout);
      expect(error).toMatchObject({ step: 'relay session', retriable: false });
      expect(await closed).toBe(4408);
      expect(performance.now() - started).toBeLessThan(BOUND_MS);

      // The caller's own signal ends the wait too: Cancelled, and the session closes.
      const second = short.verifier.issueTicket({ accessKey: hangs });
      const { closed: secondClosed } = await rawCardSide(helloFor(second.ticket), () => {}, short.url);
      const controller = new AbortController();
      const read = (await second.session).read({ trustStore: new TrustStore(), signal: controller.signal });
      controller.abort();
      await expect(read).rejects.toMatchObject({ code: 'cancelled', step: 'relay access key' });
      expect(await secondClosed).toBe(1000);
    } finally {
      await short.verifier.close();
    }
  }, 10_000);

  it('refused peers that never answer the close handshake hold no socket past CLOSE_GRACE_MS', async () => {
    const v = await startVerifier({ maxPendingConnections: 4 });
    const peers: Socket[] = [];
    try {
      for (let i = 0; i < 8; i++) peers.push(await stallingPeer(v.url, 'garbage'));
      await until(() => v.logs.filter((e) => e.event === 'refused').length === peers.length, 5_000);
      const refused = performance.now();
      // ws's own close timeout is 30 s: without the grace every one of them would still be open here.
      await until(() => v.verifier.connectionCount === 0, CLOSE_GRACE_MS + BOUND_MS);
      expect(performance.now() - refused).toBeLessThan(CLOSE_GRACE_MS + BOUND_MS);
    } finally {
      for (const p of peers) p.destroy();
      await v.verifier.close();
    }
  });

  it('one client address cannot fill the global cap: its extra connections get 4429, others still get in', async () => {
    const v = await startVerifier({
      maxPendingConnections: 4,
      maxPendingPerAddress: 2,
      // As behind a proxy that reports the client's address in a header only it sets.
      clientAddress: (request) => request.headers['x-client'] as string,
    });
    const from = (client: string) => new WebSocket(v.url, { headers: { 'x-client': client } });
    const idle = [from('2001:db8:1:2::a'), from('2001:db8:1:2::b')]; // one /64: one client
    try {
      await Promise.all(idle.map((ws) => once(ws, 'open')));
      const third = from('2001:db8:1:2::c');
      expect((await once(third, 'close'))[0]).toBe(4429);
      expect(v.logs).toContainEqual({ event: 'refused', reason: 'busy address', code: 4429 });
      expect(JSON.stringify(v.logs)).not.toContain('2001:db8'); // no client address in the log
      const issued = v.verifier.issueTicket();
      const other = from('203.0.113.7');
      await once(other, 'open');
      other.send(JSON.stringify(helloFor(issued.ticket)));
      const session = await issued.session;
      expect(v.verifier.sessionCount).toBe(1);
      session.close();
      other.terminate();
    } finally {
      for (const ws of idle) ws.terminate();
      await v.verifier.close();
    }
  });

  it('by default the per-address cap (8) counts the TCP peer: the 9th idle socket from loopback gets 4429', async () => {
    const v = await startVerifier();
    const idle = Array.from({ length: 8 }, () => new WebSocket(v.url));
    try {
      await Promise.all(idle.map((ws) => once(ws, 'open')));
      const ninth = new WebSocket(v.url);
      expect((await once(ninth, 'close'))[0]).toBe(4429);
    } finally {
      for (const ws of idle) ws.terminate();
      await v.verifier.close();
    }
  });

  it('connections waiting for their hello are capped: the next one gets 4429', async () => {
    const capped = await startVerifier({ maxPendingConnections: 1 });
    try {
      const first = new WebSocket(capped.url);
      await once(first, 'open');
      const second = new WebSocket(capped.url);
      const [code] = await once(second, 'close');
      expect(code).toBe(4429);
      first.terminate();
    } finally {
      await capped.verifier.close();
    }
  });
});

describe('tickets and hellos', () => {
  const refusedWith = async (hello: object | string) => (await rawCardSide(hello)).closed;

  it('a wrong ticket: 4401, logged as unknown', async () => {
    verifier.issueTicket();
    logs.length = 0;
    expect(await refusedWith(helloFor('not-a-ticket-we-issued'))).toBe(4401);
    expect(logs).toContainEqual({ event: 'ticket-rejected', reason: 'unknown' });
  });

  it('a reused ticket: the first connection is accepted, the second gets 4401 (reused)', async () => {
    const issued = verifier.issueTicket();
    const first = await rawCardSide(helloFor(issued.ticket));
    const session = await issued.session;
    logs.length = 0;
    expect(await refusedWith(helloFor(issued.ticket))).toBe(4401);
    expect(logs).toContainEqual({ event: 'ticket-rejected', reason: 'reused' });
    session.close();
    expect(await first.closed).toBe(1000);
  });

  it('an expired ticket: 4401 (expired), and the waiting session rejects with ticket-expired', async () => {
    const issued = verifier.issueTicket({ ttlMs: 30_000 });
    clock += 30_001;
    logs.length = 0;
    expect(await refusedWith(helloFor(issued.ticket))).toBe(4401);
    expect(logs).toContainEqual({ event: 'ticket-rejected', reason: 'expired' });
    await expect(issued.session).rejects.toMatchObject({ reason: 'ticket-expired', code: 'access-denied' });
  });

  it('no hello: 4408 after the hello deadline', async () => {
    const ws = new WebSocket(url);
    const started = performance.now();
    const [code] = await once(ws, 'close');
    expect(code).toBe(4408);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  it('a garbage hello: 4400; another protocol version: 4426; a CAN not accepted: 4403', async () => {
    expect(await refusedWith('hello?')).toBe(4400);
    expect(await refusedWith({ t: 'hello', v: 2, ticket: verifier.issueTicket().ticket })).toBe(4426);
    expect(await refusedWith(helloFor(verifier.issueTicket().ticket, { can: '123456' }))).toBe(4403);
    expect(JSON.stringify(logs)).not.toContain('123456');
  });
});

describe("a card side's failure reports", () => {
  /** A verifier with the default deadlines: these are whole reads. */
  let plain: Awaited<ReturnType<typeof startVerifier>>;
  beforeAll(async () => {
    plain = await startVerifier();
  });
  afterAll(() => plain.verifier.close());

  /**
   * The card side's link reports `unsupported` for CA's first command (MSE:Set AT or GENERAL AUTHENTICATE under
   * secure messaging, ICAO 9303-11 §6.2) and then, when `again`, for the first command after the SDK reconnects.
   */
  const unsupportedAtCa =
    (again: boolean) =>
    (local: InProcessTransport): Transport => {
      let stage: 'ca' | 'reconnect' | 'pace' | 'passed' = 'ca';
      return {
        capabilities: local.capabilities,
        atr: () => local.atr(),
        reconnect: (o?: TransmitOptions) => {
          if (stage === 'reconnect') stage = again ? 'pace' : 'passed';
          return local.reconnect(o);
        },
        transmit: (c: Uint8Array, o?: TransmitOptions) => {
          const caCommand = (c[0]! & 0x0c) === 0x0c && (c[1] === 0x22 || c[1] === 0x86);
          if ((stage === 'ca' && caCommand) || stage === 'pace') {
            stage = stage === 'ca' ? 'reconnect' : 'passed';
            return Promise.reject(new EmrtdError('unsupported', 'not on this link'));
          }
          return local.transmit(c, o);
        },
      };
    };

  it("`unsupported` during CA is the link's limit, never the chip's: no ca-not-offered", async () => {
    const { image, store } = await relayCardImage();
    const read: VerifiedReadOptions = { trustStore: store, groups: ['DG1'] };
    // Before: the core read it as "DG14 offers nothing this reader can run" and reported CA as not offered.
    const twice = await relayedRead(plain.verifier, plain.url, image, { read, wrap: unsupportedAtCa(true) });
    expect(twice.result.ok).toBe(false);
    const error = twice.result.ok ? undefined : twice.result.error;
    expect(error).toBeInstanceOf(RelayError);
    expect(error).toMatchObject({ reason: 'card-side-unsupported', code: 'transport', retriable: false });
    // Once: the SDK treats it as a link failure, re-authenticates and CA then succeeds.
    const single = await relayedRead(plain.verifier, plain.url, image, { read, wrap: unsupportedAtCa(false) });
    if (!single.result.ok) throw single.result.error;
    expect(single.result.read.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(single.result.read.verification.overall).toBe('authentic');
  });
});

describe('a hostile verifier gets a typed error from the card side', () => {
  let server: WebSocketServer;
  let hostileUrl: string;
  let behave: (ws: WebSocket) => void;
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    hostileUrl = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    server.on('connection', (ws) => ws.once('message', () => behave(ws)));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const card = async (connectTimeoutMs = 5_000) => {
    const { image } = await relayCardImage();
    const started = performance.now();
    const error = await relayCard({
      url: hostileUrl,
      ticket: 't',
      transport: new InProcessTransport(new SimulatedCard(image)),
      WebSocket,
      connectTimeoutMs,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - started };
  };

  it('garbage instead of a welcome: RelayError (protocol)', async () => {
    behave = (ws) => ws.send('garbage');
    const r = await card();
    expect(r.error).toBeInstanceOf(RelayError);
    expect(r.error).toMatchObject({ reason: 'protocol' });
  });

  it('an oversized APDU request: RelayError (protocol)', async () => {
    behave = (ws) => {
      ws.send(JSON.stringify({ t: 'welcome', v: 1 }));
      ws.send(JSON.stringify({ t: 'transmit', id: 1, apdu: '00'.repeat(65_545) }));
    };
    expect((await card()).error).toMatchObject({ reason: 'protocol' });
  });

  it('a flood of requests past 8 unanswered: RelayError (protocol), no local exchange left running', async () => {
    let started = 0;
    let aborted = 0;
    const stuck: Transport = {
      transmit: (_c, o) => {
        started++;
        return new Promise((_, reject) =>
          o?.signal?.addEventListener('abort', () => {
            aborted++;
            reject(new Cancelled('transmit'));
          }),
        );
      },
    };
    behave = (ws) => {
      ws.send(JSON.stringify({ t: 'welcome', v: 1 }));
      for (let id = 1; id <= 20; id++) ws.send(JSON.stringify({ t: 'transmit', id, apdu: '00a4040c' }));
    };
    const error = await relayCard({ url: hostileUrl, ticket: 't', transport: stuck, WebSocket }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'protocol', step: 'relay request queue' });
    expect(started).toBeLessThanOrEqual(1);
    expect(aborted).toBe(started); // no local exchange is left running
  });

  it('silence after the welcome: Timeout at the idle deadline', async () => {
    behave = (ws) => ws.send(JSON.stringify({ t: 'welcome', v: 1 }));
    const { image } = await relayCardImage();
    const transport = new InProcessTransport(new SimulatedCard(image));
    const started = performance.now();
    const error = await relayCard({ url: hostileUrl, ticket: 't', transport, WebSocket, idleTimeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Timeout);
    expect(error).toMatchObject({ step: 'relay idle' });
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  it('no welcome: Timeout at the connect deadline', async () => {
    behave = () => {};
    const r = await card(200);
    expect(r.error).toBeInstanceOf(EmrtdError);
    expect(r.error).toMatchObject({ code: 'timeout', step: 'relay connect' });
    expect(r.ms).toBeLessThan(BOUND_MS);
  });
});
