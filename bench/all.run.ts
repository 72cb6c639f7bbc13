/**
 * `pnpm bench`: every benchmark in one run, printed and written to artifacts/bench.json, and spliced into
 * docs/performance.md (generated block). Knobs (environment): BENCH_CPU_ITERATIONS (default 20),
 * BENCH_PA_ITERATIONS (SDK verifications per algorithm, default 300), BENCH_OPENSSL_ITERATIONS (default 40),
 * BENCH_PCSC_APDUS (400, PC/SC host process vs binding in process; needs pcscd + vpcd), BENCH_AGENT_READS (30),
 * BENCH_AGENT_READS_PER_CLIENT (4), SOAK_SECONDS (default 0 here; scripts/bench.sh passes 120) for both soaks, AGENT_SOAK_SECONDS (defaults to SOAK_SECONDS), AGENT_SOAK_CLIENTS (4),
 * AGENT_SOAK_READERS (4), AGENT_SOAK_RECONNECT_EVERY (25 rounds), BENCH_BROWSER_READS (10, headless Chromium and
 * Node each), BENCH_SERVER_VERIFICATIONS (400 per run of the backend on Redis, bench/server.ts), BENCH_WRITE_DOC=0
 * to leave the doc alone.
 * BENCH_ONLY=agent-soak runs the agent soak alone and re-renders the block from the previous full run's
 * artifacts/bench.json, the agent soak carrying its own date and command.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { it, vi } from 'vitest';
import { measureAgentDelivery, measureAgentLoad } from './agent.js';
import { runAgentSoak } from './agent-soak.js';
import { measureBrowserCpu } from './browser.js';
import { measureCpu } from './cpu.js';
import { benchCard } from './lib/cards.js';
import { machineInfo } from './lib/machine.js';
import { type BenchResults, renderResults, spliceIntoDoc } from './lib/report.js';
import { runCappedBenchmark, runLinkBenchmark } from './link.js';
import { measurePa } from './pa.js';
import { measurePcscHost } from './pcsc.js';
import { measureRelay } from './relay.js';
import { measureServer } from './server.js';
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

const BENCH_JSON = 'artifacts/bench.json';

function agentSoak() {
  const seconds = num('AGENT_SOAK_SECONDS', num('SOAK_SECONDS', 0));
  if (seconds <= 0) return Promise.resolve(undefined);
  return runAgentSoak(seconds * 1000, {
    clients: num('AGENT_SOAK_CLIENTS', 4),
    readers: num('AGENT_SOAK_READERS', 4),
    reconnectEvery: num('AGENT_SOAK_RECONNECT_EVERY', 25),
  });
}

async function everything(): Promise<BenchResults> {
  const machine = machineInfo();
  const link = await runLinkBenchmark();
  const capped = await runCappedBenchmark();
  const cpu = await measureCpu(num('BENCH_CPU_ITERATIONS', 20), 5);
  const pa = measurePa(num('BENCH_PA_ITERATIONS', 300), num('BENCH_OPENSSL_ITERATIONS', 40));
  const browser = await measureBrowserCpu(num('BENCH_BROWSER_READS', 10), 3);
  const pcscHost = await measurePcscHost(num('BENCH_PCSC_APDUS', 400));
  const relay = await measureRelay();
  const agent = {
    delivery: await measureAgentDelivery(num('BENCH_AGENT_READS', 30)),
    load: await measureAgentLoad(50, 4, num('BENCH_AGENT_READS_PER_CLIENT', 4)),
  };
  const server = await measureServer(num('BENCH_SERVER_VERIFICATIONS', 400));
  const soakSeconds = num('SOAK_SECONDS', 0);
  const soak = soakSeconds > 0 ? await runSoak(soakSeconds * 1000) : undefined;
  const viaAgent = await agentSoak();
  const card = await benchCard();
  const fid: Record<string, number> = { 'EF.CardAccess': 0x011c, DG1: 0x0101, DG2: 0x0102, DG13: 0x010d };
  Object.assign(fid, { DG14: 0x010e, DG15: 0x010f, 'EF.SOD': 0x011d });
  const files = Object.fromEntries(
    Object.entries(fid).map(([k, v]) => [k, (card.files.get(v) ?? card.masterFiles?.get(v))?.length ?? 0]),
  );
  return {
    files,
    command: process.env.BENCH_COMMAND ?? 'pnpm bench',
    machine,
    link,
    capped,
    cpu,
    pa,
    browser,
    pcscHost,
    relay,
    ...(soak ? { soak } : {}),
    ...(viaAgent ? { agentSoak: viaAgent } : {}),
    agent,
    server,
  };
}

/** The agent soak alone, spliced into the previous full run's results. */
async function agentSoakOnly(): Promise<BenchResults> {
  if (!existsSync(BENCH_JSON)) throw new Error(`BENCH_ONLY=agent-soak needs ${BENCH_JSON} from a full pnpm bench`);
  const previous = JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchResults;
  const date = new Date().toISOString();
  const viaAgent = await agentSoak();
  if (!viaAgent) throw new Error('BENCH_ONLY=agent-soak with a soak of 0 s');
  const command = process.env.BENCH_COMMAND ?? 'BENCH_ONLY=agent-soak pnpm bench';
  return { ...previous, agentSoak: viaAgent, agentSoakRun: { command, date } };
}

it('benchmarks', async () => {
  const only = process.env.BENCH_ONLY ?? '';
  if (only !== '' && only !== 'agent-soak') throw new Error(`BENCH_ONLY: unknown benchmark ${only}`);
  const results = only === 'agent-soak' ? await agentSoakOnly() : await everything();
  mkdirSync('artifacts', { recursive: true });
  writeFileSync(BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
  if (results.soak && !only) writeFileSync('artifacts/soak.json', `${JSON.stringify(results.soak, null, 2)}\n`);
  if (results.agentSoak) writeFileSync('artifacts/agent-soak.json', `${JSON.stringify(results.agentSoak, null, 2)}\n`);
  const block = renderResults(results);
  console.log(`\n${block}\n`);
  if (process.env.BENCH_WRITE_DOC !== '0') spliceIntoDoc('docs/performance.md', block);
});
