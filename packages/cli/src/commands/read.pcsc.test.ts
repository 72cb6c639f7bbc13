/**
 * The CLI through the real PC/SC stack: pcscd + vpcd (slots 0 and 1) + the simulator's VpcdBridge. pcscd is
 * started by the vitest global setup; these files run one at a time (vitest.config.ts 'pcsc' project).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPem } from '@cccd/emrtd/codec';
import {
  ensurePcscd,
  loadProfile,
  type PcscdHandle,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
  VPCD_DEFAULT_PORT,
  VpcdBridge,
} from '@cccd/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, vpcdSlotsEmpty } from '../../../pcsc/src/test-support/presence.js';
import { CLEAN_ENV, cccd, leaks, PERSONAL, PROFILE, tmp } from '../test-support/harness.js';

const READER = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const;
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

let pcscd: PcscdHandle;
let image: PersonalisedCard;
let csca: string;
const bridges: VpcdBridge[] = [];

beforeAll(async () => {
  pcscd = await ensurePcscd({ timeoutMs: 15_000 });
  image = await personalise(loadProfile(PROFILE));
  csca = join(tmp(), 'csca.pem');
  writeFileSync(csca, `${toPem(image.pki!.cscaCertDer)}\n`);
});
afterAll(async () => {
  await pcscd?.stop();
});
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
});

/**
 * Puts a fresh simulated card (with faults) on vpcd slot 0 or 1, once pcscd no longer counts the previous test's
 * card there: a read must meet this card, not the end of the last one.
 */
async function insert(
  slot: 0 | 1,
  faults: string[] = [],
  { reinsertAfterMs, extendedLength }: { reinsertAfterMs?: number; extendedLength?: boolean } = {},
): Promise<VpcdBridge> {
  await vpcdSlotsEmpty([slot]);
  const card = new SimulatedCard(image, { faults, ...(extendedLength ? { extendedLength } : {}) });
  const bridge = new VpcdBridge(card, {
    port: VPCD_DEFAULT_PORT + slot,
    ...(reinsertAfterMs === undefined ? {} : { reinsertAfterMs }),
  });
  bridges.push(bridge);
  await bridge.insert();
  return bridge;
}

const read = (slot: 0 | 1, ...argv: string[]) => cccd(['read', '--reader', READER[slot], '--timeout', '10', ...argv]);

describe('cccd read through pcscd + vpcd', () => {
  it('reads with PACE-CAN, verifies against csca.pem and prints the right data (exit 0)', async () => {
    await insert(0);
    const r = await read(0, '--can', PERSONAL.can, '--trust', csca, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.document).toMatchObject({
      idNumber: PERSONAL.idNumber,
      fullName: PERSONAL.fullName,
      dateOfBirth: PERSONAL.dateOfBirth,
    });
    expect(json.verification.passive.status).toBe('valid');
    expect(json.access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN' });
    expect(json.photo.size).toBeGreaterThan(1000);
    expect(json.simulated).toBe(false);
  });

  it('lists both vpcd slots with card presence', async () => {
    await insert(1);
    type Listed = { readers: { name: string; cardPresent: boolean }[] };
    const listReaders = async () => {
      const r = await cccd(['readers', '--json']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Listed;
    };
    const present = (listed: Listed, name: string) => listed.readers.find((x) => x.name === name)?.cardPresent;
    const asExpected = (l: Listed) => present(l, READER[1]) === true && present(l, READER[0]) === false;
    // pcscd shows the new card on slot 1, and the previous test's card gone from slot 0, at its next presence poll
    // (~0.4 s): ask again, within a bound, then assert on what was last seen.
    const listed = await pollUntil(listReaders, asExpected, { timeoutMs: 8000, intervalMs: 200 });
    expect(listed.readers.map((x) => x.name)).toEqual(expect.arrayContaining([...READER]));
    expect(listed.readers.find((x) => x.name === READER[1])?.cardPresent).toBe(true);
    expect(listed.readers.find((x) => x.name === READER[0])?.cardPresent).toBe(false);
  });

  it('exits 4 on a wrong CAN without echoing it', async () => {
    await insert(0);
    const r = await read(0, '--can', '111111', '--trust', csca, '--groups', 'dg1', '--json');
    expect(r).toMatchObject({ code: 4, stdout: '' });
    expect(r.stderr).toMatch(/^cccd read: the card refused the access key/);
    expect(r.stderr).not.toContain('111111');
  });

  it('exits 3 naming DG13 when DG13 was tampered with', async () => {
    await insert(0, ['tamper-file=DG13'], { extendedLength: true });
    const r = await read(0, '--can', PERSONAL.can, '--trust', csca, '--groups', 'dg1,dg13', '--extended', '--json');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/DG13 hash does not match the SOD/);
    expect(leaks(r.stderr)).toEqual([]);
  });

  it('reads with BAC from --id/--dob/--expiry on slot 1 with extended-length APDUs', async () => {
    await insert(1, [], { extendedLength: true });
    const r = await read(
      1,
      '--id',
      PERSONAL.idNumber,
      '--dob',
      PERSONAL.dateOfBirth,
      '--expiry',
      '2030-08-15',
      '--access',
      'bac',
      '--extended',
      '--trust',
      csca,
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.access).toMatchObject({ protocol: 'BAC', keyKind: 'MRZ' });
    expect(json.document.idNumber).toBe(PERSONAL.idNumber);
  });

  it('survives the card being pulled mid-DG2: resumes after the re-tap, or exits 5 with one clear line', async () => {
    await insert(0, ['tag-loss-at-offset=DG2:4000'], { reinsertAfterMs: 300, extendedLength: true });
    const r = await read(0, '--can', PERSONAL.can, '--trust', csca, '--extended', '--json');
    expect(leaks(r.stderr)).toEqual([]);
    if (r.code === 0) {
      const json = JSON.parse(r.stdout);
      expect(json.stats.resumes).toBeGreaterThanOrEqual(1);
      expect(json.photo.size).toBeGreaterThan(4000);
    } else {
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/^cccd read: the card was removed .*\n$/);
    }
  });

  it('exits 6 when no card arrives before --timeout', async () => {
    await vpcdSlotsEmpty([1]);
    const r = await cccd(['read', '--reader', READER[1], '--can', PERSONAL.can, '--timeout', '1']);
    expect(r).toMatchObject({ code: 6, stdout: '' });
    expect(r.stderr).toBe('cccd read: no card was presented within 1 s\n');
    const unknown = await cccd(['read', '--reader', 'No Such Reader', '--can', PERSONAL.can, '--timeout', '1']);
    expect(unknown.code).toBe(6);
  });

  it('works through the built binary (pnpm --silent cccd read …)', async () => {
    expect(existsSync(MAIN), 'packages/cli/dist is missing: run scripts/setup.sh (tsc -b)').toBe(true);
    await insert(0);
    const child = spawn(
      process.execPath,
      [MAIN, 'read', '--reader', READER[0], '--can', PERSONAL.can, '--trust', csca, '--json', '--groups', 'dg1,dg13'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: CLEAN_ENV },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).document.fullName).toBe(PERSONAL.fullName);
  });
});
