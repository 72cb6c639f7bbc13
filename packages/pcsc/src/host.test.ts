import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { PcscError } from './errors.js';
import { PcscTransport } from './transport.js';

const FAKE_HOST = fileURLToPath(new URL('./test-support/fake-host.mjs', import.meta.url));
const READER = 'Fake Reader 0';
const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x01, 0xa0);

let ctx: PcscContext | undefined;
afterEach(() => ctx?.close());

/** PIDs of this process's children running the fake host (Linux /proc). */
function fakeHosts(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (
        ppid === process.pid &&
        state !== 'Z' &&
        readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes('fake-host')
      )
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Longest gap between ticks of a 20 ms interval while `work` runs: proves this thread never blocked. */
async function maxTickGap<T>(work: Promise<T>): Promise<{ result: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 20);
  try {
    return { result: await work, gapMs };
  } finally {
    clearInterval(timer);
  }
}

it.each([
  ['freezes inside the binding (heartbeat stops)', 0xee],
  ['dies in the middle of a call', 0xdd],
])('a host process that %s fails the call as a lost service and is replaced', async (_, ins) => {
  const context = new PcscContext({
    host: { script: FAKE_HOST, heartbeatMs: 100, stallMs: 600 },
    backoff: { initialMs: 20, maxMs: 100 },
  });
  ctx = context;
  const events: string[] = [];
  context.on('service-down', () => events.push('down'));
  context.on('service-up', () => events.push('up'));
  await context.waitForCard(READER, { timeoutMs: 5000 });
  const transport = await PcscTransport.open(context, READER, { extendedLength: false });
  expect(await transport.transmit(SELECT)).toEqual(Uint8Array.of(0x90, 0x00));

  const started = performance.now();
  const { result: error, gapMs } = await maxTickGap(
    transport.transmit(Uint8Array.of(0x00, ins, 0x00, 0x00), { timeoutMs: 10_000 }).catch((e: unknown) => e),
  );
  expect(error).toBeInstanceOf(PcscError);
  expect(error).toMatchObject({ reason: 'no-service', retriable: true });
  expect(performance.now() - started).toBeLessThan(3000);
  expect(gapMs, 'this thread kept running').toBeLessThan(300);

  // A fresh host process serves the reader again; the transport reconnects as after a pcscd restart.
  await transport.reconnect({ timeoutMs: 5000 });
  expect(await transport.transmit(SELECT)).toEqual(Uint8Array.of(0x90, 0x00));
  expect(events.slice(0, 3)).toEqual(['up', 'down', 'up']);
});

it('close() stops the host process even while a call hangs in it', async () => {
  const context = new PcscContext({
    host: { script: FAKE_HOST, heartbeatMs: 100, stallMs: 60_000 },
    closeTimeoutMs: 300,
  });
  ctx = context;
  await context.waitForCard(READER, { timeoutMs: 5000 });
  const transport = await PcscTransport.open(context, READER, { extendedLength: false });
  const hung = transport.transmit(Uint8Array.of(0x00, 0xee, 0x00, 0x00), { timeoutMs: 200 }).catch((e) => e);
  expect(await hung).toMatchObject({ code: 'timeout' });
  expect(fakeHosts()).toHaveLength(1);
  const { gapMs } = await maxTickGap(context.close());
  expect(gapMs).toBeLessThan(300);
  expect(await until(() => fakeHosts().length === 0, 5000), 'the frozen host was killed').toBe(true);
  await expect(transport.transmit(SELECT)).rejects.toMatchObject({ reason: 'closed' });
});
