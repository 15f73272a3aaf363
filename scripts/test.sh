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
