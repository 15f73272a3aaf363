#!/usr/bin/env bash
# End-to-end: vtepd --idle adaptive against a Linux kernel VTEP. An idle worker sleeps
# instead of spinning (its thread uses a fraction of a core, counted in idle_sleeps), and
# traffic still flows without loss, 1 MiB of TCP included. The ping round trip is measured
# with the default (poll) and with adaptive idle in the same run and printed: the latency
# cost of sleeping, at most two wake-ups (there and back) of up to 250 us each.
# Usage: test_idle_adaptive.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
VTEPCTL=$(dirname "$VTEPD")/vtepctl
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgidle
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM
ctl() { "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" "$@"; }

# CPU ticks (1/100 s) the worker thread used in 2 s of no traffic.
worker_ticks() {
    local tid t1 t2
    tid=$(grep -l '^rte-worker' /proc/"$VTEPD_PID"/task/*/comm | head -1 | xargs dirname)
    t1=$(awk '{print $14 + $15}' "$tid/stat")
    sleep 2
    t2=$(awk '{print $14 + $15}' "$tid/stat")
    echo $((t2 - t1))
}
avg_rtt() { ns h2 ping -c 20 -i 0.1 -W 2 192.168.10.1 | awk -F/ '/^rtt/ {print $5}'; }

lab_up || fail "cannot build the namespace lab"
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping with polling workers"
poll_rtt=$(avg_rtt)
poll_ticks=$(worker_ticks)
lab_stop_vtepd || fail "vtepd (poll) did not exit cleanly"

LAB_VTEPD_ARGS="--idle adaptive" lab_start_vtepd "$VTEPD" || fail "vtepd --idle adaptive did not start"
sleep 1
out=$(ns h2 ping -c 20 -i 0.1 -W 2 192.168.10.1) || fail "ping with adaptive idle: $out"
echo "$out" | grep -q " 0% packet loss" || fail "packets lost with adaptive idle: $out"
adaptive_rtt=$(avg_rtt)
res=$(lab_tcp_transfer h2 h1 192.168.10.1 1048576) || fail "1 MiB TCP with adaptive idle"
pass "adaptive idle: 20 pings without loss, 1 MiB of TCP ($res)"
idle_ticks=$(worker_ticks)
[ "$idle_ticks" -lt 100 ] || fail "an idle adaptive worker used $idle_ticks of 200 ticks (it should sleep)"
sleeps=$(ctl --json show counters | python3 -c 'import json,sys; print(sum(w["idle_sleeps"] for w in json.load(sys.stdin)["workers"]))')
[ "$sleeps" -gt 0 ] || fail "idle_sleeps is 0"
pass "idle: the worker used $idle_ticks/200 CPU ticks in 2 s (polling: $poll_ticks/200), $sleeps sleeps"
echo "ping RTT avg: poll ${poll_rtt} ms, adaptive ${adaptive_rtt} ms"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
exit 0
