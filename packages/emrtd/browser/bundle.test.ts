/**
 * `esbuild --bundle --platform=browser` of every published entry point of @cccd/emrtd (issue 16): it builds, and
 * nothing in it needs Node — no built-in imported (`node:crypto`, `fs`, …), no Node global referenced. `./node`
 * (trust files from disk) is the one entry allowed to, and is bundled too, as the check's negative control.
 * The sizes are printed for docs/platforms.md and bounded so that a heavy new dependency is noticed.
 */
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, isNodeBuiltin, publishedEntries } from './bundle.js';

/** Minified, not gzipped. The root entry was ~204 KB when this test was written (noble curves, hashes, ciphers). */
const MAX_BYTES = 320 * 1024;
/** The optional JPEG 2000 subpath carries OpenJPEG compiled to JavaScript (~516 KB minified when written). */
const MAX_JPEG2000_BYTES = 700 * 1024;
const DECODER = '@cornerstonejs/codec-openjpeg/decode';
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

describe('@cccd/emrtd bundles for the browser', () => {
  const entries = publishedEntries();

  it('the published entry points are the ones this test knows', () => {
    expect(entries.map((e) => e.subpath)).toEqual(['.', './codec', './node', './diagnose', './jpeg2000']);
  });

  const ownCodeOnly = (e: { subpath: string }) => e.subpath !== './node' && e.subpath !== './jpeg2000';
  for (const { subpath, source } of entries.filter(ownCodeOnly))
    it(`${subpath}: no Node built-in, no Node global, self-contained`, async () => {
      const b = await bundleForBrowser(source);
      expect(b.nodeImports).toEqual([]);
      expect(b.nodeGlobals).toEqual([]);
      expect(b.externalImports).toEqual([]);
      expect(b.inputs.filter((i) => isNodeBuiltin(i) || i.includes('(disabled)'))).toEqual([]);
      expect(b.inputs).toContain(relative(process.cwd(), source));
      expect(b.bytes).toBeLessThan(MAX_BYTES);
      console.log(`@cccd/emrtd${subpath.slice(1)} for the browser: ${kb(b.bytes)} minified, ${kb(b.gzipBytes)} gzip`);
    });

  it('./jpeg2000: our code needs no Node; the decoder names Node only behind its own environment check', async () => {
    const { source } = entries.find((e) => e.subpath === './jpeg2000')!;
    const own = await bundleForBrowser(source, { external: [DECODER] });
    expect(own.nodeImports).toEqual([]);
    expect(own.nodeGlobals).toEqual([]);
    expect(own.externalImports).toEqual([DECODER]);
    // OpenJPEG's Emscripten glue (wasm2js build): `require("fs")`/`require("path")`, `process`, `__dirname`… are
    // reached only when it detects Node. Pinned, so a new reference (or a new Node-only dependency) is noticed.
    const all = await bundleForBrowser(source);
    expect(all.nodeImports).toEqual(['fs', 'path']);
    expect(all.nodeGlobals).toEqual(['__dirname', '__filename', 'global', 'process']);
    expect(all.bytes).toBeLessThan(MAX_JPEG2000_BYTES);
    console.log(`@cccd/emrtd/jpeg2000 for the browser: ${kb(all.bytes)} minified, ${kb(all.gzipBytes)} gzip`);
  });

  it('./node is the one entry that needs Node (the check sees a built-in)', async () => {
    const node = entries.find((e) => e.subpath === './node')!;
    const b = await bundleForBrowser(node.source);
    expect(b.nodeImports).toEqual(['node:fs', 'node:path']);
    expect(b.externalImports).toEqual(['node:fs', 'node:path']);
  });

  it('a Node global in the sources is seen too', async () => {
    const b = await bundleForBrowser('virtual', {
      entryPoints: undefined,
      stdin: { contents: 'export const a = process.env.X ?? Buffer.from("x"); export const b = globalThis.process;' },
    });
    expect(b.nodeGlobals).toEqual(['Buffer', 'process']);
  });
});
