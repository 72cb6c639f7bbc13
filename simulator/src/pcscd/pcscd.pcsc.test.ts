import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePcscd, PcscdError, pcscdInstalled, pcscdIsServing } from './pcscd.js';

// A stand-in daemon with pcscd's file conventions, so start/stop/stale-file logic is tested without touching the
// machine's one real pcscd.
function fakeDaemon(behaviour: 'serve' | 'crash'): { binary: string; runDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-pcscd-'));
  const runDir = join(dir, 'run');
  const binary = join(dir, 'pcscd');
  const body =
    behaviour === 'crash'
      ? `console.error('cannot open /dev/foo'); process.exit(3);`
      : `const fs = require('node:fs'), net = require('node:net'), p = require('node:path');
fs.mkdirSync(${JSON.stringify(runDir)}, { recursive: true });
setTimeout(() => {
  net.createServer((s) => s.end()).listen(p.join(${JSON.stringify(runDir)}, 'pcscd.comm'), () => {
    fs.writeFileSync(p.join(${JSON.stringify(runDir)}, 'pcscd.pid'), process.pid + '\\0');
  });
}, 150);
process.on('SIGTERM', () => { fs.rmSync(p.join(${JSON.stringify(runDir)}, 'pcscd.pid'), { force: true }); process.exit(0); });`;
  writeFileSync(binary, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(binary, 0o755);
  return { binary, runDir };
}

describe('ensurePcscd', () => {
  it('clears stale files, starts the daemon, waits for it and stops only what it started', async () => {
    const { binary, runDir } = fakeDaemon('serve');
    const dead = spawnSync('true').pid; // a PID that no longer runs
    spawnSync('mkdir', ['-p', runDir]);
    writeFileSync(join(runDir, 'pcscd.pid'), `${dead}\0`);
    writeFileSync(join(runDir, 'pcscd.comm'), 'stale');

    const first = await ensurePcscd({ binary, runDir, timeoutMs: 5000 });
    expect(first.started).toBe(true);
    expect(await pcscdIsServing(runDir)).toBe(true);

    const second = await ensurePcscd({ binary, runDir });
    expect(second.started).toBe(false);
    expect(second.pid).toBe(first.pid);
    await second.stop();
    expect(await pcscdIsServing(runDir)).toBe(true);

    await first.stop();
    expect(await pcscdIsServing(runDir)).toBe(false);
    expect(existsSync(join(runDir, 'pcscd.pid'))).toBe(false);
  });

  it('reports a daemon that dies during start-up with its last words', async () => {
    const { binary, runDir } = fakeDaemon('crash');
    const err = await ensurePcscd({ binary, runDir, timeoutMs: 5000 }).catch((e) => e);
    expect(err).toBeInstanceOf(PcscdError);
    expect(err.code).toBe('start-failed');
    expect(err.message).toContain('cannot open /dev/foo');
  });

  it('names a missing binary', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'no-pcscd-'));
    const err = await ensurePcscd({ binary: join(runDir, 'nope'), runDir }).catch((e) => e);
    expect(err).toBeInstanceOf(PcscdError);
    expect(err.code).toBe('not-installed');
  });

  it('brings up the real pcscd of this machine', async () => {
    expect(pcscdInstalled()).toBe(true);
    const handle = await ensurePcscd();
    try {
      expect(await pcscdIsServing()).toBe(true);
    } finally {
      await handle.stop();
    }
  });
});
