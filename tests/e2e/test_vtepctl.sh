#!/usr/bin/env bash
# vtepctl against a running vtepd in the namespace lab: every command, its error paths, the
# documented --json shapes, run-time changes while traffic flows, and a control socket that
# survives garbage, oversized and half-written requests.
# Usage: test_vtepctl.sh PATH/TO/vtepd     (vtepctl is taken from the same directory; root)
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
CTL="$(dirname "$VTEPD")/../app/vtepctl"
[ -x "$CTL" ] || CTL="$(dirname "$VTEPD")/vtepctl"
HERE=$(cd "$(dirname "$0")" && pwd)
export LAB_PREFIX=vgctl
source "$HERE/../../scripts/lib/lab.sh"
trap lab_down EXIT
trap 'exit 130' INT TERM

lab_up || fail "cannot build the lab"
lab_start_vtepd "$VTEPD" || fail "vtepd did not start"
SOCK="$LAB_DIR/vtepd.sock"
ctl() { "$CTL" --socket "$SOCK" "$@"; }
# Checks a --json reply with a Python expression over `r` (the parsed result).
shape() {  # description python-expression command...
    local what=$1 expr=$2
    shift 2
    ctl --json "$@" | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)" \
        || fail "$what: --json output of '$*' does not have the documented shape"
}

[ "$(stat -c %a "$SOCK")" = 600 ] || fail "control socket mode is $(stat -c %a "$SOCK"), expected 600"
pass "control socket $SOCK is mode 0600"
ns h2 ping -c 2 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "no traffic through the lab"

shape "show vtep" 'len(r) == 1 and r[0]["vtep"] == "10.77.0.1" and r[0]["learned"] is False and r[0]["vnis"] == [10] and r[0]["macs"] >= 1 and r[0]["tx_packets"] >= 2 and r[0]["rx_packets"] >= 2 and r[0]["tx_bytes"] > 0 and r[0]["rx_bytes"] > 0 and r[0]["last_seen_seconds_ago"] <= 5' show vtep
shape "show address-table" 'len(r) >= 2 and all(set(e) >= {"vni","bridge","mac","type","moves","flapping","last_move_seconds_ago","age_seconds"} and ("port" in e) != ("vtep" in e) for e in r)' show address-table
shape "show address-table --vni" 'r == []' show address-table --vni 99
shape "show bridges" 'r[0]["bridge"] == "br10" and r[0]["vni"] == 10 and r[0]["members"] == [{"port": "access"}] and r[0]["flood_vteps"] == ["10.77.0.1"] and r[0]["group"] is None' show bridges
shape "show interfaces" '[i["name"] for i in r] == ["uplink","access"] and r[0]["role"] == "underlay" and r[0]["link"] == "up" and all(set(i) >= {"port_id","device","driver","mac","mtu","queues"} for i in r) and r[0]["profile"] == "af_packet" and r[0]["offloads"] == {"rss": False, "rss_hash": False, "multi_seg_tx": True, "ipv4_checksum_rx": False, "ipv4_checksum_tx": False, "mbuf_fast_free": False} and set(r[0]["nic_drops"]) == {"rx_missed", "rx_errors", "rx_no_mbuf", "tx_errors"}' show interfaces
shape "show counters" 'r["bridges"]["br10"]["encap_packets"] >= 1 and r["ports"]["access"]["rx_packets"] >= 2 and "truncated" in r["drops"] and "learned" in r["events"] and len(r["workers"]) == 1' show counters
shape "show igmp" 'r == []' show igmp
shape "show config" 'r["underlay"]["address"] == "10.77.0.2/24"' show config
pass "every show command answers with its documented --json shape"
ctl show counters >/dev/null && ctl show address-table | grep -q "dynamic" || fail "human output"
for c in "show counters" "show address-table" "show interfaces" "show vtep" "show bridges" "show neighbors" "show routes"; do
    wide=$(ctl $c | awk 'length > 120' | head -1)
    [ -z "$wide" ] || fail "'$c' prints a row wider than 120 columns: $wide"
done
ctl show counters | grep -qE "^Packet fates:" || fail "show counters has no packet fates"
ctl show counters | grep -qE "^Mbufs: [0-9,]+ in use of [0-9,]+" || fail "show counters has no mbufs line"
pass "human output: tables within 120 columns, fates and mbufs shown"

# The grammar: strict, with per-command help, versions and documented exit codes.
# (its output is read to the end: "| grep -q" would close the pipe early under pipefail)
expect_rc() {  # rc description command...
    local want=$1 what=$2
    shift 2
    local out rc
    out=$("$@" 2>&1); rc=$?
    [ "$rc" = "$want" ] || fail "$what: exit $rc, expected $want: $out"
    echo "$out"
}
expect_rc 2 "unknown option" ctl bridge add br300 --vni 300 --flood-vteps 10.88.0.1 | grep -F "not understood: --flood-vteps 10.88.0.1" >/dev/null \
    || fail "unknown option not named"
shape "the refused 'bridge add' created nothing" '[b["bridge"] for b in r] == ["br10"]' show bridges
expect_rc 2 "option of another command" ctl bridge del br10 --vni 5 >/dev/null
shape "'bridge del --vni' deleted nothing" '[b["bridge"] for b in r] == ["br10"]' show bridges
expect_rc 2 "extra word" ctl show vtep extra >/dev/null
expect_rc 2 "bad value" ctl show address-table --vlan 5000 | grep -F -- "--vlan: Value 5000 not in range 1 to 4094" >/dev/null || fail "range error"
expect_rc 2 "ambiguous prefix" ctl s vtep | grep -F "'s' is ambiguous: show, static" >/dev/null || fail "ambiguity not explained"
expect_rc 0 "per-command help" ctl static add --help | grep -F -- "--vtep" >/dev/null || fail "static add --help"
expect_rc 0 "version" ctl --version | grep -E "^vtepctl [0-9]+\.[0-9]+" >/dev/null || fail "vtepctl --version"
expect_rc 0 "vtepd version" "$VTEPD" --version | grep -E "^vtepd [0-9.]+ \(DPDK" >/dev/null || fail "vtepd --version"
expect_rc 3 "unreachable vtepd" "$CTL" --socket /nonexistent/vtepd.sock show vtep | grep -F "cannot reach vtepd" >/dev/null \
    || fail "unreachable not explained"
expect_rc 1 "refused change" ctl bridge del nosuch >/dev/null
shape "--opt=value and unique prefixes" 'len(r) == 1 and r[0]["vni"] == 10' sh br --vni=10
shape "filter: show bridges --vni" 'r == []' show bridges --vni 99
shape "filter: show vtep --vtep" 'len(r) == 1' show vtep --vtep 10.77.0.1
shape "filter: show interfaces --port" '[i["name"] for i in r] == ["access"]' show interfaces --port access
shape "show interfaces counters" '[i["port"] for i in r] == ["uplink", "access"] and r[1]["rx_packets"] > 0 and all(set(i) >= {"rx_bytes", "tx_packets", "tx_bytes", "rx_pps", "tx_pps", "rx_missed", "rx_no_mbuf", "rx_errors", "tx_errors"} for i in r)' show interfaces counters
ctl sh int count | grep -qE "^port +rx_packets" || fail "human show interfaces counters (and prefixes of a nested command)"
shape "show address-table --vlan (none tagged here)" 'r == []' show address-table --vlan 3
shape "show address-table --port" 'len(r) >= 1 and all(e["port"] == "access" for e in r)' show address-table --port access
shape "one MAC notation: lowercase everywhere" 'all(i["mac"] == i["mac"].lower() for i in r)' show interfaces
out=$(printf '{"command": "bridge del", "args": {"bridge": "br10", "vni": 5}}\n' | /usr/bin/python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(sys.stdin.buffer.read()); s.shutdown(1); print(s.recv(4096).decode())")
echo "$out" | grep -qF "args.vni: 'bridge del' takes no such argument" || fail "vtepd accepted an unknown argument: $out"
pass "strict grammar: unknown options, extra words, bad values, ambiguous prefixes are usage errors (2); --help and --version exit 0; unreachable 3; refused 1; filters honoured; vtepd refuses unknown arguments too"

# The underlay made visible.
shape "show vtep: how each VTEP is reached" 'r[0]["route"] == "10.77.0.0/24" and r[0]["next_hop"] == "10.77.0.1" and r[0]["neighbor_state"] == "reachable" and r[0]["reachable"] is True' show vtep
shape "show routes" 'r[0]["prefix"] == "10.77.0.0/24" and r[0]["origin"] == "connected" and r[0]["via"] is None and r[0]["vteps"] == ["10.77.0.1"]' show routes
shape "show neighbors" 'any(n["address"] == "10.77.0.1" and n["state"] == "reachable" and n["static"] is False for n in r)' show neighbors
out=$(expect_rc 0 "flood to an unroutable VTEP" ctl flood add br10 172.16.9.9)
echo "$out" | grep -qF "warning: bridges.br10.flood_vteps[1]: no underlay route to VTEP 172.16.9.9" || fail "no warning for an unroutable VTEP: $out"
ns h2 ping -c 2 -i 0.2 -W 1 192.168.10.99 >/dev/null 2>&1   # floods: one copy per flood VTEP
shape "copies to an unroutable VTEP are not counted as sent" 'any(v["vtep"] == "172.16.9.9" and v["neighbor_state"] == "no route" and v["reachable"] is False and v["tx_packets"] == 0 for v in r)' show vtep
ctl flood del br10 172.16.9.9 >/dev/null || fail "flood del"
pass "show vtep (route, next hop, neighbour, reachability), show routes, show neighbors; unroutable VTEP warned about and its dropped copies not counted as sent"

# Prometheus: the exposition parsed by Prometheus's own client library, figures as shown.
ctl show metrics > "$LAB_DIR/metrics.prom" || fail "show metrics"
/usr/bin/python3 - "$LAB_DIR/metrics.prom" <<'PY' || fail "show metrics is not a valid Prometheus exposition with the counters"
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
def sample(fam, **labels):
    return next(s.value for s in fams[fam].samples if all(s.labels.get(k) == v for k, v in labels.items()))
assert fams["vtepgw_port_rx_packets"].type == "counter"
assert sample("vtepgw_port_rx_packets", port="access") > 0
assert sample("vtepgw_vtep_tx_packets", vtep="10.77.0.1") > 0
assert sample("vtepgw_vtep_reachable", vtep="10.77.0.1") == 1
assert fams["vtepgw_mbufs_in_use"].type == "gauge"
assert "truncated" in {s.labels["reason"] for s in fams["vtepgw_drops"].samples}
PY
pass "show metrics: a Prometheus exposition (prometheus_client parses it): ports, VTEPs, reachability, drops by reason, gauges"

# Packet trace on live traffic (no hugepages here: pdump could not do this).
ctl trace start --port access --count 3 >/dev/null || fail "trace start"
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "no traffic while tracing"
shape "trace show: each decision of the traced packets" 'r["requested"] == 3 and r["remaining"] == 0 and r["port"] == "access" and len(r["packets"]) == 3 and all(p["port"] == "access" and p["steps"][0].startswith("rx on access (access)") and p["steps"][1] == "bridge br10 (vni 10), untagged" for p in r["packets"]) and any(any(s.startswith("encap vxlan: outer 10.77.0.2 > 10.77.0.1 ttl 64, udp ") for s in p["steps"]) and p["steps"][-1].startswith("tx on uplink") for p in r["packets"])' trace show
ctl trace show | grep -qE "^#1  worker 0, port access" || fail "human trace output"
expect_rc 1 "trace on an unknown port" ctl trace start --port nosuch | grep -F "args.port: no port 'nosuch'" >/dev/null || fail "trace port error"
ctl trace stop >/dev/null || fail "trace stop"
pass "packet trace: trace start --port --count, trace show (rx, bridge, lookup, encapsulation written, tx), trace stop"

# Config that survives: save, diff, reload that tells the truth.
CONF="$LAB_DIR/vtepd.json"
cp "$CONF" "$LAB_DIR/original.json"
shape "config diff: nothing changed yet" 'r["differences"] == [] and r["file"].endswith("vtepd.json")' config diff
ctl static add br10 02-00-00-00-00-AB --vtep 10.77.0.1 >/dev/null || fail "static add with dashes"
shape "config diff shows the run-time change" 'len(r["differences"]) == 1 and r["differences"][0]["path"] == "bridges.br10.static_macs" and r["differences"][0]["running"] == [{"mac": "02:00:00:00:00:ab", "vtep": "10.77.0.1"}]' config diff
ctl config diff | grep -qF '+ bridges.br10.static_macs' || fail "human config diff"
out=$(expect_rc 0 "reload over unsaved changes" ctl config reload)
echo "$out" | grep -qF "run-time change(s) never saved" || fail "reload did not say it discarded run-time changes: $out"
shape "reload discarded the unsaved MAC" 'r == []' show address-table --mac 02:00:00:00:00:ab
ctl static add br10 02:00:00:00:00:AB --vtep 10.77.0.1 >/dev/null || fail "static add"
ctl config save >/dev/null || fail "config save"
/usr/bin/python3 -c "import json; c=json.load(open('$CONF')); assert c['bridges']['br10']['static_macs'] == [{'mac': '02:00:00:00:00:ab', 'vtep': '10.77.0.1'}]" \
    || fail "config save did not write the running configuration"
ls "$LAB_DIR" | grep -q "vtepd.json.[A-Za-z0-9]" && fail "config save left a temporary file"
shape "saved: no differences" 'r["differences"] == []' config diff
ctl config save "$LAB_DIR/elsewhere.json" >/dev/null && cmp -s "$CONF" "$LAB_DIR/elsewhere.json" || fail "config save FILE"
ctl static del br10 02-00-00-00-00-ab >/dev/null || fail "static del in another notation"
shape "static MAC gone whatever the notation" 'r == []' show address-table --mac 02:00:00:00:00:ab
echo '{ "ports": {} }' > "$CONF"
out=$(expect_rc 1 "reload of a bad file" ctl config reload)
echo "$out" | grep -qF "rejected; the running configuration is unchanged" || fail "reload failure not reported: $out"
shape "bad reload changed nothing" '[b["bridge"] for b in r] == ["br10"]' show bridges
cp "$LAB_DIR/original.json" "$CONF"
ctl config reload >/dev/null || fail "reload of the original"
pass "config save (atomic, default and named file), config diff (human and JSON), config reload tells discarded changes and failures (exit 1)"

# One vtepd per socket and per EAL prefix.
out=$(ip netns exec "${LAB_PREFIX}-gw" "$VTEPD" -l 0-1 --no-huge -m 64 --no-pci --file-prefix "${LAB_PREFIX}-other" \
      --vdev=net_null0 -- --config "$CONF" --socket "$SOCK" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "another vtepd is serving the control socket $SOCK" || fail "second vtepd on the same socket: rc $rc: $out"
out=$(ip netns exec "${LAB_PREFIX}-gw" "$VTEPD" -l 0-1 --no-huge -m 64 --no-pci --file-prefix "${LAB_PREFIX}-vtepd" \
      --vdev=net_null0 -- --config "$CONF" --socket "$LAB_DIR/other.sock" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "EAL file prefix '${LAB_PREFIX}-vtepd' is in use by DPDK process $VTEPD_PID" \
    || fail "second vtepd with the same prefix: rc $rc: $out"
shape "the first vtepd still answers" 'len(r) == 1' show bridges
pass "a second vtepd on the same socket or EAL prefix refuses to start, naming what is in use (and by which pid)"

# Changes, each validated as a whole; errors name the field and change nothing.
out=$(ctl bridge add br20 --vni 10 2>&1) && fail "duplicate VNI accepted"
echo "$out" | grep -qF "error: bridges.br20.vni: VNI 10 is already used by bridge 'br10'" || fail "duplicate VNI error: $out"
shape "rejected change left no trace" 'len(r) == 1' show bridges
ctl bridge add br20 --vni 20 --flood 10.77.0.1 >/dev/null || fail "bridge add"
out=$(ctl member add br20 eth9 2>&1) && fail "unknown port accepted"
echo "$out" | grep -qF "unknown port 'eth9'" || fail "unknown port error: $out"
out=$(ctl member add br20 access 2>&1) && fail "a member in two bridges accepted"
echo "$out" | grep -qF "already a member of bridge 'br10'" || fail "double member error: $out"
ctl member add br20 access --vlan 20 >/dev/null || fail "member add with vlan"
ctl flood add br20 10.77.0.9 >/dev/null || fail "flood add"
ctl flood del br20 10.77.0.9 >/dev/null || fail "flood del"
out=$(ctl flood del br20 10.77.0.9 2>&1) && fail "deleting an absent flood VTEP succeeded"
ctl group set br20 239.5.5.5 >/dev/null || fail "group set"
shape "show igmp after group set" 'r[0]["group"] == "239.5.5.5" and r[0]["version"] == 3' show igmp
ctl group set br20 none >/dev/null || fail "group unset"
shape "show igmp after group unset" 'r == []' show igmp
ctl static add br10 02:00:00:00:00:aa --vtep 10.77.0.1 >/dev/null || fail "static add (remote)"
shape "static entry" 'any(e["mac"] == "02:00:00:00:00:aa" and e["type"] == "static" and e["vtep"] == "10.77.0.1" for e in r)' show address-table --mac 02:00:00:00:00:aa
out=$(ctl static add br10 02:00:00:00:00:ab --port access --vlan 7 2>&1) && fail "static MAC on a non-member accepted"
echo "$out" | grep -qF "not a member of bridge 'br10'" || fail "static non-member error: $out"
ctl static del br10 02:00:00:00:00:aa >/dev/null || fail "static del"
shape "static entry gone" 'r == []' show address-table --mac 02:00:00:00:00:aa
for bad in "member del br20 access --vlan 999|no such member" "static del br20 02:00:00:00:00:99|is not a static MAC" \
           "bridge del nosuch|no such bridge" "flood add nosuch 10.77.0.9|no such bridge" \
           "group set br20 10.1.1.1|is not a multicast group" "flood add br20 10.77.0.2|is our own address"; do
    args=${bad%%|*}; want=${bad#*|}
    out=$(ctl $args 2>&1) && fail "'$args' succeeded"
    echo "$out" | grep -qF "$want" || fail "'$args': expected '$want', got: $out"
done
out=$(printf '{"command": "reboot now"}\n' | /usr/bin/python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(sys.stdin.buffer.read()); s.shutdown(1); print(s.recv(4096).decode())")
echo "$out" | grep -qF "unknown command 'reboot now'" || fail "unknown command: $out"
pass "each change's error path: absent member/static/bridge, bad group, own address, unknown command"
ctl bridge del br20 >/dev/null || fail "bridge del"
shape "bridge deleted" '[b["bridge"] for b in r] == ["br10"]' show bridges
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "br10 stopped forwarding during changes to br20"
pass "bridge/member/flood/group/static changes apply live; errors name the field and change nothing"

ctl clear address-table --vni 10 >/dev/null || fail "clear address-table"
ctl show counters --clear >/dev/null || fail "show counters --clear"
shape "cleared counters" 'r["bridges"]["br10"]["encap_packets"] == 0' show counters
ns h2 ping -c 2 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "no traffic"
ctl clear counters >/dev/null || fail "clear counters"
shape "clear counters resets every figure shown" 'r["bridges"]["br10"]["encap_packets"] <= 2 and r["ports"]["access"]["rx_packets"] <= 2 and r["workers"][0]["busy_packets"] <= 2 and r["workers"][0]["loops"] < 10000000 and sum(r["fates"].values()) <= 2' show counters
# (the kernel VTEP's own ARP or neighbour traffic may add a packet between the two commands)
shape "clear counters resets show vtep" 'r[0]["tx_packets"] <= 2 and r[0]["rx_packets"] <= 2' show vtep
echo '{ "ports": {} }' > "$LAB_DIR/bad.json"
out=$(ctl config apply "$LAB_DIR/bad.json" 2>&1) && fail "config apply of a bad file succeeded"
echo "$out" | grep -q "error: ports" || fail "config apply error: $out"
ctl config apply "$LAB_DIR/vtepd.json" >/dev/null || fail "config apply of the running file"
pass "clear address-table, show counters --clear, config apply (bad file refused)"

# Zero loss: bridge br10 carries a continuous ping while another bridge is added, given a
# member, a flood VTEP and a static MAC, and removed, ten times over.
ns h2 ping -c 400 -i 0.01 -W 1 192.168.10.1 > "$LAB_DIR/ping.out" 2>&1 &
PING=$!
sleep 0.3
for i in $(seq 10); do
    ctl bridge add brB --vni 77 --flood 10.77.0.1 >/dev/null || fail "live change: bridge add"
    ctl member add brB access --vlan 300 >/dev/null || fail "live change: member add"
    ctl static add brB 02:00:00:00:77:01 --vtep 10.77.0.1 >/dev/null || fail "live change: static add"
    ctl bridge del brB >/dev/null || fail "live change: bridge del"
done
wait $PING
grep -q " 0% packet loss" "$LAB_DIR/ping.out" || fail "packets of br10 lost while brB changed: $(grep loss "$LAB_DIR/ping.out")"
pass "zero loss on br10 ($(grep -o '[0-9]* received' "$LAB_DIR/ping.out")) across 40 live changes to another bridge"

# DPDK telemetry, with DPDK's own client.
tel() { echo "$1" | ns gw dpdk-telemetry.py -f "${LAB_PREFIX}-vtepd" 2>/dev/null; }
tel /vtepgw/counters | /usr/bin/python3 -c '
import json,sys; r=json.load(sys.stdin)["/vtepgw/counters"]
sys.exit(0 if r["drops"]["truncated"] == 0 and "learned" in r["events"] and "br10" in r["bridges"] else 1)' \
    || fail "dpdk-telemetry.py /vtepgw/counters"
tel /vtepgw/vteps | grep -q '"10_77_0_1": {"vtep": "10.77.0.1"' || fail "dpdk-telemetry.py /vtepgw/vteps"
# Nested values are telemetry containers, not JSON text inside strings.
tel /vtepgw/vteps | /usr/bin/python3 -c '
import json,sys; r=json.load(sys.stdin)["/vtepgw/vteps"]["10_77_0_1"]
sys.exit(0 if r["vnis"] == [10] and r["reachable"] == 1 else 1)' || fail "/vtepgw/vteps: vnis is not an array container"
tel /vtepgw/counters | /usr/bin/python3 -c '
import json,sys; r=json.load(sys.stdin)["/vtepgw/counters"]
sys.exit(0 if isinstance(r["ports"]["uplink"], dict) and r["ports"]["uplink"]["rx_packets"] > 0 and isinstance(r["workers"]["0"], dict) else 1)' \
    || fail "/vtepgw/counters: nested counters are not dict containers"
tel /vtepgw/bridges | /usr/bin/python3 -c '
import json,sys; r=json.load(sys.stdin)["/vtepgw/bridges"]["br10"]
sys.exit(0 if r["members"] == {"0": {"port": "access"}} and r["flood_vteps"] == ["10.77.0.1"] else 1)' \
    || fail "/vtepgw/bridges: members/flood_vteps are not containers"
tel /vtepgw/fdb | grep -q '"capacity": 65536' || fail "dpdk-telemetry.py /vtepgw/fdb"
tel /vtepgw/bridges | grep -q '"br10": {"bridge": "br10", "vni": 10' || fail "dpdk-telemetry.py /vtepgw/bridges"
tel /ethdev/stats,0 | grep -q '"ipackets"' || fail "dpdk-telemetry.py /ethdev/stats,0"
pass "dpdk-telemetry.py: /vtepgw/counters, /vtepgw/vteps, /vtepgw/fdb, /vtepgw/bridges (nested values as rte_tel_data containers) and /ethdev/stats"
ctl log level 'vtepgw.*' debug >/dev/null || fail "log level"
out=$(ctl log level 'vtepgw.*' loud 2>&1) && fail "bad log level accepted"
echo "$out" | grep -qF "LEVEL: loud not in {emergency,alert" || fail "log level error: $out"
out=$(printf '{"command": "log level", "args": {"pattern": "x", "level": "loud"}}\n' | /usr/bin/python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(sys.stdin.buffer.read()); s.shutdown(1); print(s.recv(4096).decode())")
echo "$out" | grep -qF "args.level: 'loud' is not one of" || fail "vtepd's log level error: $out"
pass "log levels change at run time"

# Abuse of the socket: the dataplane keeps forwarding, vtepd keeps answering.
printf 'not json at all\n' | timeout 3 /usr/bin/python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(sys.stdin.buffer.read()); s.shutdown(1)
r=s.recv(65536).decode(); sys.exit(0 if 'not JSON' in r else 1)" || fail "garbage request not answered with an error"
timeout 5 /usr/bin/python3 -c "
import socket; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(b'x' * 200000)
r=s.recv(65536).decode(); import sys; sys.exit(0 if 'too large' in r else 1)" || fail "oversized request not refused"
/usr/bin/python3 -c "
import socket; s=[socket.socket(socket.AF_UNIX) for _ in range(8)]
[x.connect('$SOCK') for x in s]; [x.sendall(b'{\"command\": \"show') for x in s]" || true
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "forwarding stopped while the socket was abused"
shape "still answering" 'len(r) == 1' show bridges
pass "garbage, oversized and half-written requests are refused; forwarding and answers go on"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
[ -e "$SOCK" ] && fail "control socket left behind after exit"
pass "socket removed at exit"

# Who may use the socket: with --socket-group, members of the group (primary or
# supplementary), nobody else; never anyone but root without it (mode 0600 above).
chmod 0711 "$LAB_DIR"   # let other users reach the socket file itself
LAB_VTEPD_ARGS="--socket-group nogroup" lab_start_vtepd "$VTEPD" || fail "vtepd did not start with --socket-group"
[ "$(stat -c '%a %G' "$SOCK")" = "660 nogroup" ] || fail "socket is $(stat -c '%a %G' "$SOCK"), expected 660 nogroup"
as() { setpriv --reuid="$1" --regid="$2" --groups="$3" "$CTL" --socket "$SOCK" show vtep; }
as 65534 65534 65534 >/dev/null || fail "a user whose primary group is the socket's group was refused"
as 4242 4242 65534 >/dev/null || fail "a user with the socket's group as a supplementary group was refused"
out=$(as 4242 4242 4242 2>&1) && fail "a user outside the socket's group was let in: $out"
echo "$out" | grep -qiE "permission denied" || fail "refusal without a reason: $out"
pass "--socket-group: mode 0660, members (primary or supplementary) allowed, others refused"
lab_stop_vtepd || fail "vtepd did not exit cleanly"
exit 0
