#!/usr/bin/env bash
# End-to-end: one vtepd, one bridge, two Linux kernel VTEPs that were told different UDP
# ports — kv on 4789 (IANA, Arista's default), kv2 on 8472 (Linux's and old VyOS's) — and
# nothing told either about the other. The top-level "vteps" map gives kv2 its port; the host
# behind vtepd reaches the hosts behind both, and tshark sees vtepd's VXLAN to each on its
# own port.
# Usage: test_vxlan_ports.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgpt
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM

lab_require_root || exit 1
lab_down
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
ns kv ip addr add 10.77.0.1/24 dev kv-u
LAB_UDP_PORT=4789 lab_kernel_vtep kv 10 kv-h local 10.77.0.1 remote 10.77.0.2 dev kv-u
ns kv2 ip addr add 10.77.0.3/24 dev kv2-u
LAB_UDP_PORT=8472 lab_kernel_vtep kv2 10 kv2-h local 10.77.0.3 remote 10.77.0.2 dev kv2-u
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": $LAB_HOST_MTU } },
  "underlay": { "port": "uplink", "address": "10.77.0.2/24" },
  "vteps": { "10.77.0.3": { "udp_port": 8472 } },
  "bridges": { "br10": { "vni": 10, "flood_vteps": [ "10.77.0.1", "10.77.0.3" ],
                         "members": [ { "port": "access" } ] } }
}
JSON
ip netns exec "${LAB_PREFIX}-r" tcpdump -U -i sw-gw -w "$LAB_DIR/gw.pcap" udp 2>/dev/null &
TD=$!
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1.5
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping h2 -> h1 (kernel VTEP on 4789)"
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.3 >/dev/null || fail "ping h2 -> h3 (kernel VTEP on 8472)"
ns h3 ping -c 3 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping h3 -> h2 (from the 8472 side)"
pass "the host behind vtepd reaches hosts behind a 4789 and an 8472 kernel VTEP, both ways"
sent=$(lab_tcp_transfer h3 h2 192.168.10.2 1048576) || fail "TCP h3 -> h2 over 8472"
pass "1 MiB over TCP from the 8472 side, SHA-256 matches"
rows=$("$(dirname "$VTEPD")/vtepctl" --socket "$LAB_DIR/vtepd.sock" --json show vtep)
echo "$rows" | /usr/bin/python3 -c '
import json, sys
rows = {r["vtep"]: r for r in json.load(sys.stdin)}
assert rows["10.77.0.1"]["udp_port"] == 4789 and rows["10.77.0.3"]["udp_port"] == 8472, rows
assert rows["10.77.0.3"]["rx_packets"] > 0 and rows["10.77.0.1"]["rx_packets"] > 0, rows
' || fail "show vtep does not list each VTEP with its port and traffic: $rows"
pass "show vtep: 10.77.0.1 on 4789, 10.77.0.3 on 8472, traffic from both"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
kill -TERM $TD; wait $TD 2>/dev/null
ports=$(tshark -r "$LAB_DIR/gw.pcap" -d udp.port==8472,vxlan -Y "ip.src==10.77.0.2 && vxlan" -T fields -E occurrence=f -e ip.dst -e udp.dstport 2>/dev/null | sort -u | tr '\n' ' ')
echo "    vtepd sent VXLAN to: $ports"
[ "$ports" = "10.77.0.1	4789 10.77.0.3	8472 " ] || fail "vtepd's VXLAN did not go to each VTEP on its own port: '$ports'"
pass "tshark: vtepd sent VXLAN to 10.77.0.1 on 4789 and to 10.77.0.3 on 8472"
exit 0
