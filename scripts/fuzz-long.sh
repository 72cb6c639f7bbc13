#!/usr/bin/env bash
# Long fuzzing mode: every fast-check property in the repository with FUZZ_LONG=1, i.e. at least 10^5 cases per
# parser property (packages/emrtd/src/testing/fuzz-runs.ts; whole-pipeline properties use their own long count).
# Writes artifacts/fuzz-long/counts.jsonl (one line per property: file, normal and long run count),
# artifacts/fuzz-long/vitest.json (outcome per test) and a summary line. Optional: FUZZ_TIME_CAP (seconds, default
# 1800), FUZZ_WORKERS (default 1). Exit status is vitest's (124 when the time cap was hit).
set -uo pipefail
cd "$(dirname "$0")/.."

out=artifacts/fuzz-long
mkdir -p "$out"
rm -f "$out/counts.jsonl" "$out/vitest.json"
mapfile -t files < <(grep -rlE "fc\.assert" --include='*.test.ts' packages simulator kiosk-agent 2>/dev/null | grep -v node_modules | grep -v '\.pcsc\.test\.ts$' | sort)
echo "fuzz-long: ${#files[@]} files, FUZZ_LONG=1, cap ${FUZZ_TIME_CAP:-1800} s"
start=$(date +%s)
FUZZ_LONG=1 FUZZ_LOG="$PWD/$out/counts.jsonl" NO_COLOR=1 timeout "${FUZZ_TIME_CAP:-1800}" \
  pnpm exec vitest run --project unit --testTimeout=0 --hookTimeout=0 --maxWorkers="${FUZZ_WORKERS:-1}" \
  --reporter=default --reporter=json --outputFile.json="$out/vitest.json" "${files[@]}"
rc=$?
echo "fuzz-long: exit $rc after $(( $(date +%s) - start )) s"
if [ -f "$out/counts.jsonl" ]; then
  node -e '
    const fs = require("node:fs");
    const rows = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const total = rows.reduce((s, r) => s + r.runs, 0);
    console.log(`fuzz-long: ${rows.length} fast-check properties, ${total} cases, min ${Math.min(...rows.map((r) => r.runs))} per property`);
  ' "$out/counts.jsonl"
fi
exit $rc
