/**
 * Debian's Chromium as every browser test launches it (playwright-core drives it; nothing is downloaded): the path,
 * the flags that keep a headless run quiet and offline, and a clear failure when the package is missing.
 * Test and benchmark code only.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Throws when Debian's chromium is not installed (scripts/setup.sh installs it). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
}
