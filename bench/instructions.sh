#!/usr/bin/env bash
# Instructions a packet in the worker, counted by callgrind: deterministic where cycle
# counts on a shared VM move by 10-30 % between runs, so a change of a few percent shows.
# Counts only Worker::processBurst and Worker::flush (what the worker executes, TX into the
# net_ring port included; the harness's frame writing and ring draining excluded). Each
# case runs twice, for a short and a ten times longer time, and the difference is divided
# by the difference in packets: set-up (learning, first bursts) cancels out.
# Cache misses and branch mispredictions are not in these numbers: confirm with cycles.
#
# Usage: bench/instructions.sh [--bench PATH] [REGEX...]
#   REGEX     worker_bench cases (default: encap, decap+learn, routed at 1,000 MACs, flood to 8)
#   --bench   another worker_bench build (e.g. a copy of main's, for a before/after)
# Needs valgrind (apt-get install valgrind). Flood cases report per packet; divide by the
# VTEP count for per replica. Valgrind 3.19 (Debian 12) decodes no AVX-512: on a CPU that
# has it, the default is a build of its own (build-callgrind: -march=native -mno-avx512f,
# the same code otherwise), made on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=""
cases=()
while [ $# -gt 0 ]; do
    case "$1" in
        --bench) bench=$2; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) cases+=("$1") ;;
    esac
    shift
done
[ ${#cases[@]} -gt 0 ] || cases=('BM_Encap/1000$' 'BM_DecapLearn/1000$' 'BM_Routed/1000$' 'BM_Flood/8$')
command -v valgrind >/dev/null || { echo "instructions: valgrind missing (apt-get install valgrind)" >&2; exit 1; }
if [ -z "$bench" ]; then
    bench=build/bench/worker_bench
    if grep -qw avx512f /proc/cpuinfo; then
        [ -d build-callgrind ] || meson setup build-callgrind --buildtype=release -Ddebug=true -Dnative=true \
            -Dcpp_args=-mno-avx512f -Dc_args=-mno-avx512f >/dev/null
        ninja -C build-callgrind bench/worker_bench >/dev/null
        bench=build-callgrind/bench/worker_bench
    fi
fi
[ -x "$bench" ] || { echo "instructions: build first (scripts/setup.sh)" >&2; exit 1; }
work=$(mktemp -d /tmp/vtepgw-instructions.XXXXXX)
trap 'rm -rf "$work"' EXIT

count() {  # case min_time out
    valgrind --tool=callgrind --toggle-collect='vtepgw::dataplane::Worker::processBurst*' \
        --toggle-collect='vtepgw::dataplane::Worker::flush()' --callgrind-out-file="$3" \
        "$bench" --benchmark_filter="$1" --benchmark_min_time="$2" >"$3.log" 2>&1 ||
        { echo "instructions: $1 failed, see below" >&2; tail -5 "$3.log" >&2; return 1; }
}

printf '%-24s %14s\n' case instr/packet
for c in "${cases[@]}"; do
    count "$c" 0.01 "$work/short"
    count "$c" 0.1 "$work/long"
    /usr/bin/python3 - "$c" "$work/short" "$work/long" <<'PY'
import re, sys

def totals(path):
    """(instructions collected, processBurst calls) from a callgrind output file."""
    text = open(path).read()
    m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    ids = set(re.findall(r"^c?fn=\((\d+)\) vtepgw::dataplane::Worker::processBurst", text, re.M))
    lines = text.split("\n")
    calls = 0
    for i, line in enumerate(lines[:-1]):
        f = re.match(r"^cfn=\((\d+)\)", line)
        if f and f.group(1) in ids and lines[i + 1].startswith("calls="):
            calls += int(lines[i + 1].split()[0].split("=")[1])
    return int(m.group(1)), calls

name, short, long_ = sys.argv[1:]
(i0, b0), (i1, b1) = totals(short), totals(long_)
if b1 <= b0:
    sys.exit(f"instructions: {name}: no more bursts in the longer run")
# Every case processes bursts of 32 but the flood ones with many VTEPs (2048 / VTEPs).
burst = 32
fl = re.match(r"BM_Flood/(\d+)", name)
if fl:
    burst = min(32, 2048 // int(fl.group(1)))
print(f"{name:<24s} {(i1 - i0) / ((b1 - b0) * burst):14.1f}")
PY
done
