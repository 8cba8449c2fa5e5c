#!/usr/bin/env bash
# Installs what `make bench` needs beyond the build: wrk (the load generator), an nginx (the
# proxy_pass baseline, and the front of the two-node cluster), PostgreSQL and Redis (the postgres
# and cluster deployments of bench/load.py). Only what is missing; apt-get update runs once, and
# only then. Prints nothing when everything is present. Google Benchmark (libbenchmark-dev) is
# checked too.
#
# Debian's nginx, PostgreSQL and Redis start their own services on install; the benchmark never
# uses them (bench/load.py runs a private nginx, and scripts/cluster.sh a private PostgreSQL and
# Redis, each with its own directory and ports).
set -euo pipefail

missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

command -v wrk >/dev/null 2>&1 || installed wrk || missing+=(wrk)
installed libbenchmark-dev || missing+=(libbenchmark-dev)
# make bench runs scripts/install-deps.sh first, which installs these for the tests; checked here
# too so that this script alone prepares a machine for bench/load.py.
installed postgresql || missing+=(postgresql)
installed redis-server || missing+=(redis-server)
# Any packaged nginx flavour will do; nginx-light is the smallest that has upstream keep-alive.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if apt-cache show nginx-light >/dev/null 2>&1; then missing+=(nginx-light); else missing+=(nginx); fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-bench-deps: missing packages: ${missing[*]}" >&2
  echo "install-bench-deps: run as root (or install them) and try again" >&2
  exit 1
fi

echo "install-bench-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Other worktrees may be installing at the same moment: wait for the dpkg lock instead of failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
