#!/usr/bin/env bash
# Sets up (packages, build) and runs every test: unit and dataplane tests through meson,
# then the end-to-end namespace tests against the Linux kernel's VXLAN. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "test: run as root: the end-to-end tests build network namespaces" >&2
    exit 1
fi
scripts/setup.sh

echo "== unit and dataplane tests"
meson test -C build --print-errorlogs

echo "== unit and dataplane tests again under AddressSanitizer + UndefinedBehaviorSanitizer"
if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
fi
ninja -C build-asan tests/unit_tests tests/dataplane_tests
# UBSan only reports by default; make every finding fail the test.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --no-rebuild

echo "== benchmark harnesses still run (figures are not checked: bench/README.md)"
out=$(build/bench/worker_bench --benchmark_min_time=0.001 \
      --benchmark_filter='RigOnly|Encap/1$|Decap/1$|DecapLearn/1$|Routed/1$|Underlay|Flood|FdbLookup/macs:1000/' 2>&1) || { echo "$out"; exit 1; }
if echo "$out" | grep -q "ERROR OCCURRED"; then echo "$out"; exit 1; fi
build/bench/micro_bench --benchmark_min_time=0.001 >/dev/null

echo "== fuzzing, briefly (scripts/fuzz.sh 600 is the real run)"
scripts/fuzz.sh 20

echo "== end-to-end tests (network namespaces, Linux kernel VTEP)"
failed=0
for t in tests/e2e/test_*.sh; do
    echo "-- $t"
    if bash "$t" build/app/vtepd; then
        echo "PASS $t"
    else
        echo "FAIL $t"
        failed=1
    fi
done
exit $failed
