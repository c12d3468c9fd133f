#!/bin/sh
# Runs one command as root inside Debian's own amd64 kernel, booted under
# qemu (TCG) with an initramfs that holds the build's tools and tests at the
# same absolute paths as here: for what this machine's kernel cannot show
# (kprobes, fentry), and to check the tools on a stock distribution kernel.
#
#   scripts/qemu-lane.sh [--kernel DEB_OR_VERSION] [--build DIR] [--timeout S] [--with FILE]... -- COMMAND [ARGS...]
#
# --with FILE (repeatable; or $SYSLAT_LANE_WITH, paths separated by spaces)
# adds a host file to the initramfs at its own path, with the libraries ldd
# lists for it: a peer tool (/usr/sbin/funclatency, bpftrace), a script.
# The kernel .debs come from scripts/setup.sh ($SYSLAT_AMD64_CACHE, default
# /var/cache/syslat/amd64; optional ones in its more/); by default the newest
# there, else the one named by path or by the start of its version
# (--kernel 5.10, --kernel 6.1.0-57-amd64). The command's output is printed
# (not the boot's), and its exit status is this script's; 1 with one line
# when the guest does not finish within the timeout (default 300 s).
# The initramfs is cached in DIR/qemu-lane and rebuilt when an input changed.
set -eu
self=$(readlink -f "$0")  # a new version of this script builds a new initramfs
cache=${SYSLAT_AMD64_CACHE:-/var/cache/syslat/amd64}
kernel="" build=$(cd "$(dirname "$0")/.." && pwd)/build timeout_s=300
fail() { echo "qemu-lane: $*" >&2; exit 1; }
usage="usage: scripts/qemu-lane.sh [--kernel DEB_OR_VERSION] [--build DIR] [--timeout S] [--with FILE]... -- COMMAND [ARGS...]"
with=${SYSLAT_LANE_WITH:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) [ $# -ge 2 ] || fail "$usage"; kernel=$2; shift 2 ;;
    --build) [ $# -ge 2 ] || fail "$usage"; build=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || fail "$usage"; timeout_s=$2; shift 2 ;;
    --with) [ $# -ge 2 ] || fail "$usage"; with="$with $2"; shift 2 ;;
    --) shift; break ;;
    *) fail "$usage" ;;
  esac
done
[ $# -gt 0 ] || fail "$usage"
case "$timeout_s" in ''|*[!0-9]*) fail "--timeout: a whole number of seconds, not '$timeout_s'" ;; esac
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (run scripts/setup.sh)"
command -v busybox >/dev/null || fail "busybox missing (run scripts/setup.sh)"
command -v cpio >/dev/null || fail "cpio missing (run scripts/setup.sh)"
[ -x "$build/syslat" ] || fail "no $build/syslat: build first (scripts/build.sh)"
build=$(cd "$build" && pwd)

# ---- the kernel --------------------------------------------------------------
# The newest by version of the .debs that exist among the arguments.
newest() {
  for f in "$@"; do [ -f "$f" ] && echo "$(basename "$f") $f"; done | sort -V | tail -n 1 | cut -d' ' -f2-
}
if [ -z "$kernel" ]; then
  deb=$(newest "$cache"/linux-image-*.deb)
elif [ -f "$kernel" ]; then
  deb=$kernel
else
  # 6.1 is 6.1.0-57-amd64, not 6.12.
  deb=$(newest "$cache"/linux-image-"$kernel"[._+-]*.deb "$cache"/more/linux-image-"$kernel"[._+-]*.deb)
fi
[ -n "$deb" ] || fail "no kernel .deb${kernel:+ for '$kernel'} in $cache (run scripts/setup.sh)"
work=$build/qemu-lane
kdir=$work/kernel/$(basename "$deb" .deb)
if [ ! -s "$kdir/vmlinuz" ]; then  # named by the .deb, which names its version
  mkdir -p "$kdir"
  member=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '^\./boot/vmlinuz-' | head -n 1)
  [ -n "$member" ] || fail "$deb holds no boot/vmlinuz-*"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member" > "$kdir/vmlinuz.new"
  mv "$kdir/vmlinuz.new" "$kdir/vmlinuz"
fi

# ---- the initramfs -------------------------------------------------------------
# What goes in, at its own path: the tools, the tests and their workloads,
# and every library they load (ldd, the dynamic loader too).
binaries=""
for f in syslat syscount sysslow syslat-top syslatd systrace sysfunc; do
  [ -e "$build/$f" ] && binaries="$binaries $build/$f"
done
for f in "$build"/tests/privileged_tests "$build"/tests/workloads/* "$build"/tests/preload/*; do
  [ -f "$f" ] && binaries="$binaries $f"
done
# bpftool: the tests check with it that nothing of ours is left in the kernel.
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
[ -x "$bpftool" ] || fail "bpftool missing (run scripts/setup.sh)"
binaries="$binaries $bpftool"
for f in $with; do
  [ -f "$f" ] || fail "--with $f: no such file"
  case "$f" in /*) ;; *) f=$(pwd)/$f ;; esac
  binaries="$binaries $f"
done
init=$work/init
mkdir -p "$work"
cat > "$init.new" <<'INIT'
#!/bin/busybox sh
# The lane's init: the mounts the tools and tests expect, the command from
# the kernel's command line (lane_cwd, lane_cmd: base64 of its shell-quoted
# words), its output on the console between two markers, then power off.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root TERM=dumb
mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/ttyS0 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# /tmp and /run stay the initramfs's own (writable, in memory): a tmpfs
# mounted there would hide a build directory under /tmp (a CI checkout).
chmod 1777 /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up
ulimit -c 0
cd "$(echo "$lane_cwd" | base64 -d)" 2>/dev/null || cd /
eval "set -- $(echo "$lane_cmd" | base64 -d)"
echo
echo "syslat-lane: start $(uname -r) $(nproc) cpus"
# Through a pipe, as under ctest: the command's stdout is no terminal.
mkfifo /run/lane-out
cat /run/lane-out &
"$@" > /run/lane-out 2>&1
status=$?
wait
echo "syslat-lane: exit $status"
poweroff -f
INIT
if cmp -s "$init.new" "$init"; then rm "$init.new"; else mv "$init.new" "$init"; fi
# The inputs' names, sizes and times (this script's too): the libraries are those of the last
# build (ldd runs again only when something changed).
# shellcheck disable=SC2086
stamp() { stat -L -c '%n %s %Y' "$self" /bin/busybox "$init" $binaries $libraries | md5sum | cut -d' ' -f1; }
initrd=$work/initrd.cpio
libraries=$(cat "$work/initrd.libraries" 2>/dev/null || true)
if [ "$(cat "$work/initrd.inputs" 2>/dev/null)" != "$(stamp 2>/dev/null)" ] || [ ! -s "$initrd" ]; then
  # shellcheck disable=SC2086
  # (|| true: ldd fails on a static program, such as the i386 workloads,
  # and under set -e that would end the loop before the programs after it.)
  libraries=$(for f in $binaries; do ldd "$f" 2>/dev/null || true; done |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
  root=$work/root
  rm -rf "$root" "$initrd"
  mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run"
  cp /bin/busybox "$root/bin/busybox"
  cp "$init" "$root/init"
  chmod 755 "$root/init"
  # shellcheck disable=SC2086
  # The build's own files without their DWARF (a quarter of the size, and
  # the symbol tables stay): the kernel unpacks the initramfs at TCG speed.
  # syscount -> syslat stays a link: the tools tell their mode by argv[0].
  for f in $binaries $libraries; do
    mkdir -p "$root$(dirname "$f")"
    if [ -L "$f" ] && [ "$(readlink -f "$f")" = "$build/syslat" ]; then
      ln -s syslat "$root$f"
    elif [ "${f#"$build"/}" != "$f" ]; then
      objcopy --strip-debug "$f" "$root$f" 2>/dev/null || cp -L "$f" "$root$f"
    else
      cp -L "$f" "$root$f"
    fi
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files\n' > "$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
  # The loader's cache, as on the host: without it ld.so probes its search
  # path with openat calls that fail, and the tests count every openat.
  cp -r /etc/ld.so.conf /etc/ld.so.conf.d "$root/etc/"
  ldconfig -r "$root" 2>/dev/null || fail "ldconfig -r $root failed"
  (cd "$root" && find . | cpio -o -H newc --quiet > "$initrd.new")
  mv "$initrd.new" "$initrd"
  echo "$libraries" > "$work/initrd.libraries"
  stamp > "$work/initrd.inputs"
fi

# ---- the run --------------------------------------------------------------------
# Each word shell-quoted, then base64: the kernel passes lane_cmd to init
# as an environment variable, whatever the words hold.
quoted=""
for word in "$@"; do
  quoted="$quoted '$(printf '%s' "$word" | sed "s/'/'\\\\''/g")'"
done
lane_cmd=$(printf '%s' "$quoted" | base64 -w0)
lane_cwd=$(pwd | base64 -w0)
[ ${#lane_cmd} -le 1500 ] || fail "the command is too long for the kernel's command line"
console=$work/console.log
status_file=$(mktemp)
trap 'rm -f "$status_file"' EXIT
started=$(date +%s)
# The console streams through awk: the lines between the markers are the
# command's; the exit marker's number is the status.
# Two vCPUs (per-CPU rows, cross-CPU wakeups) in one TCG thread: with
# thread=multi, QEMU 7.2 here loses an IPI now and then, and the guest hangs
# for good in text_poke_bp's on_each_cpu as a BPF link attaches (soft lockup,
# RCU stall on the other CPU). One thread runs the [guest] set in ~50 s.
{ timeout "$timeout_s" qemu-system-x86_64 -accel tcg,thread=single -smp 2 -m 2048 -nographic -no-reboot -nic none \
    -kernel "$kdir/vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet lane_cmd=$lane_cmd lane_cwd=$lane_cwd" 2>&1 < /dev/null || true; } |
  tr -d '\r' | tee "$console" | awk -v status_file="$status_file" '
    /syslat-lane: exit [0-9]+$/ {
      at = index($0, "syslat-lane: exit ")
      if (on && at > 1) print substr($0, 1, at - 1)  # output without a final newline
      print $NF > status_file; close(status_file); on = 0; next
    }
    on { print; fflush() }
    /syslat-lane: start / { on = 1 }'
elapsed=$(( $(date +%s) - started ))
[ -s "$status_file" ] || {
  if [ "$elapsed" -ge "$timeout_s" ]; then
    fail "the guest did not finish within $timeout_s s (console: $console)"
  fi
  fail "the guest stopped without the command's exit status (console: $console)"
}
status=$(cat "$status_file")
exit "$status"
