#!/usr/bin/env bash
# End-to-end, BGP EVPN through FRR: a Linux kernel EVPN VTEP (bridge + vxlan nolearning,
# zebra + bgpd with advertise-all-vni) behind a router, and vtepd with FRR in its namespace
# peering over the host interface. No flood_vteps anywhere: the flood lists come from type-3
# routes, the MACs from type-2 routes, both ways. Hosts ping and move 1 MiB of TCP checked by
# hash; vtepd's table holds the kernel host's MAC as "evpn" behind the kernel VTEP, and the
# kernel side's zebra lists vtepd's host MAC as remote behind vtepd; a withdrawn MAC leaves
# vtepd's table within 5 s; stopping FRR beside vtepd empties the evpn entries within 5 s, and
# restarting it restores them.
# Usage: test_evpn_frr.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
VTEPCTL=$(dirname "$VTEPD")/vtepctl
export LAB_PREFIX=vgev
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM

#   h1 -- kv [br10: kv-h + vxlan10 local 10.1.0.1 nolearning] kv-u 10.1.0.1/24, zebra+bgpd
#              |
#         r-kv 10.1.0.254  [router r]  r-gw 10.2.0.254
#              |
#   h2 -- gw-a [vtepd: br10 vni 10, evpn] gw-u; vtep0 10.2.0.2/24 (host interface), zebra+bgpd
lab_routed || fail "cannot build the lab"
lab_kernel_vtep kv 10 kv-h local 10.1.0.1 nolearning
ns kv bridge link set dev vxlan10 learning off

cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1" } },
  "underlay": { "port": "uplink", "address": "10.2.0.2/24", "gateway": "10.2.0.254",
                "host_interface": "vtep0",
                "routes": [ { "prefix": "10.1.0.0/24", "via": "10.2.0.254" } ] },
  "evpn": {},
  "bridges": { "br10": { "vni": 10, "members": [ { "port": "access" } ] } }
}
JSON
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
ctl() { "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" "$@"; }
ns gw ip -d link show evx10 | grep -q "vxlan id 10 local 10.2.0.2" || fail "no shadow vxlan device evx10: $(ns gw ip -d link show evx10)"
pass "vtepd made its shadow devices (evb10, evx10 id 10 local 10.2.0.2, evp10)"

evpn_bgp() {  # router-id neighbour
    cat <<CONF
router bgp 65000
 bgp router-id $1
 no bgp default ipv4-unicast
 neighbor $2 remote-as 65000
 neighbor $2 timers 3 9
 neighbor $2 timers connect 2
 address-family l2vpn evpn
  neighbor $2 activate
  advertise-all-vni
 exit-address-family
CONF
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
lab_frr_start kv "$(evpn_bgp 10.1.0.1 10.2.0.2)" || fail "cannot start FRR beside the kernel VTEP"
lab_frr_start gw "$(evpn_bgp 10.2.0.2 10.1.0.1)" || fail "cannot start FRR beside vtepd"

# Hosts speak first so that both sides have a local MAC to advertise.
ns h1 ping -c 1 -W 1 192.168.10.254 >/dev/null 2>&1
ns h2 ping -c 1 -W 1 192.168.10.254 >/dev/null 2>&1
h1mac=$(ns h1 cat /sys/class/net/eth0/address)
h2mac=$(ns h2 cat /sys/class/net/eth0/address)
evpn_entry() {  # mac -> "vtep" of vtepd's evpn entry, or nothing
    ctl show address-table --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["mac"] == sys.argv[1] and r["type"] == "evpn": print(r["vtep"])' "$1"
}
got=""
for _ in $(seq 60); do
    got=$(evpn_entry "$h1mac")
    [ "$got" = 10.1.0.1 ] && break
    sleep 0.5
done
[ "$got" = 10.1.0.1 ] || fail "h1's MAC $h1mac is not an evpn entry behind 10.1.0.1 (BGP: $(lab_vtysh gw 'show bgp l2vpn evpn summary' | tail -3))"
pass "vtepd's table has h1's MAC as type evpn behind 10.1.0.1 (a type-2 route through zebra), $(( $(ms) - t0 )) ms after FRR started"
ctl show vtep --json | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["vtep"] == "10.1.0.1"]
assert rows and rows[0]["source"] == "evpn" and 10 in rows[0]["vnis"], rows
' || fail "show vtep does not list 10.1.0.1 from evpn: $(ctl show vtep --json)"
pass "show vtep lists 10.1.0.1 with source evpn (the type-3 flood list)"
seen=""
for _ in $(seq 20); do
    seen=$(lab_vtysh kv "show evpn mac vni 10 mac $h2mac json" 2>/dev/null)
    echo "$seen" | grep -q '"remoteVtep":"10.2.0.2"' && break
    sleep 0.5
done
echo "$seen" | grep -q '"remoteVtep":"10.2.0.2"' || fail "the kernel side's zebra does not have h2's MAC $h2mac behind 10.2.0.2: $seen"
pass "the kernel side's zebra lists h2's MAC as remote behind 10.2.0.2 (vtepd's local MAC advertised)"

ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping h2 -> h1 over EVPN"
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping h1 -> h2 over EVPN"
pass "hosts ping both ways with no flood_vteps configured"
for dir in "h2 h1 192.168.10.1" "h1 h2 192.168.10.2"; do
    set -- $dir
    lab_tcp_transfer $1 $2 $3 1048576 >/dev/null || fail "TCP $1 -> $2"
done
pass "1 MiB over TCP both ways, SHA-256 matches"
ctl show evpn --json | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert e["enabled"] and e["synced"] and e["remote_macs"] >= 1 and e["local_macs_added"] >= 1, e
assert e["bridges"][0]["remote_vteps"] == ["10.1.0.1"], e
' || fail "show evpn: $(ctl show evpn --json)"
pass "show evpn: synced, remote VTEP 10.1.0.1, MACs in and out"

# Withdrawal: the kernel host's port goes, zebra withdraws its MAC, vtepd drops it.
t0=$(ms)
ns kv ip link del kv-h
for _ in $(seq 50); do [ -z "$(evpn_entry "$h1mac")" ] && break; sleep 0.1; done
[ -z "$(evpn_entry "$h1mac")" ] || fail "h1's MAC is still in vtepd's table 5 s after its withdrawal"
pass "the kernel side withdrew h1's MAC (port removed): gone from vtepd's table after $(( $(ms) - t0 )) ms (limit 5 s)"

# FRR beside vtepd stops: zebra removes what it installed, vtepd follows; back again on restart.
ns kv ip link add kv-h2 type veth peer name eth1 netns "${LAB_PREFIX}-h1"
ns kv ip link set kv-h2 master br10 up
ns h1 ip link set eth1 address "$h1mac" up
ns h1 ip addr add 192.168.10.11/24 dev eth1
ns h1 ping -c 1 -W 1 192.168.10.254 -I eth1 >/dev/null 2>&1
for _ in $(seq 50); do [ -n "$(evpn_entry "$h1mac")" ] && break; sleep 0.1; done
[ -n "$(evpn_entry "$h1mac")" ] || fail "h1's MAC did not come back behind 10.1.0.1 on its new port"
t0=$(ms)
lab_frr_stop gw
count_evpn() { ctl show address-table --json | python3 -c 'import json,sys; print(sum(r["type"] == "evpn" for r in json.load(sys.stdin)))'; }
for _ in $(seq 50); do [ "$(count_evpn)" = 0 ] && break; sleep 0.1; done
[ "$(count_evpn)" = 0 ] || fail "evpn entries left 5 s after FRR stopped: $(count_evpn)"
pass "FRR beside vtepd stopped: every evpn entry gone after $(( $(ms) - t0 )) ms (limit 5 s)"
t0=$(ms)
lab_frr_start gw "$(evpn_bgp 10.2.0.2 10.1.0.1)" || fail "cannot restart FRR beside vtepd"
for _ in $(seq 120); do [ -n "$(evpn_entry "$h1mac")" ] && break; sleep 0.25; done
[ "$(evpn_entry "$h1mac")" = 10.1.0.1 ] || fail "evpn entries not restored after FRR restarted"
pass "FRR restarted: h1's MAC back as evpn behind 10.1.0.1 after $(( $(ms) - t0 )) ms"

lab_stop_vtepd || fail "vtepd did not exit cleanly"
ns gw ip link show evx10 >/dev/null 2>&1 && fail "shadow device evx10 still there after vtepd exited"
pass "shadow devices removed at exit"
