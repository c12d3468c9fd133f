#!/bin/sh
# The Debian package, as a user gets it (ctest -L privileged; issue #25):
# builds it (scripts/package.sh), installs it with apt into a fresh Debian 12
# root made by mmdebstrap from Debian's archive, and checks there, as root
# with root's PATH:
#   syscount -d 1 counts; man -w syscount finds our page, and every option
#   of each tool's --help is in its man page; bash completion answers;
#   with libbpf-tools installed after us, and before us: `syscount` is ours,
#   libbpf-tools' is /usr/sbin/syscount-libbpf; every name we install is ours
#   alone; purging syslat gives libbpf-tools its /usr/sbin/syscount back and
#   leaves nothing of ours;
# then boots the same root with systemd as PID 1 (systemd-nspawn -b) and runs
# the syslatd unit there: enable --now, /metrics, restart, stop, disable,
# purge (in_systemd.sh); and systemd-analyze verify on the packaged unit.
# Every command and its output is printed (the transcript). Exit 77 (skipped)
# when not root or without mmdebstrap.
#   tests/package/test_package.sh BUILD_DIR
# The root is a tarball scripts/setup.sh made (scripts/make-test-root.sh).
set -eu
build=$(cd "${1:?usage: test_package.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "SLT_SKIPPED: not root"; exit 77; fi
if ! command -v mmdebstrap >/dev/null 2>&1; then
  echo "SLT_SKIPPED: mmdebstrap missing (scripts/setup.sh installs it)"; exit 77
fi

fail() { echo "FAILED: $*" >&2; exit 1; }
t0=$(date +%s)

# 1. The package.
"$src/scripts/package.sh" --out "$build/deb"
t1=$(date +%s)
deb=$(ls "$build"/deb/syslat_*_"$(dpkg --print-architecture)".deb)

# 2. A fresh Debian 12 root, made by scripts/make-test-root.sh (setup.sh
# runs it: nothing is downloaded at test time).
cache=${SYSLAT_ROOT_CACHE:-/var/cache/syslat/debian12-root}
tarball=$(ls -t "$cache"/bookworm-systemd-*.tar 2>/dev/null | head -n 1 || true)
[ -n "$tarball" ] && [ -s "$tarball" ] ||
  fail "no Debian 12 root in $cache: run scripts/setup.sh (it makes one with scripts/make-test-root.sh)"
work=$(mktemp -d /var/tmp/syslat-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$root"
tar -xf "$tarball" -C "$root"
cp "$deb" "$root/tmp/"
t2=$(date +%s)

# 3. The checks (in_root.sh), in a mount namespace of their own (its /proc,
# and /sys with BTF and tracefs, and /dev go away with it).
cp "$src/tests/package/in_root.sh" "$root/tmp/"
unshare --mount --propagation private sh -eu -c '
root=$1
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 SYSLAT_DEB="$2" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash /tmp/in_root.sh
' sh "$root" "/tmp/${deb##*/}"
t3=$(date +%s)

# 4. The unit as the package installs it, by systemd's own checker, on this
# machine: its ExecStart pointed at the package's binary (unpacked into the
# root), its Documentation= at the package's man pages.
if command -v systemd-analyze >/dev/null 2>&1; then
  dpkg-deb -x "$deb" "$work/pkg"
  mkdir -p "$work/unit"
  sed "s|^ExecStart=/usr/bin/syslatd|ExecStart=$work/pkg/usr/bin/syslatd|" \
    "$work/pkg/lib/systemd/system/syslatd.service" > "$work/unit/syslatd.service"
  echo "+ systemd-analyze verify syslatd.service"
  out=$(MANPATH=$work/pkg/usr/share/man systemd-analyze verify "$work/unit/syslatd.service" 2>&1) ||
    { echo "$out"; fail "systemd-analyze verify"; }
  [ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify: warnings"; }
  echo "systemd-analyze verify: clean"
fi
# 5. The unit under real systemd: the same root booted with systemd as PID 1
# (systemd-nspawn -b, with the capabilities BPF needs, and bpf() and
# perf_event_open() let through its seccomp filter), in_systemd.sh run in it
# through nsenter: enable --now, /metrics, restart, stop, disable, purge.
t4=$(date +%s)
if command -v systemd-nspawn >/dev/null 2>&1; then
  cp "$deb" "$root/root/"   # the container's /tmp is its own
  cp "$src/tests/package/in_systemd.sh" "$root/root/"
  timeout 300 systemd-nspawn -q -D "$root" -b -M "syslat-pkg-$$" --register=no --keep-unit \
    --capability=CAP_BPF,CAP_PERFMON,CAP_SYS_ADMIN --system-call-filter="bpf perf_event_open" \
    --console=passive </dev/null >"$work/nspawn.log" 2>&1 &
  nspawn=$!
  init=
  for _ in $(seq 100); do
    # timeout -> systemd-nspawn -> systemd (the container's PID 1)
    init=$(pgrep -P "$(pgrep -P "$nspawn" -x systemd-nspawn || echo 0)" -x systemd || true)
    [ -n "$init" ] && nsenter -t "$init" -a systemctl is-system-running --wait >/dev/null 2>&1 && break
    [ -n "$init" ] && [ "$(nsenter -t "$init" -a systemctl is-system-running 2>/dev/null)" = degraded ] && break
    sleep 0.3
  done
  if [ -z "$init" ]; then
    kill "$nspawn" 2>/dev/null || true
    cat "$work/nspawn.log"
    fail "systemd-nspawn -b did not boot the root"
  fi
  echo "=== booted with systemd-nspawn -b (PID 1 of the container: $init on the host)"
  status=0
  nsenter -t "$init" -a /usr/bin/env -i SYSLAT_DEB_NAME="${deb##*/}" \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash /root/in_systemd.sh || status=$?
  kill -TERM "$nspawn" 2>/dev/null || true   # timeout passes it on; nspawn halts the container
  wait "$nspawn" 2>/dev/null || true
  [ "$status" -eq 0 ] || fail "the unit under systemd (in_systemd.sh)"
fi
t5=$(date +%s)
echo "package built in $((t1 - t0)) s, root ready in $((t2 - t1)) s, chroot checks $((t3 - t2)) s, under systemd $((t5 - t4)) s"
echo "PASSED"
