#!/usr/bin/env bash
# Binds NICs to vfio-pci for DPDK (Intel ixgbe/i40e/ice/iavf, virtio). mlx5 needs no binding.
# Usage: scripts/deploy/bind-nic.sh PCI_ADDRESS...      e.g. 0000:03:00.1
#        scripts/deploy/bind-nic.sh --status
set -euo pipefail
command -v dpdk-devbind.py >/dev/null || { echo "dpdk-devbind.py not found: apt-get install dpdk" >&2; exit 1; }
if [ "${1:-}" = "--status" ] || [ $# -eq 0 ]; then
    exec dpdk-devbind.py --status-dev net
fi
modprobe vfio-pci 2>/dev/null || true
for pci in "$@"; do
    # A device with a kernel route or address is in use: refuse rather than cut someone off.
    if dpdk-devbind.py --status-dev net | grep "$pci" | grep -q "\*Active\*"; then
        echo "$pci is active in the kernel (has routes); take it down first" >&2
        exit 1
    fi
    dpdk-devbind.py --bind=vfio-pci "$pci"
done
dpdk-devbind.py --status-dev net
