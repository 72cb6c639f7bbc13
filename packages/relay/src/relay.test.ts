/**
 * A full verified read through the relay: the simulator behind the card side, readVerified behind the verifier
 * side. The verdict and fields equal a direct read of the same card; the relay logs carry no personal data; the
 * CAN crosses the relay only when both halves opt in.
 */
import { canKey, readVerified } from '@cccd/emrtd';
import { personalLeaks, personalValues } from '@cccd/emrtd/testing';
import { InProcessTransport, SimulatedCard } from '@cccd/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayError } from './errors.js';
import { GROUPS, relayCardImage, relayedRead, startVerifier } from './test-support/harness.js';
import type { RelayVerifier } from './verifier/verifier.js';

let verifier: RelayVerifier;
let url: string;
let logs: Awaited<ReturnType<typeof startVerifier>>['logs'];

beforeAll(async () => {
  ({ verifier, url, logs } = await startVerifier());
});
afterAll(() => verifier.close());

describe('relayed read', () => {
  it('reads and verifies the card through the relay exactly as a direct read does', async () => {
    const { image, store } = await relayCardImage();
    const direct = await readVerified(
      new InProcessTransport(new SimulatedCard(image, { extendedLength: true })),
      canKey(image.can),
      { trustStore: store, groups: GROUPS },
    );
    const relayed = await relayedRead(verifier, url, image, { read: { trustStore: store, groups: GROUPS } });
    if (!relayed.result.ok) throw relayed.result.error;
    const r = relayed.result.read;
    expect(r.verification.overall).toBe('authentic');
    expect(r.chipAuthentication.success).toBe(true);
    expect(r.activeAuthentication.verified).toBe(true);
    expect(r.document).toEqual(direct.document);
    expect(r.report.apdus).toBe(relayed.local.card.stats.exchanges);
    expect(relayed.card).toMatchObject({ ok: true, outcome: { code: 1000, reason: 'done' } });
    expect(verifier.sessionCount).toBe(0);
  });

  it('logs frame kinds, lengths and status words only: no personal value on either side', async () => {
    const { image, store } = await relayCardImage();
    logs.length = 0;
    const relayed = await relayedRead(verifier, url, image, { read: { trustStore: store, groups: GROUPS } });
    expect(relayed.result.ok).toBe(true);
    const text = JSON.stringify([logs, relayed.cardLogs]);
    expect(logs.some((e) => e.event === 'frame' && e.kind === 'response' && e.sw === '9000')).toBe(true);
    expect(relayed.cardLogs.some((e) => e.event === 'frame' && e.kind === 'transmit' && e.bytes! > 4)).toBe(true);
    expect(personalLeaks(text, personalValues(image))).toEqual([]);
    // No APDU bytes at all: no long hex run in any log line.
    expect(text).not.toMatch(/[0-9a-f]{16}/i);
  });

  it('refuses a CAN from the card side unless the verifier opts in (4403), and uses it when it does', async () => {
    const { image, store } = await relayCardImage();
    const refused = await relayedRead(verifier, url, image, {
      read: { trustStore: store, groups: ['DG1'] },
      ticket: {},
      cardSide: { can: image.can },
    });
    expect(refused.result).toMatchObject({ ok: false, error: { reason: 'can-refused', code: 'access-denied' } });
    expect(refused.card).toMatchObject({ ok: false, error: { reason: 'can-refused', closeCode: 4403 } });
    expect(refused.card.ok || refused.card.error).toBeInstanceOf(RelayError);

    const opted = await startVerifier({ acceptCanFromCardSide: true });
    try {
      const accepted = await relayedRead(opted.verifier, opted.url, image, {
        read: { trustStore: store, groups: ['DG1'] },
        ticket: {},
        cardSide: { can: image.can },
      });
      expect(accepted.result.ok && accepted.result.read.verification.overall).toBe('authentic');
      expect(opted.logs).toContainEqual(expect.objectContaining({ event: 'session-open', canFromCardSide: true }));
      expect(JSON.stringify(opted.logs)).not.toContain(image.can);
    } finally {
      await opted.verifier.close();
    }
  });

  it('without a CAN anywhere the read fails with a typed no-access-key error, before any APDU', async () => {
    const { image, store } = await relayCardImage();
    const r = await relayedRead(verifier, url, image, { read: { trustStore: store }, ticket: {} });
    expect(r.result).toMatchObject({ ok: false, error: { reason: 'no-access-key', code: 'invalid-argument' } });
    expect(r.local.card.stats.exchanges).toBe(0);
  });
});
