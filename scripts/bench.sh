#!/usr/bin/env bash
# syslat overhead benchmark (docs/performance.md).
#
#   scripts/bench.sh [--build DIR] [--rounds N] [--quick] [--json] [--only KEYS] [--list] ...
#   scripts/bench.sh --func [scripts/bench_func.py's options]
#
# --func (first): the sysfunc benchmark instead, in one qemu boot of
# Debian's kernel (scripts/bench_func.py; opt-in: several minutes under TCG).
#
# Needs root (BPF, perf, ptrace). Mounts tracefs if it is missing (classic
# tracepoints, libbpf-tools and perf trace need it), builds the benchmark
# targets in DIR if they are not there, then runs scripts/bench_overhead.py,
# which does the measuring. All options are passed through; --help lists them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} == --func ]]; then
  shift
  exec python3 "$here/bench_func.py" "$@"
fi
build=build
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --build) build=${args[i + 1]:-build} ;;
    --build=*) build=${args[i]#--build=} ;;
    -h|--help|--list|--from-json|--from-json=*) exec python3 "$here/bench_overhead.py" "$@" ;;
  esac
done

die() { echo "bench.sh: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root (BPF programs, perf trace, strace)"
[[ -d $build ]] || die "no build dir '$build' (configure with: cmake -S . -B $build -G Ninja)"

if [[ ! -e /sys/kernel/tracing/events ]]; then
  mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs on /sys/kernel/tracing"
fi

targets=(bench_getppid_loop bench_pipe_mix bench_path_block bench_floor_loader)
for t in "${targets[@]}"; do
  if [[ ! -x $build/bench/$t ]]; then
    echo "bench.sh: building ${targets[*]} in $build" >&2
    cmake --build "$build" --target "${targets[@]}" >&2 || die "cannot build the benchmark targets"
    break
  fi
done

exec python3 "$here/bench_overhead.py" "$@"
