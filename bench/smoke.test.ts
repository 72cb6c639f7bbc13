/**
 * Smoke run of every benchmark with tiny counts, in the normal test suite, so the programs behind `pnpm bench`
 * never rot. The link model is deterministic, so the read-efficiency targets are checked here too.
 */
import { describe, expect, it, vi } from 'vitest';
import { measureAgentDelivery, measureAgentLoad } from './agent.js';
import { runAgentSoak } from './agent-soak.js';
import { measureBrowserCpu } from './browser.js';
import { measureCpu } from './cpu.js';
import { machineInfo } from './lib/machine.js';
import { type BenchResults, cappedChecks, renderCapped, renderResults, targetChecks } from './lib/report.js';
import { linearRegression, median, quantile } from './lib/stats.js';
import { chunks, idealProtectedRead, measureCappedRead, measureRead } from './link.js';
import { measurePa } from './pa.js';
import { runSoak } from './soak.js';

vi.mock('@cccd/emrtd', async (importOriginal) => {
  const { hookedEmrtd } = await import('./lib/agent-hook.js');
  return hookedEmrtd(await importOriginal<typeof import('@cccd/emrtd')>());
});

describe('benchmark smoke run', () => {
  it('statistics helpers', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(quantile([0, 10], 0.99)).toBeCloseTo(9.9);
    const { slope, intercept, r2 } = linearRegression([0, 1, 2, 3], [1, 3, 5, 7]);
    expect([slope, intercept, r2]).toEqual([2, 1, 1]);
    expect(linearRegression([1, 1], [2, 3]).slope).toBe(0);
  });

  it('ideal READ BINARY sizes: short while the SM response fits 258 bytes, extended beyond', () => {
    // 95-byte DG1: DO87 = 87 61 01 + 96, DO99 4, DO8E 10, SW 2
    expect(idealProtectedRead(95)).toEqual([19, 3 + 96 + 16]);
    expect(idealProtectedRead(16_000)[0]).toBe(23);
    // 87 82 LL LL 01 + 16 016 (16 001 padded to 16-byte blocks), DO99 4, DO8E 10, SW 2
    expect(idealProtectedRead(16_000)[1]).toBe(4 + 1 + 16_016 + 16);
  });

  it('capped chips: the bound splits files at the cap; the 1024-byte chip reads DG2 in ≤ 20 APDUs within 1.10 ×', async () => {
    expect(chunks(2500, 1024)).toEqual([1024, 1024, 452]);
    const capped = await measureCappedRead(1024, 'adaptive');
    expect(capped.dg2Apdus).toBeLessThanOrEqual(20);
    expect(capped.ratio).toBeGreaterThanOrEqual(1);
    expect(capped.ratio).toBeLessThanOrEqual(1.1);
    const fixed = await measureCappedRead(1024, 'fixed-223');
    expect(fixed.modelledMs).toBeGreaterThan(capped.modelledMs);
    expect(renderCapped([capped, fixed]).join('\n')).toContain('| 1024 | adaptive | ');
    expect(cappedChecks([capped]).map((c) => c.met)).toEqual([true, true]);
  });

  it('link benchmark, CPU (Node and headless Chromium), PA and soak run and render', async () => {
    const adaptive = await measureRead('adaptive', 424);
    const fixed = await measureRead('fixed-223', 424);
    expect(adaptive.verdict).toBe('authentic');
    expect(adaptive.ratio).toBeGreaterThanOrEqual(1);
    expect(adaptive.ratio).toBeLessThanOrEqual(1.1);
    expect(adaptive.dg2Apdus * 4).toBeLessThanOrEqual(fixed.dg2Apdus);
    expect(fixed.modelledMs).toBeGreaterThan(adaptive.modelledMs);
    const cpu = await measureCpu(1, 0);
    expect(cpu.linkMs).toBeGreaterThan(0);
    expect(cpu.readerWallMs).toBeGreaterThan(0);
    const pa = measurePa(2, 1, ['ecdsa-p256-sha256']);
    expect(pa[0]!.sdkPerSecond).toBeGreaterThan(0);
    expect(pa[0]!.opensslPerSecond).toBeGreaterThan(0);
    const soak = await runSoak(300, 50);
    expect(soak.reads).toBeGreaterThan(0);
    expect(soak.failures).toBe(0);
    const delivery = await measureAgentDelivery(1);
    expect(delivery.deliveryP50Ms).toBeGreaterThan(0);
    expect(delivery.echoP50Ms).toBeGreaterThan(0);
    const load = await measureAgentLoad(2, 2, 1);
    expect([load.reads, load.failures]).toEqual([2, 0]);
    const agentSoak = await runAgentSoak(1200, { clients: 2, readers: 2, reconnectEvery: 2, sampleEveryMs: 0 });
    expect(agentSoak.reads).toBeGreaterThanOrEqual(2);
    expect([agentSoak.failures, agentSoak.failureCodes]).toEqual([0, {}]);
    expect(agentSoak.samples).toBeGreaterThan(0);
    expect(agentSoak.resourcesLast.TCPServerWrap).toBeGreaterThan(0);
    const browser = await measureBrowserCpu(1, 0);
    expect(browser.apdus).toBeGreaterThan(10);
    expect(browser.browser.taskMs).toBeGreaterThan(0);
    expect(browser.browser.computeMs).toBeGreaterThan(0);
    expect(browser.browser.waitingMs).toBeLessThan(browser.browser.wallMs);
    expect(browser.node.cpuMs).toBeGreaterThan(0);
    const results: BenchResults = {
      command: 'smoke',
      machine: machineInfo(),
      link: [adaptive, fixed],
      cpu,
      pa,
      browser,
      soak,
      agentSoak,
      agent: { delivery, load },
    };
    const checks = targetChecks(results);
    expect(checks.slice(0, 2).map((c) => c.met)).toEqual([true, true]);
    const md = renderResults(results);
    expect(md).toContain('| 424 | adaptive | ');
    expect(md).toContain('ecdsa-p256-sha256');
    expect(md).toContain('| Chromium: renderer main thread (TaskDuration) | ');
    expect(md).toMatch(/### Soak \(agent\)\n\n`startAgent` with 2 simulated readers and 2 `CccdAgentClient` clients/);
  }, 30_000);
});
