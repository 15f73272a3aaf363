#!/usr/bin/env bash
# The demo: a namespace lab where vtepd (DPDK, net_af_packet over veth) and a Linux kernel
# VTEP (vxlan + bridge) join one layer-2 segment, VNI 10, over UDP 4789. Hosts on both sides
# ping each other and move data over TCP through the tunnel; vtepd's counters are shown at
# the end. The lab is removed afterwards, also when interrupted. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces)" >&2; exit 1; }
scripts/setup.sh

export LAB_PREFIX=vgdemo
source scripts/lib/lab.sh
trap lab_down EXIT
trap 'echo; echo "demo: interrupted, removing the lab"; exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Building the lab: kernel VTEP 10.77.0.1 <-> vtepd 10.77.0.2, hosts 192.168.10.1 / .2 in VNI 10"
lab_up
lab_start_vtepd "$PWD/build/app/vtepd"
sed -n '/vtepgw/p' "$LAB_DIR/vtepd.log"

say "Host behind vtepd (192.168.10.2) pings the host behind the kernel VTEP (192.168.10.1)"
ns h2 ping -c 3 -i 0.3 192.168.10.1
say "And back: 192.168.10.1 -> 192.168.10.2"
ns h1 ping -c 3 -i 0.3 192.168.10.2
say "Full-size inner packets: 1450-byte MTU inside, 1500 on the underlay (VXLAN costs 50 bytes)"
ns h2 ping -c 2 -i 0.3 -M do -s 1422 192.168.10.1
say "The kernel VTEP's view: its bridge learned the host behind vtepd at 10.77.0.2"
ns kv bridge fdb show dev vxlan10 | grep -v permanent || true

say "TCP: 8 MiB from 192.168.10.2 to 192.168.10.1 through the tunnel, checked by SHA-256"
ns h1 /usr/bin/python3 tests/e2e/tcp_transfer.py serve 5001 >"$LAB_DIR/recv" &
srv=$!
sleep 0.5
start=$(date +%s.%N)
sent=$(ns h2 /usr/bin/python3 tests/e2e/tcp_transfer.py send 192.168.10.1 5001 8388608)
wait $srv
end=$(date +%s.%N)
echo "sent:     $sent"
echo "received: $(cat "$LAB_DIR/recv")"
[ "$sent" = "$(cat "$LAB_DIR/recv")" ] && awk -v s="$start" -v e="$end" 'BEGIN { printf "identical; %.1f MiB/s\n", 8 / (e - s) }'

say "What the wire carries (tshark on the kernel VTEP's underlay port)"
ip netns exec "${LAB_PREFIX}-kv" timeout 3 tshark -i kv-u -c 4 -f "udp port 4789" 2>/dev/null &
tsh=$!
sleep 1
ns h2 ping -c 2 -i 0.2 192.168.10.1 >/dev/null
wait $tsh || true

CTL="build/app/vtepctl --socket $LAB_DIR/vtepd.sock"
say "vtepctl show vtep: the remote VTEPs vtepd knows"
$CTL show vtep
say "vtepctl show address-table: MAC -> local port or remote VTEP, moves, age"
$CTL show address-table
say "vtepctl show counters"
$CTL show counters

say "Stopping vtepd (SIGINT): its final counters"
lab_stop_vtepd
sed -n '/final counters/,$p' "$LAB_DIR/vtepd.log"
say "Demo done; the lab is being removed"
