import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { EMRTD_VERSION } from './version.js';

it('EMRTD_VERSION is the package version (chip profiles report it)', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(EMRTD_VERSION).toBe(pkg.version);
});
