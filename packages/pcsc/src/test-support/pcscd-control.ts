/**
 * TEST SUPPORT ONLY, for pcscd-restart.pcsc.test.ts: restarts the machine's pcscd (found by its PID file, never
 * by name) with the same arguments, as a daemon so it outlives the test worker.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { pollUntil } from './presence.js';

const RUN_DIR = '/run/pcscd';

function daemonPid(): number {
  const pid = Number.parseInt(readFileSync(`${RUN_DIR}/pcscd.pid`, 'latin1').replace(/\0/g, '').trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('pcscd.pid holds no PID');
  return pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function serving(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(`${RUN_DIR}/pcscd.comm`);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  if (!(await pollUntil(condition, Boolean, { timeoutMs, intervalMs: 25 })))
    throw new Error(`${what} within ${timeoutMs} ms`);
}

/** Stops pcscd, waits `downMs` so clients see it gone, starts it again and waits until it accepts clients. */
export async function restartPcscd(downMs = 300): Promise<void> {
  const pid = daemonPid();
  const args = readFileSync(`/proc/${pid}/cmdline`, 'latin1')
    .split('\0')
    .filter(Boolean)
    .slice(1)
    .filter((a) => a !== '-f' && a !== '--foreground');
  process.kill(pid, 'SIGTERM');
  await until(() => !alive(pid), 5000, 'pcscd did not stop');
  await new Promise((r) => setTimeout(r, downMs));
  rmSync(`${RUN_DIR}/pcscd.comm`, { force: true });
  rmSync(`${RUN_DIR}/pcscd.pid`, { force: true });
  spawn('pcscd', args, { stdio: 'ignore', detached: true }).unref();
  await until(serving, 5000, 'pcscd did not come back');
}
