import { EventEmitter } from 'node:events';
import { readResultSchema } from '@cccd/client';
import { hidPosReportsFor } from '@cccd/hid';
import { describe, expect, it } from 'vitest';
import {
  authedClient,
  CITIZEN,
  readParams,
  startTestAgent,
  type TestClient,
  usePrivacyNet,
} from './test-support/harness.js';

usePrivacyNet();

/** A slow card (each answer 15 ms later) so a read can be interrupted in the middle. */
const SLOW = { simulation: { faults: ['latency-ms=15'] } };

const progressed = (client: TestClient, stage: string) =>
  client.waitFor((m) => m.method === 'read.progress' && m.params.stage === stage);

describe('reader lease and queue', () => {
  it('serialises two reads on one reader: the second queues, both succeed', async () => {
    const agent = await startTestAgent();
    const a = await authedClient(agent);
    const b = await authedClient(agent);
    const [ra, rb] = await Promise.all([
      a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' })),
      b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-1' })),
    ]);
    expect(ra.result.fields.idNumber).toBe(CITIZEN.idNumber);
    expect(rb.result.fields.idNumber).toBe(CITIZEN.idNumber);
  });

  it('answers ERR_READER_BUSY (retriable) when the queue wait runs out', async () => {
    const agent = await startTestAgent({ ...SLOW, limits: { leaseQueueTimeoutMs: 50 } });
    const a = await authedClient(agent);
    const b = await authedClient(agent);
    const first = a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' }));
    await progressed(a.client, 'access-control');
    const busy = await b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-1' }));
    expect(busy.error?.data).toMatchObject({ code: 'ERR_READER_BUSY', retriable: true });
    expect((await first).result).toBeDefined();
  });

  it('unknown reader → ERR_NO_READER', async () => {
    const agent = await startTestAgent();
    const a = await authedClient(agent);
    const r = await a.client.request('read.start', readParams(a.nonce, { readerId: 'pcsc-nope' }));
    expect(r.error?.data?.code).toBe('ERR_NO_READER');
  });
});

describe('interrupted reads', () => {
  it('read.cancel fails the read with ERR_CANCELLED and frees the reader', async () => {
    const agent = await startTestAgent(SLOW);
    const a = await authedClient(agent);
    const read = a.client.request('read.start', readParams(a.nonce), 'read-1');
    await progressed(a.client, 'access-control');
    expect((await a.client.request('read.cancel', { requestId: 'nope' })).result).toEqual({ cancelled: false });
    expect((await a.client.request('read.cancel', { requestId: 'read-1' })).result).toEqual({ cancelled: true });
    expect((await read).error?.data?.code).toBe('ERR_CANCELLED');
    const again = await a.client.request('read.start', readParams(a.nonce));
    expect(again.result.fields.fullName).toBe(CITIZEN.fullName);
  });

  it('a client that disconnects mid-read frees the lease for the next client at once', async () => {
    const agent = await startTestAgent({ ...SLOW, limits: { leaseQueueTimeoutMs: 2_000 } });
    const a = await authedClient(agent);
    void a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' })).catch(() => {});
    await progressed(a.client, 'access-control');
    a.client.ws.terminate();
    const b = await authedClient(agent);
    const t0 = Date.now();
    const r = await b.client.request('read.start', readParams(b.nonce, { readerId: 'sim-1' }));
    expect(r.result.fields.idNumber).toBe(CITIZEN.idNumber);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('a reader unplugged mid-read gives a typed, retriable error; others learn reader.detached', async () => {
    const agent = await startTestAgent({ ...SLOW, simulation: { readers: 2, faults: ['latency-ms=15'] } });
    const a = await authedClient(agent);
    const watcher = await authedClient(agent);
    const read = a.client.request('read.start', readParams(a.nonce, { readerId: 'sim-1' }));
    await progressed(a.client, 'dg13');
    agent.simulatedReaders[0]!.unplug();
    const r = await read;
    expect(['ERR_READER_REMOVED', 'ERR_CARD_REMOVED']).toContain(r.error?.data?.code);
    expect(r.error?.data?.retriable).toBe(true);
    expect(await watcher.client.waitFor((m) => m.method === 'reader.detached')).toMatchObject({
      params: { readerId: 'sim-1' },
    });
    const list = await watcher.client.request('readers.list');
    expect(list.result.readers.map((x: { readerId: string }) => x.readerId)).toEqual(['sim-2']);
    // The agent keeps serving on the other reader.
    const ok = await watcher.client.request('read.start', readParams(watcher.nonce));
    expect(ok.result.fields.idNumber).toBe(CITIZEN.idNumber);
  });

  it('a card lifted mid-read and a tag loss the reader recovers from', async () => {
    const agent = await startTestAgent(SLOW);
    const a = await authedClient(agent);
    const read = a.client.request('read.start', readParams(a.nonce));
    await progressed(a.client, 'dg13');
    agent.simulatedReaders[0]!.removeCard();
    const r = await read;
    expect(r.error?.data).toMatchObject({ code: 'ERR_CARD_REMOVED', retriable: true });
    // A short tag loss (the card comes straight back): the read resumes and succeeds.
    const flaky = await startTestAgent({ simulation: { faults: ['tag-loss-after-apdus=12'] } });
    const b = await authedClient(flaky);
    expect((await b.client.request('read.start', readParams(b.nonce))).result.fields.idNumber).toBe(CITIZEN.idNumber);
  });

  it('waits for a card, times out with ERR_CARD_TIMEOUT, and starts when the card arrives', async () => {
    const agent = await startTestAgent();
    const reader = agent.simulatedReaders[0]!;
    reader.removeCard();
    const a = await authedClient(agent);
    const timeout = await a.client.request('read.start', readParams(a.nonce, { timeoutMs: 1000 }));
    expect(timeout.error?.data).toMatchObject({ code: 'ERR_CARD_TIMEOUT', retriable: true });
    const read = a.client.request('read.start', readParams(a.nonce, { timeoutMs: 10_000 }));
    await a.client.waitFor(
      (m) => m.method === 'read.progress' && m.params.stage === 'waiting-card' && m.params.percent === 5,
    );
    reader.insertCard();
    expect((await read).result.fields.idNumber).toBe(CITIZEN.idNumber);
    expect(a.client.notifications.some((n) => n.method === 'card.inserted' && n.params.readerId === 'sim-1')).toBe(
      true,
    );
    expect(a.client.notifications.some((n) => n.method === 'card.removed')).toBe(false);
  });

  it('a wrong access key gives ERR_ACCESS_DENIED without echoing it', async () => {
    const agent = await startTestAgent();
    const a = await authedClient(agent);
    const r = await a.client.request('read.start', readParams(a.nonce, { accessKey: { can: '000000' } }));
    expect(r.error?.data?.code).toBe('ERR_ACCESS_DENIED');
    expect(JSON.stringify(r)).not.toContain('000000');
    const bac = await a.client.request(
      'read.start',
      readParams(a.nonce, {
        accessKey: { idNumber: CITIZEN.idNumber, dateOfBirth: CITIZEN.dateOfBirth, dateOfExpiry: CITIZEN.dateOfExpiry },
      }),
    );
    expect(bac.result.fields.idNumber).toBe(CITIZEN.idNumber);
  });
});

describe('verdicts of bad chips', () => {
  it('a tampered DG13 is invalid; an unknown CSCA is reported as such, never as authentic', async () => {
    const tampered = await startTestAgent({ simulation: { faults: ['tamper-file=DG13'] } });
    const a = await authedClient(tampered);
    const r = readResultSchema.parse((await a.client.request('read.start', readParams(a.nonce))).result);
    expect(r.verification.overall).toBe('invalid');
    expect(r.verification.passive.dataGroups.DG13).toBe('mismatch');
    const unknown = await startTestAgent({ simulation: { trustTestCsca: false } });
    const b = await authedClient(unknown);
    const u = readResultSchema.parse((await b.client.request('read.start', readParams(b.nonce))).result);
    expect(u.verification.overall).toBe('unknown-csca');
  });
});

describe('chips that refuse a proof', () => {
  it('CA refused (6A86) with AA: authentic, the refusal carried as a warning; both refused: genuine-data', async () => {
    const caRefused = await startTestAgent({ simulation: { faults: ['sw=22:6A86:2'] } });
    const a = await authedClient(caRefused);
    const r = readResultSchema.parse((await a.client.request('read.start', readParams(a.nonce))).result);
    expect(r.verification.overall).toBe('authentic');
    expect(r.verification.chip.status).toBe('refused');
    expect(r.verification.chip.reasons?.map((x) => [x.code, x.severity])).toEqual([['ca-refused', 'warning']]);
    const both = await startTestAgent({ simulation: { faults: ['sw=22:6A86:2', 'sw=88:6D00'] } });
    const b = await authedClient(both);
    const g = readResultSchema.parse((await b.client.request('read.start', readParams(b.nonce))).result);
    expect(g.verification.overall).toBe('genuine-data');
    expect(g.verification.active.status).toBe('refused');
    expect(g.verification.reasons?.map((x) => x.code)).toContain('no-anti-clone-proof');
  });
});

describe('QR scanner as the key source', () => {
  class FakeScanner extends EventEmitter {
    close() {}
    scan(text: string) {
      for (const report of hidPosReportsFor(text)) this.emit('data', report);
    }
  }
  const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('');
  const qr = [
    CITIZEN.idNumber,
    CITIZEN.oldIdNumber ?? '',
    CITIZEN.fullName,
    ddmmyyyy(CITIZEN.dateOfBirth),
    'Nam',
    CITIZEN.placeOfResidence,
    ddmmyyyy(CITIZEN.dateOfIssue),
  ].join('|');

  it('read.start {fromQrScanner} waits for the scan, then reads; without a scan it times out', async () => {
    const device = new FakeScanner();
    const agent = await startTestAgent({}, { qrDevices: [{ device, mode: 'hid-pos' }] });
    const a = await authedClient(agent);
    const read = a.client.request('read.start', readParams(a.nonce, { accessKey: { fromQrScanner: true } }));
    await progressed(a.client, 'waiting-card');
    device.scan(qr);
    expect((await read).result.fields.idNumber).toBe(CITIZEN.idNumber);
    const none = await a.client.request(
      'read.start',
      readParams(a.nonce, { accessKey: { fromQrScanner: true }, timeoutMs: 1000 }),
    );
    expect(none.error?.data?.code).toBe('ERR_CARD_TIMEOUT');
    // A scan nobody waits for is dropped, not queued for the next read.
    device.scan(qr);
    const c = await a.client.request(
      'read.start',
      readParams(a.nonce, { accessKey: { fromQrScanner: true }, timeoutMs: 1000 }),
    );
    expect(c.error?.data?.code).toBe('ERR_CARD_TIMEOUT');
  });

  it('without a scanner, fromQrScanner asks for an access key', async () => {
    const agent = await startTestAgent();
    const a = await authedClient(agent);
    const r = await a.client.request('read.start', readParams(a.nonce, { accessKey: { fromQrScanner: true } }));
    expect(r.error?.data).toMatchObject({ code: 'ERR_ACCESS_KEY_REQUIRED', retriable: false });
  });
});
