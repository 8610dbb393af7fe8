#!/bin/sh
# Builds crmcore and runs the whole test suite with ctest.
#   scripts/test.sh           plain build (./build, or $CRM_BUILD_DIR)
#   scripts/test.sh --asan    ASan + UBSan build (./build-asan, or
#                             $CRM_ASAN_BUILD_DIR)
# The README's test command and .ci/run both call this script.
set -eu

cd "$(dirname "$0")/.."
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

scripts/build.sh "$@"
if [ "${1:-}" = "--asan" ]; then
  dir=${CRM_ASAN_BUILD_DIR:-build-asan}
  # Fail on the first report; leaks count as failures.
  ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export ASAN_OPTIONS UBSAN_OPTIONS
else
  dir=${CRM_BUILD_DIR:-build}
fi
ctest --test-dir "$dir" --output-on-failure -j "$jobs"
