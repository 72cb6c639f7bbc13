import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { removeAndSettle } from './test-support/events.js';
import { vpcdSlotsEmpty } from './test-support/presence.js';
import { VpcdTestCard } from './test-support/vpcd-card.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const PACKAGE = join(SRC, '..');

/** Compiles this package's current sources (not a possibly stale dist/) for a plain `node` child process. */
function childPackage(): string {
  const emrtdDist = join(PACKAGE, 'node_modules/@cccd/emrtd/dist/index.js');
  if (!existsSync(emrtdDist)) throw new Error('@cccd/emrtd is not built: run `pnpm build` first');
  const dir = mkdtempSync(join(tmpdir(), 'cccd-pcsc-exit-'));
  for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(SRC, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  symlinkSync(join(PACKAGE, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

// No process.exit(): the child must end because close() released every native thread, handle and timer.
const CHILD = `
import { PcscContext, PcscTransport } from './index.js';
const ctx = new PcscContext();
ctx.on('card-removed', () => {});
const readers = await ctx.readers({ timeoutMs: 5000 });
const card = await ctx.waitForCard(process.argv[2], { timeoutMs: 5000 });
const transport = await PcscTransport.open(ctx, card.reader);
const response = await transport.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x01, 0xa0), { timeoutMs: 3000 });
console.log(readers.length, Buffer.from(response).toString('hex'));
await ctx.close();
`;

const dir = childPackage();
const ctx = new PcscContext();
const card = new VpcdTestCard({ handler: () => Uint8Array.of(0x90, 0x00) });
afterAll(async () => {
  await removeAndSettle(ctx, card);
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

it('lets a process that used a context, a transport and a card exit by itself after close()', async () => {
  writeFileSync(join(dir, 'child.js'), CHILD);
  await vpcdSlotsEmpty([0], { ctx });
  await card.insert();
  await ctx.waitForCard(card.reader, { timeoutMs: 5000 });
  const child = spawn(process.execPath, ['child.js', card.reader], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const started = Date.now();
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running after 10 s');
    }, 10_000);
    child.once('exit', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? String(signal));
    });
  });
  expect({ code, output: output.trim() }).toEqual({ code: 0, output: expect.stringMatching(/^\d+ 9000$/) });
  expect(Date.now() - started).toBeLessThan(10_000);
});
