/**
 * Cost of the PC/SC host process: the same APDU round trips through the real pcscd + vpcd, with pcsclite loaded in
 * a host process (the default) and in this process (`inProcessFactory`), interleaved in one run.
 */
import { inProcessFactory, PcscContext, PcscTransport } from '@cccd/pcsc';
import { ensurePcscd } from '@cccd/simulator';
import { VpcdTestCard } from '../packages/pcsc/src/test-support/vpcd-card.js';
import { median } from './lib/stats.js';

export interface PcscHostCost {
  apdus: number;
  responseBytes: number;
  hostP50Ms: number;
  inProcessP50Ms: number;
  /** host p50 / in-process p50 */
  ratio: number;
  /** First readers() of a new context: host spawn + establish, vs the binding in process. */
  hostStartMs: number;
  inProcessStartMs: number;
}

const READ = Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0xdf); // a 223-byte READ BINARY answer, the usual block

async function roundTrips(isolated: boolean, reader: string, n: number) {
  const started = performance.now();
  const ctx = new PcscContext(isolated ? {} : { factory: inProcessFactory });
  await ctx.readers({ timeoutMs: 10_000 });
  const startMs = performance.now() - started;
  try {
    await ctx.waitForCard(reader, { timeoutMs: 5000 });
    const transport = await PcscTransport.open(ctx, reader, { extendedLength: false });
    const times: number[] = [];
    for (let i = 0; i < n + 10; i++) {
      const t0 = performance.now();
      await transport.transmit(READ, { timeoutMs: 5000 });
      if (i >= 10) times.push(performance.now() - t0);
    }
    return { startMs, times };
  } finally {
    await ctx.close();
  }
}

export async function measurePcscHost(apdus: number): Promise<PcscHostCost> {
  const daemon = await ensurePcscd();
  const answer = new Uint8Array(0xdf + 2).fill(0x5a);
  answer.set([0x90, 0x00], 0xdf);
  const card = new VpcdTestCard({ slot: 1, handler: () => answer });
  await card.insert();
  try {
    const host: number[] = [];
    const local: number[] = [];
    let hostStartMs = 0;
    let inProcessStartMs = 0;
    // Interleaved rounds, so drift on a busy machine hits both sides alike.
    for (let round = 0; round < 4; round++) {
      const h = await roundTrips(true, card.reader, Math.ceil(apdus / 4));
      const l = await roundTrips(false, card.reader, Math.ceil(apdus / 4));
      host.push(...h.times);
      local.push(...l.times);
      if (round === 0) [hostStartMs, inProcessStartMs] = [h.startMs, l.startMs];
    }
    const hostP50Ms = median(host);
    const inProcessP50Ms = median(local);
    return {
      apdus: host.length,
      responseBytes: answer.length,
      hostP50Ms,
      inProcessP50Ms,
      ratio: hostP50Ms / inProcessP50Ms,
      hostStartMs,
      inProcessStartMs,
    };
  } finally {
    card.remove();
    await daemon.stop();
  }
}
