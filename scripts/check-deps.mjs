#!/usr/bin/env node
/**
 * The dependency rules of .dependency-cruiser.cjs over every package (CONTRIBUTING.md, "The layering rule"):
 * no import cycle (type-only imports included), @cccd/emrtd's layers, no Node built-in or transport in the core.
 * Prints one line per package and every violation; exits 1 when there is any.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = [
  'packages/emrtd',
  'packages/pcsc',
  'packages/hid',
  'packages/react-native',
  'packages/client',
  'packages/relay',
  'packages/cli',
  'packages/server',
  'kiosk-agent',
  'simulator',
  'bench',
  'scripts',
];
const SOURCES = ['packages', 'simulator/src', 'kiosk-agent/src', 'kiosk-agent/demo', 'bench', 'scripts'];

const depcruise = join(root, 'node_modules/.bin/depcruise');
const json = execFileSync(depcruise, ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...SOURCES], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
const { summary } = JSON.parse(json);

/** The layer picture of CONTRIBUTING.md as [name, folders] rows: parentheses are comments. */
function documentedLayers() {
  const text = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');
  const section = text.slice(text.indexOf('## The layering rule'));
  const block = section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
  return block
    .split('\n')
    .map((line) => /^\s*\d+ (\S+(?: \S+)*) {2,}(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map(([, name, rest]) => [
      name,
      rest
        .replace(/\([^)]*\)/g, '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ]);
}

const { LAYERS } = createRequire(import.meta.url)('./emrtd-layers.cjs');
const pictureMatches = JSON.stringify(documentedLayers()) === JSON.stringify(LAYERS);
if (!pictureMatches) console.log('FAIL CONTRIBUTING.md: its layer picture differs from scripts/emrtd-layers.cjs');

const packageOf = (path) => PACKAGES.find((p) => path === p || path.startsWith(`${p}/`)) ?? 'other';
const describe = (v) =>
  v.type === 'cycle'
    ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}`
    : `${v.rule.name}: ${v.from} → ${v.to}`;

const byPackage = new Map(PACKAGES.map((p) => [p, []]));
for (const v of summary.violations) {
  const p = packageOf(v.from);
  if (!byPackage.has(p)) byPackage.set(p, []);
  byPackage.get(p).push(v);
}
for (const [p, list] of byPackage) {
  console.log(`${list.length === 0 ? 'ok  ' : 'FAIL'} ${p}: ${list.length} violation${list.length === 1 ? '' : 's'}`);
  for (const v of list) console.log(`       ${describe(v)}`);
}
console.log(`${summary.totalCruised} modules, ${summary.totalDependenciesCruised} imports checked`);
process.exit(summary.violations.length === 0 && pictureMatches ? 0 : 1);
