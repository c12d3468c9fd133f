#!/bin/bash
# Run by test_package.sh inside the same Debian 12 root booted with systemd as
# PID 1 (systemd-nspawn -b), through nsenter: the syslatd unit as the package
# installs it, under real systemd. Prints each command and its output.
set -eu
exec 3>&1
run() { echo "+ $*" >&3; "$@"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
metrics() { curl -s --max-time 5 -o /tmp/metrics -w "%{http_code}" http://127.0.0.1:9476/metrics || true; }
wait_metrics() {   # until /metrics answers with read(2)'s count (after syslatd's first poll)
  for _ in $(seq 75); do
    [ "$(metrics)" = 200 ] && grep -q '^syscall_total{syscall="read"}' /tmp/metrics && return 0
    sleep 0.2
  done
  systemctl status syslatd --no-pager || true
  fail "no /metrics from syslatd"
}
link=/etc/systemd/system/multi-user.target.wants/syslatd.service

run cat /proc/1/comm
run systemctl is-system-running || true
run dpkg -i /root/$SYSLAT_DEB_NAME | tail -n 1
run systemctl is-enabled syslatd || true
[ "$(systemctl is-enabled syslatd || true)" = disabled ] || fail "installing enabled syslatd"
[ "$(systemctl is-active syslatd || true)" = inactive ] || fail "installing started syslatd"

run systemctl enable --now syslatd
wait_metrics
run grep -m 3 "^syscall_total{" /tmp/metrics
grep -q '^syscall_total{syscall="read"}' /tmp/metrics || fail "no read calls in /metrics"
pid=$(systemctl show syslatd -p MainPID --value)
run ps -o pid,user,comm -p "$pid"
[ "$(stat -c %u /proc/$pid)" != 0 ] || fail "syslatd runs as root, not a dynamic user"
run grep -E "^Cap(Eff|Prm)" /proc/$pid/status
grep -q "^CapEff:[[:space:]]*0000000000000000" /proc/$pid/status || fail "syslatd kept capabilities"

run systemctl restart syslatd
wait_metrics
pid2=$(systemctl show syslatd -p MainPID --value)
echo "restart: MainPID $pid -> $pid2, /metrics 200"
[ "$pid2" != "$pid" ] || fail "restart kept the same process"

run systemctl stop syslatd
run systemctl show syslatd -p ActiveState -p Result -p ExecMainStatus
[ "$(systemctl show syslatd -p Result --value)" = success ] || fail "stop: not a clean exit"
[ "$(metrics)" = 000 ] || fail "something still serves /metrics after stop"
run systemctl disable syslatd
[ ! -e $link ] || fail "$link left after disable"

echo "=== enabled and running, then purged"
run systemctl enable --now syslatd
wait_metrics
run apt-get purge -y -qq -o Dpkg::Use-Pty=0 syslat | tail -n 2
[ ! -e $link ] && [ ! -L $link ] || fail "$link left after purge"
[ "$(metrics)" = 000 ] || fail "syslatd still serves /metrics after purge"
run systemctl is-active syslatd || true
[ ! -e /lib/systemd/system/syslatd.service ] || fail "the unit file is left"
echo "purged: syslatd stopped, no unit, no link left"
