import { fromHex } from '@cccd/emrtd/codec';
import { describe, expect, it } from 'vitest';
import { SimulatedCard } from './applet.js';
import { CRYPTO_MS, cryptoMs, exchangeMs, LINK_DEFAULTS } from './link.js';
import { testImage } from './testing/image.js';

describe('link model', () => {
  it('charges bits on the air at the bit rate, plus turnaround and frame overhead', () => {
    // 10 + 100 bytes, one frame each way with 3 bytes of framing: 116 bytes = 928 bits.
    expect(exchangeMs({ bitrateKbps: 106, turnaroundMs: 0 }, 10, 100)).toBeCloseTo(928 / 106, 6);
    expect(exchangeMs({ bitrateKbps: 848, turnaroundMs: 5 }, 10, 100)).toBeCloseTo(928 / 848 + 5, 6);
    // A 1000-byte response needs 4 frames of at most 253 payload bytes.
    expect(exchangeMs({ bitrateKbps: 424, turnaroundMs: 0 }, 10, 1000)).toBeCloseTo(((1010 + 5 * 3) * 8) / 424, 6);
    expect(LINK_DEFAULTS.bitrateKbps).toBe(424);
  });

  it('models crypto time growing with key size', () => {
    expect(cryptoMs({ kind: 'ec', bits: 256, operations: 2 })).toBe(2 * CRYPTO_MS.ecScalarMultiplication256 + 1);
    expect(cryptoMs({ kind: 'ec', bits: 512, operations: 1 })).toBeGreaterThan(
      cryptoMs({ kind: 'ec', bits: 256, operations: 1 }),
    );
    expect(cryptoMs({ kind: 'rsa', bits: 2048 })).toBe(CRYPTO_MS.rsaPrivate2048);
  });

  it('accumulates exchanges, bytes and modelled time in the card stats; a slower link costs more', () => {
    const run = (bitrateKbps: 106 | 848) => {
      const card = new SimulatedCard(testImage(), { link: { bitrateKbps } });
      card.process(fromHex('00A4020C02011C'));
      card.process(fromHex('00B0000000'));
      return card.stats;
    };
    const slow = run(106);
    expect(slow.exchanges).toBe(2);
    expect(slow.bytesIn).toBe(7 + 5);
    expect(slow.bytesOut).toBe(2 + 54 + 2);
    expect(slow.modelledMs).toBeGreaterThan(run(848).modelledMs);
  });

  it('charges PACE key agreement far more than a file read', () => {
    const card = new SimulatedCard(testImage());
    card.process(fromHex('0022C1A40F800A04007F00070202040202830102'));
    card.process(fromHex('10860000027C0000'));
    const before = card.stats.modelledMs;
    card.process(fromHex(`10860000457C43814104${'11'.repeat(64)}00`)); // invalid point: 6A80, no crypto charged
    expect(card.stats.modelledMs - before).toBeLessThan(10);
  });
});
