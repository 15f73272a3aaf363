#!/usr/bin/env bash
# The command-line contract: a bad configuration is rejected with one line per error naming
# the JSON path and the reason, exit status 1, before EAL starts (no runtime directory is
# created, no device touched); --check accepts a good one; missing --config is a usage error.
# Usage: test_cli.sh PATH/TO/vtepd
set -uo pipefail
VTEPD=$(realpath "${1:?usage: $0 PATH/TO/vtepd}")
DIR=$(mktemp -d /tmp/vtepgw-cli.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
PREFIX=vtepgw-cli-$$

cat > "$DIR/bad.json" <<'JSON'
{ "ports": { "up": { "device": "net_null0" }, "a": { "device": "net_null1" } },
  "underlay": { "port": "up", "address": "10.0.0.2/24" },
  "vxlan": { "ttl": 0 },
  "bridges": { "b1": { "vni": 10, "members": [ { "port": "eth9" } ] },
               "b2": { "vni": 10, "members": [ { "port": "a", "vlan": 5000 } ] } } }
JSON
out=$("$VTEPD" --no-huge --no-pci -m 64 --file-prefix $PREFIX --vdev=net_null0 --vdev=net_null1 \
      -- --config "$DIR/bad.json" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
[ $rc = 1 ] || fail "bad config: exit status $rc, expected 1"
for expect in "vxlan.ttl: must be between 1 and 255, found 0" \
              "bridges.b1.members[0].port: unknown port 'eth9'" \
              "bridges.b2.vni: VNI 10 is already used by bridge 'b1'" \
              "bridges.b2.members[0].vlan: must be between 1 and 4094, found 5000"; do
    echo "$out" | grep -qF "error: $expect" || fail "missing error line: $expect"
done
echo "$out" | grep -q "^EAL" && fail "EAL started although the configuration was rejected"
[ -e "/var/run/dpdk/$PREFIX" ] && fail "EAL runtime directory created for a rejected configuration"
pass "bad configuration: exit 1, one line per error with path and reason, EAL never started"

cat > "$DIR/good.json" <<'JSON'
{ "ports": { "up": { "device": "net_null0" }, "a": { "device": "net_null1" } },
  "underlay": { "port": "up", "address": "10.0.0.2/24" },
  "vxlan": { "ttl": 1 },
  "bridges": { "b1": { "vni": 10, "flood_vteps": ["10.0.0.9"], "members": [ { "port": "a" } ] } } }
JSON
out=$("$VTEPD" -- --config "$DIR/good.json" --check 2>&1); rc=$?
[ $rc = 0 ] || fail "--check on a good configuration: exit $rc: $out"
echo "$out" | grep -q "warning: vxlan.ttl: TTL 1 cannot cross a router" || fail "no TTL 1 warning: $out"
pass "--check accepts a good configuration and warns about TTL 1"

"$VTEPD" -- >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "missing --config: exit $rc, expected 2"
"$VTEPD" -- --config "$DIR/missing.json" >/dev/null 2>&1; rc=$?
[ $rc = 1 ] || fail "unreadable config: exit $rc, expected 1"
pass "usage errors exit 2, an unreadable file exits 1"

sed 's/"device": "net_null0" }/"device": "net_null0", "profile": "nosuch" }/' "$DIR/good.json" > "$DIR/profile.json"
out=$("$VTEPD" -l 0-1 --no-huge --no-pci -m 128 --file-prefix $PREFIX --vdev=net_null0 --vdev=net_null1 \
      -- --config "$DIR/profile.json" --socket "$DIR/sock" 2>&1); rc=$?
[ $rc = 1 ] || fail "unknown profile: exit $rc, expected 1"
echo "$out" | grep -q "vtepd: profile 'nosuch': cannot read .*nosuch.json" || fail "unknown profile message: $out"
pass "a port naming a missing PMD profile is refused with the file it looked for"

# A device that was given to EAL but could not be created is reported as such.
sed 's/"device": "net_null0" }/"device": "net_af_packet0" }/' "$DIR/good.json" > "$DIR/afp.json"
out=$("$VTEPD" -l 0-1 --no-huge --no-pci -m 128 --file-prefix $PREFIX --vdev=net_af_packet0,iface=vtepgw-nosuch0 \
      --vdev=net_null1 -- --config "$DIR/afp.json" --socket "$DIR/sock" 2>&1); rc=$?
[ $rc = 1 ] || fail "missing interface behind --vdev: exit $rc, expected 1"
echo "$out" | grep -qF "device 'net_af_packet0' was given to EAL but did not come up" || fail "missing interface message: $out"
echo "$out" | grep -qF "pass it to EAL" && fail "told to pass a device that was passed: $out"
pass "a --vdev EAL could not create (no such iface) is reported as given but not up"
"$VTEPD" --version | grep -qE "^vtepd [0-9]+\.[0-9]+\.[0-9]+ \(DPDK 22\." || fail "vtepd --version"
pass "vtepd --version names vtepd's and DPDK's versions"
exit 0
