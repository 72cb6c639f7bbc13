/**
 * @cccd/emrtd/jpeg2000 in a real browser: the entry bundled for the browser (esbuild, as packages/emrtd/browser/bundle.test.ts), then
 * run in headless Chromium (Debian's, through playwright-core) on a page whose CSP allows only its own scripts (no
 * `wasm-unsafe-eval`). The simulator's JP2 face must become a PNG the page shows, with no request beyond the page,
 * the bundle and the image: the decoder is plain JavaScript and fetches nothing. And the root entry's bundle must
 * not contain the decoder. Every wait is bounded.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../../browser/bundle.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../../browser/chromium.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DIST = `${ROOT}packages/emrtd/dist/`;
const ORIGIN = 'http://jp2.test';
const FACE = readFileSync(`${ROOT}simulator/profiles/assets/face-240x320.jp2`);

/** The browser bundle of one published entry (esbuild, as bundle.test.ts), and the Node built-ins left external. */
async function bundle(entry: string): Promise<{ code: string; unresolved: string[] }> {
  const b = await bundleForBrowser(`${DIST}${entry}`, { minify: false });
  return { code: b.code, unresolved: b.nodeImports };
}

let browser: Browser | undefined;

beforeAll(async () => {
  requireChromium();
  const tsc = createRequire(`${ROOT}package.json`).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'packages/emrtd'], { cwd: ROOT, timeout: 60_000, stdio: 'pipe' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    args: CHROMIUM_ARGS,
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('@cccd/emrtd/jpeg2000 in Chromium', () => {
  it('the root entry bundle does not contain the decoder', async () => {
    const root = await bundle('index.js');
    expect(root.code).not.toMatch(/J2KDecoder|OpenJPEG/);
    expect(root.unresolved).toEqual([]);
  });

  it('bundles for the browser and turns the JP2 face into a PNG the page shows, fetching nothing else', async () => {
    const { code, unresolved } = await bundle('entries/jpeg2000.js');
    // The Emscripten glue names Node's fs and path behind its Node check; a browser never reaches them.
    expect(unresolved.sort()).toEqual(['fs', 'path']);
    expect(code).toMatch(/OpenJPEG/); // what the root entry's bundle must not contain
    const page = await browser!.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/')
        return route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src blob:">`,
        });
      if (path === '/jpeg2000.js') return route.fulfill({ contentType: 'text/javascript', body: code });
      if (path === '/face.jp2') return route.fulfill({ contentType: 'application/octet-stream', body: FACE });
      return route.fulfill({ status: 404 });
    });
    await page.goto(`${ORIGIN}/`, { timeout: 15_000 });
    // A string, not a function: vitest rewrites import() inside test code, and the page must run its own.
    const shown = await page.evaluate(`(async () => {
      const jpeg2000 = await import('/jpeg2000.js');
      const bytes = new Uint8Array(await (await fetch('/face.jp2')).arrayBuffer());
      const { png, width, height } = await jpeg2000.jpeg2000ToPng(bytes, { source: 'DG2' });
      const img = new Image();
      img.src = URL.createObjectURL(new Blob([png], { type: 'image/png' }));
      await img.decode();
      const error = await jpeg2000.decodeJpeg2000(bytes.subarray(0, 40)).catch((e) => [e.name, e.code]);
      return { width, height, natural: [img.naturalWidth, img.naturalHeight], error };
    })()`);
    expect(shown).toEqual({ width: 240, height: 320, natural: [240, 320], error: ['MalformedData', 'malformed-data'] });
    expect(requests).toEqual(['/', '/jpeg2000.js', '/face.jp2']);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
