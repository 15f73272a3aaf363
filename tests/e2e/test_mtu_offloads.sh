#!/usr/bin/env bash
# End-to-end: the standard deployment — the underlay raised to 1550 (and to 9000) so that
# tenants keep 1500 — between vtepd and a Linux kernel VTEP, with every peer's offloads at
# the kernel's defaults (TX checksum offload, TSO, GSO: what containers and containerlab
# nodes have). 1500-byte packets with DF cross both ways and 1 MiB of TCP moves each way
# (SHA-256 checked); vtepd set the MTUs, kept the veth peers from sending TSO super-frames
# and completed the partial checksums they send.
# Usage: test_mtu_offloads.sh PATH/TO/vtepd     (root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
VTEPCTL=$(dirname "$VTEPD")/vtepctl
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgmtu
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM

counter() {  # events|drops NAME
    "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" --json show counters | /usr/bin/python3 -c \
        "import json,sys; print(json.load(sys.stdin)['$1']['$2'])"
}

for mtu in 1550 9000; do
    export LAB_UNDERLAY_MTU=$mtu LAB_HOST_MTU=1500
    # The 1550 lab also runs on UDP 8472, the Linux/old VyOS default (kernel 'dstport 8472').
    if [ $mtu = 1550 ]; then export LAB_UDP_PORT=8472; else export LAB_UDP_PORT=4789; fi
    # 9000-byte frames need bigger af_packet slots: vtepd sizes them when it plugs the devices.
    [ $mtu = 9000 ] && export LAB_HOTPLUG=1 LAB_VTEPD_MEMORY="--no-huge -m 1024"
    lab_up || fail "cannot build the namespace lab"
    ns h2 ethtool -k eth0 | grep -q "^tcp-segmentation-offload: on" || fail "the host's TSO is not on (its default)"
    # vtepd's interfaces as a user's lab has them: IPv6 on (the lab turns it off elsewhere).
    for i in gw-u gw-a; do ns gw sysctl -qw net.ipv6.conf.$i.disable_ipv6=0; done
    lab_start_vtepd "$VTEPD" || fail "vtepd did not start (underlay MTU $mtu)"
    for i in gw-u gw-a; do
        [ "$(ns gw sysctl -n net.ipv6.conf.$i.disable_ipv6)" = 1 ] || fail "vtepd left the kernel's IPv6 on $i"
    done
    grep -q "kernel ipv6 off (no RS/MLD/DAD of its own)" "$LAB_DIR/vtepd.log" || fail "vtepd did not say it turned the kernel's IPv6 off"
    [ "$(ns gw cat /sys/class/net/gw-u/mtu)" = $mtu ] || fail "vtepd did not set its underlay interface's MTU to $mtu"
    ns gw ip link show gw-a | grep -q "xdp" || fail "no XDP guard on the access veth"
    ns gw ip link show gw-u | grep -q "xdp" || fail "no XDP guard on the underlay veth (MTU $mtu)"
    ns h2 ethtool -k eth0 | grep -q "^tx-checksumming: on" || fail "the host does not offload its checksums (the default)"
    ns h2 ethtool -k eth0 | grep -q "^tcp-segmentation-offload: off" || fail "vtepd's XDP guard did not take TSO off the host's veth"
    pass "underlay MTU $mtu set by vtepd; XDP guard on its veths; kernel IPv6 off on them (and logged); hosts keep TSO and checksum offload"

    ns h2 ping -c 3 -i 0.2 -W 2 -M do -s 1472 192.168.10.1 >/dev/null || fail "1500-byte packets vtepd -> kernel over a $mtu underlay"
    ns h1 ping -c 3 -i 0.2 -W 2 -M do -s 1472 192.168.10.2 >/dev/null || fail "1500-byte packets kernel -> vtepd over a $mtu underlay"
    for i in gw-u gw-a; do
        mac=$(ns gw cat /sys/class/net/$i/address)
        "$VTEPCTL" --socket "$LAB_DIR/vtepd.sock" --json show address-table --mac "$mac" | grep -q '"mac"' \
            && fail "the local kernel's own frames from $i were bridged: its MAC $mac was learned"
    done
    pass "1500-byte tenant packets (DF) cross a $mtu-byte underlay both ways"
    for dir in "h2 h1 192.168.10.1" "h1 h2 192.168.10.2"; do
        set -- $dir
        sent=$(lab_tcp_transfer $1 $2 $3 1048576) || fail "TCP $1 -> $2 over a $mtu underlay with offloads on"
        pass "1 MiB over TCP $1 -> $2 at default offloads, SHA-256 matches (${sent#* })"
    done
    completed=$(counter events checksums_completed)
    [ "$completed" -gt 0 ] || fail "no partial checksum was completed: the test did not exercise the offloads"
    [ "$(counter drops kernel_gso_frame)" = 0 ] || fail "super-frames reached vtepd"
    [ "$(counter drops mtu_exceeded)" = 0 ] || fail "frames dropped as mtu_exceeded"
    pass "vtepd completed $completed partial checksums, saw no super-frame, dropped nothing for MTU"
    lab_stop_vtepd || fail "vtepd did not exit cleanly"
    ns gw ip link show gw-a | grep -q "xdp" && fail "the XDP guard was left on the veth after exit"
    unset LAB_HOTPLUG LAB_VTEPD_MEMORY
done

# A too-small af_packet slot is refused with the exact fix.
export LAB_UNDERLAY_MTU=9000 LAB_HOST_MTU=1500
lab_up || fail "cannot build the namespace lab"
lab_start_vtepd "$VTEPD" 2>/dev/null && fail "vtepd started with 2048-byte af_packet slots for MTU 9000"
grep -q "add framesz=10240,blocksz=20480 to the device's arguments" "$LAB_DIR/vtepd.log" \
    || { cat "$LAB_DIR/vtepd.log"; fail "no exact fix named for the af_packet frame size"; }
pass "MTU 9000 on af_packet without framesz: refused at start-up, naming framesz=10240,blocksz=20480"
exit 0
