import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLEAN_ENV, cccd, leaks, PERSONAL } from '../test-support/harness.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

describe('cccd demo', () => {
  it('reads and verifies the simulated card in-process, saying it is simulated', async () => {
    const r = await cccd(['demo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/read with PACE-CAN/);
    expect(r.stdout).toMatch(/Passive \(PA\):\s+valid/);
    expect(r.stdout).toMatch(/Verification: (VALID|AUTHENTIC)/);
    expect(r.stdout).toMatch(/simulated card; all data is invented/);
  });

  it('prints JSON with --json', async () => {
    const r = await cccd(['demo', '--json', '--lang', 'vi']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ simulated: true, access: { protocol: 'PACE', keyKind: 'CAN' } });
  });

  // The built binary, as `pnpm --silent cccd …` runs it (setup builds dist before the tests).
  it('runs as a child process: exit codes and clean stderr', () => {
    expect(existsSync(MAIN), 'packages/cli/dist is missing: run scripts/setup.sh (tsc -b)').toBe(true);
    const run = (...argv: string[]) =>
      // English, and no trust store of the machine's user: the child reads its environment as the docs say.
      spawnSync(process.execPath, [MAIN, ...argv], { encoding: 'utf8', timeout: 20_000, env: CLEAN_ENV });
    const ok = run('read', '--simulate', 'cccd-2021-adult', '--can', PERSONAL.can, '--groups', 'dg1', '--json');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).document.idNumber).toBe(PERSONAL.idNumber);
    const wrong = run('read', '--simulate', 'cccd-2021-adult', '--can', '000000');
    expect(wrong.status).toBe(4);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(leaks(wrong.stderr)).toEqual([]);
    const usage = run('read', '--nope');
    expect(usage.status).toBe(2);
  });
});
