#!/bin/sh
# Builds the Debian package (debian/) with dpkg-buildpackage, on Debian 12.
#   scripts/package.sh [--out DIR]      default DIR: build-deb
# The source is copied into DIR/src/syslat-VERSION (the tree stays clean; the
# copy keeps its files' times, so a second run into the same DIR rebuilds
# only what changed) and built there; the .deb, .buildinfo and .changes are
# put in DIR, and lintian's verdict on them printed (its tags are explained in
# debian/README.source). As root, missing build dependencies are installed
# first (apt-get build-dep; scripts/setup.sh installs them too).
set -eu
cd "$(dirname "$0")/.."
out=build-deb
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    *) echo "package.sh: unknown option $1 (--out DIR)" >&2; exit 2 ;;
  esac
done
for tool in dpkg-buildpackage dh help2man lintian; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        dpkg-dev debhelper help2man lintian fakeroot >/dev/null
      break
    fi
    echo "package.sh: $tool missing: run scripts/setup.sh (as root)" >&2
    exit 1
  fi
done
if ! dpkg-checkbuilddeps debian/control 2>/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    dpkg-checkbuilddeps debian/control
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ >/dev/null
fi
version=$(dpkg-parsechangelog -S Version)
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src/syslat-$version
mkdir -p "$src"
# Every file of the source, none of the build trees.
tar -cf - --exclude=./.git --exclude='./build*' --exclude='./obj-*' --exclude=./debian/syslat \
  --exclude=./debian/.debhelper --exclude=./debian/files --exclude='./debian/*.substvars' \
  --exclude='./debian/*.debhelper.log' . | tar -xf - -C "$src"
rm -f "$out/src"/*.deb "$out/src"/*.changes "$out/src"/*.buildinfo
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -b -uc -us -nc >"$out/dpkg-buildpackage.log" 2>&1) || {
  tail -n 40 "$out/dpkg-buildpackage.log" >&2
  echo "package.sh: dpkg-buildpackage failed (whole log: $out/dpkg-buildpackage.log)" >&2
  exit 1
}
rm -f "$out"/syslat_*.deb "$out"/syslat-dbgsym_*.deb "$out"/syslat_*.changes "$out"/syslat_*.buildinfo
mv "$out/src"/syslat*_"$version"_*.deb "$out/src"/syslat_"$version"_*.changes \
  "$out/src"/syslat_"$version"_*.buildinfo "$out/"
echo "package.sh: built in $(( $(date +%s) - start )) s:"
ls -1 "$out"/*.deb
changes=$(ls "$out"/syslat_"$version"_*.changes)
# lintian: every tag it still gives is explained (debian/README.source);
# errors fail the build.
lintian --fail-on error --info "$changes" | tee "$out/lintian.log" || {
  echo "package.sh: lintian found errors ($out/lintian.log)" >&2
  exit 1
}
