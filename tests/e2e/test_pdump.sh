#!/usr/bin/env bash
# Packet capture with DPDK's own tool: dpdk-dumpcap (a secondary process, through rte_pdump)
# captures vtepd's access port while hosts ping through the tunnel. Secondary processes need
# the primary on shared hugepage memory, so this test reserves 2 MiB hugepages and mounts
# hugetlbfs when they are missing (the only test that needs them).
# Usage: test_pdump.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgpd
source "$HERE/../../scripts/lib/lab.sh"
# The primary's hugepage files stay behind (secondaries must be able to map them, so no
# --huge-unlink): remove them with the lab.
trap 'lab_down; rm -f /dev/hugepages/${LAB_PREFIX}-vtepd*' EXIT
trap 'exit 130' INT TERM
command -v dpdk-dumpcap >/dev/null || fail "dpdk-dumpcap not found: run scripts/setup.sh"

lab_require_root || exit 1
pages=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 200 ] || echo $(( $(cat $pages) + 256 )) > $pages
mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages; } \
    || fail "cannot mount hugetlbfs"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "$free" -ge 200 ] || fail "could not reserve hugepages (free: $free)"

lab_up || fail "cannot build the lab"
export LAB_VTEPD_MEMORY="-m 256"
lab_start_vtepd "$VTEPD" || fail "vtepd did not start on hugepages"
sleep 1
ns h2 ping -c 10 -i 0.3 -W 2 192.168.10.1 >/dev/null &
PING=$!
timeout 20 dpdk-dumpcap --file-prefix "${LAB_PREFIX}-vtepd" -i net_af_packet1 -c 6 \
    -w "$LAB_DIR/access.pcapng" >"$LAB_DIR/dumpcap.log" 2>&1 || { cat "$LAB_DIR/dumpcap.log"; fail "dpdk-dumpcap failed"; }
wait $PING || fail "ping through the tunnel failed during the capture"
n=$(tshark -r "$LAB_DIR/access.pcapng" -Y "icmp && ip.addr == 192.168.10.1" 2>/dev/null | wc -l)
[ "$n" -ge 4 ] || fail "dpdk-dumpcap captured $n ICMP packets on vtepd's access port, expected at least 4"
pass "dpdk-dumpcap captured vtepd's access port through rte_pdump ($n ICMP packets)"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
exit 0
