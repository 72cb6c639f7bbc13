/**
 * A private redis-server for one test file: a free port, a temp folder, no persistence (no RDB, no AOF). Ready when
 * it answers PING, polled within a bound; stopped (and restartable on the same port) by the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** One PING over a raw socket: true on +PONG within `ms`. */
function ping(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    s.once('error', () => done(false));
  });
}

export async function until(what: string, check: () => Promise<boolean>, boundMs: number): Promise<void> {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${boundMs} ms waiting for ${what}`);
}

export interface TestRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops redis-server and removes its folder. */
  dispose(): Promise<void>;
}

/** `extraArgs`: more redis-server options, e.g. `['--replicaof', '127.0.0.1', '6379']`. */
export async function testRedis(extraArgs: readonly string[] = []): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cccd-redis-'));
  let child: ChildProcess | undefined;
  const r: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        ...extraArgs,
      ];
      let failed: Error | undefined;
      child = spawn('redis-server', args, { stdio: 'ignore' });
      child.once('error', (e) => {
        failed = e;
      });
      await until(
        'redis-server to answer PING',
        async () => {
          if (failed)
            throw new Error(
              `cannot start redis-server (${(failed as NodeJS.ErrnoException).code}): scripts/setup.sh installs it`,
            );
          return ping(port, 200);
        },
        10_000,
      );
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((res) => c.once('exit', res));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))]);
      if (c.exitCode === null) c.kill('SIGKILL');
    },
    async dispose() {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await r.start();
  return r;
}
