#!/usr/bin/env bash
# The package: scripts/package.sh builds a portable .deb; apt installs it; vtepd starts from
# /usr/bin in the namespace lab, finds its PMD profiles under /usr/share (no source-tree path in
# the binary), and the whole vtepctl test runs again through the installed binaries. The
# unit verifies with systemd's own checker; man pages and completion are where Debian looks.
# Removed (purged) at the end. Usage: test_package.sh PATH/TO/vtepd (unused: the package's
# own binaries are the point; root)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
[ "$(id -u)" = 0 ] || fail "needs root (dpkg)"
cleanup() { apt-get purge -y -q vtepgw >/dev/null 2>&1 || dpkg --purge vtepgw >/dev/null 2>&1; }
cleanup   # a run that was killed may have left its package behind
trap cleanup EXIT

deb=$(bash "$ROOT/scripts/package.sh" "$ROOT/build-pkg" | tail -1) || fail "scripts/package.sh failed"
[ -f "$deb" ] || fail "no .deb: $deb"
grep -q -- "-march=corei7" "$ROOT/build-pkg/compile_commands.json" && ! grep -q -- "-march=native" "$ROOT/build-pkg/compile_commands.json" \
    || fail "the package build is not portable (-march)"
pass "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), portable (-march=corei7)"

DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >/dev/null 2>&1 \
    || fail "apt-get install $deb failed"
for f in /usr/bin/vtepd /usr/bin/vtepctl /usr/lib/systemd/system/vtepd.service /usr/share/man/man8/vtepd.8.gz \
         /usr/share/man/man8/vtepctl.8.gz /usr/share/bash-completion/completions/vtepctl \
         /usr/share/doc/vtepgw/vtepd.example.json /usr/share/vtepgw/drivers-config/af_packet.json; do
    [ -e "$f" ] || fail "$f not installed"
done
grep -q "^ExecReload=/usr/bin/vtepctl --socket /run/vtepgw/vtepd.sock config reload" /usr/lib/systemd/system/vtepd.service \
    || fail "the unit does not reload through vtepctl from /usr/bin"
for u in vtepd.service vtepgw-metrics.service vtepgw-metrics.timer; do
    out=$(systemd-analyze verify /usr/lib/systemd/system/$u 2>&1) || fail "systemd-analyze verify $u: $out"
done
/usr/bin/python3 -c "import json; d=json.load(open('/usr/share/doc/vtepgw/grafana-vtepgw.json')); assert all('vtepgw_' in t['expr'] for p in d['panels'] for t in p['targets'])" \
    || fail "the Grafana dashboard is not valid JSON over vtepgw metrics"
zcat /usr/share/man/man8/vtepctl.8.gz | grep -q "^\.SH EXIT STATUS" || fail "vtepctl(8) has no exit status section"
/usr/bin/vtepd --version | grep -q "^vtepd 0" || fail "vtepd --version from /usr/bin"
/usr/bin/vtepd -- --config /usr/share/doc/vtepgw/vtepd.example.json --check >/dev/null || fail "the example configuration does not pass --check"
strings /usr/bin/vtepd | grep -qF "$ROOT" && fail "the installed vtepd names the source tree ($ROOT)"
# bash completion, as bash itself runs it.
words=$(bash -c 'source /usr/share/bash-completion/completions/vtepctl; COMP_WORDS=(vtepctl show add); COMP_CWORD=2; _vtepctl; echo "${COMPREPLY[*]}"')
[ "$words" = "address-table" ] || fail "completion of 'vtepctl show add': '$words'"
pass "apt installs binaries, units (vtepd, the metrics timer: systemd-analyze verify clean, reload through vtepctl), man pages, completion, profiles, example config, Grafana dashboard; no source path in the binary"

# The lab, with the installed binaries only.
export LAB_PREFIX=vgpkg
source "$ROOT/scripts/lib/lab.sh"
trap 'lab_down; cleanup' EXIT
lab_up || fail "cannot build the lab"
for i in gw-u gw-a; do ns gw sysctl -qw net.ipv6.conf.$i.disable_ipv6=0; done  # as a user's lab has it
lab_start_vtepd /usr/bin/vtepd || fail "/usr/bin/vtepd did not start"
for i in gw-u gw-a; do
    [ "$(ns gw sysctl -n net.ipv6.conf.$i.disable_ipv6)" = 1 ] || fail "the installed vtepd left the kernel's IPv6 on $i"
done
ctl() { /usr/bin/vtepctl --socket "$LAB_DIR/vtepd.sock" "$@"; }
ns h2 ping -c 3 -i 0.2 -W 2 192.168.10.1 >/dev/null || fail "no ping through the installed vtepd"
ctl --json show interfaces | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r[0]["profile"] == "af_packet" else 1)' \
    || fail "the installed vtepd did not find its PMD profiles under /usr/share"
lab_stop_vtepd || fail "vtepd did not stop cleanly"
lab_down
pass "/usr/bin/vtepd forwards in the lab with the af_packet profile from /usr/share/vtepgw, kernel IPv6 off on its interfaces"

bash "$HERE/test_vtepctl.sh" /usr/bin/vtepd | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "the vtepctl test through the installed binaries"
pass "every vtepctl bullet (strict grammar, exit codes, underlay views, config save/diff/reload, single instance) through /usr/bin"

cleanup
[ -e /usr/bin/vtepd ] && fail "purge left /usr/bin/vtepd"
pass "purged cleanly"
exit 0
