#!/usr/bin/env bash
# Sets up the machine, then runs every check: types, lint, dependency rules, all tests. Ends with one line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

SETUP_QUIET=1 bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

failed_checks=0
echo "== typecheck tests (tsc -p tsconfig.test.json)"
pnpm exec tsc -p tsconfig.test.json || failed_checks=$((failed_checks + 1))

echo "== lint (biome)"
pnpm exec biome check . || failed_checks=$((failed_checks + 1))

echo "== dependency rules (scripts/check-deps.mjs: layers, cycles)"
node scripts/check-deps.mjs || failed_checks=$((failed_checks + 1))

echo "== tests (vitest)"
rm -f .vitest-report.json
NO_COLOR=1 pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest-report.json
rc=$?

node -e '
const fs = require("node:fs");
const checks = Number(process.argv[1]);
let r = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 };
try { r = JSON.parse(fs.readFileSync(".vitest-report.json", "utf8")); } catch { r.numFailedTests = 1; }
const skipped = r.numPendingTests + r.numTodoTests;
// The test typecheck, lint and dependency rules count as checks of their own; a failing one is a failure.
console.log(`${r.numPassedTests + 3 - checks} passed, ${r.numFailedTests + checks} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$failed_checks"
[ "$rc" -eq 0 ] && [ "$failed_checks" -eq 0 ]
