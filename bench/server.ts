/**
 * Benchmark: the backend (@cccd/server) verifying signed results with evidence from simulated kiosks, against one
 * and two server instances (separate processes) on one Redis (a private redis-server).
 *
 * Method: every ticket is issued and every result signed (ES256 device keys, evidence of a simulated CCCD: SOD
 * ECDSA brainpoolP256r1, AA ECDSA brainpoolP256r1) before the clock starts, so the timed phase is only
 * `POST /results`, `concurrency` in flight, round robin over the instances. Reported: accepted verifications per
 * second (wall), per second of server CPU (user + system of the server processes from /proc, i.e. per core), p50
 * and p99 latency, and the 1 → 2 instance ratio. Every decision must be an acceptance. The in-process row is
 * `verifyResult` alone (no HTTP, no Redis, memory store) on one core, after the same warm-up. The client side (fetch) shares the machine:
 * its CPU, the machine's busy CPU (/proc/stat, everyone's) and the load average are recorded, because on a 2-core
 * machine 2 instances + Redis + this load generator (+ whatever else runs) compete for the same two cores, and the
 * wall-clock ratio is then bounded by the cores left, not by the servers (which share nothing but Redis).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CccdField, ReadResult } from '@cccd/client';
import { signedResult } from '../packages/server/src/test-support/kiosk.js';
import { type TestRedis, testRedis } from '../packages/server/src/test-support/redis.js';
import {
  compiledServer,
  type ServerProcess,
  serverProcess,
} from '../packages/server/src/test-support/server-process.js';
import { fixture, ISSUER, ORIGIN } from '../packages/server/src/test-support/setup.js';
import { quantile } from './lib/stats.js';

export interface ServerRun {
  instances: number;
  verifications: number;
  failures: number;
  seconds: number;
  perSecond: number;
  /** Server processes' CPU seconds (user + system) in the timed phase. */
  serverCpuSeconds: number;
  perCpuSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's CPU seconds in the timed phase: the load generator (fetch, JSON) shares the machine. */
  clientCpuSeconds: number;
  /** Busy CPU seconds of the whole machine in the timed phase (/proc/stat), ours and everyone else's. */
  machineCpuSeconds: number;
  /** machineCpuSeconds ÷ (seconds × cores): near 1, the run was bounded by the machine's cores. */
  machineBusy: number;
}

export interface ServerBench {
  concurrency: number;
  /** verifyResult in this process (memory store), one core: verifications per CPU second. */
  inProcessPerCpuSecond: number;
  runs: ServerRun[];
  /** perSecond with 2 instances ÷ with 1. */
  scaling: number;
  /** Cores of the machine, and its 1, 5 and 15 minute load averages when the benchmark started. */
  cores: number;
  loadAverage: number[];
}

const FIELDS: CccdField[] = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'nationality', 'dateOfExpiry'];

/** utime + stime of a process, in seconds (Linux /proc; fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy (not idle, not iowait) CPU seconds of the machine since boot: /proc/stat's first line, in 1/100 s. */
function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return (total - cpu[3]! - (cpu[4] ?? 0)) / 100;
}

async function post(base: string, path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type Prepared = { ticketId: string; result: ReadResult; to: ServerProcess };

async function prepare(n: number, instances: ServerProcess[], f: Awaited<ReturnType<typeof fixture>>) {
  const template = await signedResult(f.desk1, f.sim, { origin: ORIGIN, nonce: 'x'.repeat(43), fields: FIELDS });
  const { agentSig: _s, ...unsigned } = template;
  const { signReadResult } = await import('@cccd/client');
  const out: Prepared[] = [];
  for (let i = 0; i < n; i++) {
    const to = instances[i % instances.length]!;
    const t = await post(to.url, '/tickets', { purpose: 'bank-kyc', fields: FIELDS });
    if (t.status !== 201) throw new Error(`ticket request failed: ${t.status}`);
    const result = await signReadResult(
      { ...unsigned, readId: `r-${i}` },
      {
        origin: ORIGIN,
        nonce: String(t.json.nonce),
        privateKey: f.desk1.privateKey,
        publicKeySpki: f.desk1.publicKeySpki,
      },
    );
    out.push({ ticketId: String(t.json.ticketId), result, to });
  }
  return out;
}

async function timedRun(work: Prepared[], instances: ServerProcess[], concurrency: number): Promise<ServerRun> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpu0 = instances.map((s) => cpuSeconds(s.child.pid));
  const client0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) {
        const w = work[next++]!;
        const s = performance.now();
        const r = await post(w.to.url, '/results', { ticketId: w.ticketId, result: w.result });
        latencies.push(performance.now() - s);
        if (r.status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const machineCpuSeconds = machineBusySeconds() - machine0;
  const client = process.cpuUsage(client0);
  const serverCpuSeconds = instances.reduce((sum, s, i) => sum + cpuSeconds(s.child.pid) - cpu0[i]!, 0);
  const verifications = work.length - failures;
  return {
    instances: instances.length,
    verifications,
    failures,
    seconds,
    perSecond: verifications / seconds,
    serverCpuSeconds,
    perCpuSecond: serverCpuSeconds > 0 ? verifications / serverCpuSeconds : Number.NaN,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    clientCpuSeconds: (client.user + client.system) / 1e6,
    machineCpuSeconds,
    machineBusy: machineCpuSeconds / (seconds * availableParallelism()),
  };
}

/**
 * verifyResult in this process, steady state: `warmup` unmeasured verifications first (JIT, the DS key's
 * precomputed table), as the HTTP runs have, then `n` measured ones.
 */
async function inProcess(f: Awaited<ReturnType<typeof fixture>>, n: number, warmup: number): Promise<number> {
  const server = await f.server();
  const work: { ticketId: string; result: ReadResult }[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t = await server.issueTicket({ origin: ORIGIN, purpose: 'bank-kyc', fields: FIELDS, ttl: 300 });
    work.push({
      ticketId: t.ticketId,
      result: await signedResult(f.desk1, f.sim, { origin: ORIGIN, nonce: t.nonce, fields: FIELDS }),
    });
  }
  const verify = async (w: (typeof work)[number]) => {
    const d = await server.verifyResult(w.result, { ticketId: w.ticketId });
    if (!d.accepted) throw new Error(`in-process verification refused: ${d.code}`);
  };
  for (const w of work.slice(0, warmup)) await verify(w);
  const c0 = process.cpuUsage();
  for (const w of work.slice(warmup)) await verify(w);
  const c = process.cpuUsage(c0);
  return n / ((c.user + c.system) / 1e6);
}

/** `verifications` per run (1 instance, then 2), after `warmup` unmeasured ones on each instance. */
export async function measureServer(verifications: number, concurrency = 8, warmup = 20): Promise<ServerBench> {
  const loadAverage = loadavg();
  const f = await fixture();
  const inProcessPerCpuSecond = await inProcess(f, Math.max(2, Math.round(verifications / 4)), warmup);
  let redis: TestRedis | undefined;
  const compiled = compiledServer();
  const dir = mkdtempSync(join(tmpdir(), 'cccd-bench-server-'));
  const started: ServerProcess[] = [];
  try {
    redis = await testRedis();
    writeFileSync(join(dir, 'ticket-key.pem'), f.ticketKeyPem);
    writeFileSync(join(dir, 'csca.der'), f.sim.card.pki?.cscaCertDer ?? new Uint8Array());
    const config = {
      port: 0,
      issuer: ISSUER,
      ticketKeyFile: join(dir, 'ticket-key.pem'),
      origins: [ORIGIN],
      trust: [join(dir, 'csca.der')],
      agents: [{ agentId: f.desk1.agentId, publicKey: f.desk1.publicKey }],
      redis: { url: redis.url, prefix: 'bench:' },
      // The bench client is one address: keep the rate limit out of the way.
      rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
    };
    for (const s of await Promise.all([serverProcess(compiled.dir, config), serverProcess(compiled.dir, config)]))
      started.push(s);
    const runs: ServerRun[] = [];
    for (const n of [1, 2]) {
      const instances = started.slice(0, n);
      await timedRun(await prepare(warmup * n, instances, f), instances, concurrency);
      runs.push(await timedRun(await prepare(verifications, instances, f), instances, concurrency));
    }
    const [one, two] = runs as [ServerRun, ServerRun];
    return {
      concurrency,
      inProcessPerCpuSecond,
      runs,
      scaling: two.perSecond / one.perSecond,
      cores: availableParallelism(),
      loadAverage,
    };
  } finally {
    for (const s of started) await s.stop();
    await redis?.dispose();
    compiled.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
