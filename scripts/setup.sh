#!/bin/sh
# Installs everything syslat needs to build, test and benchmark on Debian 12,
# as root on a minimal system (no sudo, no compilers preinstalled).
#   scripts/setup.sh           the packages
#   scripts/setup.sh --arm64   also the inputs of scripts/check-arm64.sh --load (CI)
#   scripts/setup.sh --more-kernels   also bookworm-backports' and bullseye's
#                              amd64 kernels for scripts/qemu-lane.sh --kernel
# Always: Debian's own amd64 kernel .deb for scripts/qemu-lane.sh (ctest -L qemu).
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config \
  clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev libdw-dev zlib1g-dev linux-libc-dev \
  libfmt-dev nlohmann-json3-dev catch2 libncurses-dev libcpp-httplib-dev prometheus \
  gcc-multilib strace libbpf-tools linux-perf python3 procps util-linux dash xz-utils tmux stress-ng \
  redis-server redis-tools qemu-system-x86 busybox-static cpio bpftrace \
  libprotobuf-dev protobuf-compiler golang-github-google-pprof-dev chromium \
  dpkg-dev debhelper fakeroot help2man lintian mmdebstrap man-db bash-completion systemd-container \
  >/dev/null
# speedscope (tests/speedscope_check.py opens our stack profiles in it) is an
# npm package: node and npm from Debian (a machine whose nodejs comes with its
# own npm keeps it: Debian's npm would conflict), speedscope installed once
# into $SYSLAT_NPM_CACHE, outside the tree, at the version pinned here.
if ! command -v npm >/dev/null 2>&1; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm_cache=${SYSLAT_NPM_CACHE:-/var/cache/syslat/npm}
speedscope_version=1.25.0
if [ "$(cat "$npm_cache/node_modules/speedscope/package.json" 2>/dev/null |
        sed -n 's/^ *"version": "\(.*\)",*$/\1/p')" != "$speedscope_version" ]; then
  mkdir -p "$npm_cache"
  npm install --prefix "$npm_cache" --no-audit --no-fund --loglevel=error "speedscope@$speedscope_version" >/dev/null ||
    { echo "setup.sh: installing speedscope $speedscope_version from npm failed" >&2; exit 1; }
fi
# The benchmark's redis workload starts its own redis-server on a free port
# (scripts/bench_redis.py); Debian's service would sit on 6379 and take CPU
# during measurements: stopped, and kept from starting at boot.
if [ -d /run/systemd/system ]; then
  systemctl disable --now redis-server >/dev/null 2>&1 || true
elif [ -x /etc/init.d/redis-server ]; then
  /etc/init.d/redis-server stop >/dev/null 2>&1 || true
  update-rc.d redis-server disable >/dev/null 2>&1 || true
fi
# libbpf-tools and perf trace (the benchmark's peers) need tracefs; syslat does not.
if [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
# tests/package/test_package.sh installs our .deb into a fresh Debian 12 root,
# made here from Debian's archive (cached a day), never at test time.
"$(dirname "$0")/make-test-root.sh"
# scripts/qemu-lane.sh boots Debian's stock amd64 kernel under qemu (TCG),
# for the tests this machine's kernel cannot run (ctest -L qemu). The .deb of
# the kernel linux-image-amd64 depends on now is downloaded here, never by the
# build, into $SYSLAT_AMD64_CACHE; it replaces older ones there.
amd64_cache=${SYSLAT_AMD64_CACHE:-/var/cache/syslat/amd64}
amd64_kernel=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
[ -n "$amd64_kernel" ] || { echo "setup.sh: apt knows no linux-image-amd64" >&2; exit 1; }
amd64_version=$(apt-cache policy "$amd64_kernel" | awk '/Candidate:/ {print $2}')
if [ ! -s "$amd64_cache/${amd64_kernel}_${amd64_version}_amd64.deb" ]; then
  mkdir -p "$amd64_cache/new"
  rm -f "$amd64_cache/new"/*.deb
  (cd "$amd64_cache/new" && apt-get download -qq "$amd64_kernel" 2>&1 | grep -v unsandboxed || true)
  [ -n "$(ls "$amd64_cache/new/${amd64_kernel}"_*.deb 2>/dev/null)" ] ||
    { echo "setup.sh: downloading $amd64_kernel failed" >&2; exit 1; }
  rm -f "$amd64_cache"/linux-image-*.deb
  mv "$amd64_cache/new"/*.deb "$amd64_cache/"
  rmdir "$amd64_cache/new"
fi
# scripts/check-arm64.sh --load boots Debian's arm64 kernel under qemu (TCG) and
# loads the arm64 BPF objects there. Its inputs are downloaded here, never by the
# build: the current arm64 kernel and the arm64 bpftool (+ libraries) and
# busybox for the initramfs, as .debs in $SYSLAT_ARM64_CACHE.
arm64=false more_kernels=false
for arg in "$@"; do
  case "$arg" in
    --arm64) arm64=true ;;
    --more-kernels) more_kernels=true ;;
    *) echo "setup.sh: unknown option $arg (--arm64, --more-kernels)" >&2; exit 2 ;;
  esac
done
if $arm64; then
  arm64_cache=${SYSLAT_ARM64_CACHE:-/var/cache/syslat/arm64}
  apt-get install -y -qq --no-install-recommends qemu-system-arm cpio >/dev/null
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    apt-get update -qq
  fi
  arm64_kernel=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-/ {print $2; exit}')
  mkdir -p "$arm64_cache"
  rm -f "$arm64_cache"/*.deb
  (cd "$arm64_cache" && apt-get download -qq "${arm64_kernel%:arm64}:arm64" bpftool:arm64 libc6:arm64 \
    libcap2:arm64 libelf1:arm64 zlib1g:arm64 busybox-static:arm64 2>&1 | grep -v unsandboxed || true)
  for pkg in linux-image bpftool libc6 libcap2 libelf1 zlib1g busybox-static; do
    [ -n "$(ls "$arm64_cache/${pkg}"[_-]*.deb 2>/dev/null)" ] ||
      { echo "setup.sh: downloading the arm64 $pkg package failed" >&2; exit 1; }
  done
fi
# Other Debian kernels for the lane (scripts/qemu-lane.sh --kernel 6.12 or
# 5.10), into $SYSLAT_AMD64_CACHE/more: found through an apt configuration of
# their own (its lists in the cache), the system's sources untouched.
# Whatever the archive does not serve is skipped with one line.
if $more_kernels; then
  more=$amd64_cache/more
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "$more/apt/lists/partial"
  {
    echo "deb [arch=amd64 signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main"
    echo "deb [arch=amd64 signed-by=$keyring] http://deb.debian.org/debian-security bullseye-security main"
  } > "$more/apt/sources.list"
  set -- -o Dir::Etc::SourceList="$more/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$more/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  if apt-get "$@" update -qq >/dev/null 2>&1; then
    for suite in bookworm-backports bullseye-security; do
      version=$(apt-cache "$@" madison linux-image-amd64 | awk -v s="$suite/main" '$0 ~ s {print $3; exit}')
      package=$(apt-cache "$@" show "linux-image-amd64=$version" 2>/dev/null |
        sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -n 1)
      if [ -z "$package" ]; then
        echo "setup.sh: $suite serves no linux-image-amd64: skipped"
        continue
      fi
      [ -n "$(ls "$more/${package}"_*.deb 2>/dev/null)" ] && continue
      (cd "$more" && apt-get "$@" download -qq "$package" 2>&1 | grep -v unsandboxed || true)
      if [ -n "$(ls "$more/${package}"_*.deb 2>/dev/null)" ]; then
        # It replaces older kernels of its series (6.12, 5.10).
        for old in "$more/linux-image-${version%.*}"*.deb; do
          case "$old" in "$more/${package}"_*) ;; *) rm -f "$old" ;; esac
        done
      else
        echo "setup.sh: downloading $package ($suite) failed: skipped"
      fi
    done
  else
    echo "setup.sh: the archive's bookworm-backports/bullseye lists are unreachable: other kernels skipped"
  fi
fi
echo "setup.sh: dependencies installed"
