#!/bin/sh
# Installs everything syslat needs to build, test and benchmark on Debian 12,
# as root on a minimal system (no sudo, no compilers preinstalled).
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config \
  clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev \
  libfmt-dev nlohmann-json3-dev catch2 libncurses-dev \
  strace libbpf-tools linux-perf python3 procps util-linux dash xz-utils \
  >/dev/null
# Classic tracepoints, libbpf-tools and perf trace need tracefs (tp_btf does not).
if [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
echo "setup.sh: dependencies installed"
