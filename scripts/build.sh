#!/bin/sh
# Configures and builds into ./build (or $1), Release with debug info;
# further arguments go to cmake's configure step.
set -eu
cd "$(dirname "$0")/.."
dir=build
if [ $# -gt 0 ]; then
  dir=$1
  shift
fi
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir"
