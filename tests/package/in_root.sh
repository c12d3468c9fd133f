#!/bin/bash
# Run by test_package.sh inside a fresh Debian 12 root (chroot), as root with
# root's PATH: installs the package $SYSLAT_DEB and checks what a user would
# see (see test_package.sh). Prints each command and its output.
set -eu
names="syslat syscount sysslow syslat-top syslatd systrace sysfunc"
exec 3>&1   # the transcript: "+ command" lines, outside any pipe
run() { echo "+ $*" >&3; "$@"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
ours() {   # every name is /usr/bin/NAME (syscount: /usr/sbin too), ours alone; its man page too
  for n in $names; do
    want=/usr/bin/$n
    [ $n = syscount ] && want=/usr/sbin/syscount
    [ "$(command -v $n)" = $want ] || fail "$n runs $(command -v $n), not $want"
    [ "$(readlink -f $want)" = /usr/bin/syslat ] || fail "$want is not syslat"
    # (a diverted path: "libbpf-tools, syslat: PATH" after the diversion lines)
    dpkg -S $want | tail -n 1 | cut -d: -f1 | tr -d ' ' | tr , '\n' | grep -qx syslat ||
      fail "$want: $(dpkg -S $want)"
    [ "$(dpkg -S /usr/bin/$n)" = "syslat: /usr/bin/$n" ] || fail "/usr/bin/$n: $(dpkg -S /usr/bin/$n)"
    [ "$(man -w $n)" = /usr/share/man/man8/$n.8.gz ] || fail "man -w $n: $(man -w $n)"
    [ "$(dpkg -S /usr/share/man/man8/$n.8.gz)" = "syslat: /usr/share/man/man8/$n.8.gz" ] ||
      fail "man page of $n: $(dpkg -S /usr/share/man/man8/$n.8.gz)"
  done
  echo "ours: $names: /usr/bin/NAME and man8/NAME.8.gz, from syslat"
}
divert_in_place() {
  run dpkg-divert --list /usr/sbin/syscount
  [ "$(dpkg-divert --truename /usr/sbin/syscount)" = /usr/sbin/syscount-libbpf ] || fail "no diversion"
  run type -a syscount
  [ "$(command -v syscount)" = /usr/sbin/syscount ] || fail "syscount is $(command -v syscount)"
  run syscount --version | tee /tmp/version
  grep -q "(syslat)" /tmp/version || fail "syscount --version is not syslat's"
  run ls -l /usr/sbin/syscount /usr/sbin/syscount-libbpf
  [ "$(readlink -f /usr/sbin/syscount)" = /usr/bin/syslat ] || fail "/usr/sbin/syscount is not ours"
  run /usr/sbin/syscount-libbpf --help 2>&1 | head -n 3 | tee /tmp/libbpf-help
  grep -q "summarize syscall counts" /tmp/libbpf-help || fail "syscount-libbpf is not libbpf-tools' syscount"
}
restored() {
  run dpkg-divert --list "*syscount*"
  [ -z "$(dpkg-divert --list "*syscount*")" ] || fail "a diversion is left"
  run ls -l /usr/sbin/syscount
  [ "$(dpkg -S /usr/sbin/syscount)" = "libbpf-tools: /usr/sbin/syscount" ] || fail "/usr/sbin/syscount: not libbpf-tools'"
  [ ! -e /usr/sbin/syscount-libbpf ] || fail "/usr/sbin/syscount-libbpf left behind"
  [ "$(command -v syscount)" = /usr/sbin/syscount ] || fail "syscount is $(command -v syscount)"
  run syscount --help 2>&1 | head -n 3 | tee /tmp/help
  grep -q "summarize syscall counts" /tmp/help || fail "syscount is not libbpf-tools'"
  left=$(for n in $names; do
      ls -d /usr/bin/$n /usr/share/man/man8/$n.8.gz /usr/share/bash-completion/completions/$n 2>/dev/null
    done; ls -d /usr/share/syslat /usr/share/doc/syslat /lib/systemd/system/syslatd.service 2>/dev/null || true)
  [ -z "$left" ] || fail "left after purge: $left"
  dpkg -s syslat >/dev/null 2>&1 && fail "syslat still known to dpkg"
  echo "restored: /usr/sbin/syscount is libbpf-tools' again, nothing of syslat left"
}

echo "=== install syslat into a fresh Debian 12 (apt, the package's Depends)"
run apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$SYSLAT_DEB" 2>&1 | grep -v -e "^debconf" -e unsandboxed || true
dpkg -s syslat >/dev/null || fail "syslat did not install"
run dpkg-query -W -f "\${Package} \${Version} Depends: \${Depends}\n" syslat
run ls /usr/share/syslat /usr/share/syslat/grafana /usr/share/syslat/prometheus
for f in grafana/syslat.json prometheus/alerts.yml prometheus/scrape.yml; do
  [ -s /usr/share/syslat/$f ] || fail "/usr/share/syslat/$f missing"
done
[ -s /lib/systemd/system/syslatd.service ] || fail "no syslatd.service"
grep -q "^ExecStart=/usr/bin/syslatd " /lib/systemd/system/syslatd.service || fail "the unit does not run /usr/bin/syslatd"
ours

echo "=== syscount -d 1 (BPF, in the chroot)"
run syscount -d 1 -T 5 2>&1 | tee /tmp/count
grep -q "^SYSCALL  *COUNT" /tmp/count || fail "no table from syscount -d 1"
[ "$(grep -c -E "^[a-z_0-9]+ +[0-9]+ " /tmp/count)" -ge 1 ] || fail "no syscall counted"

echo "=== man pages"
run man -w syscount
for n in $names; do
  # Every long option of the tool's --help is in its man page.
  MANWIDTH=200 man -P cat $n 2>/dev/null > /tmp/man.$n
  for opt in $($n --help | grep -o -E -- "--[a-z][a-z0-9-]+" | sort -u); do
    grep -q -F -- "$opt" /tmp/man.$n || fail "man $n lacks $opt, which $n --help has"
  done
done
run sh -c "MANWIDTH=80 man -P cat syscount 2>/dev/null | sed -n 1,8p"
echo "man pages: every --help option is in its page"

echo "=== bash completion"
complete_words() {   # what bash-completion offers for the words given (the last is being typed)
  bash -c "source /usr/share/bash-completion/bash_completion
    __load_completion $1
    COMP_WORDS=(\"\$@\"); COMP_CWORD=\$((\$# - 1)); COMP_LINE=\"\$*\"; COMP_POINT=\${#COMP_LINE}
    \$(complete -p $1 | sed \"s/.*-F \\([^ ]*\\) .*/\\1/\") $1 \"\${COMP_WORDS[-1]}\" \"\${COMP_WORDS[-2]}\"
    printf \"%s\\n\" \"\${COMPREPLY[@]}\"" sh "$@"
}
run complete_words syscount --sta | tee /tmp/c1; grep -qx -- --states /tmp/c1 || fail "no --states"
run complete_words syscount -S read,fut | tee /tmp/c2; grep -qx read,futex /tmp/c2 || fail "no futex"
run complete_words sysslow -S %ne | tee /tmp/c3; grep -qx %net /tmp/c3 || fail "no %net"
run complete_words syscount -p 1 | head -n 3 | tee /tmp/c4; grep -qx 1 /tmp/c4 || fail "no PID 1"
sleep 30 & spid=$!
run complete_words syslat -n slee | tee /tmp/c5; grep -qx sleep /tmp/c5 || fail "no comm sleep"
kill $spid

echo "=== libbpf-tools installed after syslat"
run dpkg -i /root/libbpf-tools_*.deb 2>&1 | tail -n 2
divert_in_place
ours

echo "=== purge syslat"
run apt-get purge -y -qq -o Dpkg::Use-Pty=0 syslat 2>&1 | grep -v "^(Reading" || true
restored

echo "=== syslat installed after libbpf-tools"
run apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$SYSLAT_DEB" 2>&1 | grep -v -e "^(Reading" -e "^Selecting" -e "^Preparing" || true
divert_in_place
ours
echo "=== libbpf-tools removed and installed again while syslat is"
run dpkg --purge libbpf-tools | tail -n 1
[ ! -e /usr/sbin/syscount-libbpf ] || fail "syscount-libbpf left after libbpf-tools went"
[ "$(readlink -f "$(command -v syscount)")" = /usr/bin/syslat ] || fail "syscount is $(command -v syscount)"
run dpkg -i /root/libbpf-tools_*.deb 2>&1 | tail -n 1
divert_in_place
echo "=== purge syslat"
run apt-get purge -y -qq -o Dpkg::Use-Pty=0 syslat 2>&1 | grep -v "^(Reading" || true
restored
