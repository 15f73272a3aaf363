#!/usr/bin/env bash
# End-to-end, the host interface: vtepd's underlay address on a Linux interface (vtep0) in its
# namespace, so that the host's own stack talks through vtepd's ports. Across a router from a
# Linux kernel VTEP's namespace: TCP both ways checked by hash, pings answered once, FRR's bgpd
# beside vtepd establishes BGP with FRR beside the kernel VTEP and learns its prefix, while
# hosts ping through the tunnel at 100 pps without loss. The interface follows a reload
# (routes) and is gone when vtepd exits.
# Usage: test_host_interface.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
VTEPCTL=$(dirname "$VTEPD")/vtepctl
export LAB_PREFIX=vghi
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM

#   h1 -- kv [br10: kv-h + vxlan10 remote 10.2.0.2] kv-u 10.1.0.1/24, FRR AS 65000
#              |
#         r-kv 10.1.0.254  [router r]  r-gw 10.2.0.254
#              |
#   h2 -- gw-a [vtepd] gw-u; vtep0 = 10.2.0.2/24 via 10.2.0.254 (the host interface), FRR AS 65000
lab_routed || fail "cannot build the lab"
lab_kernel_vtep kv 10 kv-h local 10.1.0.1 remote 10.2.0.2 dev kv-u

write_config() {  # extra-route-json
    cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1" } },
  "underlay": { "port": "uplink", "address": "10.2.0.2/24", "gateway": "10.2.0.254",
                "host_interface": "vtep0",
                "routes": [ { "prefix": "10.1.0.0/24", "via": "10.2.0.254" }${1:+, $1} ] },
  "bridges": { "br10": { "vni": 10, "flood_vteps": [ "10.1.0.1" ], "members": [ { "port": "access" } ] } }
}
JSON
}
write_config ""
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
ctl() { "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" "$@"; }

# ---- the interface: our MAC, address, MTU, default route
umac=$(ns gw cat /sys/class/net/gw-u/address)
ns gw ip -o addr show dev vtep0 | grep -q "inet 10.2.0.2/24" || fail "vtep0 has no 10.2.0.2/24: $(ns gw ip -o addr show dev vtep0)"
[ "$(ns gw cat /sys/class/net/vtep0/address)" = "$umac" ] || fail "vtep0's MAC is not the underlay port's ($umac)"
[ "$(ns gw cat /sys/class/net/vtep0/mtu)" = 1500 ] || fail "vtep0's MTU is not underlay.mtu"
ns gw ip route show default | grep -q "via 10.2.0.254 dev vtep0" || fail "no default route via the gateway on vtep0: $(ns gw ip route)"
ns gw ip route show 10.1.0.0/24 | grep -q "via 10.2.0.254 dev vtep0" || fail "no static route 10.1.0.0/24 on vtep0: $(ns gw ip route)"
pass "vtep0 carries 10.2.0.2/24, the underlay MAC $umac, MTU 1500, the default route and the static route"
ctl show interfaces --json | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["role"] == "host"]
assert rows and rows[0]["name"] == "vtep0" and rows[0]["driver"] == "net_tap", rows
' || fail "show interfaces does not list vtep0 as the host interface"
pass "show interfaces lists vtep0 (role host, net_tap)"

# ---- answered once: vtepd answers ping and ARP, the kernel does not answer a second time
out=$(ns kv ping -c 5 -i 0.2 -W 1 10.2.0.2) || fail "ping 10.2.0.2 from across the router"
echo "$out" | grep -q DUP && fail "pings to our address answered twice: $out"
pass "ping from the kernel VTEP's namespace to 10.2.0.2 across the router, answered once"
out=$(ns gw ping -c 3 -i 0.2 -W 1 10.1.0.1) || fail "ping from vtepd's namespace (the host stack) to 10.1.0.1"
echo "$out" | grep -q DUP && fail "replies to the host's pings arrived twice: $out"
pass "the host stack pings 10.1.0.1 through vtepd (ARP and echo replies reach it once)"

# ---- TCP both ways, checked by hash; a ping through the tunnel at 100 pps meanwhile
ns h2 ping -q -i 0.01 -c 1500 -W 1 192.168.10.1 >"$LAB_DIR/tunnel-ping.txt" 2>&1 &
PING=$!
sent=$(lab_tcp_transfer kv gw 10.2.0.2 4194304) || fail "TCP from the kernel VTEP's namespace to a server on 10.2.0.2"
pass "4 MiB over TCP to a server in vtepd's namespace on 10.2.0.2, SHA-256 matches"
sent=$(lab_tcp_transfer gw kv 10.1.0.1 4194304) || fail "TCP from vtepd's namespace to 10.1.0.1"
pass "4 MiB over TCP from vtepd's namespace to 10.1.0.1, SHA-256 matches"

# ---- BGP over the host interface: FRR beside vtepd and FRR beside the kernel VTEP
bgp() {  # router-id neighbour [network]
    cat <<CONF
router bgp 65000
 bgp router-id $1
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor $2 remote-as 65000
 neighbor $2 timers 3 9
 neighbor $2 timers connect 2
 address-family ipv4 unicast
  neighbor $2 activate
  ${3:+network $3}
 exit-address-family
CONF
}
lab_frr_start kv "$(bgp 10.1.0.1 10.2.0.2 198.51.100.0/24)" || fail "cannot start FRR beside the kernel VTEP"
lab_frr_start gw "$(bgp 10.2.0.2 10.1.0.1 203.0.113.0/24)" || fail "cannot start FRR in vtepd's namespace"
state=""
for _ in $(seq 60); do
    state=$(lab_vtysh gw "show bgp neighbors 10.1.0.1 json" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["10.1.0.1"]["bgpState"])' 2>/dev/null)
    [ "$state" = Established ] && break
    sleep 0.5
done
[ "$state" = Established ] || fail "BGP session over vtep0 not established (state '$state'): $(tail -5 "$LAB_DIR/frr-gw/bgpd.log")"
pass "FRR in vtepd's namespace established iBGP with 10.1.0.1 over the host interface"
got=""
for _ in $(seq 20); do
    got=$(lab_vtysh gw "show bgp ipv4 unicast 198.51.100.0/24 json" 2>/dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["paths"][0]["nexthops"][0]["ip"])' 2>/dev/null)
    [ "$got" = 10.1.0.1 ] && break
    sleep 0.5
done
[ "$got" = 10.1.0.1 ] || fail "198.51.100.0/24 not learned from 10.1.0.1"
lab_vtysh kv "show bgp ipv4 unicast 203.0.113.0/24 json" | grep -q '"ip":"10.2.0.2"' || fail "the kernel side did not learn 203.0.113.0/24 from vtepd's namespace"
pass "prefixes exchanged both ways (198.51.100.0/24 from the kernel side, 203.0.113.0/24 from vtepd's)"
wait $PING
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_DIR/tunnel-ping.txt")
[ "$loss" = 0 ] || fail "ping through the tunnel lost packets meanwhile: $(tail -2 "$LAB_DIR/tunnel-ping.txt")"
pass "1500 pings at 100 pps through the tunnel meanwhile: 0% loss"

# ---- counters: punted and injected
ctl show counters --json | python3 -c '
import json, sys
h = json.load(sys.stdin)["host"]
assert h["interface"] == "vtep0" and h["punted_packets"] > 2000 and h["injected_packets"] > 2000, h
assert sum(h["policed"].values()) == 0, h
' || fail "host counters: $(ctl show counters --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"])')"
pass "show counters: punted and injected packets counted, nothing policed at these rates"

# ---- reload: a static route appears on vtep0, and goes again
write_config '{ "prefix": "172.16.9.0/24", "via": "10.2.0.254" }'
kill -HUP "$VTEPD_PID"
for _ in $(seq 20); do ns gw ip route show 172.16.9.0/24 | grep -q "via 10.2.0.254 dev vtep0" && break; sleep 0.1; done
ns gw ip route show 172.16.9.0/24 | grep -q "via 10.2.0.254 dev vtep0" || fail "the reloaded route is not on vtep0"
write_config ""
kill -HUP "$VTEPD_PID"
for _ in $(seq 20); do [ -z "$(ns gw ip route show 172.16.9.0/24)" ] && break; sleep 0.1; done
[ -z "$(ns gw ip route show 172.16.9.0/24)" ] || fail "a route removed from the configuration stayed on vtep0"
lab_vtysh gw "show bgp neighbors 10.1.0.1 json" | grep -q '"bgpState":"Established"' || fail "BGP went down across the reloads"
pass "reloads add and remove routes on vtep0; BGP stays up"

lab_stop_vtepd || fail "vtepd did not exit cleanly"
ns gw ip link show vtep0 >/dev/null 2>&1 && fail "vtep0 is still there after vtepd exited"
pass "vtep0 is gone when vtepd exits"
