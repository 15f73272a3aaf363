#!/usr/bin/env bash
# End-to-end: an L2 GRE bridge (encapsulation "gre", key 4242) between vtepd and Open vSwitch
# as the peer — its userspace datapath (datapath_type=netdev) with a type=gre port,
# options:key=4242, since this kernel has no gretap — behind a router. Hosts on both sides
# ping and move 1 MiB of TCP both ways (SHA-256 checked); tshark decodes vtepd's frames as
# GRE with the key, carrying Ethernet; vtepd learns the OVS side's host behind a GRE VTEP.
#
#   h2 -- gw-a [vtepd] gw-u 10.78.1.2 -- r (10.78.1.254 | 10.78.2.254) -- ov-u [ns ov: OVS]
#   OVS: br-phy (ov-u, its tap holds 10.78.2.1)   br-int (ov-h -- h1, gre0 remote 10.78.1.2 key 4242)
# Usage: test_gre_ovs.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vggre
source "$HERE/../../scripts/lib/lab.sh"
OVS_PIDS=""
stop_ovs() {
    for p in "$LAB_DIR"/ovs/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
    return 0
}
trap 'stop_ovs; lab_down' EXIT
trap 'exit 130' INT TERM
VSWITCHD=/usr/lib/openvswitch-switch/ovs-vswitchd
[ -x "$VSWITCHD" ] || fail "Open vSwitch not installed: run scripts/setup.sh"

lab_require_root || exit 1
lab_down
lab_ns h1 h2 gw r ov
lab_host h2 192.168.10.2/24 gw gw-a
lab_link gw gw-u r r-gw
lab_link ov ov-u r r-ov
lab_link h1 eth0 ov ov-h 192.168.10.1/24 "$LAB_HOST_MTU"
ns r ip addr add 10.78.1.254/24 dev r-gw
ns r ip addr add 10.78.2.254/24 dev r-ov
ns r sysctl -qw net.ipv4.ip_forward=1
# The veths OVS's userspace datapath reads must not be answered by ns ov's own kernel.
ns ov ip link set ov-u arp off
ns ov ip link set ov-h arp off
# Open vSwitch's userspace datapath reads ov-h with af_packet and drops the TSO frames a host
# sends at default offloads ("ov-h: Dropped packet: Too big. GRO/TSO enabled?" in its log;
# its userspace-tso cannot carry them into a tunnel). That is the peer's limit, not vtepd's:
# the host behind OVS alone segments in software. vtepd's side keeps every default.
ns h1 ethtool -K eth0 tso off gso off >/dev/null

# Open vSwitch in ns ov, all state under $LAB_DIR/ovs.
D="$LAB_DIR/ovs"
mkdir -p "$D"
ovsenv() { ip netns exec "${LAB_PREFIX}-ov" env OVS_RUNDIR="$D" OVS_LOGDIR="$D" OVS_DBDIR="$D" "$@"; }
vsctl() { ovsenv ovs-vsctl --db="unix:$D/db.sock" "$@"; }
ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema || fail "ovsdb-tool"
ovsenv ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" --pidfile="$D/ovsdb-server.pid" \
    --detach --log-file="$D/ovsdb-server.log" || fail "ovsdb-server did not start"
vsctl --no-wait init
ovsenv "$VSWITCHD" "unix:$D/db.sock" --pidfile="$D/ovs-vswitchd.pid" --detach \
    --log-file="$D/ovs-vswitchd.log" || fail "ovs-vswitchd did not start"
vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy ov-u
vsctl add-br br-int -- set bridge br-int datapath_type=netdev -- add-port br-int ov-h \
    -- add-port br-int gre0 -- set interface gre0 type=gre options:remote_ip=10.78.1.2 options:key=4242
ns ov ip addr add 10.78.2.1/24 dev br-phy
ns ov ip link set br-phy up
ns ov ip link set br-int up
ns ov ip route add 10.78.1.0/24 via 10.78.2.254
sleep 1
ovsenv ovs-appctl --target="$D/ovs-vswitchd.$(cat "$D/ovs-vswitchd.pid").ctl" ovs/route/add 10.78.1.0/24 br-phy 10.78.2.254 >/dev/null 2>&1
ovsenv ovs-appctl --target="$D/ovs-vswitchd.$(cat "$D/ovs-vswitchd.pid").ctl" tnl/arp/set br-phy 10.78.2.254 \
    "$(ns r cat /sys/class/net/r-ov/address)" >/dev/null || fail "cannot give OVS the router's MAC"

cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": { "uplink": { "device": "net_af_packet0" }, "access": { "device": "net_af_packet1", "mtu": $LAB_HOST_MTU } },
  "underlay": { "port": "uplink", "address": "10.78.1.2/24", "gateway": "10.78.1.254" },
  "bridges": { "tenant": { "vni": 4242, "encapsulation": "gre", "flood_vteps": [ "10.78.2.1" ],
                           "members": [ { "port": "access" } ] } }
}
JSON
ip netns exec "${LAB_PREFIX}-r" tcpdump -U -i r-gw -w "$LAB_DIR/gre.pcap" ip proto 47 2>/dev/null &
TD=$!
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1.5
ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || { tail -20 "$D/ovs-vswitchd.log"; fail "ping vtepd side -> OVS side over GRE"; }
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping OVS side -> vtepd side over GRE"
pass "hosts ping both ways over GRE (key 4242) between vtepd and Open vSwitch, through a router"
for dir in "h2 h1 192.168.10.1" "h1 h2 192.168.10.2"; do
    set -- $dir
    sent=$(lab_tcp_transfer $1 $2 $3 1048576) || fail "TCP $1 -> $2 over GRE"
    pass "1 MiB over TCP $1 -> $2 over GRE, SHA-256 matches"
done
H1MAC=$(ns h1 cat /sys/class/net/eth0/address)
table=$("$(dirname "$VTEPD")/vtepctl" --socket "$LAB_DIR/vtepd.sock" --json show address-table)
echo "$table" | /usr/bin/python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["mac"] == sys.argv[1]]
assert rows and rows[0].get("vtep") == "10.78.2.1" and rows[0].get("encapsulation") == "gre", rows
' "$H1MAC" || fail "vtepd did not learn h1 behind the GRE VTEP 10.78.2.1: $table"
pass "vtepd learned the OVS side's host behind GRE VTEP 10.78.2.1"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
kill -TERM $TD; wait $TD 2>/dev/null
fields=$(tshark -r "$LAB_DIR/gre.pcap" -Y "ip.src==10.78.1.2 && gre" -T fields -e gre.key -e gre.proto -e gre.flags.version 2>/dev/null | sort | uniq -c)
echo "$fields" | sed 's/^/    /'
echo "$fields" | awk '{ if ($2 != "0x00001092" || $3 != "0x6558" || $4 != 0) bad=1; n++ } END { exit bad || n == 0 }' \
    || fail "vtepd's frames are not GRE version 0, key 4242, protocol 0x6558"
# Two Ethernet layers a frame: the outer one and the one GRE carries.
inner=$(tshark -r "$LAB_DIR/gre.pcap" -Y "ip.src==10.78.1.2 && gre" -T fields -e eth.src 2>/dev/null | grep -c ",")
[ "$inner" -gt 0 ] || fail "tshark does not find Ethernet inside vtepd's GRE"
pass "tshark: vtepd sends GRE version 0 with key 4242 carrying Ethernet (0x6558)"
exit 0
