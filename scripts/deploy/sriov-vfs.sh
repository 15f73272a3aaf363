#!/usr/bin/env bash
# Creates SR-IOV virtual functions on a PF, trusted (needed for promiscuous access ports) and
# with spoof checking off (vtepd sends frames with the hosts' source MACs).
# Usage: scripts/deploy/sriov-vfs.sh PF_NETDEV COUNT     e.g. ens1f0 2
set -euo pipefail
pf=${1:?usage: $0 PF_NETDEV COUNT}
n=${2:?usage: $0 PF_NETDEV COUNT}
sys=/sys/class/net/$pf/device
[ -e "$sys/sriov_totalvfs" ] || { echo "$pf does not support SR-IOV" >&2; exit 1; }
echo 0 > "$sys/sriov_numvfs"
echo "$n" > "$sys/sriov_numvfs"
for ((i = 0; i < n; i++)); do
    ip link set "$pf" vf "$i" trust on spoofchk off
done
for vf in "$sys"/virtfn*; do basename "$(readlink "$vf")"; done
echo "bind them with scripts/deploy/bind-nic.sh and use profile \"iavf\""
