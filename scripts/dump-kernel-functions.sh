#!/bin/sh
# What a distribution kernel says about its functions, for sysfunc's matching
# and BTF tests on a kernel other than the one running (whose tracefs may be
# unreadable, as in some VMs): boots the x86_64 kernel .deb under qemu (TCG)
# with a busybox initramfs that loads ext4 (a module, with its BTF), and saves
#   DIR/available_filter_functions  ftrace's list
#   DIR/kallsyms                    /proc/kallsyms, as root
#   DIR/btf/<module>                each loaded module's split BTF
#   DIR/vmlinux                     the image from the .deb's vmlinuz (.BTF inside)
# Then: SYSLAT_KERNEL_DUMP=DIR build/tests/privileged_tests "a dumped kernel*"
# About 20 s. Needs qemu-system-x86_64, busybox-static, cpio, python3.
# Usage: scripts/dump-kernel-functions.sh [DIR] [KERNEL.deb]
#        (default /tmp/syslat-kernel-dump, the .deb in /var/cache/syslat/amd64)
set -eu
out=${1:-/tmp/syslat-kernel-dump}
deb=${2:-$(ls /var/cache/syslat/amd64/linux-image-*.deb | head -n1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/x"
vmlinuz=$(ls "$work"/x/boot/vmlinuz-*)
kmods=$(ls -d "$work"/x/lib/modules/*/kernel)

mkdir -p "$work/root/bin" "$work/root/mods" "$out/btf"
cp /bin/busybox "$work/root/bin/"
# ext4 and what it needs, in load order (a .deb has no modules.dep).
for m in crypto/crc32c_generic lib/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4; do
  cp "$kmods/$m.ko" "$work/root/mods/" 2>/dev/null || true
done
cat > "$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
for m in crc32c_generic crc16 mbcache jbd2 ext4; do [ -f /mods/$m.ko ] && insmod /mods/$m.ko; done
# The dumps go to the second serial port (a file on the host), gzip+base64.
dump() { echo "=== $1"; gzip -c "$2" | base64; echo "=== end"; }
{
  dump available_filter_functions /sys/kernel/tracing/available_filter_functions
  dump kallsyms /proc/kallsyms
  for f in /sys/kernel/btf/*; do [ "$f" = /sys/kernel/btf/vmlinux ] || dump "btf/${f##*/}" "$f"; done
} > /dev/ttyS1
poweroff -f
INIT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > ../initrd.gz)
timeout 300 qemu-system-x86_64 -m 1024 -smp 1 -accel tcg -nographic -no-reboot -nic none \
  -kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "console=ttyS0 rdinit=/init panic=-1 quiet" \
  -serial mon:stdio -serial "file:$work/dump.txt" > "$work/console.log" 2>&1 || true

python3 - "$work/dump.txt" "$vmlinuz" "$out" <<'PY'
import base64, gzip, lzma, sys
dump, vmlinuz, out = sys.argv[1:]
name, lines, saved = None, [], []
for line in open(dump, errors="replace").read().replace("\r", "").split("\n"):
    if line.startswith("=== end"):
        open(f"{out}/{name}", "wb").write(gzip.decompress(base64.b64decode("".join(lines))))
        saved.append(name)
        name, lines = None, []
    elif line.startswith("=== "):
        name = line[4:]
    elif name:
        lines.append(line.strip())
if "available_filter_functions" not in saved or "kallsyms" not in saved:
    sys.exit("dump-kernel-functions: the kernel's lists did not arrive (see the console log)")
# The image inside the bzImage (Debian's are xz-compressed).
image = open(vmlinuz, "rb").read()
start = image.find(b"\xfd7zXZ\x00")
if start < 0:
    sys.exit("dump-kernel-functions: no xz stream in " + vmlinuz)
open(f"{out}/vmlinux", "wb").write(lzma.LZMADecompressor().decompress(image[start:]))
print("dump-kernel-functions:", out, " ".join(saved), "vmlinux")
PY
