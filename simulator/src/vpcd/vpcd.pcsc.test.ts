import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil, vpcdSlotsEmpty } from '../../../packages/pcsc/src/test-support/presence.js';
import { SimulatedCard } from '../card/applet.js';
import { CCCD_CARD_ACCESS, testImage } from '../card/testing/image.js';
import { ensurePcscd, type PcscdHandle } from '../pcscd/pcscd.js';
import { VpcdBridge } from './bridge.js';

// Slot 1 of the Debian vpcd entry (port 0x8C7C), so this test does not clash with users of slot 0.
const PORT = 35964;
const READER = 'Virtual PCD 00 01';

/** Runs scriptor with the given APDUs (bounded) and returns the response lines ("< …") as hex strings. */
function scriptor(apdus: string[], timeoutMs = 8000): Promise<{ responses: string[]; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('scriptor', ['-r', READER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      // "< 90 00 : Normal processing." — long responses wrap over several lines before the colon.
      const responses = [...output.matchAll(/^< ([0-9A-Fa-f \n]*?) ?:/gm)].map((m) => m[1]!.replace(/\s+/g, ''));
      resolve({ responses, output });
    });
    child.stdin.end(`${apdus.join('\n')}\n`);
  });
}

/**
 * pcscd notices a new card at its next presence poll (~0.4 s): retry until scriptor gets every answer, bounded.
 * Other suites may restart the machine's one pcscd meanwhile ("Service not available"), so re-ensure it too.
 */
async function scriptorWhenPresent(apdus: string[]): Promise<{ responses: string[]; output: string }> {
  let last = { responses: [] as string[], output: '' };
  const attempt = async () => {
    if (/Service not available|RPC transport/i.test(last.output)) await ensurePcscd({ timeoutMs: 5000 });
    last = await scriptor(apdus);
    return last;
  };
  return pollUntil(attempt, (r) => r.responses.length === apdus.length, { timeoutMs: 12_000, intervalMs: 250 });
}

describe('VpcdBridge inside the real pcscd (vpcd slot 1)', () => {
  let pcscd: PcscdHandle;
  beforeAll(async () => {
    pcscd = await ensurePcscd({ timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await pcscd?.stop();
  });
  // Each test presents its own card on slot 1: the previous one must be gone from pcscd's view first.
  beforeEach(() => vpcdSlotsEmpty([1]));

  it('appears as "Virtual PCD 00 01" and answers APDUs and reader pseudo-APDUs sent through scriptor', async () => {
    const card = new SimulatedCard(testImage());
    const bridge = new VpcdBridge(card, { port: PORT });
    try {
      await bridge.insert();
      const { responses, output } = await scriptorWhenPresent([
        '00A4000C023F00',
        '00A4020C02011C',
        '00B0000000',
        'FFCA000000',
        '00A4040C07A0000002471001',
        '00A4020C020103',
      ]);
      expect(responses, output).toHaveLength(6);
      expect(responses[0]).toBe('6D00');
      expect(responses[1]).toBe('9000');
      expect(responses[2]).toBe(`${Buffer.from(CCCD_CARD_ACCESS).toString('hex').toUpperCase()}6282`);
      expect(responses[3]).toMatch(/^08[0-9A-F]{6}9000$/);
      expect(responses[4]).toBe('9000');
      expect(responses[5]).toBe('6982');
      expect(card.stats.exchanges).toBe(5);
    } finally {
      await bridge.close();
    }
  });

  it('a tag loss mid-session makes the transmit fail in pcscd, and the card is gone from the reader', async () => {
    const card = new SimulatedCard(testImage(), { faults: ['tag-loss-after-apdus=1'] });
    const bridge = new VpcdBridge(card, { port: PORT });
    try {
      await bridge.insert();
      const { responses, output } = await scriptorWhenPresent(['00A4040C07A0000002471001']);
      expect(responses, output).toEqual(['9000']);
      // The chip vanishes while the APDU is under way: no status word comes back, and the reader is empty.
      const lost = await scriptor(['00A4020C02011E']);
      expect(
        lost.responses.every((r) => r.length < 4),
        lost.output,
      ).toBe(true);
      expect(bridge.connected).toBe(false);
      // pcscd sees the reader empty at its next presence poll (~0.4 s): ask again, within a bound.
      const gone = /No smart ?card|not present|removed/i;
      const after = await pollUntil(
        () => scriptor(['00A4040C07A0000002471001']),
        (r) => gone.test(r.output),
        {
          timeoutMs: 5000,
          intervalMs: 200,
        },
      );
      expect(after.responses).toEqual([]);
      expect(after.output).toMatch(/No smart ?card|not present|removed/i);
    } finally {
      await bridge.close();
    }
  });
});
