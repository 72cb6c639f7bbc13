import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

/** pcscd's socket and PID file live in a hard-coded folder (pcsc-lite 1.9). */
export const PCSCD_RUN_DIR = '/run/pcscd';

export interface PcscdOptions {
  /** Daemon binary; `pcscd` from $PATH by default. */
  binary?: string;
  /** Extra arguments after `-f` (e.g. `['-a', '-d']` to log every APDU). */
  args?: string[];
  /** Where the daemon puts `pcscd.comm` and `pcscd.pid`. Only a test daemon can change this. */
  runDir?: string;
  /** How long to wait for the daemon to accept connections. */
  timeoutMs?: number;
  /** Receives the daemon's stdout/stderr lines (never personal data: pcscd logs APDUs only with -a). */
  onLog?: (line: string) => void;
}

export interface PcscdHandle {
  /** True when this call started the daemon; false when one was already serving. */
  readonly started: boolean;
  readonly pid: number | undefined;
  /** Stops the daemon if, and only if, this handle started it. */
  stop(): Promise<void>;
}

export class PcscdError extends Error {
  override name = 'PcscdError';
  constructor(
    readonly code: 'not-installed' | 'start-failed' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

/** Resolves true when something accepts a connection on the daemon's socket. */
export function pcscdIsServing(runDir = PCSCD_RUN_DIR, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(join(runDir, 'pcscd.comm'));
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function readPid(runDir: string): number | undefined {
  try {
    // pcscd writes its PID followed by a NUL byte.
    const pid = Number.parseInt(readFileSync(join(runDir, 'pcscd.pid'), 'latin1').replace(/\0/g, '').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PIDs of running processes called `pcscd` (Linux /proc), other than `except`. */
function pcscdProcesses(except?: number): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === except) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'pcscd') out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * A pcscd whose socket file was deleted keeps running, holding the vpcd TCP ports, and no client can reach it; a
 * new daemon would start but never see the virtual readers. Such a daemon serves nobody: stop it.
 */
async function stopUnreachableDaemons(): Promise<void> {
  const pids = pcscdProcesses(process.pid);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const until = Date.now() + 3000;
  while (Date.now() < until && pids.some(isAlive)) await sleep(50);
  for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
}

/**
 * Makes sure a pcscd is serving: reuses a running one, otherwise clears the stale files a killed daemon leaves
 * behind, starts `pcscd -f` and waits until its socket accepts connections.
 */
export async function ensurePcscd(options: PcscdOptions = {}): Promise<PcscdHandle> {
  const runDir = options.runDir ?? PCSCD_RUN_DIR;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;

  if (await pcscdIsServing(runDir)) return { started: false, pid: readPid(runDir), stop: async () => {} };

  // A live daemon without a ready socket is still starting: give it the same deadline.
  const existing = readPid(runDir);
  if (existing !== undefined && isAlive(existing)) {
    while (Date.now() < deadline) {
      if (await pcscdIsServing(runDir)) return { started: false, pid: existing, stop: async () => {} };
      if (!isAlive(existing)) break;
      await sleep(50);
    }
    if (isAlive(existing)) throw new PcscdError('timeout', `pcscd (pid ${existing}) is running but not answering`);
  }
  if (runDir === PCSCD_RUN_DIR && !options.binary) await stopUnreachableDaemons();
  rmSync(join(runDir, 'pcscd.comm'), { force: true });
  rmSync(join(runDir, 'pcscd.pid'), { force: true });

  const child = spawn(options.binary ?? 'pcscd', ['-f', ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.onLog?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<NodeJS.ErrnoException | number>((resolve) => {
    child.once('error', (e) => resolve(e));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  let exit: NodeJS.ErrnoException | number | undefined;
  void exited.then((e) => {
    exit = e;
  });

  while (Date.now() < deadline) {
    if (exit !== undefined) {
      if (typeof exit === 'object' && exit.code === 'ENOENT') {
        throw new PcscdError(
          'not-installed',
          'pcscd is not installed (run scripts/setup.sh, or apt-get install pcscd)',
        );
      }
      const why = typeof exit === 'object' ? exit.message : `exit code ${exit}`;
      throw new PcscdError('start-failed', `pcscd stopped during start-up (${why}): ${tail.slice(-3).join(' | ')}`);
    }
    if (await pcscdIsServing(runDir)) return handleFor(child, exited);
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new PcscdError('timeout', `pcscd did not become ready within ${timeoutMs} ms`);
}

function handleFor(child: ChildProcess, exited: Promise<unknown>): PcscdHandle {
  let stopping: Promise<void> | undefined;
  return {
    started: true,
    pid: child.pid,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      })();
      return stopping;
    },
  };
}

/** True when the pcscd binary is on this machine. */
export function pcscdInstalled(): boolean {
  return ['/usr/sbin/pcscd', '/usr/bin/pcscd', '/sbin/pcscd'].some((p) => existsSync(p));
}
