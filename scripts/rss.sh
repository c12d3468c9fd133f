#!/bin/sh
# Resident memory of syscount in its three main modes (docs/performance.md,
# "Memory"): each runs system-wide for 5 s while a mixed workload (ls -R,
# python3 start-ups) runs. Two numbers per mode, from /proc/PID/status after
# 4.5 s: the peak (VmHWM, reached at start-up while libbpf loads the programs
# with the kernel's BTF parsed; SPEC: syscount < 20 MB) and the steady
# resident set (VmRSS, what the run keeps).
#   scripts/rss.sh [BUILD_DIR]
set -eu
build=${1:-build}
[ "$(id -u)" -eq 0 ] || { echo "rss.sh: needs root (BPF)" >&2; exit 1; }
( i=0; while [ $i -lt 40 ]; do ls -R /usr/include >/dev/null; python3 -c 'import os; os.listdir("/")'; sleep 0.1; i=$((i + 1)); done ) &
load=$!
printf '%-16s %14s %16s\n' mode "peak (VmHWM)" "steady (VmRSS)"
for opts in "" "-L" "-L -P"; do
  # shellcheck disable=SC2086
  "$build/syscount" $opts -i 1 -d 5 >/dev/null 2>&1 &
  pid=$!
  sleep 4.5
  hwm=$(awk '$1 == "VmHWM:" { print $2 }' /proc/$pid/status)
  rss=$(awk '$1 == "VmRSS:" { print $2 }' /proc/$pid/status)
  printf '%-16s %11s kB %13s kB\n' "syscount $opts" "$hwm" "$rss"
  wait $pid
done
kill $load 2>/dev/null || true
wait 2>/dev/null || true
