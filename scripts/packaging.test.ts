/**
 * SLOW (about 15-25 s; needs `tsc -b` first and the npm registry or npm's cache): what an integrator gets from npm.
 *
 * 1. Packs every publishable package with `pnpm pack` (the tool that rewrites `workspace:` ranges) and checks each
 *    tarball: no `workspace:` range, no .tsbuildinfo, no test file, no testing/ or test-support/ folder, every
 *    source map's sources inside the tarball, LICENSE and README.md present.
 * 2. Installs @cccd/emrtd, @cccd/client, @cccd/react-native (without its optional react-native-nfc-manager peer),
 *    @cccd/simulator and @cccd/relay from those tarballs into a fresh project with npm
 *    (--prefer-offline, --ignore-scripts; the others are not installed: pcsc and hid build native bindings, cli and the agent pull
 *    all of them, which would make this test minutes long; their tarballs are still checked in step 1).
 * 3. Type-checks a strict consumer (module/moduleResolution NodeNext, and Bundler) against the installed .d.ts
 *    (skipLibCheck off for NodeNext; exactOptionalPropertyTypes is not on: the shipped .d.ts do not pass it yet), and checks
 *    that node10 resolution is refused (the READMEs say it is unsupported). The three tsc runs go in parallel.
 * 4. Runs the core README's happy path (readVerified with a trust store) on the simulator's in-process card, and
 *    loads both entries of @cccd/relay (a verifier issues a ticket and closes).
 * Every temporary folder is removed afterwards.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const PUBLISHABLE = [
  'packages/emrtd',
  'packages/client',
  'packages/pcsc',
  'packages/hid',
  'packages/relay',
  'packages/react-native',
  'packages/cli',
  'packages/server',
  'kiosk-agent',
  'simulator',
];
const INSTALLED = ['@cccd/emrtd', '@cccd/client', '@cccd/react-native', '@cccd/simulator', '@cccd/relay'];
const TSC = join(root, 'node_modules/typescript/bin/tsc');

const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

let work: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  for (const p of PUBLISHABLE)
    if (!existsSync(join(root, p, 'dist'))) throw new Error(`${p}/dist is missing: run \`pnpm exec tsc -b\` first`);
  work = mkdtempSync(join(tmpdir(), 'cccd-pack-'));
  for (const p of PUBLISHABLE) {
    const before = new Set(readdirSync(work));
    sh('pnpm', ['pack', '--pack-destination', work], join(root, p));
    const made = readdirSync(work).find((f) => !before.has(f) && f.endsWith('.tgz'));
    if (!made) throw new Error(`pnpm pack made no tarball for ${p}`);
    const name = (JSON.parse(sh('tar', ['-xzOf', join(work, made), 'package/package.json'], work)) as { name: string })
      .name;
    tarballs.set(name, join(work, made));
  }
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packaging (slow: packs every package, installs four with npm)', () => {
  it('every tarball is clean: resolved ranges, no build or test leftovers, maps that resolve, LICENSE', () => {
    expect([...tarballs.keys()].sort()).toHaveLength(PUBLISHABLE.length);
    for (const [name, tgz] of tarballs) {
      const entries = sh('tar', ['-tzf', tgz], work)
        .split('\n')
        .filter(Boolean)
        .map((e) => e.replace(/^package\//, ''));
      const manifest = sh('tar', ['-xzOf', tgz, 'package/package.json'], work);
      const problems: string[] = [];
      if (manifest.includes('workspace:')) problems.push('workspace: range in package.json');
      for (const e of entries) {
        if (e.endsWith('.tsbuildinfo')) problems.push(e);
        if (/\.test\.[cm]?[jt]s|\.test\.d\.ts/.test(e)) problems.push(e);
        if (/(^|\/)(testing|test-support)\//.test(e)) problems.push(e);
      }
      for (const required of ['LICENSE', 'README.md', 'package.json'])
        if (!entries.includes(required)) problems.push(`missing ${required}`);
      const files = new Set(entries);
      const maps = entries.filter((e) => e.endsWith('.map'));
      const unpacked = join(work, `unpacked-${name.replace(/\W/g, '-')}`);
      mkdirSync(unpacked);
      sh('tar', ['-xzf', tgz, '-C', unpacked], work);
      for (const m of maps) {
        const map = JSON.parse(readFileSync(join(unpacked, 'package', m), 'utf8')) as {
          sources: string[];
          sourceRoot?: string;
        };
        for (const source of map.sources) {
          const target = posix.normalize(posix.join(posix.dirname(m), map.sourceRoot ?? '', source));
          if (!files.has(target)) problems.push(`${m} → ${target} (not in the tarball)`);
        }
      }
      expect({ name, problems: problems.slice(0, 10) }).toEqual({ name, problems: [] });
    }
  });

  describe('a fresh npm project with @cccd/emrtd, @cccd/client, @cccd/react-native, @cccd/simulator and @cccd/relay', () => {
    let app: string;
    beforeAll(() => {
      app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      sh(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          '--loglevel=error',
          ...INSTALLED.map((n) => tarballs.get(n)!),
        ],
        app,
      );
      writeFileSync(
        join(app, 'consumer.ts'),
        `import { CccdAgentClient } from '@cccd/client';
import { canKey, parseDg2, readVerified, TrustStore } from '@cccd/emrtd';
import { jpeg2000ToPng } from '@cccd/emrtd/jpeg2000';
import { trustStoreFromFiles } from '@cccd/emrtd/node';
import { relayCard } from '@cccd/relay';
import { RelayVerifier } from '@cccd/relay/verifier';
import { CCCD_AID, NfcTransport, type NfcTransportOptions } from '@cccd/react-native';
import { InProcessTransport, loadProfile, personalise, SimulatedCard } from '@cccd/simulator';

// The core README's happy path, on the simulator's in-process card (every person in it is invented).
const card = new SimulatedCard(await personalise(loadProfile('cccd-2021-adult')));
const transport = new InProcessTransport(card);
const trustStore = new TrustStore();
const csca: Uint8Array | undefined = card.image.pki?.cscaCertDer;
if (csca) trustStore.addCertificate(csca, 'simulator test CSCA');
const result = await readVerified(transport, canKey(card.image.can), { trustStore, groups: ['DG1', 'DG13'] });
const overall: string = result.verification.overall;
const named: boolean = typeof result.document?.fullName === 'string';
const empty = trustStoreFromFiles([]).store.list().length;
const client: CccdAgentClient | undefined = undefined;
// The optional ./jpeg2000 entry with its decoder as installed from npm: a JPEG 2000 DG2 face to PNG.
const jp2Face = parseDg2((await personalise(loadProfile('cccd-2021-jp2'))).files.get(0x0102)!).faces[0];
const png = jp2Face ? await jpeg2000ToPng(jp2Face.image) : undefined;
const pngWidth = png?.width;
const relay = new RelayVerifier();
const ticket: string = relay.issueTicket().ticket;
await relay.close();
const relayed = typeof relayCard === 'function' && ticket.length === 43;
// The phone transport loads without react-native (the app passes NfcManager in; its peer is optional).
const phone: Pick<NfcTransportOptions, 'platform'> = { platform: 'ios' };
const rn = typeof NfcTransport.open === 'function' && CCCD_AID === 'A0000002471001' && phone.platform === 'ios';
console.log(JSON.stringify({ overall, named, empty, client: client === undefined, pngWidth, relayed, rn, apdus: result.report.apdus }));
`,
      );
      // The three tsc runs start now and go in parallel; the tests below await them.
      checks = Promise.all([
        tsc('NodeNext', 'NodeNext', true),
        tsc('Bundler', 'ES2022', false),
        tsc('node10', 'ES2022', false),
      ]).then(([nodeNext, bundler, node10]) => ({ nodeNext, bundler, node10 }));
    }, 60_000);

    const tsconfig = (resolution: string, module: string) => {
      const path = join(app, `tsconfig.${resolution}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noUncheckedIndexedAccess: true,
            target: 'ES2022',
            module,
            moduleResolution: resolution,
            // The shipped .d.ts are checked once (NodeNext); the other runs only resolve and check the consumer.
            skipLibCheck: resolution !== 'NodeNext',
            outDir: `out-${resolution}`,
            typeRoots: [join(root, 'node_modules/@types')],
            types: ['node'],
          },
          files: ['consumer.ts'],
        }),
      );
      return path;
    };

    /** tsc on the consumer; resolves with its output and whether it passed (runs in parallel with the others). */
    const tsc = (resolution: string, module: string, emit: boolean) =>
      new Promise<{ ok: boolean; output: string }>((resolve) => {
        const args = [TSC, '-p', tsconfig(resolution, module), ...(emit ? [] : ['--noEmit'])];
        execFile('node', args, { cwd: app, encoding: 'utf8' }, (error, stdout) =>
          resolve({ ok: error === null, output: stdout }),
        );
      });
    let checks: Promise<Record<'nodeNext' | 'bundler' | 'node10', { ok: boolean; output: string }>>;

    it('type-checks a strict consumer with NodeNext (skipLibCheck off) and with Bundler resolution', async () => {
      const { nodeNext, bundler } = await checks;
      expect(nodeNext).toEqual({ ok: true, output: '' });
      expect(bundler).toEqual({ ok: true, output: '' });
    }, 60_000);

    it('node10 resolution is not supported (no top-level types; the READMEs say so)', async () => {
      const { node10 } = await checks;
      expect(node10.ok).toBe(false);
      expect(node10.output).toMatch(/TS2307: Cannot find module '@cccd\/emrtd/);
    }, 60_000);

    it("runs the core README's happy path: readVerified on the simulated card, authentic or genuine-data", async () => {
      expect((await checks).nodeNext.ok).toBe(true);
      const out = JSON.parse(sh('node', [join(app, 'out-NodeNext', 'consumer.js')], app)) as Record<string, unknown>;
      expect(out).toMatchObject({ named: true, empty: 0, client: true, pngWidth: 240, relayed: true, rn: true });
      expect(out.overall).toMatch(/^(authentic|genuine-data)$/);
    }, 60_000);
  });
});
