#!/bin/sh
# The in-guest half of the sysfunc benchmark (scripts/bench_func.py runs it
# through scripts/qemu-lane.sh; busybox sh, no python in the guest). Prints
# one "sample ..." line per measurement, and "info ..." lines; the host
# script makes the table.
#
#   bench_func_guest.sh BUILD ROUNDS ATTACH_ROUNDS CALLS [bpftrace]
#
# CALLS 0: sized so that the bare loop takes ~0.3 s. Each round runs every
# configuration once, in an order rotated by the round: the read loop on CPU
# 1, the tools on CPU 0. Every process started here is stopped by its PID.
set -u
build=$1 rounds=$2 attach_rounds=$3 calls=$4 with_bpftrace=${5:-}
bench=$build/bench
tmp=/tmp/bench_func
mkdir -p "$tmp"
FUNCLATENCY=/usr/sbin/funclatency
# bpftrace prints this line once every probe is attached (after its
# "Attaching N probes..."): its own test suite's signal.
export __BPFTRACE_NOTIFY_PROBES_ATTACHED=1

# wait_for FILE PATTERN PID: until FILE holds PATTERN; 1 if PID died first.
wait_for() {
  while ! grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { grep -q "$2" "$1" 2>/dev/null; return; }
    usleep 20000
  done
}

# loop_sample ROUND KEY [TOOL ARGS...]: the read loop waits for SIGUSR1;
# the tool (its "PID" word replaced by the loop's) is started and, once it
# says "Tracing", the loop runs; then the tool is stopped with SIGINT.
loop_sample() {
  round=$1 key=$2
  shift 2
  rm -f "$tmp/loop.out" "$tmp/ready" "$tmp/tool.sum" "$tmp/$key.log"
  "$bench/bench_read_loop" -c 1 -s "$calls" > "$tmp/loop.out" 2>&1 &
  wl=$!
  wait_for "$tmp/loop.out" waiting "$wl" || { echo "sample round=$round row=$key error=loop"; wait "$wl"; return; }
  helper=""
  if [ $# -gt 0 ]; then
    argv=""
    for w in "$@"; do [ "$w" = PID ] && w=$wl; argv="$argv $w"; done
    # shellcheck disable=SC2086
    taskset -c 0 "$bench/bench_ready_time" -t 600 -o "$tmp/$key.log" -f "$tmp/ready" Tracing -- $argv > "$tmp/tool.sum" &
    helper=$!
    if ! wait_for "$tmp/ready" ready_ms "$helper"; then
      echo "sample round=$round row=$key error=no_ready $(tail -n 1 "$tmp/$key.log" | tr -c '[:print:]\n' ' ')"
      kill "$wl"; wait "$wl"; wait "$helper"
      return
    fi
  fi
  kill -USR1 "$wl"
  wait "$wl"
  if [ -n "$helper" ]; then
    kill -INT "$helper"
    wait "$helper"
  fi
  mode=$(sed -n 's/.*Tracing [0-9]* kernel functions* (\([^)]*\)).*/\1/p' "$tmp/$key.log" 2>/dev/null | head -n 1)
  echo "sample round=$round row=$key $(grep ns_per_call "$tmp/loop.out") $(cat "$tmp/tool.sum" 2>/dev/null)" \
    "${mode:+mode=$mode}"
}

# attach_sample ROUND KEY PATTERN TOOL ARGS...: time to PATTERN in the
# tool's output, its peak RSS, then SIGINT.
attach_sample() {
  round=$1 key=$2 pattern=$3
  shift 3
  rm -f "$tmp/ready" "$tmp/tool.sum"
  taskset -c 0 "$bench/bench_ready_time" -t 600 -o "$tmp/$key.log" -f "$tmp/ready" "$pattern" -- "$@" > "$tmp/tool.sum" &
  helper=$!
  wait_for "$tmp/ready" ready_ms "$helper"
  kill -INT "$helper" 2>/dev/null
  wait "$helper"
  probes=$(grep -o 'Attaching [0-9]* probes\|Tracing [0-9]* kernel' "$tmp/$key.log" | head -n 1 | tr -dc 0-9)
  mode=$(sed -n 's/.*Tracing [0-9]* kernel functions* (\([^)]*\)).*/\1/p' "$tmp/$key.log" | head -n 1)
  echo "sample round=$round row=$key $(cat "$tmp/tool.sum") ${probes:+probes=$probes} ${mode:+mode=$mode}"
}

echo "info kernel=$(uname -r) cpus=$(nproc) boot_s=$(cut -d' ' -f1 /proc/uptime) initramfs_mb=$(du -sm / 2>/dev/null | tail -n 1 | cut -f1)"
if [ "$calls" = 0 ]; then
  ns=$("$bench/bench_read_loop" -c 1 20000 | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p')
  calls=$(awk -v ns="$ns" 'BEGIN { c = int(0.3e9 / ns / 10000) * 10000; if (c < 10000) c = 10000; print c }')
  echo "info calibrate_ns=$ns calls=$calls"
fi
# How many functions each attach row covers, as the tools see them.
echo "info vfs_functions=$(grep -c '^vfs_' /sys/kernel/tracing/available_filter_functions)"

sysfunc=$build/sysfunc
set -- floor sysfunc sysfunc_kprobe sysfunc_fentry funclatency
n=$#
r=1
while [ "$r" -le "$rounds" ]; do
  i=0
  while [ "$i" -lt "$n" ]; do
    k=$(( (i + r - 1) % n + 1 ))
    eval "key=\${$k}"
    case $key in
      floor) loop_sample "$r" floor ;;
      sysfunc) loop_sample "$r" sysfunc "$sysfunc" vfs_read -p PID ;;
      sysfunc_kprobe) loop_sample "$r" sysfunc_kprobe "$sysfunc" --attach kprobe vfs_read -p PID ;;
      sysfunc_fentry) loop_sample "$r" sysfunc_fentry "$sysfunc" --fentry vfs_read -p PID ;;
      funclatency) loop_sample "$r" funclatency "$FUNCLATENCY" -p PID vfs_read ;;
    esac
    i=$((i + 1))
  done
  r=$((r + 1))
done

set -- sysfunc_vfs sysfunc_vfs_kprobe
[ -n "$with_bpftrace" ] && set -- "$@" bpftrace_vfs
n=$#
r=1
while [ "$r" -le "$attach_rounds" ]; do
  i=0
  while [ "$i" -lt "$n" ]; do
    k=$(( (i + r - 1) % n + 1 ))
    eval "key=\${$k}"
    case $key in
      sysfunc_vfs) attach_sample "$r" sysfunc_vfs Tracing "$sysfunc" 'vfs_*' ;;
      sysfunc_vfs_kprobe) attach_sample "$r" sysfunc_vfs_kprobe Tracing "$sysfunc" --attach kprobe 'vfs_*' ;;
      bpftrace_vfs) attach_sample "$r" bpftrace_vfs __BPFTRACE_NOTIFY_PROBES_ATTACHED \
                      bpftrace -e 'kprobe:vfs_* { @[probe] = count(); }' ;;
    esac
    i=$((i + 1))
  done
  r=$((r + 1))
done
echo "info done guest_s=$(cut -d' ' -f1 /proc/uptime) load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
