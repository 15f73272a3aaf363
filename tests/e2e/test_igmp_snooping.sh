#!/usr/bin/env bash
# End-to-end: multicast reaches vtepd *because* it joined. vtepd and a Linux kernel VTEP
# (group 239.1.1.1) share a Linux bridge with IGMP snooping and its own querier; the port
# towards vtepd does not flood unregistered multicast (mcast_flood off), so group traffic
# reaches vtepd only once the switch has vtepd's report. Checked first without vtepd's
# membership (the kernel VTEP's floods must not arrive), then with it (they must, and the
# hosts reach each other).
# Usage: test_igmp_snooping.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgsn
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM
GROUP=239.1.1.1

#   h1 -- kv [br10: kv-h + vxlan10 group 239.1.1.1] kv-u 10.3.0.1/24 -- sw-kv
#                                                      [switch: bridge, snooping + querier]
#   h2 -- gw-a [vtepd] gw-u 10.3.0.2/24 ---------------------------- sw-gw (mcast_flood off)
lab_require_root || fail "not root"
lab_down
lab_ns h1 h2 kv gw sw
lab_host h1 192.168.10.1/24 kv kv-h
lab_host h2 192.168.10.2/24 gw gw-a
lab_link kv kv-u sw sw-kv 10.3.0.1/24
lab_link gw gw-u sw sw-gw
ns sw ip link add sw type bridge mcast_snooping 1 mcast_querier 1 mcast_query_interval 100 \
    mcast_query_response_interval 100 mcast_membership_interval 2600
ns sw ip link set sw-kv master sw
ns sw ip link set sw-gw master sw
ns sw bridge link set dev sw-gw mcast_flood off
ns sw ip link set sw up
lab_kernel_vtep kv 10 kv-h local 10.3.0.1 group $GROUP dev kv-u ttl 2
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": $LAB_HOST_MTU } },
  "underlay": { "port": "uplink", "address": "10.3.0.2/24" },
  "bridges": { "br10": { "vni": 10, "group": "$GROUP", "members": [ { "port": "access" } ] } }
}
JSON
sleep 6  # the querier's startup queries; it elects itself

# Without vtepd's membership the switch keeps the group's traffic from vtepd's port.
ip netns exec "${LAB_PREFIX}-gw" tcpdump -U -i gw-u -w "$LAB_DIR/before.pcap" udp port 4789 2>/dev/null &
TD=$!
sleep 0.5
ns h1 ping -c 3 -i 0.2 -W 1 192.168.10.2 >/dev/null 2>&1
sleep 0.5
kill -TERM $TD; wait $TD 2>/dev/null
before=$(tshark -r "$LAB_DIR/before.pcap" -Y "ip.dst==$GROUP" 2>/dev/null | wc -l)
sent=$(ns kv ip -s link show kv-u | awk '/TX:/{getline; print $2}')
[ "$sent" -gt 0 ] || fail "the kernel VTEP sent nothing"
[ "$before" = 0 ] || fail "$before packets to $GROUP reached vtepd's port before it joined: the switch does not snoop"
pass "before vtepd joins, the snooping switch keeps $GROUP from its port (0 packets)"

ip netns exec "${LAB_PREFIX}-gw" tcpdump -U -i gw-u -w "$LAB_DIR/after.pcap" igmp or udp port 4789 2>/dev/null &
TD=$!
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 2
ns sw bridge mdb show | grep -q "sw-gw.*$GROUP" || { ns sw bridge mdb show; fail "the switch has no membership for vtepd's port"; }
pass "the switch learned vtepd's membership of $GROUP on its port"
ns h1 ip neigh flush all
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping kernel side -> vtepd side through the snooping switch"
ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping vtepd side -> kernel side"
pass "hosts reach each other: the kernel VTEP's floods to $GROUP reach vtepd because it joined"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
kill -TERM $TD; wait $TD 2>/dev/null
exit 0
