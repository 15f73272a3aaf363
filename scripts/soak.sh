#!/usr/bin/env bash
# Soak: the namespace lab under churn for MINUTES (not part of CI). Continuous ping between
# the hosts, thousands of MACs appearing behind vtepd and moving behind the kernel VTEP and
# back (scapy), ageing at 20 s, and a bridge added, changed and removed every few seconds.
# At the end: vtepd still forwarding and answering, mbufs back at their idle level, every
# learned MAC aged out, no drop reason other than the expected ones, clean exit.
# Usage: scripts/soak.sh MINUTES      (root)
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: $0 MINUTES}
[ -x build/app/vtepd ] || scripts/setup.sh
export LAB_PREFIX=vgsoak
source scripts/lib/lab.sh
trap lab_down EXIT
trap 'exit 130' INT TERM
lab_up || fail "cannot build the lab"
sed -i 's/"ageing_seconds": 300/"ageing_seconds": 20/' "$LAB_DIR/vtepd.json"
lab_start_vtepd "$PWD/build/app/vtepd" || fail "vtepd did not start"
ctl() { build/app/vtepctl --socket "$LAB_DIR/vtepd.sock" "$@"; }
counter() { ctl --json show counters | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
sleep 1
ns h2 ping -q -c 3 192.168.10.1 >/dev/null || fail "no connectivity at start"
idle=$(counter 'r["mbufs_in_use"]')

end=$(( $(date +%s) + minutes * 60 ))
ns h2 ping -q -i 0.05 -w $(( minutes * 60 )) 192.168.10.1 > "$LAB_DIR/ping.out" 2>&1 &
PING=$!
churn() {  # namespace: 2000 MACs announce themselves (broadcast frames) from this side
    ns "$1" /usr/bin/python3 - <<'PY'
from scapy.all import Ether, Raw, sendp
frames = [Ether(src="02:5a:%02x:%02x:00:01" % (i >> 8, i & 255), dst="ff:ff:ff:ff:ff:ff", type=0x88b5) / Raw(b"soak" * 12)
          for i in range(2000)]
sendp(frames, iface="eth0", verbose=False)
PY
}
round=0
while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    churn h2                                  # MACs appear behind vtepd ...
    churn h1                                  # ... and move behind the kernel VTEP
    ctl bridge add soak --vni 99 --flood 10.77.0.1 >/dev/null || fail "round $round: bridge add"
    ctl member add soak access --vlan 99 >/dev/null || fail "round $round: member add"
    sleep 2
    ctl bridge del soak >/dev/null || fail "round $round: bridge del"
    kill -0 "$VTEPD_PID" 2>/dev/null || fail "vtepd died in round $round"
done
wait $PING
echo "rounds: $round; ping: $(grep -E 'packets transmitted' "$LAB_DIR/ping.out")"
loss=$(grep -oE '[0-9.]+% packet loss' "$LAB_DIR/ping.out" | cut -d% -f1)
[ -n "$loss" ] || fail "no ping summary"
# The last probe may still be in flight at the deadline; anything beyond 0.1 % is loss.
awk -v l="$loss" 'BEGIN { exit !(l <= 0.1) }' || fail "ping lost ${loss}% during the soak"
moves=$(counter 'r["events"]["moves"]')
learned=$(counter 'r["events"]["learned"]')
echo "learned $learned MACs, $moves moves"
[ "$moves" -gt 0 ] || fail "no MAC moves seen"
echo "waiting 30 s for ageing ..."
sleep 30
entries=$(counter 'r["fdb_entries"]')
aged=$(counter 'r["events"]["aged"]')
echo "after ageing: $entries MACs left, $aged aged"
[ "$entries" -le 4 ] || fail "$entries MACs left after ageing (expected only the hosts')"
now=$(counter 'r["mbufs_in_use"]')
echo "mbufs in use: idle $idle, now $now"
[ "$now" -le "$idle" ] || fail "mbufs in use grew from $idle to $now"
drops=$(ctl --json show counters | /usr/bin/python3 -c "
import json,sys; r=json.load(sys.stdin)
ok={'unsupported_ethertype','flood_no_target','split_horizon','same_port'}
print(' '.join('%s=%d' % (k,v) for k,v in r['drops'].items() if v and k not in ok))")
echo "unexpected drops: ${drops:-none}"
[ -z "$drops" ] || fail "unexpected drops: $drops"
# Counters add up: every packet received was forwarded, flooded, handed to the control core
# or dropped, exactly once; drops by reason cover at least the dropped ones.
# (A burst in flight is counted as received before its fates: read again if they differ.)
for _ in 1 2 3 4 5; do
    sums=$(ctl --json show counters | /usr/bin/python3 -c "
import json,sys; r=json.load(sys.stdin)
rx=sum(p['rx_packets'] for p in r['ports'].values()); f=r['fates']
print(rx, sum(f.values()), f['forwarded'], f['flooded'], f['to_control'], f['dropped'], sum(r['drops'].values()))")
    read -r rx fated fwd fld ctlp dropped reasons <<< "$sums"
    [ "$rx" = "$fated" ] && break
    sleep 1
done
echo "received $rx = forwarded $fwd + flooded $fld + to control $ctlp + dropped $dropped ($fated); drops by reason $reasons"
[ "$rx" = "$fated" ] || fail "counters do not add up: received $rx, fates $fated"
[ "$reasons" -ge "$dropped" ] || fail "fewer drops by reason ($reasons) than dropped packets ($dropped)"
ns h2 ping -q -c 3 192.168.10.1 >/dev/null || fail "no connectivity at the end"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
echo "soak: ${minutes} min, ${round} rounds, ping loss ${loss}%, ${learned} learned, ${moves} moves, ${aged} aged: OK"
