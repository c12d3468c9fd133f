#!/usr/bin/env bash
# Fuzzes the parsers of user input (docs/cli.md): builds the libFuzzer targets in
# tests/fuzz with clang (ASan + UBSan) in a separate build directory and runs
# each for SECONDS (default 20). Exits non-zero on the first finding; the
# crashing input is left in <build>/artifacts/.
#
#   scripts/fuzz.sh [SECONDS]
#   SYSLAT_FUZZ_BUILD_DIR=/path scripts/fuzz.sh 60
set -euo pipefail

seconds=${1:-20}
if ! [[ $seconds =~ ^[0-9]+$ ]] || (( seconds == 0 )); then
  echo "usage: $0 [SECONDS]   (a positive whole number of seconds per fuzzer)" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SYSLAT_FUZZ_BUILD_DIR:-$root/build-fuzz}  # per checkout: a CMake cache belongs to one source tree
fuzzers=(fuzz_duration fuzz_seconds fuzz_syscall_list fuzz_errno fuzz_threshold fuzz_trace_expr
         fuzz_options fuzz_trace_options fuzz_http fuzz_decode fuzz_func_match)

cmake -S "$root/tests/fuzz" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzzers

mkdir -p "$build/artifacts"
for fuzzer in "${fuzzers[@]}"; do
  corpus="$build/corpus/$fuzzer"  # grows across runs; the seeds stay read-only
  mkdir -p "$corpus"
  echo "== $fuzzer: ${seconds}s"
  # The fuzzer's own status: `|| true` after the pipeline would replace it
  # (with pipefail, the pipeline fails with the fuzzer, the filter never does).
  status=0
  "$build/fuzz/$fuzzer" \
    -max_total_time="$seconds" \
    -dict="$root/tests/fuzz/$fuzzer.dict" \
    -artifact_prefix="$build/artifacts/$fuzzer-" \
    -print_final_stats=1 \
    "$corpus" "$root/tests/fuzz/corpus/$fuzzer" 2>&1 |
    { grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*(ERROR|WARNING|runtime error|deadly signal))' || true; } ||
    status=$?
  if (( status != 0 )); then
    echo "$fuzzer: FINDING (exit $status); input in $build/artifacts/" >&2
    exit 1
  fi
done
echo "fuzz: ${#fuzzers[@]} fuzzers ran ${seconds}s each without findings"
