/**
 * Issue 16: a full verified read — PACE-CAN, every data group, CA, AA, PA — inside headless Chromium, the SDK
 * bundled from its sources by esbuild, the APDUs carried over a WebSocket to the simulator in Node. The page's
 * verdict, checks, protocol and fields must equal a Node read of the same card (session randomness aside).
 * Every wait is bounded (harness.ts); a missing chromium fails fast and clearly.
 */
import { canKey, readVerified } from '@cccd/emrtd';
import { loadProfile, type PersonalisedCard, personalise } from '@cccd/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_GROUPS, pageRequest, secretsOf, tap, trustStoreFor } from './card.js';
import { type BrowserHarness, redact, startBrowserHarness } from './harness.js';
import { summariseRead } from './summary.js';

let image: PersonalisedCard;
let harness: BrowserHarness | undefined;

beforeAll(async () => {
  image = await personalise(loadProfile('cccd-2021-adult'), { seed: 3 });
  harness = await startBrowserHarness({ transportFor: () => tap(image), secrets: secretsOf(image) });
}, 60_000);

afterAll(async () => {
  await harness?.close();
}, 30_000);

const containsSecret = (text: string) => secretsOf(image).filter((s) => text.includes(s));

describe('@cccd/emrtd in headless Chromium', () => {
  it('a full verified read in the page equals the Node read of the same card', async () => {
    const inPage = await harness!.read(pageRequest(image));
    if (!inPage.ok) throw new Error(`the read in the page failed: ${JSON.stringify(inPage.error)}`);
    const inNode = summariseRead(
      await readVerified(tap(image), canKey(image.can), { trustStore: trustStoreFor(image), groups: [...ALL_GROUPS] }),
    );
    expect(inPage.summary).toEqual(inNode);

    // What both reads found: the protocols of a CCCD, every file hashed as signed, the citizen's fields.
    const s = inPage.summary!;
    expect(s.overall).toBe('authentic');
    expect(s.protocol.access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN', tried: ['PACE-CAN'] });
    expect(s.protocol.chipAuthentication).toMatchObject({ performed: true, success: true });
    expect(s.protocol.activeAuthentication).toEqual({ performed: true, verified: true });
    expect(s.checks.passive.status).toBe('valid');
    expect(s.checks.passive.dataGroups).toEqual({
      DG1: 'match',
      DG2: 'match',
      DG3: 'not-read', // fingerprints: EAC-protected, never read by this SDK
      DG13: 'match',
      DG14: 'match',
      DG15: 'match',
    });
    expect(s.checks.chip?.status).toBe('valid');
    expect(s.checks.active?.status).toBe('valid');
    expect(Object.keys(s.files).sort()).toEqual(['COM', 'DG1', 'DG13', 'DG14', 'DG15', 'DG2', 'SOD']);
    expect(s.document?.idNumber).toBe(image.profile.idNumber);
    expect(s.document?.fullName).toBe(image.profile.fullName);
    expect(s.photo?.mimeType).toBe('image/jpeg');
    expect(inPage.timing.exchanges).toBe(s.apdus);
    expect(harness!.problems).toEqual([]);
  });

  it('a wrong CAN fails in the page with the typed error, and nothing personal reaches the output', async () => {
    const wrong = image.can === '000000' ? '111111' : '000000';
    const outcome = await harness!.read({ ...pageRequest(image), can: wrong });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatchObject({ name: 'AccessDenied', code: 'access-denied' });
    expect(containsSecret(JSON.stringify(outcome))).toEqual([]);
    expect(containsSecret(harness!.problems.join('\n'))).toEqual([]);
  });

  it('the page output is masked before it is printed', () => {
    const line = `console.error: read of ${image.profile.fullName} (${image.profile.idNumber}) with CAN ${image.can}`;
    const masked = redact(line, secretsOf(image));
    expect(containsSecret(masked)).toEqual([]);
    expect(masked).toBe('console.error: read of ‹redacted› (‹redacted›) with CAN ‹redacted›');
  });
});
