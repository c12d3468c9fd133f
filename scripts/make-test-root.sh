#!/bin/sh
# The fresh Debian 12 root tests/package/test_package.sh installs our package
# into (issue #25), made here from Debian's archive (scripts/setup.sh runs
# this), never at test time: mmdebstrap, minbase with apt, systemd, curl,
# man-db, bash-completion and the libraries syslat needs (so apt need not
# download them), and libbpf-tools' .deb in /root, to be installed by the test.
# Kept: apt's lists. Cached as a tarball in $SYSLAT_ROOT_CACHE (default
# /var/cache/syslat/debian12-root), made again when a day old (~90 s).
set -eu
cache=${SYSLAT_ROOT_CACHE:-/var/cache/syslat/debian12-root}
newest=$(ls -t "$cache"/bookworm-systemd-*.tar 2>/dev/null | head -n 1 || true)
if [ -n "$newest" ] && [ -s "$newest" ] && [ -n "$(find "$newest" -mmin -1440)" ]; then
  exit 0
fi
tarball=$cache/bookworm-systemd-$(date -u +%Y%m%d%H%M).tar
mkdir -p "$cache"
rm -f "$cache"/*.tmp
mmdebstrap --quiet --format=tar --variant=minbase --skip=cleanup/apt/lists \
  --include=systemd,systemd-sysv,dbus,curl,man-db,bash-completion,procps,libbpf1,libdw1,libelf1,libfmt9,libncurses6,libncursesw6,libprotobuf32,zlib1g \
  --customize-hook='chroot "$1" sh -c "cd /root && apt-get download -qq -o APT::Sandbox::User=root libbpf-tools"' \
  bookworm "$tarball.tmp" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian-security bookworm-security main" ||
  { echo "make-test-root.sh: mmdebstrap could not make a Debian 12 root from Debian's archive" >&2; exit 1; }
mv "$tarball.tmp" "$tarball"
for old in "$cache"/bookworm*.tar; do
  [ "$old" = "$tarball" ] || rm -f "$old"
done
