#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, coverage in every library) and runs each
# for SECONDS (default 60) from a seed corpus. Findings are written to build-fuzz/findings/
# and make the script fail (an input that runs over 10 s too: a hang is a finding); turn each
# into a regression test.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (apt-get install clang)" >&2; exit 1; }
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=true --buildtype=debugoptimized -Dwerror=true
fi
ninja -C build-fuzz tests/fuzz/fuzz_config tests/fuzz/fuzz_dataplane tests/fuzz/fuzz_control tests/fuzz/fuzz_netlink tests/fuzz/fuzz_evpn
mkdir -p build-fuzz/findings build-fuzz/corpus/config build-fuzz/corpus/dataplane build-fuzz/corpus/control build-fuzz/corpus/netlink build-fuzz/corpus/evpn
cp tests/fuzz/corpus/config/* build-fuzz/corpus/config/
cp tests/fuzz/corpus/control/* build-fuzz/corpus/control/
cp tests/fuzz/corpus/netlink/* build-fuzz/corpus/netlink/
cp tests/fuzz/corpus/evpn/* build-fuzz/corpus/evpn/
/usr/bin/python3 tests/fuzz/make_seeds.py build-fuzz/corpus/dataplane
status=0
for target in config dataplane control netlink evpn; do
    echo "== fuzz_$target for ${secs}s"
    # Leak checking is off: the targets keep EAL and their rig for the whole run on purpose;
    # fuzz_dataplane checks mbufs itself, after every input.
    if ! ASAN_OPTIONS=detect_leaks=0 ./build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$secs" \
            -rss_limit_mb=4096 -max_len=2048 -timeout=10 -artifact_prefix=build-fuzz/findings/$target- \
            build-fuzz/corpus/$target > build-fuzz/fuzz_$target.log 2>&1; then
        echo "fuzz_$target found a problem:"; tail -30 build-fuzz/fuzz_$target.log
        status=1
    else
        grep -E "^Done" build-fuzz/fuzz_$target.log
    fi
done
exit $status
