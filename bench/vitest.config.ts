/**
 * Runner for the benchmark programs (`pnpm bench`): vitest is the only TypeScript runner the repo has (no tsx), so
 * each program is a `*.run.ts` file whose single test measures, prints and writes its results. Console output goes
 * straight to the terminal. The smoke tests (`*.test.ts`) run in the normal suite with tiny counts.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('..'),
  resolve: {
    alias: [
      { find: /^@cccd\/emrtd$/, replacement: here('../packages/emrtd/src/index.ts') },
      { find: /^@cccd\/emrtd\/codec$/, replacement: here('../packages/emrtd/src/entries/codec.ts') },
      { find: /^@cccd\/emrtd\/node$/, replacement: here('../packages/emrtd/src/trust/node.ts') },
      { find: /^@cccd\/emrtd\/diagnose$/, replacement: here('../packages/emrtd/src/diagnose/index.ts') },
      { find: /^@cccd\/emrtd\/testing$/, replacement: here('../packages/emrtd/src/testing/index.ts') },
      { find: /^@cccd\/pcsc$/, replacement: here('../packages/pcsc/src/index.ts') },
      { find: /^@cccd\/client$/, replacement: here('../packages/client/src/index.ts') },
      { find: /^@cccd\/relay$/, replacement: here('../packages/relay/src/index.ts') },
      { find: /^@cccd\/relay\/verifier$/, replacement: here('../packages/relay/src/verifier/index.ts') },
      { find: /^@cccd\/simulator$/, replacement: here('../simulator/src/index.ts') },
      { find: /^@cccd\/kiosk-agent$/, replacement: here('../kiosk-agent/src/index.ts') },
    ],
  },
  test: {
    include: [process.env.BENCH_INCLUDE ?? 'bench/**/*.run.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 0,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
  },
});
