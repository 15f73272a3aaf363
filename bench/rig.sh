#!/usr/bin/env bash
# The shared side-by-side rig (testpmd io, Open vSwitch with DPDK as a VTEP, vtepd) with
# what it needs installed first: Debian's openvswitch-switch-dpdk (OVS 3.1 on DPDK 22.11),
# dpdk (testpmd) and scapy. The rig itself lives outside the project (RIG, default
# ../shared/rig/ovs_dpdk_rig.sh); its header lists its knobs, passed through from here.
#
# Usage: bench/rig.sh [run|verify|clean]      e.g.
#   MEM=huge MACS=1000 CASES="ceiling encap decap mixed app" bench/rig.sh
# VTEPD defaults to this tree's build/app/vtepd. Needs root. Not a test: it never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
rig=${RIG:-$PWD/../shared/rig/ovs_dpdk_rig.sh}
[ -f "$rig" ] || { echo "rig: $rig not found (set RIG=path/to/ovs_dpdk_rig.sh)" >&2; exit 1; }
[ -x build/app/vtepd ] || { echo "rig: build first (scripts/setup.sh)" >&2; exit 1; }
missing=()
[ -x /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk ] || missing+=(openvswitch-switch-dpdk)
command -v dpdk-testpmd >/dev/null || missing+=(dpdk)
/usr/bin/python3 -c 'import scapy' 2>/dev/null || missing+=(python3-scapy)
if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    # The package starts a system ovs-vswitchd; the rig runs its own, on its own cores.
    systemctl stop openvswitch-switch 2>/dev/null || true
fi
export VTEPD=${VTEPD:-$PWD/build/app/vtepd}
exec bash "$rig" "$@"
