#!/usr/bin/env bash
# The pipeline benchmark: the real vtepd forwarding between two net_pcap vdevs that replay
# pcaps from memory (rx_pcap=FILE,infinite_rx=1; what is sent is dropped), and in the same
# run the rig's ceiling: dpdk-testpmd --forward-mode=io between the same vdevs and pcaps.
# Prints Mpps and cycles/packet from vtepd's own counters (busy cycles of bursts that
# carried packets) and from testpmd's --record-core-cycles, and the ratio vtepd / testpmd.
#
# Usage: bench/pipeline.sh [--quick] [--seconds N] [--only REGEX] [--pool-ops NAME] [--huge]
#   --quick      64-byte frames, 1, 1,000 and 100k MACs, 1 worker (18 cases)
#   --seconds N  measuring window per case (default 5; a 2 s warm-up comes first)
#   --only RE    run the cases whose name matches RE (e.g. 'encap-64-1-')
#   --pool-ops   mempool driver for both (EAL --mbuf-pool-ops-name; default: DPDK's ring)
#   --huge       2 MB hugepages for both (1 GB each, one after the other) instead of
#                --no-huge's 4 KB pages: what deployments use; at 100k MACs the table's
#                page walks otherwise show in the cycles
#   KEEP=1 in the environment keeps the work directory (pcaps, configs, logs);
#   VTEPD_ARGS="--idle adaptive" passes options to vtepd (after its --)
# Cases: direction (encap = access -> tunnel, decap = tunnel -> access, mixed = 50/50,
# routed = access in VNI 10 -> routed by the bridge gateway -> tunnel in VNI 20; encap6 and
# decap6 = encap and decap over an IPv6 underlay, UDP checksums computed and verified;
# encapgre and decapgre = the same over Ethernet-over-GRE with a key),
# inner frame size (64, 1500 bytes with FCS), MACs (1, 1,000, 100k), workers (1, 2).
# Needs root (EAL), build/app/vtepd and dpdk-testpmd. Not a test: it never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=5 quick=0 only="" poolops="" mem="--no-huge -m 4096"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --seconds) seconds=$2; shift ;;
        --only) only=$2; shift ;;
        --pool-ops) poolops=$2; shift ;;
        --huge) mem="-m 1024 --huge-unlink" ;;
        *) echo "usage: bench/pipeline.sh [--quick] [--seconds N] [--only REGEX] [--pool-ops NAME] [--huge]" >&2; exit 2 ;;
    esac
    shift
done
vtepd=${VTEPD:-$root/build/app/vtepd}  # VTEPD=... compares another build
vtepctl=$root/build/app/vtepctl
[ -x "$vtepd" ] || { echo "pipeline: build first (scripts/setup.sh)" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "pipeline: dpdk-testpmd missing (apt-get install dpdk)" >&2; exit 1; }
# --huge on a machine booted without hugepages: reserve 1,280 2 MB pages (2.5 GB; each
# process takes 1 GB, one after the other) and mount hugetlbfs where EAL looks for it.
if [ "$mem" != "--no-huge -m 4096" ]; then
    if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 1280 ]; then echo 1280 > /proc/sys/vm/nr_hugepages; fi
    [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 512 ] ||
        { echo "pipeline: --huge needs 512 free 2 MB hugepages (HugePages_Free in /proc/meminfo)" >&2; exit 1; }
    if ! grep -q '^[^ ]* [^ ]* hugetlbfs ' /proc/mounts; then mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages; fi
fi
py=/usr/bin/python3
work=$(mktemp -d /tmp/vtepgw-pipeline.XXXXXX)
vpid=""
cleanup() {
    [ -n "$vpid" ] && kill -INT "$vpid" 2>/dev/null && wait "$vpid" 2>/dev/null
    if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

ncpu=$(nproc)
# lcores: the main lcore runs control (it sleeps when idle), then one per worker. With
# fewer CPUs than lcores, the extra worker shares CPU 0 with control.
lcores_for() {
    local workers=$1 list="0@0" w
    for ((w = 1; w <= workers; ++w)); do list+=",$w@$(( w < ncpu ? w : 0 ))"; done
    echo "$list"
}

pcap() {  # side size macs -> path (made once)
    local f=$work/$1_$2_$3.pcap
    [ -f "$f" ] || $py bench/pktgen/make_pcaps.py pcap --side "$1" --size "$2" --macs "$3" --out "$f"
    echo "$f"
}
$py -c "import struct; open('$work/empty.pcap','wb').write(struct.pack('<IHHiIII',0xA1B2C3D4,2,4,0,0,65535,1))"

# vdev args for one port: the pcap once per queue (one RX queue per worker), replayed
# forever if the port is active in this direction, else an empty file.
vdev() {  # name file active workers
    local args="$1" q
    for ((q = 0; q < $4; ++q)); do args+=",rx_pcap=$2"; done
    [ "$3" = 1 ] && args+=",infinite_rx=1"
    echo "$args"
}

# Prints "mpps cycles/pkt" for testpmd io between the same vdevs.
testpmd_io() {  # upvdev accessvdev workers mbufs
    local out=$work/testpmd.out fifo=$work/testpmd.in
    rm -f "$fifo"; mkfifo "$fifo"
    dpdk-testpmd --lcores="$(lcores_for "$3")" $mem --no-pci --file-prefix=vtepgw-pl-tp \
        ${poolops:+--mbuf-pool-ops-name=$poolops} --vdev="$1" --vdev="$2" --log-level='*:error' -- \
        -i --forward-mode=io --nb-cores="$3" --rxq="$3" --txq="$3" --record-core-cycles \
        --total-num-mbufs="$4" < "$fifo" > "$out" 2>&1 &
    local tpid=$!
    exec 9> "$fifo"
    # Commands only once it prompts: loading pcaps into memory takes a while.
    for _ in $(seq 600); do grep -q "testpmd>" "$out" && break; sleep 0.1; done
    echo start >&9; sleep 2
    echo "clear fwd stats all" >&9; sleep "$seconds"
    echo stop >&9; sleep 1
    echo quit >&9; exec 9>&-
    wait "$tpid" || true
    $py - "$out" "$seconds" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
acc = text[text.rfind("Accumulated forward statistics"):]
rx = re.search(r"RX-packets:\s*(\d+)", acc)
cyc = re.search(r"CPU cycles/packet=([\d.]+)", text)
if not rx or not cyc:
    print("nan nan"); sys.exit()
print(f"{int(rx.group(1)) / float(sys.argv[2]) / 1e6:.2f} {float(cyc.group(1)):.1f}")
EOF
}

# Prints "mpps cycles/pkt forwarded% drops" for vtepd.
vtepd_run() {  # mode upvdev accessvdev workers mbufs macs
    local sock=$work/vtepd.sock
    rm -f "$sock"
    $py bench/pktgen/make_pcaps.py config --mode "$1" --macs "$6" --underlay net_pcap0 \
        --access net_pcap1 --out "$work/vtepd.json"
    "$vtepd" --lcores="$(lcores_for "$4")" $mem --no-pci --file-prefix=vtepgw-pl \
        ${poolops:+--mbuf-pool-ops-name=$poolops} --vdev="$2" --vdev="$3" --log-level='vtepgw.*:warning' -- \
        --config "$work/vtepd.json" --socket "$sock" --mbufs "$5" ${VTEPD_ARGS:-} > "$work/vtepd.out" 2>&1 &
    vpid=$!
    # Ready when it answers (100k static MACs and pcaps in memory take a while to load).
    for _ in $(seq 1200); do "$vtepctl" --socket "$sock" show vtep >/dev/null 2>&1 && break; sleep 0.1; done
    sleep 2  # warm-up: learning, caches
    "$vtepctl" --socket "$sock" --json show counters > "$work/c1.json"
    local t1; t1=$(date +%s.%N)
    sleep "$seconds"
    "$vtepctl" --socket "$sock" --json show counters > "$work/c2.json"
    local t2; t2=$(date +%s.%N)
    kill -INT "$vpid"; wait "$vpid" || true; vpid=""
    $py - "$work/c1.json" "$work/c2.json" "$t1" "$t2" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
dt = float(sys.argv[4]) - float(sys.argv[3])
rx = sum(b["ports"][p]["rx_packets"] - a["ports"][p]["rx_packets"] for p in b["ports"])
tx = sum(b["ports"][p]["tx_packets"] - a["ports"][p]["tx_packets"] for p in b["ports"])
drops = sum(b["drops"][d] - a["drops"][d] for d in b["drops"])
cyc = (b["busy_cycles"] - a["busy_cycles"]) / max(1, b["busy_packets"] - a["busy_packets"])
print(f"{rx / dt / 1e6:.2f} {cyc:.1f} {100.0 * tx / max(1, rx):.1f} {drops}")
EOF
}

printf "%-22s %9s %9s %11s %11s %7s %6s %s\n" case vtepd_Mpps cyc/pkt testpmd_Mpps tp_cyc/pkt ratio fwd% drops
sizes="64 1500" macsets="1 1000 100000" workersets="1 2"
[ "$quick" = 1 ] && sizes=64 workersets=1
for workers in $workersets; do
    for size in $sizes; do
        for macs in $macsets; do
            for mode in encap decap mixed routed encap6 decap6 encapgre decapgre; do
                name="$mode-$size-$(case $macs in 1) echo 1 ;; 1000) echo 1k ;; *) echo 100k ;; esac)-${workers}w"
                [ -n "$only" ] && ! [[ $name =~ $only ]] && continue
                upfile=$work/empty.pcap accfile=$work/empty.pcap upact=0 accact=0
                if [ "$mode" = decap ] || [ "$mode" = mixed ]; then upfile=$(pcap underlay "$size" "$macs"); upact=1; fi
                if [ "$mode" = decap6 ]; then upfile=$(pcap underlay6 "$size" "$macs"); upact=1; fi
                if [ "$mode" = decapgre ]; then upfile=$(pcap underlaygre "$size" "$macs"); upact=1; fi
                if [ "$mode" = routed ]; then accfile=$(pcap routed "$size" "$macs"); accact=1; fi
                if [ "$mode" = encap ] || [ "$mode" = mixed ] || [ "$mode" = encap6 ] || [ "$mode" = encapgre ]; then accfile=$(pcap access "$size" "$macs"); accact=1; fi
                packets=$(( macs > 4096 ? macs : 4096 ))
                mbufs=$(( packets * workers * 2 + 65536 ))
                up=$(vdev net_pcap0 "$upfile" $upact "$workers")
                acc=$(vdev net_pcap1 "$accfile" $accact "$workers")
                read -r vm vc fwd drops < <(vtepd_run "$mode" "$up" "$acc" "$workers" "$mbufs" "$macs")
                read -r tm tc < <(testpmd_io "$up" "$acc" "$workers" "$mbufs")
                ratio=$($py -c "print(f'{$vm / $tm:.2f}' if $tm == $tm and $tm > 0 else 'nan')")
                printf "%-22s %9s %9s %11s %11s %7s %6s %s\n" "$name" "$vm" "$vc" "$tm" "$tc" "$ratio" "$fwd" "$drops"
            done
        done
    done
done
echo "(TSC $(grep -m1 -o 'at [0-9]* MHz' "$work/testpmd.out" 2>/dev/null || echo '?'); $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-))"
