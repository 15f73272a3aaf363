#!/usr/bin/env bash
# End-to-end, the field topology: a Linux kernel VTEP and vtepd on different subnets, joined
# by a router namespace that routes multicast (smcroute, or lab_mroute's user-space forwarder on
# a kernel without multicast routing). Both flood BUM traffic to group
# 239.1.1.1. Hosts ping and move 1 MiB over TCP both ways; vtepd's IGMPv3 report for the
# group is on the wire (tshark) and a router's query is answered. Then the same lab with
# vtepd's TTL 1: its floods die at the router and the hosts cannot reach each other (the
# classic pitfall, and why vtepd warns about TTL 1).
# Usage: test_multicast_router.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgmc
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM
GROUP=239.1.1.1

#   h1 -- kv [br10: kv-h + vxlan10 group 239.1.1.1 ttl 2] kv-u 10.1.0.1/24
#              |
#         r-kv 10.1.0.254  [router r: ip_forward, mroute (*,239.1.1.1) both ways]  r-gw 10.2.0.254
#              |
#   h2 -- gw-a [vtepd]  gw-u 10.2.0.2/24, gateway 10.2.0.254, bridge br10 group 239.1.1.1
build_lab() {
    lab_routed || return 1
    lab_kernel_vtep kv 10 kv-h local 10.1.0.1 group $GROUP dev kv-u ttl 2
    lab_mroute v4 $GROUP
}

write_config() {  # ttl
    cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1" } },
  "underlay": { "port": "uplink", "address": "10.2.0.2/24", "gateway": "10.2.0.254" },
  "vxlan": { "udp_port": 4789, "ttl": $1, "igmp_version": 3 },
  "bridges": { "br10": { "vni": 10, "group": "$GROUP", "members": [ { "port": "access" } ] } }
}
JSON
}

# ---- TTL 64: works across the router
build_lab || fail "cannot build the lab"
write_config 64
ip netns exec "${LAB_PREFIX}-r" tcpdump -U -i r-gw -w "$LAB_DIR/r-gw.pcap" igmp or udp port 4789 2>/dev/null &
TCPDUMP=$!
sleep 1
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1
ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping vtepd side -> kernel side across the router"
pass "ping 192.168.10.2 -> 192.168.10.1 across a multicast router (vtepd floods to $GROUP)"
ns kv ip neigh flush dev br10 2>/dev/null; ns kv bridge fdb del $(ns h2 cat /sys/class/net/eth0/address) dev vxlan10 2>/dev/null
ns h1 ip neigh flush all
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping kernel side -> vtepd side across the router"
pass "ping 192.168.10.1 -> 192.168.10.2 (kernel floods to $GROUP, vtepd accepts the group)"
for dir in "h2 h1 192.168.10.1" "h1 h2 192.168.10.2"; do
    set -- $dir
    sent=$(lab_tcp_transfer $1 $2 $3 1048576) || fail "TCP $1 -> $2"
    pass "1 MiB over TCP $1 -> $2, SHA-256 matches"
done

# A router's IGMPv3 general query (Max Resp 1 s) is answered with the current state; then an
# IGMPv2 query (RFC 3376 7.2.1) switches vtepd to IGMPv2 reports, and its leave at shutdown
# is a v2 leave.
query() {  # igmp-bytes-as-scapy-expression
    ns r /usr/bin/python3 - "$1" <<'PY' || fail "scapy could not send an IGMP query"
import sys
from scapy.all import Ether, IP, Raw, sendp, checksum
m = bytearray.fromhex(sys.argv[1])
c = checksum(bytes(m))
m[2], m[3] = c >> 8, c & 0xFF
q = Ether(dst="01:00:5e:00:00:01") / IP(src="10.2.0.254", dst="224.0.0.1", ttl=1, proto=2) / Raw(bytes(m))
sendp(q, iface="r-gw", verbose=False)
PY
}
# v3 query: type 0x11, Max Resp Code 10, checksum (filled in), group 0, S/QRV 2, QQIC 125, 0 sources
query 110a000000000000027d0000
sleep 1.5
query 110a000000000000  # v2 query, Max Resp 10 (1 s)
sleep 1.5
lab_stop_vtepd || fail "vtepd did not exit cleanly"
sleep 1
kill -TERM $TCPDUMP; wait $TCPDUMP 2>/dev/null
reports=$(tshark -r "$LAB_DIR/r-gw.pcap" -Y "ip.src==10.2.0.2 && igmp" -T fields -e frame.time_relative -e igmp.type -e igmp.maddr -e igmp.record_type -e ip.ttl 2>/dev/null)
echo "$reports" | sed 's/^/    IGMP from vtepd: /'
echo "$reports" | awk -v g=$GROUP '$2 == "0x22" && $3 == g && $4 == 4 && $5 == 1' | grep -q . || fail "no IGMPv3 join (CHANGE_TO_EXCLUDE) for $GROUP with TTL 1"
pass "vtepd sent an IGMPv3 join for $GROUP (TTL 1, decoded by tshark)"
echo "$reports" | awk -v g=$GROUP '$2 == "0x22" && $3 == g && $4 == 2' | grep -q . || fail "the v3 query was not answered (no MODE_IS_EXCLUDE record)"
pass "vtepd answered the router's IGMPv3 general query with its current state"
echo "$reports" | awk -v g=$GROUP '$2 == "0x16" && $3 == g' | grep -q . || fail "no IGMPv2 report after an IGMPv2 query"
pass "after an IGMPv2 query vtepd reports with IGMPv2 (RFC 3376 compatibility mode)"
echo "$reports" | awk -v g=$GROUP '$2 == "0x17" && $3 == g' | grep -q . || fail "no IGMPv2 leave for $GROUP at shutdown"
pass "vtepd left $GROUP at shutdown (IGMPv2 leave, the querier's version)"
mc=$(tshark -r "$LAB_DIR/r-gw.pcap" -Y "ip.src==10.2.0.2 && ip.dst==$GROUP && vxlan.vni==10" -T fields -E occurrence=f -e eth.dst -e ip.ttl 2>/dev/null | sort -u)
echo "$mc" | grep -q "01:00:5e:01:01:01	64" || fail "vtepd's floods are not VXLAN to $GROUP / 01:00:5e:01:01:01 with TTL 64: '$mc'"
pass "vtepd floods as VXLAN to $GROUP, MAC 01:00:5e:01:01:01, TTL 64"

# ---- TTL 1: the documented pitfall, reproduced
build_lab || fail "cannot rebuild the lab"
write_config 1
ip netns exec "${LAB_PREFIX}-r" tcpdump -U -i r-gw -w "$LAB_DIR/ttl-in.pcap" udp port 4789 2>/dev/null &
TD_IN=$!
ip netns exec "${LAB_PREFIX}-r" tcpdump -U -i r-kv -w "$LAB_DIR/ttl-out.pcap" udp port 4789 2>/dev/null &
TD_OUT=$!
sleep 0.5
lab_start_vtepd "$VTEPD" || fail "vtepd did not start with ttl 1"
grep -q "TTL 1 cannot cross a router" "$LAB_DIR/vtepd.log" || fail "no warning about TTL 1"
pass "vtepd warns: TTL 1 cannot cross a router"
sleep 1
if ns h2 ping -c 3 -i 0.3 -W 1 192.168.10.1 >/dev/null; then
    fail "hosts reached each other although vtepd sends with TTL 1"
fi
sleep 0.5
kill -TERM $TD_IN $TD_OUT; wait $TD_IN $TD_OUT 2>/dev/null
# The failure must be the TTL's: vtepd's floods reach the router with TTL 1 and die there.
arrived=$(tshark -r "$LAB_DIR/ttl-in.pcap" -Y "ip.src==10.2.0.2 && ip.dst==$GROUP && ip.ttl==1 && vxlan.vni==10" 2>/dev/null | wc -l)
crossed=$(tshark -r "$LAB_DIR/ttl-out.pcap" -Y "ip.src==10.2.0.2 && vxlan" 2>/dev/null | wc -l)
[ "$arrived" -gt 0 ] || fail "vtepd's floods did not reach the router with TTL 1 (the leg would pass on any breakage)"
[ "$crossed" = 0 ] || fail "$crossed of vtepd's TTL-1 packets crossed the router"
pass "with TTL 1 the hosts cannot reach each other: $arrived floods reached the router with TTL 1, none crossed it"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
exit 0
