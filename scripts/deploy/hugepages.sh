#!/usr/bin/env bash
# Reserves hugepages and mounts hugetlbfs for vtepd on real NICs (tests never need them).
# Usage: scripts/deploy/hugepages.sh [SIZE]   SIZE as dpdk-hugepages.py takes it, default 1G
set -euo pipefail
size=${1:-1G}
command -v dpdk-hugepages.py >/dev/null || { echo "dpdk-hugepages.py not found: apt-get install dpdk" >&2; exit 1; }
dpdk-hugepages.py --pagesize 2M --setup "$size"
dpdk-hugepages.py --show
