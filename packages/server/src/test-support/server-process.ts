/**
 * The standalone server (start.ts) as a separate process: this package's current sources compiled for a plain
 * `node` child (not a possibly stale dist/), its dependencies from the package's node_modules.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { ServerConfigInput } from '../config.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE = join(SRC, '..');

const CHILD = `
import { startCccdServer } from './index.js';
const handle = await startCccdServer({ config: JSON.parse(process.argv[2]), print: (l) => console.log(l), handleSignals: true });
`;

/** A folder with the compiled sources; remove it with the returned dispose. */
export function compiledServer(): { dir: string; dispose(): void } {
  for (const dep of ['@cccd/emrtd', '@cccd/client'])
    if (!existsSync(join(PACKAGE, 'node_modules', dep, 'dist/index.js')))
      throw new Error(`${dep} is not built: run \`pnpm exec tsc -b\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'cccd-server-'));
  for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(SRC, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  writeFileSync(join(dir, 'child.js'), CHILD);
  symlinkSync(join(PACKAGE, 'node_modules'), join(dir, 'node_modules'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts one instance; resolves with its URL once it prints `listening on`, within `boundMs`. */
export function serverProcess(dir: string, config: ServerConfigInput, boundMs = 15_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['child.js', JSON.stringify(config)], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`server process did not start within ${boundMs} ms: ${err.slice(0, 500)}`));
    }, boundMs);
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], child, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited with ${code}: ${err.slice(0, 500)}`));
    });
  });
}
