#!/usr/bin/env bash
# Installs the Debian 12 packages keyrelay's build and tests need, and the npm packages of tests/sdk,
# tests/browser and tests/openapi: only the missing ones, idempotently.
# Run as root (make run / make test call it first; make cluster adds nginx-light). Prints nothing when everything is present.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config make
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libsqlite3-dev libjwt-dev zlib1g-dev libjemalloc-dev
  # the tests start private PostgreSQL and Redis servers (temp dirs, free ports); the packaged
  # services are never used
  postgresql libpq-dev redis-server libhiredis-dev
  libgtest-dev libgmock-dev python3-jwt python3-cryptography
  openssl     # the TLS tests make their certificates with it (rediss://)
  prometheus  # for promtool, which checks the /metrics scrape; its packaged server is never used
  chromium    # the settings page's browser tests (headless)
  universal-ctags  # the function-length check (scripts/check-function-length.sh)
)
# Extra packages a target needs beyond the tests (make cluster: nginx-light) come as arguments.
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# node and npm run the official-SDK checks (tests/sdk). Any node on PATH will do (a newer one from
# elsewhere is fine); Debian's packages only when there is none.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root (or install them) and try again" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm packages of the SDK checks (tests/sdk), the MCP checks (tests/mcp), the browser tests
# (tests/browser) and the OpenAPI document checks (tests/openapi), exactly as their lockfiles pin
# them: only when node_modules is missing or older than the lockfile.
for dir in sdk mcp browser openapi; do
  pkg_dir="$(cd "$(dirname "$0")/../tests/$dir" && pwd)"
  if [ ! -d "$pkg_dir/node_modules" ] || [ "$pkg_dir/package-lock.json" -nt "$pkg_dir/node_modules" ]; then
    echo "install-deps: npm ci in tests/$dir"
    npm ci --prefix "$pkg_dir" --no-audit --no-fund --loglevel=error
    touch "$pkg_dir/node_modules"  # newer than the lockfile from now on
  fi
done
