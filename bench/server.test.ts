/** Smoke run of the backend benchmark with tiny counts (bench/server.ts): it runs, every decision is an acceptance. */
import { expect, it } from 'vitest';
import { renderServer, serverChecks } from './lib/report.js';
import { measureServer } from './server.js';

it('backend benchmark: 1 and 2 instances on Redis accept every prepared result', async () => {
  const r = await measureServer(8, 4, 2);
  expect(r.runs.map((x) => [x.instances, x.verifications, x.failures])).toEqual([
    [1, 8, 0],
    [2, 8, 0],
  ]);
  expect(r.inProcessPerCpuSecond).toBeGreaterThan(0);
  expect(r.runs.every((x) => x.p99Ms >= x.p50Ms && x.serverCpuSeconds >= 0 && x.machineCpuSeconds >= 0)).toBe(true);
  expect(r.loadAverage).toHaveLength(3);
  expect(renderServer(r).join('\n')).toMatch(/\| 2 \| 8 \| 0 \|/);
  expect(serverChecks(r).map((c) => c.target)).toHaveLength(2);
});
