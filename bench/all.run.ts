/**
 * `pnpm bench`: every benchmark in one run, printed and written to artifacts/bench.json, and spliced into
 * docs/performance.md (generated block). Knobs (environment): BENCH_CPU_ITERATIONS (default 20),
 * BENCH_PA_ITERATIONS (SDK verifications per algorithm, default 300), BENCH_OPENSSL_ITERATIONS (default 40),
 * BENCH_AGENT_READS (30), BENCH_AGENT_READS_PER_CLIENT (4), SOAK_SECONDS (default 0 here; scripts/bench.sh passes
 * 120), BENCH_WRITE_DOC=0 to leave the doc alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { it, vi } from 'vitest';
import { measureAgentDelivery, measureAgentLoad } from './agent.js';
import { measureCpu } from './cpu.js';
import { benchCard } from './lib/cards.js';
import { machineInfo } from './lib/machine.js';
import { type BenchResults, renderResults, spliceIntoDoc } from './lib/report.js';
import { runLinkBenchmark } from './link.js';
import { measurePa } from './pa.js';
import { runSoak } from './soak.js';

// The agent benchmark marks "result ready" when readVerified resolves inside the agent (bench/lib/agent-hook.ts).
vi.mock('@cccd/emrtd', async (importOriginal) => {
  const { hookedEmrtd } = await import('./lib/agent-hook.js');
  return hookedEmrtd(await importOriginal<typeof import('@cccd/emrtd')>());
});

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && process.env[name] !== '' && process.env[name] !== undefined ? v : fallback;
};

it('benchmarks', async () => {
  const machine = machineInfo();
  const link = await runLinkBenchmark();
  const cpu = await measureCpu(num('BENCH_CPU_ITERATIONS', 20), 5);
  const pa = measurePa(num('BENCH_PA_ITERATIONS', 300), num('BENCH_OPENSSL_ITERATIONS', 40));
  const agent = {
    delivery: await measureAgentDelivery(num('BENCH_AGENT_READS', 30)),
    load: await measureAgentLoad(50, 4, num('BENCH_AGENT_READS_PER_CLIENT', 4)),
  };
  const soakSeconds = num('SOAK_SECONDS', 0);
  const soak = soakSeconds > 0 ? await runSoak(soakSeconds * 1000) : undefined;
  const card = await benchCard();
  const fid: Record<string, number> = { 'EF.CardAccess': 0x011c, DG1: 0x0101, DG2: 0x0102, DG13: 0x010d };
  Object.assign(fid, { DG14: 0x010e, DG15: 0x010f, 'EF.SOD': 0x011d });
  const files = Object.fromEntries(
    Object.entries(fid).map(([k, v]) => [k, (card.files.get(v) ?? card.masterFiles?.get(v))?.length ?? 0]),
  );
  const results: BenchResults = {
    files,
    command: process.env.BENCH_COMMAND ?? 'pnpm bench',
    machine,
    link,
    cpu,
    pa,
    ...(soak ? { soak } : {}),
    agent,
  };
  mkdirSync('artifacts', { recursive: true });
  writeFileSync('artifacts/bench.json', `${JSON.stringify(results, null, 2)}\n`);
  if (soak) writeFileSync('artifacts/soak.json', `${JSON.stringify(soak, null, 2)}\n`);
  const block = renderResults(results);
  console.log(`\n${block}\n`);
  if (process.env.BENCH_WRITE_DOC !== '0') spliceIntoDoc('docs/performance.md', block);
});
