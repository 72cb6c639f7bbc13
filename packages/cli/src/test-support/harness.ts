/** TEST SUPPORT ONLY: run the CLI in-process with captured output, and the simulator's invented personal data. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPem } from '@cccd/emrtd/codec';
import { createTestPki, DEFAULT_SIGNATURE, loadProfile } from '@cccd/simulator';
import { run } from '../cli.js';
import type { Io } from '../io.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cccd(argv: string[], io: Partial<Io> = {}): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { LANG: 'C', CCCD_TRUST_STORE: join(tmp(), 'no-store') },
    ...io,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export const tmp = () => mkdtempSync(join(tmpdir(), 'cccd-cli-'));

/** Environment for a spawned `cccd`: English, no trust store of the machine's user. */
export const CLEAN_ENV = { PATH: process.env.PATH ?? '', LANG: 'C', CCCD_TRUST_STORE: join(tmp(), 'no-store') };

/** The built CLI (`pnpm --silent cccd` runs it); `tsc -b` writes it. */
export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface Spawned extends Ran {
  /** Exit code, or null when killed. */
  code: number;
  signal: NodeJS.Signals | null;
  /** From spawn to the process's exit event. */
  elapsedMs: number;
}

/**
 * Runs the built CLI as a real process and waits for it to exit. `killAfterMs` bounds the wait (the process is
 * killed and `signal` says so), so a process that never exits fails its test instead of hanging it.
 */
export function spawnCli(
  argv: string[],
  { env = {}, killAfterMs = 20_000 }: { env?: Record<string, string>; killAfterMs?: number } = {},
): Promise<Spawned> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...CLEAN_ENV, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // 'exit' is when the process ended (what a service manager sees); 'close' adds the end of its output pipes.
    let elapsedMs = 0;
    child.once('exit', () => {
      elapsedMs = performance.now() - started;
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, signal, stdout, stderr, elapsedMs });
    });
  });
}

export const PROFILE = 'cccd-2021-adult';
const profile = loadProfile(PROFILE);

/** The profile's personal values in every form they could leak in (ISO, MRZ and Vietnamese dates, MRZ name). */
export const PERSONAL = (() => {
  const [y, m, d] = profile.dateOfBirth.split('-') as [string, string, string];
  return {
    idNumber: profile.idNumber,
    documentNumber: profile.idNumber.slice(3),
    can: profile.idNumber.slice(6),
    fullName: profile.fullName,
    dateOfBirth: profile.dateOfBirth,
    dobMrz: y.slice(2) + m + d,
    dobVn: `${d}/${m}/${y}`,
    mrzName: 'DUC<MINH',
  };
})();

export function leaks(text: string): string[] {
  return Object.entries(PERSONAL)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
}

/** PEM of the test CSCA that signs the simulator's cards (seed 1), or of an unrelated one. */
export function cscaPem(seed: 1 | 2, dir = tmp()): string {
  const pki = createTestPki({ seed, signature: DEFAULT_SIGNATURE });
  const path = join(dir, `csca-${seed}.pem`);
  writeFileSync(path, `${toPem(pki.csca.certDer)}\n`);
  return path;
}
