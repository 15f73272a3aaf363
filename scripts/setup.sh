#!/usr/bin/env bash
# Installs every Debian package vtepgw needs (idempotent; root) and configures the build.
# Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    # build
    build-essential g++ meson ninja-build pkg-config
    dpdk dpdk-dev libdpdk-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev libbpf-dev libmnl-dev libcli11-dev
    dpkg-dev  # scripts/package.sh: dpkg-shlibdeps for the .deb's Depends
    # lab and tests: namespaces, real peers, packet decoding
    iproute2 iputils-ping ethtool tcpdump tshark python3 python3-scapy procps smcroute
    python3-prometheus-client  # Prometheus's own parser reads vtepctl show metrics
    openvswitch-switch  # the GRE peer (userspace datapath): this kernel has no gretap
    frr                 # BGP over the host interface (bgpd per namespace, no systemd)
    # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
    clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: missing packages: ${missing[*]}; run as root to install them" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; the answer does not matter here.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" != "--no-build" ]; then
    if [ ! -f build/build.ninja ]; then
        # The development and benchmark build: this machine's CPU, warnings as errors, symbols
        # for perf (code as -O3). Packages are built portable (scripts/package.sh).
        meson setup build --buildtype=release -Ddebug=true -Dnative=true -Dwerror=true
    elif ! grep -q -- "-march=native" build/build.ninja; then
        meson configure build -Dnative=true -Dwerror=true  # a tree configured before these options
    fi
    ninja -C build
fi
