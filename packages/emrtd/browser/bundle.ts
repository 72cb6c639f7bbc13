/**
 * esbuild for the browser: the published entry points of @cccd/emrtd (from package.json `exports`, mapped to their
 * sources) and what a bundle pulls in that a browser does not have. Test and benchmark code only.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
/**
 * Node's own globals: a free reference to one compiles for the browser and fails only when it runs. (`require`,
 * `module` and `exports` are left out: esbuild resolves `require()` calls like imports, and a CommonJS dependency
 * gets them from its wrapper.)
 */
export const NODE_GLOBALS = [
  'process',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
  'setImmediate',
  'clearImmediate',
] as const;
const MARKER = '__cccdNodeGlobal_';

/** `./dist/x/y.js` (package.json exports) → `<package>/src/x/y.ts`. */
export function sourceOf(distPath: string): string {
  const m = /^\.\/dist\/(.+)\.js$/.exec(distPath);
  if (!m) throw new Error(`not a dist entry: ${distPath}`);
  return `${PACKAGE}src/${m[1]}.ts`;
}

/** Every published subpath of @cccd/emrtd with its source file; `./node` reads trust files from disk by design. */
export function publishedEntries(): { subpath: string; source: string }[] {
  const pkg = JSON.parse(readFileSync(`${PACKAGE}package.json`, 'utf8')) as {
    exports: Record<string, { default: string }>;
  };
  return Object.entries(pkg.exports).map(([subpath, target]) => ({ subpath, source: sourceOf(target.default) }));
}

/** The SDK's sources, so a bundle of test code that imports '@cccd/emrtd' gets the code under test. */
export const SOURCE_ALIASES: Record<string, string> = {
  '@cccd/emrtd': sourceOf('./dist/index.js'),
  '@cccd/emrtd/codec': sourceOf('./dist/entries/codec.js'),
};

const builtin = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** A module name that is a Node built-in (`node:fs`, `fs`, `fs/promises`, `node:test`). */
export const isNodeBuiltin = (name: string) => name.startsWith('node:') || builtin.has(name);

export interface BrowserBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
  /** Inputs of the metafile (files bundled), paths relative to the working directory. */
  inputs: string[];
  /** Imports left in the output (externals): none for a self-contained browser bundle. */
  externalImports: string[];
  /** Node built-ins the sources import (resolved or not). */
  nodeImports: string[];
  /** Free references to Node globals (NODE_GLOBALS) left in the output. */
  nodeGlobals: string[];
}

/**
 * Bundles `entry` for `--platform=browser`, minified. A Node built-in is marked external rather than failing the
 * build, so the caller sees every one (a browser cannot load any of them); Node globals are renamed by `define`
 * (which replaces only free references) and counted in the output.
 */
export async function bundleForBrowser(entry: string, options: BuildOptions = {}): Promise<BrowserBundle> {
  const nodeImports = new Set<string>();
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${MARKER}${g}`])),
    plugins: [
      {
        name: 'report-node-builtins',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (!isNodeBuiltin(args.path)) return undefined;
            nodeImports.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
    ...options,
  });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild wrote no output for ${entry}`);
  const metafile = result.metafile as Metafile;
  const outputs = Object.values(metafile.outputs);
  return {
    code: file.text,
    bytes: file.contents.length,
    gzipBytes: gzipSync(file.contents).length,
    inputs: Object.keys(metafile.inputs),
    externalImports: outputs.flatMap((o) => o.imports.map((i) => i.path)),
    nodeImports: [...nodeImports].sort(),
    nodeGlobals: [...new Set([...file.text.matchAll(new RegExp(`${MARKER}(\\w+)`, 'g'))].map((m) => m[1]!))].sort(),
  };
}
