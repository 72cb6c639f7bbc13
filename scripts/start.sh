#!/usr/bin/env bash
# The main job: set the machine up, then run the product. Today that is the `cccd demo` command (a simulated CCCD read
# end to end by the SDK); once the kiosk agent lands (step 6) it becomes the agent serving a simulated reader.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node packages/cli/dist/main.js demo "$@"
