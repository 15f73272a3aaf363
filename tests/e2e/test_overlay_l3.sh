#!/usr/bin/env bash
# End-to-end: L3 on the overlay against Linux kernel VTEPs. vtepd is the gateway of two
# bridges (VNI 10: 192.168.10.254/24, VNI 20: 192.168.20.254/24 with ARP suppression); two
# kernel VTEPs carry one VNI each, with a host behind each whose default route is vtepd.
#   - a host behind a kernel VTEP pings the bridge address across the tunnel (seed 002);
#   - the two hosts reach each other routed by vtepd (TTL 63, ping and 1 MiB of TCP), and TTL 1
#     comes back as "time to live exceeded" from the gateway;
#   - with suppression, vtepd's local host ARPs for the remote host and gets its answer while
#     no ARP request leaves vtepd into the tunnel (counted on the underlay with tcpdump).
# Usage: test_overlay_l3.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
VTEPCTL=$(dirname "$VTEPD")/vtepctl
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgl3
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM
ctl() { "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" "$@"; }

lab_require_root || exit 1
lab_down
# r is the underlay switch; kv1 carries VNI 10 (host h1), kv2 VNI 20 (host h3); h2 is on
# vtepd's access port in VNI 20.
lab_ns h1 h2 h3 kv1 kv2 gw r
ns r ip link add sw0 type bridge
ns r ip link set sw0 up
for v in kv1 kv2 gw; do
    lab_link $v $v-u r sw-$v
    ns r ip link set sw-$v master sw0
done
lab_host h1 192.168.10.1/24 kv1 kv1-h
lab_host h3 192.168.20.3/24 kv2 kv2-h
lab_host h2 192.168.20.2/24 gw gw-a
ns h1 ip route add default via 192.168.10.254
ns h3 ip route add default via 192.168.20.254
ns kv1 ip addr add 10.77.0.1/24 dev kv1-u
ns kv2 ip addr add 10.77.0.3/24 dev kv2-u
lab_kernel_vtep kv1 10 kv1-h local 10.77.0.1 remote 10.77.0.2 dev kv1-u
lab_kernel_vtep kv2 20 kv2-h local 10.77.0.3 remote 10.77.0.2 dev kv2-u
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": $LAB_HOST_MTU } },
  "underlay": { "port": "uplink", "address": "10.77.0.2/24" },
  "bridges": {
    "br10": { "vni": 10, "flood_vteps": [ "10.77.0.1" ], "address": "192.168.10.254/24" },
    "br20": { "vni": 20, "flood_vteps": [ "10.77.0.3" ], "members": [ { "port": "access" } ],
              "address": "192.168.20.254/24", "arp_suppression": true }
  }
}
JSON
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1  # ARP for both VTEPs

ns h1 ping -c 3 -i 0.2 -W 2 192.168.10.254 >/dev/null || fail "h1 cannot ping its gateway 192.168.10.254 across the tunnel"
GW10=$(ctl --json show bridges | python3 -c 'import json,sys; print([b for b in json.load(sys.stdin) if b["bridge"]=="br10"][0]["gateway_mac"])')
[ "$(ns h1 ip neigh show 192.168.10.254 | awk '{print $5}')" = "$GW10" ] || fail "h1 resolved the gateway to another MAC than $GW10"
pass "a host behind a kernel VTEP pings the bridge address (ARP answered with the gateway MAC $GW10)"

out=$(ns h1 ping -c 3 -i 0.2 -W 2 192.168.20.3) || fail "h1 (VNI 10) cannot reach h3 (VNI 20) through vtepd"
echo "$out" | grep -q "ttl=63" || fail "routed replies should arrive with TTL 63: $out"
ns h3 ping -c 2 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "h3 -> h1 routed"
pass "hosts in VNI 10 and VNI 20 behind two kernel VTEPs reach each other, routed by vtepd (TTL 63)"
res=$(lab_tcp_transfer h1 h3 192.168.20.3 1048576) || fail "1 MiB TCP h1 -> h3 routed"
pass "1 MiB over TCP h1 -> h3, routed, checksums intact ($res)"

out=$(ns h1 ping -c 1 -t 1 -W 2 192.168.20.3 2>&1)
echo "$out" | grep -qi "time to live exceeded" || fail "TTL 1 should come back as time exceeded: $out"
echo "$out" | grep -q "192.168.10.254" || fail "the time exceeded should come from the gateway: $out"
pass "TTL 1 comes back as ICMP time exceeded from 192.168.10.254"

H3MAC=$(ns h3 cat /sys/class/net/eth0/address)
ctl --json show arp --vni 20 | python3 -c '
import json, sys
rows = json.load(sys.stdin)
mac = sys.argv[1]
assert any(r["address"] == "192.168.20.3" and r["mac"] == mac and r["vtep"] == "10.77.0.3" for r in rows), rows
' "$H3MAC" || fail "show arp does not list 192.168.20.3 at $H3MAC behind 10.77.0.3"
pass "show arp lists h3 behind its VTEP"

# Suppression: h2 forgets h3 and asks again; the capture counts ARP requests vtepd sends into
# the tunnel (inner EtherType 0x0806, opcode 1), on the switch port facing vtepd: af_packet
# sends with qdisc bypass, which taps on its own interface never see.
ns h2 ip neigh flush dev eth0
ip netns exec "${LAB_PREFIX}-r" tcpdump -U --immediate-mode -i sw-gw -w "$LAB_DIR/arp.pcap" udp port 4789 2>/dev/null &
LAB_EXTRA_PIDS="$!"
sleep 1
before=$(ctl --json show counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["bridges"]["br20"]["arp_suppressed"])')
ns h2 ping -c 2 -i 0.2 -W 2 192.168.20.3 >/dev/null || fail "h2 -> h3 (same VNI, bridged) after suppression"
sleep 0.5
kill -TERM $LAB_EXTRA_PIDS; wait $LAB_EXTRA_PIDS 2>/dev/null; LAB_EXTRA_PIDS=""
after=$(ctl --json show counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["bridges"]["br20"]["arp_suppressed"])')
[ "$(ns h2 ip neigh show 192.168.20.3 | awk '{print $5}')" = "$H3MAC" ] || fail "h2 did not learn h3's real MAC $H3MAC"
[ "$after" -gt "$before" ] || fail "arp_suppressed did not grow ($before -> $after)"
requests='src host 10.77.0.2 and udp dst port 4789 and udp[28:2] = 0x0806 and udp[36:2] = 1'
seen=$(tcpdump -r "$LAB_DIR/arp.pcap" 'src host 10.77.0.3 and udp[28:2] = 0x0800' 2>/dev/null | wc -l)
[ "$seen" -gt 0 ] || fail "the capture on the underlay saw no VXLAN from h3: it cannot vouch for what it did not see"
n=$(tcpdump -r "$LAB_DIR/arp.pcap" "$requests" 2>/dev/null | wc -l)
[ "$n" = 0 ] || fail "$n ARP request(s) crossed the tunnel although h3's binding was known"
pass "ARP suppression: h2's request answered by vtepd with h3's MAC, 0 ARP requests into the tunnel"

lab_stop_vtepd || fail "vtepd did not exit cleanly"
exit 0
