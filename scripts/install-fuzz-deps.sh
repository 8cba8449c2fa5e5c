#!/usr/bin/env bash
# Installs what `make fuzz` needs on top of scripts/install-deps.sh: clang 14 and its runtime
# libraries (libclang-rt-14-dev holds libFuzzer and the ASan/UBSan runtimes for clang), and
# llvm-symbolizer (llvm-14) so that sanitizer reports name functions and lines.
# `make test` never needs these: it replays the corpus with the GCC build.
# Only the missing packages; run as root. Prints nothing when everything is present.
set -euo pipefail

packages=(clang-14 libclang-rt-14-dev llvm-14)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-fuzz-deps: missing packages: ${missing[*]}" >&2
    echo "install-fuzz-deps: run as root (or install them) and try again" >&2
    exit 1
  fi
  echo "install-fuzz-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
