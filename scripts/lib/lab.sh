# Namespace lab shared by scripts/demo.sh and the end-to-end tests. Source it, then call
# lab_up; lab_down removes everything (install it in a trap).
#
#   ns vg-h1 (192.168.10.1)          ns vg-h2 (192.168.10.2)
#        | h1-eth                          | h2-eth
#        | kv-h                            | gw-a   (vtepd access port, net_af_packet)
#   ns vg-kv: br10 = {kv-h, vxlan10}   ns vg-gw: vtepd
#        | kv-u 10.77.0.1/24               | gw-u   (vtepd underlay port, 10.77.0.2/24)
#        +---------------- veth -----------+
#
# The kernel VTEP (vg-kv) is a Linux vxlan device in unicast mode (remote 10.77.0.2);
# vtepd floods to it by head-end replication (flood_vteps) and learns it back.

LAB_PREFIX=${LAB_PREFIX:-vg}
LAB_DIR=${LAB_DIR:-$(mktemp -d /tmp/vtepgw-lab.XXXXXX)}
LAB_VNI=${LAB_VNI:-10}
LAB_UDP_PORT=${LAB_UDP_PORT:-4789}
# The underlay's IP MTU (both VTEPs' veths, vtepd's underlay.mtu) and the hosts' MTU: a
# 1500-byte underlay leaves tenants 1450; raise it to 1550 (or 9000) and they keep 1500.
LAB_UNDERLAY_MTU=${LAB_UNDERLAY_MTU:-1500}
LAB_HOST_MTU=${LAB_HOST_MTU:-$((LAB_UNDERLAY_MTU - 50 < 1500 ? LAB_UNDERLAY_MTU - 50 : 1500))}
VTEPD_PID=""

lab_require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "error: the namespace lab needs root (ip netns, veth, AF_PACKET)" >&2
        return 1
    fi
    for tool in ip ethtool; do
        command -v "$tool" >/dev/null || { echo "error: $tool not found: run scripts/setup.sh" >&2; return 1; }
    done
}

ns() { local n=$1; shift; ip netns exec "${LAB_PREFIX}-$n" "$@"; }

lab_down() {
    if [ -n "$VTEPD_PID" ] && kill -0 "$VTEPD_PID" 2>/dev/null; then
        kill -INT "$VTEPD_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$VTEPD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$VTEPD_PID" 2>/dev/null || true
    fi
    VTEPD_PID=""
    [ -n "${LAB_EXTRA_PIDS:-}" ] && kill $LAB_EXTRA_PIDS 2>/dev/null || true
    LAB_EXTRA_PIDS=""
    for n in ${LAB_FRR:-}; do lab_frr_stop "$n"; done
    LAB_FRR=""
    for n in $(ip netns list | awk '{print $1}' | grep "^${LAB_PREFIX}-"); do
        ip netns del "$n" 2>/dev/null || true
    done
}

# Creates namespaces with loopback up and IPv6 off (its chatter is only noise here).
lab_ns() {
    for n in "$@"; do
        ip netns add "${LAB_PREFIX}-$n" || return 1
        ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ns $n sysctl -qw net.ipv6.conf.default.disable_ipv6=1
        ns $n ip link set lo up
    done
}

# A veth from NS1/IF1 to NS2/IF2, both ends up; ADDR and MTU go on IF1 (MTU on both ends).
# Offloads stay at the kernel's defaults (TX checksum, TSO, GSO on), as in every container
# and containerlab node: vtepd must cope with what that hands a userspace dataplane.
lab_link() {  # ns1 if1 ns2 if2 [addr [mtu]]
    ip link add "$2" netns "${LAB_PREFIX}-$1" type veth peer name "$4" netns "${LAB_PREFIX}-$3" || return 1
    if [ -n "${6:-}" ]; then
        ns "$1" ip link set "$2" mtu "$6"
        ns "$3" ip link set "$4" mtu "$6"
    fi
    ns "$1" ip link set "$2" up
    ns "$3" ip link set "$4" up
    [ -n "${5:-}" ] && ns "$1" ip addr add "$5" dev "$2"
    return 0
}

# A host behind a VTEP, at LAB_HOST_MTU (room for VXLAN's 50 bytes on the underlay).
lab_host() {  # host-ns address/len vtep-ns vtep-side-if
    lab_link "$1" eth0 "$3" "$4" "$2" "$LAB_HOST_MTU"
}

# A Linux kernel VTEP: vxlan<VNI> (remaining arguments go to "ip link add ... type vxlan")
# enslaved with PORTS to bridge br<VNI>.
lab_kernel_vtep() {  # ns vni "ports" vxlan-args...
    local n=$1 vni=$2 ports=$3
    shift 3
    ns $n ip link add vxlan$vni type vxlan id $vni dstport $LAB_UDP_PORT "$@" || return 1
    ns $n ip link add br$vni type bridge
    ns $n ip link set vxlan$vni master br$vni up
    for p in $ports; do ns $n ip link set $p master br$vni up; done
    ns $n ip link set br$vni up
}

lab_up() {
    lab_require_root || return 1
    # LAB_HOTPLUG=1: the devices' arguments are in the configuration (vtepd hot-plugs them and
    # sizes net_af_packet's frames for the MTU) instead of EAL --vdev options.
    LAB_DEVICE_ARGS_UP="" LAB_DEVICE_ARGS_ACCESS=""
    if [ "${LAB_HOTPLUG:-0}" = 1 ]; then
        LAB_DEVICE_ARGS_UP=",iface=gw-u" LAB_DEVICE_ARGS_ACCESS=",iface=gw-a"
    fi
    lab_down
    lab_ns h1 h2 kv gw
    lab_host h1 192.168.10.1/24 kv kv-h
    lab_host h2 192.168.10.2/24 gw gw-a
    lab_link kv kv-u gw gw-u 10.77.0.1/24 "$LAB_UNDERLAY_MTU"
    lab_kernel_vtep kv $LAB_VNI kv-h local 10.77.0.1 remote 10.77.0.2 dev kv-u

    cat > "$LAB_DIR/vtepd.json" <<JSON
{
  "ports": {
    "uplink": { "device": "net_af_packet0$LAB_DEVICE_ARGS_UP" },
    "access": { "device": "net_af_packet1$LAB_DEVICE_ARGS_ACCESS", "mtu": $LAB_HOST_MTU }
  },
  "underlay": { "port": "uplink", "address": "10.77.0.2/24", "mtu": $LAB_UNDERLAY_MTU },
  "vxlan": { "udp_port": $LAB_UDP_PORT, "ttl": 64, "ageing_seconds": 300, "learning": true },
  "bridges": {
    "br$LAB_VNI": { "vni": $LAB_VNI, "flood_vteps": [ "10.77.0.1" ],
               "members": [ { "port": "access" } ] }
  }
}
JSON
}

# The field topology: the kernel VTEP and vtepd on different subnets, joined by a router.
#   h1 -- kv [kv-h] kv-u 10.1.0.1/24 --- r-kv 10.1.0.254 [router r] r-gw 10.2.0.254 --- gw-u [vtepd] gw-a -- h2
# The kernel VTEP itself (lab_kernel_vtep) and vtepd's configuration are the caller's; kv
# reaches 10.2.0.0/24 through the router (a route, not a default: FRR resolves BGP next hops
# through a default route only with "ip nht resolve-via-default").
lab_routed() {
    lab_require_root || return 1
    lab_down
    lab_ns h1 h2 kv gw r
    lab_host h1 192.168.10.1/24 kv kv-h
    lab_host h2 192.168.10.2/24 gw gw-a
    lab_link kv kv-u r r-kv 10.1.0.1/24
    lab_link gw gw-u r r-gw
    ns r ip addr add 10.1.0.254/24 dev r-kv
    ns r ip addr add 10.2.0.254/24 dev r-gw
    ns r sysctl -qw net.ipv4.ip_forward=1
    ns r sysctl -qw net.ipv4.conf.all.rp_filter=0
    ns kv ip route add 10.2.0.0/24 via 10.1.0.254
}

# The field topology over IPv6 (and IPv4 beside it): kernel VTEPs and vtepd on different
# subnets joined by a router forwarding both families.
#   h1 -- kv [kv-h] kv-u 2001:db8:61::67/64 --- r-kv 2001:db8:61::1 [router r]
#   h3 -- kw [kw-h] kw-u 10.1.0.1/24         --- r-kw 10.1.0.254     [router r]
#                      r-gw 2001:db8:62::1/64 and 10.2.0.254/24 --- gw-u [vtepd] gw-a -- h2
# IPv6 is on in kv and r only (vtepd's namespace keeps it off: vtepd is the IPv6 host on
# gw-u, and turns the kernel's IPv6 off on its ports anyway). Hosts get the MTU that leaves
# room for VXLAN over IPv6 (70 bytes). Returns once the kernel's DAD is done.
lab_routed6() {
    lab_require_root || return 1
    lab_down
    lab_ns h1 h2 h3 kv kw gw r
    LAB_HOST_MTU=$((LAB_UNDERLAY_MTU - 70)) lab_host h1 192.168.10.1/24 kv kv-h
    LAB_HOST_MTU=$((LAB_UNDERLAY_MTU - 70)) lab_host h2 192.168.10.2/24 gw gw-a
    LAB_HOST_MTU=$((LAB_UNDERLAY_MTU - 70)) lab_host h3 192.168.10.3/24 kw kw-h
    for n in kv r; do
        ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=0
        ns $n sysctl -qw net.ipv6.conf.default.disable_ipv6=0
    done
    lab_link kv kv-u r r-kv
    lab_link kw kw-u r r-kw 10.1.0.1/24
    lab_link gw gw-u r r-gw
    ns kv ip -6 addr add 2001:db8:61::67/64 dev kv-u
    ns r ip -6 addr add 2001:db8:61::1/64 dev r-kv
    ns r ip -6 addr add 2001:db8:62::1/64 dev r-gw
    ns r ip addr add 10.1.0.254/24 dev r-kw
    ns r ip addr add 10.2.0.254/24 dev r-gw
    ns r sysctl -qw net.ipv6.conf.all.forwarding=1
    ns r sysctl -qw net.ipv4.ip_forward=1
    ns r sysctl -qw net.ipv4.conf.all.rp_filter=0
    ns kv ip -6 route add 2001:db8:62::/64 via 2001:db8:61::1
    ns kw ip route add 10.2.0.0/24 via 10.1.0.254
    for _ in $(seq 50); do
        [ -z "$(ns kv ip -6 addr show tentative; ns r ip -6 addr show tentative)" ] && return 0
        sleep 0.1
    done
    echo "error: IPv6 duplicate address detection did not finish" >&2
    return 1
}

# Multicast routing in the router r between r-kv and r-gw for one group, both ways (an IPv4
# or IPv6 group): smcroute programs the kernel's multicast routing where the kernel has it;
# a kernel built without it (no /proc/net/ip_mr_vif or ip6_mr_vif) gets the same static
# routes from tests/e2e/mcast_forwarder.py in user space. The daemon's pid joins
# LAB_EXTRA_PIDS, which lab_down stops; its files are $LAB_DIR/mroute-TAG.*.
lab_mroute() {  # tag group
    local base=$LAB_DIR/mroute-$1 vifs=/proc/net/ip_mr_vif
    case $2 in *:*) vifs=/proc/net/ip6_mr_vif ;; esac
    if ! ns r test -e $vifs; then
        local here
        here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
        echo "    (this kernel has no multicast routing ($vifs): the router forwards $2 in user space)"
        rm -f "$base.pid"
        ip netns exec "${LAB_PREFIX}-r" /usr/bin/python3 "$here/tests/e2e/mcast_forwarder.py" \
            "$2" r-kv r-gw "$base.pid" >"$base.log" 2>&1 &
        LAB_EXTRA_PIDS="${LAB_EXTRA_PIDS:+$LAB_EXTRA_PIDS }$!"
        for _ in $(seq 50); do [ -s "$base.pid" ] && return 0; sleep 0.1; done
        echo "error: the multicast forwarder did not start: $(cat "$base.log")" >&2
        return 1
    fi
    command -v smcrouted >/dev/null || { echo "error: smcrouted not installed: run scripts/setup.sh" >&2; return 1; }
    cat > "$base.conf" <<CONF
phyint r-kv enable
phyint r-gw enable
mroute from r-kv group $2 to r-gw
mroute from r-gw group $2 to r-kv
CONF
    # -N: only the interfaces enabled in the file become multicast VIFs.
    ip netns exec "${LAB_PREFIX}-r" "$(command -v smcrouted)" -n -N -f "$base.conf" \
        -u "$base.sock" -P "$base.pid" -l err >"$base.log" 2>&1 &
    LAB_EXTRA_PIDS="${LAB_EXTRA_PIDS:+$LAB_EXTRA_PIDS }$!"
}

# Starts vtepd in vg-gw; its output goes to $LAB_DIR/vtepd.log.
lab_start_vtepd() {
    local bin=$1
    # Not through ns(): a function would run in a subshell that ignores SIGINT, and $! would
    # name the subshell instead of vtepd. "ip netns exec" execs the program in place.
    # shellcheck disable=SC2086 # LAB_VTEPD_MEMORY holds several EAL options
    ip netns exec "${LAB_PREFIX}-gw" "$bin" -l 0-1 ${LAB_VTEPD_MEMORY:---no-huge -m 512} --no-pci \
        --file-prefix "${LAB_PREFIX}-vtepd" \
        $( [ "${LAB_HOTPLUG:-0}" = 1 ] || echo "--vdev=net_af_packet0,iface=gw-u --vdev=net_af_packet1,iface=gw-a" ) \
        -- --config "$LAB_DIR/vtepd.json" --socket "$LAB_DIR/vtepd.sock" ${LAB_VTEPD_ARGS:-} \
        >"$LAB_DIR/vtepd.log" 2>&1 &
    VTEPD_PID=$!
    for _ in $(seq 100); do
        grep -q "forwarding on" "$LAB_DIR/vtepd.log" 2>/dev/null && return 0
        kill -0 "$VTEPD_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: vtepd did not start; its log:" >&2
    cat "$LAB_DIR/vtepd.log" >&2
    return 1
}

# Stops vtepd with SIGINT (clean shutdown prints the final counters).
lab_stop_vtepd() {
    [ -n "$VTEPD_PID" ] || return 0
    kill -INT "$VTEPD_PID" 2>/dev/null
    wait "$VTEPD_PID" 2>/dev/null
    local rc=$?
    VTEPD_PID=""
    return $rc
}

fail() {
    echo "FAIL: $*" >&2
    lab_stop_vtepd
    [ -f "$LAB_DIR/vtepd.log" ] && tail -40 "$LAB_DIR/vtepd.log" >&2
    exit 1
}
pass() { echo "ok: $*"; }

# Moves SIZE random bytes over TCP from one host namespace to another and compares SHA-256
# on both ends. Prints "bytes sha256"; fails (status 1) on any difference.
lab_tcp_transfer() {  # from-ns to-ns to-ip size
    local here out srv sent
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    out="$LAB_DIR/recv.$1.$2"
    ns "$2" /usr/bin/python3 "$here/tests/e2e/tcp_transfer.py" serve 5001 >"$out" &
    srv=$!
    sleep 0.5
    sent=$(ns "$1" /usr/bin/python3 "$here/tests/e2e/tcp_transfer.py" send "$3" 5001 "$4") || { kill $srv 2>/dev/null; return 1; }
    wait $srv || return 1
    [ "$sent" = "$(cat "$out")" ] || { echo "sent '$sent', received '$(cat "$out")'" >&2; return 1; }
    echo "$sent"
}

# FRR (Debian's frr, no systemd) in a lab namespace: zebra and bgpd with their own config,
# pid files and vty socket under $LAB_DIR/frr-NS, so several instances run side by side.
# Usage: lab_frr_start NS BGPD-CONFIG-TEXT; lab_vtysh NS COMMAND...; lab_frr_stop NS.
lab_frr_start() {  # ns bgpd.conf-text
    local n=$1 d="$LAB_DIR/frr-$1"
    [ -x /usr/lib/frr/bgpd ] || { echo "error: FRR is not installed: run scripts/setup.sh" >&2; return 1; }
    mkdir -p "$d"
    chmod o+x "$LAB_DIR"  # the daemons run as user frr (mktemp made the lab directory 0700)
    printf 'hostname %s\nlog file %s/zebra.log informational\n' "$n" "$d" >"$d/zebra.conf"
    printf 'hostname %s\nlog file %s/bgpd.log informational\n%s\n' "$n" "$d" "$2" >"$d/bgpd.conf"
    chown -R frr:frr "$d"
    local common=(-d -N "${LAB_PREFIX}-$n" --vty_socket "$d" -z "$d/zserv.api")
    ns "$n" /usr/lib/frr/zebra "${common[@]}" -f "$d/zebra.conf" -i "$d/zebra.pid" 2>>"$d/start.log" || return 1
    for _ in $(seq 50); do [ -S "$d/zserv.api" ] && break; sleep 0.1; done
    ns "$n" /usr/lib/frr/bgpd "${common[@]}" -f "$d/bgpd.conf" -i "$d/bgpd.pid" 2>>"$d/start.log" || return 1
    LAB_FRR="${LAB_FRR:-} $n"
}

lab_vtysh() {  # ns command...
    local n=$1 d="$LAB_DIR/frr-$1"
    shift
    local args=()
    for c in "$@"; do args+=(-c "$c"); done
    ns "$n" vtysh --vty_socket "$d" "${args[@]}"
}

lab_frr_stop() {  # ns: both daemons at once, as "systemctl stop frr" does
    local d="$LAB_DIR/frr-$1" pids="" pid
    for f in bgpd zebra; do
        pid=$(cat "$d/$f.pid" 2>/dev/null) && kill "$pid" 2>/dev/null && pids="$pids $pid"
    done
    for pid in $pids; do
        for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
