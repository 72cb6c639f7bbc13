/** Smoke run of the relay benchmark (bench/relay.ts): the model's arithmetic and a real relayed read on loopback. */
import { expect, it } from 'vitest';
import { measureRelay, renderRelay } from './relay.js';

it('relay benchmark: counts the APDUs of a relayed full read and models it at each RTT', async () => {
  const r = await measureRelay([20, 150], 2);
  expect(r.verdict).toBe('authentic');
  expect(r.apdus).toBeGreaterThan(20);
  expect(r.linkMs).toBeGreaterThan(0);
  expect(r.rows.map((x) => x.modelledMs)).toEqual([r.linkMs + r.apdus * 20, r.linkMs + r.apdus * 150]);
  expect(r.short.apdus).toBeGreaterThan(r.apdus);
  expect(r.rows[0]!.shortModelledMs).toBe(r.short.linkMs + r.short.apdus * 20);
  expect(r.validation.predictedExtraMs).toBe(r.apdus * 2);
  expect(renderRelay(r).join('\n')).toContain(`| 150 | ${r.apdus} |`);
}, 30_000);
