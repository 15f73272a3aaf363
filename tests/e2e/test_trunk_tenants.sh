#!/usr/bin/env bash
# End-to-end: tenants and trunks, against two Linux kernel VTEPs on an underlay switch (a
# Linux bridge with IGMP snooping, so multicast reaches vtepd only because it joins).
#  - two tenants, VNI 10 and VNI 20, share group 239.1.1.1 and use the same host addresses
#    (192.168.1.1 behind the kernel VTEP, 192.168.1.2 behind vtepd): each reaches only its
#    own side, and no frame of one tenant appears in the other;
#  - a trunk: host "ht" on one vtepd port with VLAN 100 (-> VNI 10, 192.168.1.3) and VLAN
#    200 (-> VNI 30, 192.168.30.2) reaches the kernel VTEP kv in VNI 10 and the kernel VTEP kv2
#    in VNI 30, and gets the answers tagged. This kernel has neither the 8021q module nor
#    bridge VLAN filtering, so the trunk host is scapy (vlan_ping.py) on a plain veth.
# Usage: test_trunk_tenants.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgtt
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM
GROUP=239.1.1.1

mac_of() { ns "$1" cat "/sys/class/net/$2/address"; }

lab_require_root || exit 1
lab_down
lab_ns r kv kv2 gw hA1 hB1 h3 hA2 hB2 ht
ns r ip link add sw0 type bridge mcast_snooping 1
ns r ip link set sw0 up
for v in kv kv2 gw; do
    lab_link $v $v-u r sw-$v
    ns r ip link set sw-$v master sw0
done
ns kv ip addr add 10.77.0.1/24 dev kv-u
ns kv2 ip addr add 10.77.0.3/24 dev kv2-u
# Kernel VTEP kv: both tenants, multicast. Kernel VTEP kv2: VNI 30, unicast to vtepd.
lab_host hA1 192.168.1.1/24 kv a1
lab_host hB1 192.168.1.1/24 kv b1
lab_kernel_vtep kv 10 a1 local 10.77.0.1 group $GROUP dev kv-u ttl 4
lab_kernel_vtep kv 20 b1 local 10.77.0.1 group $GROUP dev kv-u ttl 4
lab_host h3 192.168.30.3/24 kv2 k3
lab_kernel_vtep kv2 30 k3 local 10.77.0.3 remote 10.77.0.2 dev kv2-u
# vtepd's side: one access port per tenant, one trunk.
lab_host hA2 192.168.1.2/24 gw pa
lab_host hB2 192.168.1.2/24 gw pb
lab_link ht eth0 gw tr
cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "pa": { "device": "net_af_packet1" },
             "pb": { "device": "net_af_packet2" }, "trunk": { "device": "net_af_packet3" } },
  "underlay": { "port": "uplink", "address": "10.77.0.2/24" },
  "bridges": {
    "tenantA": { "vni": 10, "group": "$GROUP", "members": [ { "port": "pa" }, { "port": "trunk", "vlan": 100 } ] },
    "tenantB": { "vni": 20, "group": "$GROUP", "members": [ { "port": "pb" } ] },
    "br30":    { "vni": 30, "flood_vteps": [ "10.77.0.3" ], "members": [ { "port": "trunk", "vlan": 200 } ] }
  }
}
JSON
ip netns exec "${LAB_PREFIX}-gw" "$VTEPD" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "${LAB_PREFIX}-vtepd" \
    --vdev=net_af_packet0,iface=gw-u --vdev=net_af_packet1,iface=pa --vdev=net_af_packet2,iface=pb \
    --vdev=net_af_packet3,iface=tr -- --config "$LAB_DIR/vtepd.json" >"$LAB_DIR/vtepd.log" 2>&1 &
VTEPD_PID=$!
for _ in $(seq 100); do grep -q "forwarding on" "$LAB_DIR/vtepd.log" && break; sleep 0.1; done
grep -q "forwarding on" "$LAB_DIR/vtepd.log" || fail "vtepd did not start"
sleep 1.5

# Captures in tenant B's hosts: nothing from tenant A's vtepd-side host may show up there.
A2MAC=$(mac_of hA2 eth0)
for h in hB1 hB2; do
    ip netns exec "${LAB_PREFIX}-$h" tcpdump -U -i eth0 -w "$LAB_DIR/$h.pcap" 2>/dev/null &
    LAB_EXTRA_PIDS="$LAB_EXTRA_PIDS $!"
done
sleep 1
ns hA2 ping -c 4 -i 0.2 -W 2 192.168.1.1 >/dev/null || fail "tenant A: 192.168.1.2 -> 192.168.1.1"
ns hB2 ping -c 4 -i 0.2 -W 2 192.168.1.1 >/dev/null || fail "tenant B: 192.168.1.2 -> 192.168.1.1"
ns hA1 ping -c 2 -i 0.2 -W 2 192.168.1.2 >/dev/null || fail "tenant A: 192.168.1.1 -> 192.168.1.2"
ns hB1 ping -c 2 -i 0.2 -W 2 192.168.1.2 >/dev/null || fail "tenant B: 192.168.1.1 -> 192.168.1.2"
pass "both tenants reach their own 192.168.1.1 through VNIs 10 and 20 sharing $GROUP"
[ "$(ns hA2 ip neigh show 192.168.1.1 | awk '{print $5}')" = "$(mac_of hA1 eth0)" ] || fail "tenant A resolved 192.168.1.1 to a foreign MAC"
[ "$(ns hB2 ip neigh show 192.168.1.1 | awk '{print $5}')" = "$(mac_of hB1 eth0)" ] || fail "tenant B resolved 192.168.1.1 to a foreign MAC"
pass "each tenant's 192.168.1.1 is its own host (ARP answers come from the right MAC)"

ns ht /usr/bin/python3 "$HERE/vlan_ping.py" eth0 100 192.168.1.3 192.168.1.1 || fail "trunk VLAN 100 -> kernel VTEP kv, VNI 10"
ns ht /usr/bin/python3 "$HERE/vlan_ping.py" eth0 200 192.168.30.2 192.168.30.3 || fail "trunk VLAN 200 -> kernel VTEP kv2, VNI 30"
pass "trunk: VLAN 100 reaches kv in VNI 10, VLAN 200 reaches kv2 in VNI 30, answers come back tagged"

kill -TERM $LAB_EXTRA_PIDS; wait $LAB_EXTRA_PIDS 2>/dev/null; LAB_EXTRA_PIDS=""
for h in hB1 hB2; do
    n=$(tshark -r "$LAB_DIR/$h.pcap" -Y "eth.src == $A2MAC" 2>/dev/null | wc -l)
    [ "$n" = 0 ] || fail "$n frame(s) of tenant A's host reached tenant B's $h"
done
pass "no frame of tenant A reached tenant B (captures on both of B's hosts)"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
exit 0
