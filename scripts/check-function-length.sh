#!/usr/bin/env bash
# Fails when a function in src/ is longer than the limit (default 80 lines, signature to closing
# brace), naming each one. Lengths come from universal-ctags (its `end:` field), so the check needs
# no build; without ctags it is skipped (exit 77). Functions listed in
# scripts/function-length-exceptions.txt ("path function" per line) are reported, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${1:-80}"
command -v ctags >/dev/null 2>&1 || { echo "ctags not installed: check skipped"; exit 77; }
ctags --version 2>/dev/null | grep -q 'Universal Ctags' || { echo "not universal-ctags: check skipped"; exit 77; }

exceptions="scripts/function-length-exceptions.txt"
ctags -R --languages=C++ --kinds-C++=f --fields=+ne -o - src 2>/dev/null |
  awk -F'\t' -v limit="$limit" -v exceptions="$exceptions" '
    BEGIN {
      while ((getline line < exceptions) > 0)
        if (line !~ /^#/ && line ~ /[^ ]/) { split(line, f, " "); allowed[f[1] " " f[2]] = 1 }
    }
    $1 !~ /^__anon/ {
      start = 0; end = 0
      for (i = 4; i <= NF; i++) {
        if ($i ~ /^line:/) start = substr($i, 6)
        if ($i ~ /^end:/) end = substr($i, 5)
      }
      n = end - start + 1
      if (start == 0 || end == 0 || n <= limit) next
      if (($2 " " $1) in allowed) { printf "known: %s:%d %s is %d lines\n", $2, start, $1, n; next }
      printf "TOO LONG: %s:%d %s is %d lines (limit %d): split it into named steps\n", $2, start, $1, n, limit
      failed = 1
    }
    END { exit failed }'
