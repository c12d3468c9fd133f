#!/bin/sh
# The arm64 checks that need no arm64 machine (CI runs this on x86_64):
#  a. both BPF objects, bpf/syslat.bpf.c and sysfunc's bpf/sysfunc.bpf.c, as
#     they are now, compile for arm64: the CMake target syslat_bpf_arm64 runs
#     the same clang/bpftool commands as every BPF object (add_bpf_object in
#     cmake/BpfObject.cmake) with -D__TARGET_ARCH_arm64 against
#     vmlinux/arm64/vmlinux.h;
#  b. bpftool gen object links each (part of the same target);
#  c. every CO-RE relocation in each resolves against the BTF of the Debian
#     arm64 kernel that vmlinux/arm64/vmlinux.h came from (vmlinux.btf.xz), as
#     libbpf would resolve it at load time: bpftool gen min_core_btf runs
#     libbpf's relocation logic; its debug log names each relocation's match.
#     Only *_exists / type_matches relocations may find no target (that is
#     their job);
#  d. the generated arm64 syscall table has the known generic numbers, and
#     the numbers in bpf/syscalls_arm64.bpf.h (and syscalls_x86.bpf.h, against
#     the x86_64 table) agree with the tables.
#  e. with --load: both objects (less their programs not loaded by default,
#     SEC("?...")) load into Debian's arm64 kernel (verifier and CO-RE against
#     that kernel's own BTF), sysfunc's with its const volatile switches set as
#     the widest run sets them: qemu-system-aarch64 (TCG) boots the kernel once
#     with an initramfs whose init runs the arm64 bpftool's `prog loadall` on
#     each and prints a LOAD OK/FAILED line per object. The kernel and
#     userspace .debs come from scripts/setup.sh ($SYSLAT_ARM64_CACHE, default
#     /var/cache/syslat/arm64). About 20 s in all.
# Not checked: the userspace on arm64, attaching and counting there.
# Usage: scripts/check-arm64.sh [--load] [build-dir]   (default: build; configured if new)
set -eu
cd "$(dirname "$0")/.."
load=false
if [ "${1:-}" = --load ]; then
  load=true
  shift
fi
dir=${1:-build}
start=$(date +%s)
fail() { echo "check-arm64: FAIL: $*" >&2; exit 1; }

if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" -G Ninja >/dev/null
fi
# The BPF objects checked: bpf/<name>.bpf.c, built for arm64 by syslat_bpf_arm64.
objects="syslat sysfunc"
objdir=$dir/src/syslat_bpf_arm64
echo "check-arm64: (a, b) compile bpf/{$(echo "$objects" | tr ' ' ,)}.bpf.c for arm64, bpftool gen object"
if ! cmake --build "$dir" --target syslat_bpf_arm64 syslat_syscall_table_arm64; then
  fail "the arm64 build failed (x86-only pt_regs fields such as orig_ax must be read through
  SYSLAT_REGS_SYSCALL_NR(regs) and arch numbers come from bpf/syscalls_arch.bpf.h)"
fi
table=$dir/src/core/generated/syscall_table_arm64.inc
for name in $objects; do
  [ -s "$objdir/$name.bpf.o" ] || fail "$objdir/$name.bpf.o missing"
done
[ -s "$table" ] || fail "$table missing"

echo "check-arm64: (c) CO-RE relocations against $(sed -n 2p vmlinux/arm64/vmlinux.h | sed 's/^ \* //; s/ \*\/$//')"
work=$dir/check-arm64
mkdir -p "$work"
xz -dc vmlinux/arm64/vmlinux.btf.xz > "$work/vmlinux.btf"
# check_core <name>: every CO-RE relocation in <name>.bpf.o resolves (or is
# optional) against the arm64 BTF.
check_core() {
  log=$work/$1.min_core_btf.log
  if ! bpftool -d gen min_core_btf "$work/vmlinux.btf" "$work/$1.min_core.btf" "$objdir/$1.bpf.o" > "$log" 2>&1; then
    cat "$log" >&2
    fail "bpftool gen min_core_btf failed on $1.bpf.o"
  fi
  # Log lines (libbpf's relo_core.c):
  #   prog 'P': relo #N: <kind> [id] struct x.f (...)          the relocation
  #   prog 'P': relo #N: matching candidate #C <kind> ...      resolved
  #   prog 'P': relo #N: no matching targets found            not resolved
  awk -v obj="$1.bpf.o" '
    match($0, /prog .*: relo #[0-9]+: /) {
      key = substr($0, RSTART, RLENGTH); rest = substr($0, RSTART + RLENGTH)
      if (rest ~ /^</) {
        if (!(key in spec)) { spec[key] = rest; n++ }
        kind = rest; sub(/>.*/, "", kind); sub(/^</, "", kind); kinds[key] = kind
      } else if (rest ~ /^matching candidate/) {
        ok[key] = 1
      } else if (rest ~ /^no matching targets found/) {
        none[key] = 1
      }
    }
    END {
      bad = 0; optional = 0
      for (k in spec) {
        if (k in ok) continue
        if ((k in none) && kinds[k] ~ /_exists$|^type_matches$/) { optional++; continue }
        printf "check-arm64: %s: unresolved on arm64: %s%s\n", obj, k, spec[k] > "/dev/stderr"; bad++
      }
      if (n == 0) { print "check-arm64: " obj ": no CO-RE relocations seen in the bpftool log" > "/dev/stderr"; exit 1 }
      printf "check-arm64: %s: %d CO-RE relocations, %d resolved, %d optional without target, %d unresolved\n", obj, n, n - bad - optional, optional, bad
      exit bad > 0
    }' "$log" || fail "CO-RE relocations in $1.bpf.o that do not resolve on arm64 (log: $log)"
}
for name in $objects; do
  check_core "$name"
done

echo "check-arm64: (d) syscall numbers"
# table_nr <table> <name>: the number of <name> in a generated table
table_nr() { sed -n "s/^SYSLAT_SYSCALL(\([0-9]*\), \"$2\",.*/\1/p" "$1"; }
for pair in openat=56 read=63 write=64 exit_group=94 clone=220 execve=221; do
  name=${pair%=*} want=${pair#*=}
  got=$(table_nr "$table" "$name")
  [ "$got" = "$want" ] || fail "$table: $name is '$got', expected $want"
done
for name in fork vfork open stat; do
  [ -z "$(table_nr "$table" "$name")" ] || fail "$table: arm64 has no $name, but the table does"
done
# set_rodata <object> <symbol>=<bytes, printf escapes>...: the initial values
# of const volatile globals in <object>'s .rodata (as a skeleton's
# rodata->symbol = value before load).
set_rodata() {
  o=$1
  shift
  rodata=$(llvm-readelf -S -W "$o" | sed -n 's/.*\[ *\([0-9]*\)\] \.rodata .*/\1/p')
  llvm-objcopy --dump-section=.rodata="$work/rodata.bin" "$o" "$work/rodata.o"
  for kv in "$@"; do
    sym=${kv%%=*} bytes=${kv#*=}
    # shellcheck disable=SC2059
    want=$(printf "$bytes" | wc -c)
    # llvm-readelf -s: Num: Value Size Type Bind Vis Ndx Name
    read -r value size ndx <<EOF
$(llvm-readelf -s -W "$o" | awk -v s="$sym" '$8 == s && $4 == "OBJECT" { print $2, $3, $7 }')
EOF
    if [ "${ndx:-}" != "$rodata" ] || [ "$size" != "$want" ]; then
      fail "$o: no $want-byte $sym in .rodata (${size:-no} bytes in section ${ndx:-none})"
    fi
    # shellcheck disable=SC2059
    printf "$bytes" | dd of="$work/rodata.bin" bs=1 seek=$((0x$value)) conv=notrunc 2>/dev/null
  done
  llvm-objcopy --update-section=.rodata="$work/rodata.bin" "$o"
  rm -f "$work/rodata.bin" "$work/rodata.o"
}
if $load; then
  echo "check-arm64: (e) load into the arm64 kernel under qemu"
  cache=${SYSLAT_ARM64_CACHE:-/var/cache/syslat/arm64}
  command -v qemu-system-aarch64 >/dev/null || fail "qemu-system-aarch64 missing (scripts/setup.sh)"
  kernel_deb=$(ls "$cache"/linux-image-*.deb 2>/dev/null | head -n 1)
  [ -n "$kernel_deb" ] || fail "no arm64 kernel .deb in $cache (scripts/setup.sh)"
  qdir=$work/qemu
  rm -rf "$qdir"
  mkdir -p "$qdir/root"
  for deb in "$cache"/*.deb; do
    case "$deb" in
      "$kernel_deb") ;;
      *) dpkg-deb -x "$deb" "$qdir/root" ;;
    esac
  done
  member=$(dpkg-deb -c "$kernel_deb" | awk '{print $NF}' | grep -E '^\./boot/vmlinu[xz]-' | head -n 1)
  dpkg-deb --fsys-tarfile "$kernel_deb" | tar -xO "$member" > "$qdir/Image"
  if [ "$(od -An -tx1 -N2 "$qdir/Image" | tr -d ' ')" = 1f8b ]; then
    gzip -dc < "$qdir/Image" > "$qdir/Image.raw" && mv "$qdir/Image.raw" "$qdir/Image"
  fi
  # Programs not loaded by default (SEC("?...")) are left out: bpftool's
  # loadall would try to load them (syslat's this_task() cache builds, which
  # need a kfunc this 6.1 kernel lacks; sysfunc's fentry/fexit copies, which
  # have no target until userspace sets one; userspace loads them only where
  # they apply).
  # sysfunc's kprobe.multi/kretprobe.multi programs stay: this kernel, like its
  # amd64 sibling, has no CONFIG_FPROBE, which only attaching them needs
  # (sysfunc then falls back to the single kprobes); they load.
  set -f  # section names such as ?fentry are not globs
  for name in $objects; do
    optional=$(llvm-readelf -S -W "$objdir/$name.bpf.o" | sed -n 's/.*\] \(?[^ ]*\) .*/\1/p')
    strip_args=""
    for sec in $optional; do strip_args="$strip_args --remove-section=$sec --remove-section=.rel$sec"; done
    # shellcheck disable=SC2086
    llvm-objcopy $strip_args "$objdir/$name.bpf.o" "$qdir/root/$name.bpf.o"
    [ -z "$optional" ] || echo "check-arm64: $name.bpf.o: left out of the load (not loaded by default): $(echo "$optional" | paste -sd ' ' -)"
  done
  set +f
  # sysfunc's programs test const volatile switches that userspace sets before
  # load (nfuncs >= 1 always; trace, by_syscall, filters). Left at 0 they make
  # most of the code dead to the verifier, which then never checks it: the
  # entry probes would be checked up to `func >= nfuncs` (121 instructions
  # rather than 392), without reg_arg()'s pt_regs reads or the trace path.
  # The copy loaded has them set as the widest run would:
  # SYSFUNC_MAX_FUNCS functions, --trace with kernel stacks, --by-syscall and
  # every filter (the process's comm rather than the thread's).
  set_rodata "$qdir/root/sysfunc.bpf.o" nfuncs='\000\004\000\000' trace='\001' \
    kernel_stack='\001' by_syscall='\001' filter_flags='\157\000\000\000'
  mkdir -p "$qdir/root/proc" "$qdir/root/sys" "$qdir/root/dev" "$qdir/root/tmp"
  cat > "$qdir/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t bpf bpf /sys/fs/bpf
echo "check-arm64-qemu: Linux $(uname -r) $(uname -m)"
for obj in /*.bpf.o; do
  name=${obj#/}
  if bpftool prog loadall "$obj" "/sys/fs/bpf/${name%.bpf.o}" > /tmp/load.log 2>&1; then
    echo "check-arm64-qemu: $name: loaded: $(ls "/sys/fs/bpf/${name%.bpf.o}" | tr '\n' ' ')"
    echo "check-arm64-qemu: $name: LOAD OK"
  else
    tail -n 40 /tmp/load.log
    echo "check-arm64-qemu: $name: LOAD FAILED"
  fi
done
poweroff -f
INIT
  chmod +x "$qdir/root/init"
  (cd "$qdir/root" && find . | cpio -o -H newc --quiet | gzip -1 > ../initrd.gz)
  timeout 170 qemu-system-aarch64 -M virt -cpu cortex-a57 -m 1024 -smp 1 -accel tcg \
    -nographic -no-reboot -nic none -kernel "$qdir/Image" -initrd "$qdir/initrd.gz" \
    -append "console=ttyAMA0 rdinit=/init panic=-1 quiet" > "$qdir/console.log" 2>&1 || true
  grep -E '^check-arm64-qemu: (Linux|.*: loaded)' "$qdir/console.log" || true
  failed=""
  for name in $objects; do
    grep -q "^check-arm64-qemu: $name.bpf.o: LOAD OK" "$qdir/console.log" || failed="$failed $name.bpf.o"
  done
  [ -z "$failed" ] || {
    sed -n '/check-arm64-qemu: Linux/,$p' "$qdir/console.log" | grep -v ': loaded: ' >&2
    fail "not loaded into $(basename "$kernel_deb" .deb):$failed (console: $qdir/console.log)"
  }
fi
echo "check-arm64: OK ($(( $(date +%s) - start )) s)"
