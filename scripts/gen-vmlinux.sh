#!/bin/sh
# Regenerate the checked-in vmlinux.h for this machine's architecture from the
# running kernel's BTF. The build itself never reads the running kernel.
set -eu
case "$(uname -m)" in
  x86_64) arch=x86 ;;
  aarch64) arch=arm64 ;;
  *) echo "gen-vmlinux: unsupported arch $(uname -m)" >&2; exit 2 ;;
esac
btf=${1:-/sys/kernel/btf/vmlinux}
out="$(dirname "$0")/../vmlinux/$arch/vmlinux.h"
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from $btf ($(uname -r))"
