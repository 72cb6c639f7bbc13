/**
 * The card side runs in browsers and React Native: its modules import only the platform-neutral SDK entries, zod
 * and each other — no Node built-in, no ws, nothing of the verifier side (scripts/check-deps.mjs enforces the
 * built-in rule too) — and `esbuild --bundle --platform=browser` of the entry proves it for everything it pulls in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { bundleForBrowser, SOURCE_ALIASES } from '../../emrtd/browser/bundle.js';

const SRC = new URL('./', import.meta.url);
const ALLOWED = new Set(['@cccd/emrtd', '@cccd/emrtd/codec', 'zod']);

it('card-side modules import only @cccd/emrtd (root, codec), zod and card-side modules', () => {
  const files = readdirSync(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  expect(files).toContain('card-side.ts');
  const imports = files.flatMap((f) =>
    [...readFileSync(new URL(f, SRC), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map(
      ([, spec]) => ({ f, spec: spec! }),
    ),
  );
  expect(imports.length).toBeGreaterThan(5);
  const foreign = imports.filter(({ spec }) => !ALLOWED.has(spec) && !/^\.\/[\w-]+\.js$/.test(spec));
  expect(foreign).toEqual([]);
});

it('the card side bundles for the browser with no Node built-in, no Node global and no ws', async () => {
  const b = await bundleForBrowser(fileURLToPath(new URL('./index.ts', SRC)), { alias: SOURCE_ALIASES });
  expect(b.nodeImports).toEqual([]);
  expect(b.nodeGlobals).toEqual([]);
  expect(b.externalImports).toEqual([]);
  expect(b.inputs.filter((i) => /node_modules\/(\.pnpm\/)?ws[@/]|relay\/src\/verifier\//.test(i))).toEqual([]);
  expect(b.inputs.some((i) => i.endsWith('relay/src/card-side.ts'))).toBe(true);
});
