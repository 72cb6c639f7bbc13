#!/usr/bin/env bash
# `pnpm bench`: the benchmark programs (bench/*.run.ts, run by vitest: the repo has no other TypeScript runner).
# Results: stdout, artifacts/bench.json, artifacts/soak.json, artifacts/agent-soak.json, and the generated block of
# docs/performance.md.
# Knobs: SOAK_SECONDS (default 120, for the in-process and the agent soak; 0 skips both), AGENT_SOAK_SECONDS,
# BENCH_CPU_ITERATIONS, BENCH_PA_ITERATIONS, BENCH_OPENSSL_ITERATIONS, BENCH_WRITE_DOC=0,
# BENCH_ONLY=agent-soak (the agent soak alone, merged into the previous run's results).
# Every knob: bench/all.run.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

export SOAK_SECONDS="${SOAK_SECONDS:-120}"
if [ -n "${BENCH_ONLY:-}" ]; then
  export BENCH_COMMAND="${BENCH_COMMAND:-BENCH_ONLY=${BENCH_ONLY} ${AGENT_SOAK_SECONDS:+AGENT_SOAK_SECONDS=${AGENT_SOAK_SECONDS} }SOAK_SECONDS=${SOAK_SECONDS} pnpm bench}"
fi
export BENCH_COMMAND="${BENCH_COMMAND:-pnpm bench (SOAK_SECONDS=${SOAK_SECONDS})}"

echo "== benchmarks (bench/*.run.ts)"
NO_COLOR=1 pnpm exec vitest run --config bench/vitest.config.ts --reporter=dot

