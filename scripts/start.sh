#!/usr/bin/env bash
# The main job: set the machine up, then run the kiosk agent on http://127.0.0.1:31500 with the demo pages and, beside
# it on its own loopback port, the demo backend (@cccd/server, in memory) that issues the pages' tickets and verifies
# their results (docs/demo.md). It uses the PC/SC readers attached to this machine and falls back to a simulated CCCD
# while no reader is attached. Stop it with Ctrl+C. Extra arguments go to `cccd agent` (e.g. --port 31600,
# --config FILE, --simulate).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CCCD_AGENT_SIMULATE_WHEN_NO_READER="${CCCD_AGENT_SIMULATE_WHEN_NO_READER:-true}"
export CCCD_AGENT_DEMO="${CCCD_AGENT_DEMO:-true}"
exec node packages/cli/dist/main.js agent --demo-backend "$@"
