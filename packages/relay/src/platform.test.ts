/**
 * The card side runs in browsers and React Native: its modules import only the platform-neutral SDK entries, zod
 * and each other — no Node built-in, no ws (dependency-cruiser cannot see into node_modules: checked here), nothing
 * of the verifier side. scripts/check-deps.mjs enforces the built-in rule too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

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
