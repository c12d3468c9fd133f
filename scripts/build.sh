#!/bin/sh
# Configures and builds into ./build (or $1), Release with debug info.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
shift 2>/dev/null || true
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir"
