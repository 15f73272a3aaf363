#!/usr/bin/env bash
# Builds a .deb of vtepgw: a portable build (-march=corei7, the baseline of Debian's own DPDK
# packages) installed under /usr into a staging root, with the unit, man pages, completion,
# PMD profiles and an example configuration; Depends from dpkg-shlibdeps plus dpdk (the PMDs
# vtepd loads as plugins are not linked, so no tool can see them).
# Usage: scripts/package.sh [BUILD_DIR]      (default build-pkg; prints the .deb's path last)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build-pkg}
command -v dpkg-shlibdeps >/dev/null || { echo "package: dpkg-dev is missing; run scripts/setup.sh" >&2; exit 1; }

if [ ! -f "$OUT/build.ninja" ]; then
    meson setup "$OUT" --prefix=/usr --buildtype=release -Dnative=false -Dwerror=true >/dev/null
fi
# Only what is installed: the tests and benchmarks are not part of the package.
ninja -C "$OUT" app/vtepd app/vtepctl >/dev/null

VERSION=$(meson introspect "$OUT" --projectinfo | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d /tmp/vtepgw-pkg.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
DESTDIR="$STAGE/root" meson install -C "$OUT" --no-rebuild --quiet
ROOT="$STAGE/root"
# Debian policy: man pages compressed, no timestamps; a copyright file beside the docs.
gzip -9n "$ROOT"/usr/share/man/man8/*.8
install -m 0644 /dev/null "$ROOT/usr/share/doc/vtepgw/copyright"
cat > "$ROOT/usr/share/doc/vtepgw/copyright" <<'TXT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vtepgw
License: BSD-3-Clause
TXT
mkdir -p "$ROOT/etc/vtepgw"

mkdir -p "$STAGE/debian"
echo "Source: vtepgw" > "$STAGE/debian/control"
shlibs=$(cd "$STAGE" && dpkg-shlibdeps -O --ignore-missing-info -e"$ROOT/usr/bin/vtepd" -e"$ROOT/usr/bin/vtepctl" 2>/dev/null \
         | sed -n 's/^shlibs:Depends=//p')

mkdir -p "$ROOT/DEBIAN"
cat > "$ROOT/DEBIAN/control" <<TXT
Package: vtepgw
Version: $VERSION
Architecture: $ARCH
Maintainer: vtepgw developers <vtepgw@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
Depends: ${shlibs}, dpdk (>= 22.11)
Recommends: frr
Section: net
Priority: optional
Description: DPDK VXLAN and L2 GRE gateway (VTEP)
 vtepd bridges local ports into VXLAN or L2 GRE segments over an IPv4 underlay at
 poll-mode speed: lock-free MAC tables, head-end replication or underlay multicast,
 routing between bridges, ARP suppression, EVPN through FRR. vtepctl operates it.
TXT
# Enabled like any Debian daemon; it starts once /etc/vtepgw/vtepd.json exists (the unit's
# ConditionPathExists), never with an example the operator did not choose.
cat > "$ROOT/DEBIAN/postinst" <<'TXT'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    systemctl enable vtepd.service >/dev/null 2>&1 || true
    systemctl try-restart vtepd.service || true
fi
exit 0
TXT
cat > "$ROOT/DEBIAN/prerm" <<'TXT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop vtepd.service || true
    systemctl disable vtepd.service >/dev/null 2>&1 || true
fi
exit 0
TXT
cat > "$ROOT/DEBIAN/postrm" <<'TXT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if [ "$1" = purge ]; then rmdir /etc/vtepgw 2>/dev/null || true; fi
exit 0
TXT
chmod 0755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/prerm" "$ROOT/DEBIAN/postrm"
DEB="$OUT/vtepgw_${VERSION}_${ARCH}.deb"
dpkg-deb --build --root-owner-group "$ROOT" "$DEB" >/dev/null
echo "$DEB"
