/**
 * Benchmark 2: the SDK's CPU time per full read, as a fraction of the modelled link time at 424 kbit/s.
 *
 * Method: the simulated card runs in the same thread, synchronously inside `card.exchange` (no latency fault), so
 * its CPU is timed around that call and subtracted (lib/recording.ts). The reader's CPU per read is
 * process.cpuUsage() (user + system) over the read minus the card's time; the wall-clock figure (performance.now)
 * minus the card's time is reported beside it. Phases are isolated by running the read with more and more steps
 * switched on (PACE only → + files → + CA → + AA) and by timing verifyRead (PA) and the LDS parsers on their own.
 * Medians over `iterations` reads after `warmup` reads (JIT, noble's precomputed tables).
 */
import {
  type CccdReadResult,
  canKey,
  openSession,
  parseDg1,
  parseDg2,
  parseDg13,
  readCccd,
  readVerified,
  verifyRead,
} from '@cccd/emrtd';
import { parseDg14, parseDg15, parseSod } from '@cccd/emrtd/codec';
import type { PersonalisedCard } from '@cccd/simulator';
import { benchCard, FULL_READ_GROUPS, freshTransport, trustStoreFor } from './lib/cards.js';
import { timeCardSide } from './lib/recording.js';
import { median } from './lib/stats.js';

export interface CpuMeasurement {
  iterations: number;
  /** Modelled link time of one full read at 424 kbit/s (ms). */
  linkMs: number;
  /** Reader CPU per full read (readVerified): process CPU minus card-side time (ms). */
  readerCpuMs: number;
  /** Same, from wall clock (ms). */
  readerWallMs: number;
  /** Card-side (simulator) time per read, subtracted above (ms). */
  cardMs: number;
  fraction: number;
  /** Per phase, from process CPU (first) and from wall clock; both minus the card side. */
  phases: Phases;
  phasesWall: Phases;
}

export interface Phases {
  pace: number;
  files: number;
  ca: number;
  aa: number;
  pa: number;
  parsing: number;
}

interface Sample {
  cpu: number;
  wall: number;
  link: number;
  card: number;
}

async function timed(image: PersonalisedCard, run: (t: ReturnType<typeof freshTransport>) => Promise<unknown>) {
  const transport = freshTransport(image, { extendedLength: true, link: { bitrateKbps: 424 } });
  const card = timeCardSide(transport.card);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run(transport);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return {
    cpu: (c.user + c.system) / 1000 - card.ms,
    wall: wall - card.ms,
    link: transport.card.stats.modelledMs,
    card: card.ms,
  };
}

async function series(
  image: PersonalisedCard,
  iterations: number,
  warmup: number,
  run: (t: ReturnType<typeof freshTransport>) => Promise<unknown>,
): Promise<Sample> {
  const samples: Sample[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const s = await timed(image, run);
    if (i >= warmup) samples.push(s);
  }
  return {
    cpu: median(samples.map((s) => s.cpu)),
    wall: median(samples.map((s) => s.wall)),
    link: median(samples.map((s) => s.link)),
    card: median(samples.map((s) => s.card)),
  };
}

function timeSync(iterations: number, f: () => unknown): { cpu: number; wall: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < iterations + 1; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    const c = process.cpuUsage(c0);
    if (i === 0) continue;
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

function phases(
  k: 'cpu' | 'wall',
  s: Record<'pace' | 'files' | 'withCa' | 'withAa', Sample>,
  pa: { cpu: number; wall: number },
  parsing: { cpu: number; wall: number },
): Phases {
  return {
    pace: s.pace[k],
    // readCccd parses the files too; the parsers' own share is reported separately.
    files: s.files[k] - s.pace[k] - parsing[k],
    ca: s.withCa[k] - s.files[k],
    aa: s.withAa[k] - s.withCa[k],
    pa: pa[k],
    parsing: parsing[k],
  };
}

export async function measureCpu(iterations = 10, warmup = 3): Promise<CpuMeasurement> {
  const image = await benchCard();
  const key = canKey(image.can);
  const trustStore = trustStoreFor(image);
  const groups = [...FULL_READ_GROUPS, 'SOD' as const];
  const full = await series(image, iterations, warmup, (t) => readVerified(t, key, { trustStore, groups }));
  const pace = await series(image, iterations, warmup, (t) => openSession(t, key));
  const files = await series(image, iterations, warmup, (t) =>
    readCccd(t, key, { groups, chipAuthentication: 'off', activeAuthentication: 'off' }),
  );
  const withCa = await series(image, iterations, warmup, (t) =>
    readCccd(t, key, { groups, activeAuthentication: 'off' }),
  );
  const withAa = await series(image, iterations, warmup, (t) => readCccd(t, key, { groups }));
  let read: CccdReadResult | undefined;
  await readCccd(freshTransport(image, { extendedLength: true }), key, { groups }).then((r) => {
    read = r;
  });
  const pa = timeSync(iterations, () => verifyRead(read!, { trustStore }));
  const raw = read!.raw;
  const parsing = timeSync(iterations, () => {
    parseDg1(raw.DG1!);
    parseDg2(raw.DG2!);
    parseDg13(raw.DG13!);
    parseDg14(raw.DG14!);
    parseDg15(raw.DG15!);
    parseSod(raw.SOD!);
  });
  return {
    iterations,
    linkMs: full.link,
    readerCpuMs: full.cpu,
    readerWallMs: full.wall,
    cardMs: full.card,
    fraction: full.cpu / full.link,
    phases: phases('cpu', { pace, files, withCa, withAa }, pa, parsing),
    phasesWall: phases('wall', { pace, files, withCa, withAa }, pa, parsing),
  };
}
