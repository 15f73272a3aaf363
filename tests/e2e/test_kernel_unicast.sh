#!/usr/bin/env bash
# End-to-end: vtepd (net_af_packet over veth) against the Linux kernel's vxlan + bridge in
# unicast mode. Hosts behind each VTEP ping each other both ways (also at full inner MTU),
# move 2 MiB over TCP each way (checked by SHA-256), and tshark decodes what vtepd sends as
# valid VXLAN on UDP 4789 with VNI 10 and a correct outer IPv4 checksum.
# Usage: test_kernel_unicast.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vge2e
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM


lab_up || fail "cannot build the namespace lab"
# ip netns exec, not ns(): $! must be tcpdump itself, not a subshell that ignores signals.
ip netns exec "${LAB_PREFIX}-kv" tcpdump -U -i kv-u -w "$LAB_DIR/underlay.pcap" udp port 4789 2>/dev/null &
TCPDUMP_PID=$!
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
sleep 1

ns h2 ping -c 5 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "ping vtepd side -> kernel side"
pass "ping 192.168.10.2 -> 192.168.10.1 (vtepd encap, kernel decap)"
ns h1 ping -c 5 -i 0.2 -W 2 192.168.10.2 >/dev/null || fail "ping kernel side -> vtepd side"
pass "ping 192.168.10.1 -> 192.168.10.2 (kernel encap, vtepd decap)"
ns h2 ping -c 3 -i 0.2 -W 2 -M do -s 1422 192.168.10.1 >/dev/null || fail "full-size (1450-byte) inner packets"
pass "1450-byte inner packets with DF cross a 1500-byte underlay"
ns kv ping -c 2 -W 2 10.77.0.2 >/dev/null || fail "vtepd does not answer ping on its underlay address"
pass "vtepd answers ARP and ICMP echo on 10.77.0.2"

for dir in "h2 h1 192.168.10.1" "h1 h2 192.168.10.2"; do
    set -- $dir
    sent=$(lab_tcp_transfer $1 $2 $3 2097152) || fail "TCP $1 -> $2"
    pass "2 MiB over TCP $1 -> $2, SHA-256 matches (${sent#* })"
done

# Fault: the underlay link goes down and comes back (carrier loss on vtepd's veth).
ns kv ip link set kv-u down
sleep 1.5
ns kv ip neigh flush dev kv-u
ns kv ip link set kv-u up
sleep 1.5
grep -q "underlay link down" "$LAB_DIR/vtepd.log" || fail "carrier loss on the underlay was not noticed"
grep -q "underlay link up" "$LAB_DIR/vtepd.log" || fail "carrier return on the underlay was not noticed"
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "traffic did not resume after the underlay link came back"
ns kv ip neigh show 10.77.0.2 dev kv-u | grep -q lladdr || fail "the kernel VTEP did not re-learn vtepd's MAC"
pass "underlay link down/up: noticed, vtepd re-announced itself, traffic resumed"

# SIGHUP: a broken file is rejected and changes nothing; a good one is applied live.
cp "$LAB_DIR/vtepd.json" "$LAB_DIR/vtepd.good.json"
echo '{ "ports": ' > "$LAB_DIR/vtepd.json"
kill -HUP "$VTEPD_PID"
sleep 0.5
grep -q "reload rejected" "$LAB_DIR/vtepd.log" || fail "a broken file on SIGHUP was not reported as rejected"
ns h2 ping -c 2 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "forwarding stopped after a rejected reload"
pass "SIGHUP with a broken file: rejected, forwarding unchanged"
sed 's/"flood_vteps": \[ "10.77.0.1" \]/"flood_vteps": [ "10.77.0.1", "10.77.0.5" ]/' "$LAB_DIR/vtepd.good.json" > "$LAB_DIR/vtepd.json"
kill -HUP "$VTEPD_PID"
sleep 0.5
grep -q "configuration applied" "$LAB_DIR/vtepd.log" || fail "a good file on SIGHUP was not applied"
ns h2 ping -c 2 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "forwarding stopped after a reload"
pass "SIGHUP with a new flood VTEP: applied live, forwarding continues"

kill -TERM $TCPDUMP_PID; wait $TCPDUMP_PID 2>/dev/null
lab_stop_vtepd || fail "vtepd did not exit cleanly (exit code $?)"
grep -q "final counters" "$LAB_DIR/vtepd.log" || fail "no final counters printed at exit"
grep -q '"10.77.0.1","10.77.0.5"' "$LAB_DIR/vtepd.log" || fail "vtepd's VTEPs are not 10.77.0.1 (learned, configured) and 10.77.0.5 (added by reload)"
pass "clean SIGINT shutdown with final counters"

# What vtepd put on the wire, decoded by tshark. Fields: UDP destination port, VNI, I flag,
# IPv4 checksum status per IP layer (1 = good; the outer one first), UDP checksum.
fields=$(tshark -r "$LAB_DIR/underlay.pcap" -o ip.check_checksum:TRUE -Y "ip.src==10.77.0.2 && vxlan" \
    -T fields -e udp.dstport -e vxlan.vni -e vxlan.flag_i -e ip.checksum.status -e udp.checksum 2>/dev/null \
    | sort | uniq -c)
echo "$fields" | sed 's/^/    /'
[ -n "$fields" ] || fail "tshark found no VXLAN from vtepd"
echo "$fields" | awk '{ split($5, st, ","); split($6, uc, ",");
    if ($2 != 4789 || $3 != 10 || $4 != 1 || st[1] != 1 || uc[1] != "0x0000") bad=1 } END { exit bad }' \
    || fail "VXLAN from vtepd must be UDP 4789, VNI 10, I flag, good outer IPv4 checksum, UDP checksum 0"
pass "tshark: vtepd's packets are VXLAN, UDP 4789, VNI 10, I flag, good IPv4 checksum, UDP checksum 0"
exit 0
