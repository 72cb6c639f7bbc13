import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const TESTS = [
  'packages/*/src/**/*.test.ts',
  // The core bundled for and read in a browser (esbuild, headless chromium): test code outside src/.
  'packages/emrtd/browser/*.test.ts',
  'simulator/src/**/*.test.ts',
  'kiosk-agent/src/**/*.test.ts',
  'kiosk-agent/demo/**/*.test.ts',
  'bench/**/*.test.ts',
  // scripts/packaging.test.ts is slow (pnpm pack of every package, npm install of three): see its header.
  'scripts/*.test.ts',
];
const PCSC_TESTS = '**/*.pcsc.test.ts';

// Tests run against the TypeScript sources; `tsc -b` builds dist/ for runtime use.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@cccd\/emrtd$/, replacement: here('./packages/emrtd/src/index.ts') },
      { find: /^@cccd\/emrtd\/codec$/, replacement: here('./packages/emrtd/src/entries/codec.ts') },
      { find: /^@cccd\/emrtd\/node$/, replacement: here('./packages/emrtd/src/trust/node.ts') },
      { find: /^@cccd\/emrtd\/diagnose$/, replacement: here('./packages/emrtd/src/diagnose/index.ts') },
      { find: /^@cccd\/emrtd\/jpeg2000$/, replacement: here('./packages/emrtd/src/entries/jpeg2000.ts') },
      // Tests only: not a published subpath (package.json exports), not in dist/.
      { find: /^@cccd\/emrtd\/testing$/, replacement: here('./packages/emrtd/src/testing/index.ts') },
      { find: /^@cccd\/pcsc$/, replacement: here('./packages/pcsc/src/index.ts') },
      { find: /^@cccd\/hid$/, replacement: here('./packages/hid/src/index.ts') },
      { find: /^@cccd\/react-native$/, replacement: here('./packages/react-native/src/index.ts') },
      { find: /^@cccd\/client$/, replacement: here('./packages/client/src/index.ts') },
      { find: /^@cccd\/relay$/, replacement: here('./packages/relay/src/index.ts') },
      { find: /^@cccd\/relay\/verifier$/, replacement: here('./packages/relay/src/verifier/index.ts') },
      { find: /^@cccd\/server$/, replacement: here('./packages/server/src/index.ts') },
      { find: /^@cccd\/simulator$/, replacement: here('./simulator/src/index.ts') },
      { find: /^@cccd\/kiosk-agent$/, replacement: here('./kiosk-agent/src/index.ts') },
    ],
  },
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: TESTS, exclude: ['**/node_modules/**', PCSC_TESTS] } },
      // Tests that go through the machine's one pcscd and its two vpcd slots run one file at a time. Only this
      // project starts pcscd: a unit-only run (a second terminal, a helper) never starts or stops the daemon
      // under a PC/SC run.
      {
        extends: true,
        test: {
          name: 'pcsc',
          include: [PCSC_TESTS],
          fileParallelism: false,
          globalSetup: ['scripts/vitest.global-setup.ts'],
        },
      },
    ],
  },
});
