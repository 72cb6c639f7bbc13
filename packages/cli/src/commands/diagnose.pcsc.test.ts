/**
 * `cccd diagnose` through the real PC/SC stack: pcscd + vpcd + the simulator's VpcdBridge (pcscd is started by
 * the vitest global setup; 'pcsc' files run one at a time). The profile must describe the card as pcscd delivers
 * it — reader name, ATR, protocol, CA/AA, sizes — and the whole output must hold none of the citizen's values.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hex } from '@cccd/emrtd/codec';
import { type PersonalValue, personalLeaks, personalValues } from '@cccd/emrtd/testing';
import {
  ensurePcscd,
  FID,
  loadProfile,
  type PcscdHandle,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
  VPCD_DEFAULT_PORT,
  VpcdBridge,
} from '@cccd/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { vpcdSlotsEmpty } from '../../../pcsc/src/test-support/presence.js';
import { CLEAN_ENV, cccd, PERSONAL, PROFILE, tmp } from '../test-support/harness.js';

const READER = 'Virtual PCD 00 00';
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

let pcscd: PcscdHandle;
let image: PersonalisedCard;
let values: PersonalValue[];
const bridges: VpcdBridge[] = [];

beforeAll(async () => {
  pcscd = await ensurePcscd({ timeoutMs: 15_000 });
  image = await personalise(loadProfile(PROFILE));
  values = personalValues(image);
});
afterAll(async () => {
  await pcscd?.stop();
});
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
});

/** A fresh card on slot 0, once pcscd no longer counts the previous test's card there (diagnose must meet this one). */
async function insert(options: ConstructorParameters<typeof SimulatedCard>[1] = {}): Promise<SimulatedCard> {
  await vpcdSlotsEmpty([0]);
  const card = new SimulatedCard(image, options);
  const bridge = new VpcdBridge(card, { port: VPCD_DEFAULT_PORT });
  bridges.push(bridge);
  await bridge.insert();
  return card;
}

const diagnose = (...argv: string[]) => cccd(['diagnose', '--reader', READER, '--timeout', '10', ...argv]);
const size = (fid: number) => image.files.get(fid)!.length;

describe('cccd diagnose through pcscd + vpcd', () => {
  it('profiles the card on a short-only reader: reader name, ATR, PACE, CA valid, AA skipped, sizes', async () => {
    const card = await insert();
    const r = await diagnose('--can', PERSONAL.can, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.outcome).toBe('complete');
    expect(p.reader.name).toBe(READER);
    expect(['T0', 'T1']).toContain(p.reader.protocol);
    expect(p.atr.hex).toBe(hex(card.atr()).toUpperCase());
    expect(p.atr.historicalBytes).toBe(hex(card.historicalBytes()).toUpperCase());
    expect(p.access).toMatchObject({ protocol: 'PACE', keyKind: 'CAN', pace: { protocol: 'PACE-ECDH-GM-AES-128' } });
    expect(p.chipAuthentication).toMatchObject({ status: 'valid', performed: true, success: true });
    expect(p.activeAuthentication).toMatchObject({ performed: false, skipped: 'needs-extended-length' });
    expect(Object.fromEntries(p.files.map((f: { file: string; bytes: number }) => [f.file, f.bytes]))).toEqual({
      COM: size(FID.com),
      DG1: size(FID.dg(1)),
      DG2: size(FID.dg(2)),
      DG13: size(FID.dg(13)),
      DG14: size(FID.dg(14)),
      DG15: size(FID.dg(15)),
      SOD: size(FID.sod),
    });
    expect(p.readBinary.extendedLength).toEqual({ used: false });
    expect(p.readBinary.largestAccepted.responseBytes).toBeLessThanOrEqual(258);
    expect(p.probes).toMatchObject({ sfi: { accepted: true }, endOfFile: { behaviour: '6282' } });
    expect(p.timing.exchanges).toBe(p.exchanges.length);
    expect(personalLeaks(r.stdout, values)).toEqual([]);
  });

  it('with --extended on an extended-length card: AA valid, extended reads accepted; the text report is clean', async () => {
    await insert({ extendedLength: true });
    const r = await diagnose('--can', PERSONAL.can, '--extended', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.reader.link.extendedLength).toBe(true);
    expect(p.activeAuthentication).toMatchObject({ status: 'valid', performed: true, signatureBytes: 256 });
    expect(p.readBinary.extendedLength).toEqual({ used: true, accepted: true });
    expect(p.probes.maxNe.largestAccepted).toBeGreaterThan(1024);
    expect(p.verification.chip).toBe('valid');
    expect(personalLeaks(r.stdout, values)).toEqual([]);
    // The same card stays on the reader for the text report (a second card on the slot would only queue behind it).
    const text = await diagnose('--can', PERSONAL.can, '--extended', '--lang', 'vi');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Đầu đọc:                  ${READER}`);
    expect(personalLeaks(text.stdout, values)).toEqual([]);
  });

  it('the built binaries: `cccd sim run` in one process, `cccd diagnose` in another, a CA-refusing card', async () => {
    const node = (...argv: string[]) =>
      spawnSync(process.execPath, [MAIN, ...argv], { encoding: 'utf8', timeout: 60_000, env: CLEAN_ENV });
    const dir = tmp();
    const chip = ['--chip', 'ca=refuse-mse:6A86', '--chip', 'ne-cap=1024'];
    await vpcdSlotsEmpty([0]);
    const made = node('sim', 'personalise', '--profile', PROFILE, '--out', dir, ...chip);
    expect(made.status, made.stderr).toBe(0);
    const sim = spawn(process.execPath, [MAIN, 'sim', 'run', '--card', dir, '--slot', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: CLEAN_ENV,
    });
    const stopped = new Promise((resolve) => sim.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('cccd sim run did not insert the card within 15 s')), 15_000);
        sim.stdout.on('data', (chunk: Buffer) => {
          if (!chunk.toString().includes('card inserted')) return;
          clearTimeout(timer);
          resolve();
        });
      });
      const trust = join(dir, 'csca.pem');
      const run = node('diagnose', '--reader', READER, '--can', PERSONAL.can, '--extended', '--trust', trust, '--json');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const p = JSON.parse(run.stdout);
      expect(p.reader.name).toBe(READER);
      expect(p.chipAuthentication).toMatchObject({ status: 'refused' });
      expect(p.activeAuthentication).toMatchObject({ status: 'valid' });
      expect(p.verification.overall).toBe('authentic');
      expect(p.probes.maxNe.largestAccepted).toBe(991); // a 1024-byte buffer holds 991 bytes of a file under AES SM
      expect(personalLeaks(run.stdout, values)).toEqual([]);
    } finally {
      sim.kill('SIGTERM');
      await stopped;
    }
  }, 90_000);

  it('a wrong CAN exits 4 and prints a partial profile with the refusal and no personal value', async () => {
    await insert();
    const r = await diagnose('--can', '111111', '--json');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^cccd diagnose: the card refused the access key/);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ outcome: 'failed', failure: { code: 'access-denied' }, reader: { name: READER } });
    expect(p.access.refusals.map((x: { command: string }) => x.command)).toContain('GENERAL AUTHENTICATE');
    expect(`${r.stdout}${r.stderr}`).not.toContain('111111');
    expect(personalLeaks(r.stdout, values)).toEqual([]);
  });
});
