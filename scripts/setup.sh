#!/usr/bin/env bash
# Brings a fresh Debian machine to ready: apt packages, pnpm, a frozen install, a build. Idempotent and quick when
# everything is already there. Needs root (or sudo) only when an apt package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9 # must equal package.json "packageManager" exactly
APT_PACKAGES=(pcscd libpcsclite-dev pcsc-tools vsmartcard-vpcd libusb-1.0-0 chromium fonts-liberation openssl build-essential python3 redis-server)

fail() { echo "setup: $*" >&2; exit 1; }
say() { [ -n "${SETUP_QUIET:-}" ] || echo "setup: $*" >&2; }

command -v node >/dev/null || fail "Node.js 20 is required (apt-get install nodejs, or the machine's own Node)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js >= 20.19 is required, found $(node --version)"

# 1. System packages.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "missing apt packages (${missing[*]}) and not root: install them as root"
    sudo="sudo"
  fi
  say "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || fail "apt-get update failed"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install failed for: ${missing[*]}"
fi

# 2. pnpm, pinned (corepack cannot verify signatures on this registry, so npm installs it).
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null || fail "npm install -g pnpm@$PNPM_VERSION failed"
  hash -r
  [ "$(pnpm --version 2>/dev/null || true)" = "$PNPM_VERSION" ] || fail "pnpm $PNPM_VERSION is not on PATH after install"
fi

# 3. Dependencies. Native addons build against the Node headers in /usr/include/node: never download them.
export npm_config_nodedir=/usr
stamp=node_modules/.setup-stamp
want="$(cat pnpm-lock.yaml package.json pnpm-workspace.yaml */package.json packages/*/package.json 2>/dev/null | sha256sum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing dependencies (frozen lockfile)"
  CI=true pnpm install --frozen-lockfile --reporter=silent || fail "pnpm install --frozen-lockfile failed"
  echo "$want" > "$stamp"
fi

# 4. Build (incremental: a no-op when nothing changed).
pnpm exec tsc -b || fail "TypeScript build failed"
