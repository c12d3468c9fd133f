#!/bin/sh
# Resident memory of syscount in its three main modes (docs/performance.md,
# "Memory"): each runs system-wide for 5 s while a mixed workload (ls -R,
# python3 start-ups) runs; VmRSS is read after 4.5 s, VmHWM is the peak.
#   scripts/rss.sh [BUILD_DIR]
set -eu
build=${1:-build}
[ "$(id -u)" -eq 0 ] || { echo "rss.sh: needs root (BPF)" >&2; exit 1; }
( i=0; while [ $i -lt 40 ]; do ls -R /usr/include >/dev/null; python3 -c 'import os; os.listdir("/")'; sleep 0.1; i=$((i + 1)); done ) &
load=$!
for opts in "" "-L" "-L -P"; do
  # shellcheck disable=SC2086
  "$build/syscount" $opts -i 1 -d 5 >/dev/null 2>&1 &
  pid=$!
  sleep 4.5
  printf 'syscount %-6s %s\n' "$opts" "$(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
  wait $pid
done
kill $load 2>/dev/null || true
wait 2>/dev/null || true
