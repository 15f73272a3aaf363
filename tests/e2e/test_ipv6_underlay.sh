#!/usr/bin/env bash
# End-to-end over an IPv6 underlay: a Linux kernel VTEP (vxlan over IPv6, default settings,
# so UDP checksums are sent and required) and vtepd on different IPv6 subnets, joined by a
# router namespace forwarding IPv6. vtepd resolves its gateway by neighbour discovery, the
# router resolves vtepd the same way; hosts ping and move 1 MiB over TCP both ways; tshark
# checks vtepd's packets (UDP checksum correct, flow label set, hop limit); the kernel
# VTEP's MAC shows behind its IPv6 address. Then a dual-stack vtepd: one bridge floods to
# an IPv6 and an IPv4 kernel VTEP at once.
# Usage: test_ipv6_underlay.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vg6
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM
VTEPCTL="$(dirname "$VTEPD")/../vtepctl/vtepctl"
[ -x "$VTEPCTL" ] || VTEPCTL="$(dirname "$VTEPD")/vtepctl"
ctl() { "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" "$@"; }

lab_routed6 || fail "cannot build the lab"
lab_kernel_vtep kv 10 kv-h local 2001:db8:61::67 remote 2001:db8:62::68 dev kv-u

cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": 1430 } },
  "underlay": { "port": "uplink", "address": "2001:db8:62::68/64", "gateway": "2001:db8:62::1" },
  "bridges": { "br10": { "vni": 10, "flood_vteps": [ "2001:db8:61::67" ], "members": [ { "port": "access" } ] } }
}
JSON
ip netns exec "${LAB_PREFIX}-r" tcpdump -U --immediate-mode -i r-gw -w "$LAB_DIR/r-gw.pcap" ip6 2>/dev/null &
TCPDUMP=$!
sleep 0.5
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"

ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || { ctl show counters >&2; fail "ping vtepd side -> kernel side over IPv6"; }
pass "ping 192.168.10.2 -> 192.168.10.1 across an IPv6 router (vtepd encap, kernel decap)"
ns kv ip neigh flush dev br10 2>/dev/null; ns kv bridge fdb del "$(ns h2 cat /sys/class/net/eth0/address)" dev vxlan10 2>/dev/null
ns h1 ip neigh flush all
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping kernel side -> vtepd side over IPv6"
pass "ping 192.168.10.1 -> 192.168.10.2 (kernel encap over IPv6 with UDP checksum, vtepd decap)"
for dir in "h2 h1 192.168.10.1" "h1 h2 192.168.10.2"; do
    set -- $dir
    lab_tcp_transfer $1 $2 $3 1048576 >/dev/null || fail "TCP $1 -> $2 over IPv6"
    pass "1 MiB over TCP $1 -> $2 over the IPv6 underlay, SHA-256 matches"
done
# The router forgets vtepd's MAC: it must solicit it again, and vtepd must answer.
ns r ip -6 neigh flush dev r-gw
ns r ping -6 -c 3 -i 0.2 -W 2 2001:db8:62::68 >/dev/null || fail "vtepd does not answer ICMPv6 echo"
pass "the router pings vtepd's IPv6 address (neighbour discovery and echo answered)"

h1mac=$(ns h1 cat /sys/class/net/eth0/address)
ctl --json show address-table | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
mac = sys.argv[1]
hit = [r for r in rows if r["mac"] == mac]
assert hit and hit[0].get("vtep") == "2001:db8:61::67", ("h1 not behind 2001:db8:61::67", rows)
' "$h1mac" || fail "show address-table does not put h1's MAC behind the IPv6 VTEP"
pass "show address-table: $h1mac behind VTEP 2001:db8:61::67"
ctl --json show vtep | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
v = [r for r in rows if r["vtep"] == "2001:db8:61::67"]
assert v, rows
v = v[0]
assert v["family"] == "ipv6" and v["reachable"] and v["next_hop"] == "2001:db8:62::1", v
assert v["route"] == "::/0" and v["tx_packets"] > 0 and v["rx_packets"] > 0, v
' || fail "show vtep does not show the IPv6 VTEP reachable via the gateway"
pass "show vtep: 2001:db8:61::67 (ipv6) reachable via 2001:db8:62::1, traffic both ways"
ctl --json show neighbors | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert any(r["address"] == "2001:db8:62::1" and r["state"] == "reachable" for r in rows), rows
' || fail "show neighbors does not list the IPv6 gateway as reachable"
pass "show neighbors: 2001:db8:62::1 reachable (resolved by neighbour solicitation)"
ctl --json show bridges | /usr/bin/python3 -c '
import json, sys
b = json.load(sys.stdin)[0]
assert b["overhead"] == 70 and b["max_inner_mtu"] == 1430, b
' || fail "show bridges does not count VXLAN over IPv6 as 70 bytes"
pass "show bridges: overhead 70 bytes over IPv6, inner MTU 1430"
for what in "show vtep" "show neighbors" "show routes" "show address-table"; do
    text=$(ctl $what) || fail "vtepctl $what failed"
    case "$what" in
        "show vtep"|"show address-table") want=2001:db8:61::67 ;;
        *) want=2001:db8:62::1 ;;
    esac
    echo "$text" | grep -qF "$want" || { echo "$text" >&2; fail "vtepctl $what (text) does not show $want"; }
done
pass "vtepctl's tables print the IPv6 VTEP, gateway and routes"
ctl show counters | grep -E "bad_udp_checksum|udp_zero_checksum|unsupported_ethertype" && fail "IPv6 frames dropped as above"
pass "no IPv6 frame dropped for a checksum or as an unsupported EtherType"

sleep 0.5
kill -TERM $TCPDUMP; wait $TCPDUMP 2>/dev/null
fields=$(tshark -r "$LAB_DIR/r-gw.pcap" -o udp.check_checksum:TRUE \
         -Y "ipv6.src==2001:db8:62::68 && vxlan.vni==10" -T fields -E occurrence=f \
         -e udp.checksum.status -e ipv6.flow -e ipv6.hlim -e udp.srcport 2>/dev/null | sort | uniq -c)
echo "$fields" | sed 's/^/    vtepd VXLAN (count, checksum status 1=good, flow label, hop limit, source port): /'
[ -n "$fields" ] || fail "tshark saw no VXLAN over IPv6 from vtepd"
echo "$fields" | awk '$2 != "1" { bad = 1 } END { exit bad }' || fail "a UDP checksum tshark does not call good"
echo "$fields" | awk '$3 ~ /^0x0+$/ { bad = 1 } $4 != "64" { bad = 1 } END { exit bad }' || fail "flow label zero or hop limit not 64"
pass "tshark: every VXLAN packet vtepd sent over IPv6 has a good UDP checksum, a flow label and hop limit 64"
ns_na=$(tshark -r "$LAB_DIR/r-gw.pcap" -Y "ipv6.src==2001:db8:62::68 && icmpv6.type==136 && icmpv6.nd.na.flag.s==1" 2>/dev/null | wc -l)
[ "$ns_na" -ge 1 ] || { tshark -r "$LAB_DIR/r-gw.pcap" -Y icmpv6 2>/dev/null | head -20 >&2; fail "no solicited neighbour advertisement from vtepd"; }
pass "vtepd answered the router's neighbour solicitation (solicited NA, decoded by tshark)"
lab_stop_vtepd || fail "vtepd did not exit cleanly"

# ---- dual stack: one bridge, an IPv6 and an IPv4 kernel VTEP
lab_kernel_vtep kw 10 kw-h local 10.1.0.1 remote 10.2.0.2 dev kw-u
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": 1430 } },
  "underlay": { "port": "uplink", "addresses": [ "10.2.0.2/24", "2001:db8:62::68/64" ],
                "gateway": [ "10.2.0.254", "2001:db8:62::1" ] },
  "bridges": { "br10": { "vni": 10, "flood_vteps": [ "2001:db8:61::67", "10.1.0.1" ],
                         "members": [ { "port": "access" } ] } }
}
JSON
lab_start_vtepd "$VTEPD" || fail "dual-stack vtepd did not start"
ns h2 ip neigh flush all
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "dual stack: ping to the host behind the IPv6 VTEP"
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.3 >/dev/null || fail "dual stack: ping to the host behind the IPv4 VTEP"
pass "dual stack: h2 reaches h1 (behind 2001:db8:61::67) and h3 (behind 10.1.0.1) from one bridge"
lab_tcp_transfer h3 h2 192.168.10.2 1048576 >/dev/null || fail "dual stack: TCP over the IPv4 VTEP"
pass "dual stack: 1 MiB over TCP h3 -> h2 through the IPv4 VTEP"
ctl --json show vtep | /usr/bin/python3 -c '
import json, sys
rows = {r["vtep"]: r for r in json.load(sys.stdin)}
assert rows["2001:db8:61::67"]["family"] == "ipv6" and rows["10.1.0.1"]["family"] == "ipv4", rows
assert rows["2001:db8:61::67"]["macs"] >= 1 and rows["10.1.0.1"]["macs"] >= 1, rows
' || fail "dual stack: show vtep does not list both VTEPs with their MACs"
pass "dual stack: show vtep lists 2001:db8:61::67 (ipv6) and 10.1.0.1 (ipv4), each with its MAC"
lab_stop_vtepd || fail "vtepd did not exit cleanly"

# ---- an IPv6 multicast group across the router (lab_mroute: smcroute or the user-space forwarder): the
# kernel VTEP and vtepd flood to ff05::4242; vtepd joins it with MLDv2.
GROUP6=ff05::4242
ns kv ip link del vxlan10
ns kv ip link add vxlan10 type vxlan id 10 dstport 4789 local 2001:db8:61::67 group $GROUP6 dev kv-u ttl 5
ns kv ip link set vxlan10 master br10 up
lab_mroute v6 $GROUP6 || fail "multicast routing did not start"
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": 1430 } },
  "underlay": { "port": "uplink", "address": "2001:db8:62::68/64", "gateway": "2001:db8:62::1" },
  "bridges": { "br10": { "vni": 10, "group": "$GROUP6", "members": [ { "port": "access" } ] } }
}
JSON
ip netns exec "${LAB_PREFIX}-r" tcpdump -U --immediate-mode -i r-gw -w "$LAB_DIR/mld.pcap" ip6 2>/dev/null &
TCPDUMP=$!
sleep 1
lab_start_vtepd "$VTEPD" || fail "vtepd did not start with an IPv6 group"
ns h2 ip neigh flush all
ns h1 ip neigh flush all
ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "IPv6 group: ping vtepd side -> kernel side across the multicast router"
ns kv bridge fdb del "$(ns h2 cat /sys/class/net/eth0/address)" dev vxlan10 2>/dev/null
ns h1 ip neigh flush all
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "IPv6 group: ping kernel side -> vtepd side"
pass "IPv6 group $GROUP6: hosts ping both ways, floods crossing an IPv6 multicast router"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
sleep 0.5
kill -TERM $TCPDUMP; wait $TCPDUMP 2>/dev/null
mld=$(tshark -r "$LAB_DIR/mld.pcap" -Y "icmpv6.type==143" -T fields -e ipv6.src -e ipv6.hlim \
      -e icmpv6.mldr.mar.multicast_address -e icmpv6.mldr.mar.record_type 2>/dev/null | grep -i "$GROUP6" | sort -u)
echo "$mld" | sed 's/^/    MLDv2 from vtepd: /'
echo "$mld" | awk '$1 ~ /^fe80::/ && $2 == 1 && $4 == 4' | grep -q . || fail "no MLDv2 join (CHANGE_TO_EXCLUDE) for $GROUP6 from a link-local source with hop limit 1"
pass "vtepd joined $GROUP6 with MLDv2 (CHANGE_TO_EXCLUDE from its link-local address, hop limit 1; tshark)"
echo "$mld" | awk '$4 == 3' | grep -q . || fail "no MLDv2 leave (CHANGE_TO_INCLUDE) for $GROUP6 at shutdown"
pass "vtepd left $GROUP6 at shutdown (CHANGE_TO_INCLUDE)"
echo "PASS"
