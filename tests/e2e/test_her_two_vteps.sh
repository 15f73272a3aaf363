#!/usr/bin/env bash
# End-to-end: head-end replication to two Linux kernel VTEPs at once. vtepd and two kernel
# VTEPs share an underlay switch; vtepd lists both in flood_vteps, each kernel VTEP lists the
# other two with "bridge fdb append 00:00:00:00:00:00". One broadcast frame from the host
# behind vtepd must reach the hosts behind both kernel VTEPs exactly once each, and unicast
# (ping) must work to both after learning.
# Usage: test_her_two_vteps.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgher
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM


lab_require_root || exit 1
lab_down
# r is the underlay switch here; kv and kv2 are kernel VTEPs with hosts h1 and h3.
lab_ns h1 h2 h3 kv kv2 gw r
ns r ip link add sw0 type bridge
ns r ip link set sw0 up
for v in kv kv2 gw; do
    lab_link $v $v-u r sw-$v
    ns r ip link set sw-$v master sw0
done
lab_host h1 192.168.10.1/24 kv kv-h
lab_host h3 192.168.10.3/24 kv2 kv2-h
lab_host h2 192.168.10.2/24 gw gw-a
kernel_vtep() {  # ns own-ip peer-ip peer-ip: head-end replication to the other two
    ns $1 ip addr add $2/24 dev $1-u
    lab_kernel_vtep $1 10 $1-h local $2 dev $1-u
    ns $1 bridge fdb append 00:00:00:00:00:00 dst $3 dev vxlan10
    ns $1 bridge fdb append 00:00:00:00:00:00 dst $4 dev vxlan10
}
kernel_vtep kv 10.77.0.1 10.77.0.2 10.77.0.3
kernel_vtep kv2 10.77.0.3 10.77.0.2 10.77.0.1
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1" } },
  "underlay": { "port": "uplink", "address": "10.77.0.2/24" },
  "bridges": { "br10": { "vni": 10, "flood_vteps": [ "10.77.0.1", "10.77.0.3" ],
                         "members": [ { "port": "access" } ] } }
}
JSON
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1.5  # ARP for both VTEPs

for h in h1 h3; do
    ip netns exec "${LAB_PREFIX}-$h" tcpdump -U -i eth0 -w "$LAB_DIR/$h.pcap" ether proto 0x88b5 2>/dev/null &
    LAB_EXTRA_PIDS="$LAB_EXTRA_PIDS $!"
done
sleep 1
H2MAC=$(ns h2 cat /sys/class/net/eth0/address)
ns h2 /usr/bin/python3 - "$H2MAC" <<'PY' || fail "scapy could not send the broadcast"
import sys
from scapy.all import Ether, Raw, sendp
# An explicit source: scapy's default can be 00:00:00:00:00:00, which vtepd rightly drops.
sendp(Ether(src=sys.argv[1], dst="ff:ff:ff:ff:ff:ff", type=0x88b5) / Raw(b"vtepgw-her-probe" + bytes(40)),
      iface="eth0", verbose=False)
PY
sleep 1
kill -TERM $LAB_EXTRA_PIDS; wait $LAB_EXTRA_PIDS 2>/dev/null; LAB_EXTRA_PIDS=""
for h in h1 h3; do
    n=$(tshark -r "$LAB_DIR/$h.pcap" -Y 'frame contains "vtepgw-her-probe"' 2>/dev/null | wc -l)
    [ "$n" = 1 ] || fail "the broadcast reached $h $n time(s), expected exactly once"
    pass "one broadcast from h2 reached $h exactly once (head-end replication)"
done
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping h2 -> h1"
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.3 >/dev/null || fail "ping h2 -> h3"
ns h1 ping -c 3 -i 0.2 -W 2 192.168.10.3 >/dev/null || fail "ping h1 -> h3 (kernel to kernel, unaffected)"
pass "unicast from the vtepd side reaches both kernel VTEP sites"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
grep -q '"10.77.0.1","10.77.0.3"' "$LAB_DIR/vtepd.log" || fail "vtepd does not list both VTEPs"
pass "vtepd knows both remote VTEPs"
exit 0
