#!/bin/sh
# Configures and builds crmcore.
#   scripts/build.sh           plain build in ./build (CRM_BUILD_DIR overrides)
#   scripts/build.sh --asan    AddressSanitizer + UBSan build in ./build-asan
#                              (CRM_ASAN_BUILD_DIR overrides)
set -eu

cd "$(dirname "$0")/.."
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

if [ "${1:-}" = "--asan" ]; then
  dir=${CRM_ASAN_BUILD_DIR:-build-asan}
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCRM_SANITIZE=ON
elif [ -z "${1:-}" ]; then
  dir=${CRM_BUILD_DIR:-build}
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
else
  echo "usage: scripts/build.sh [--asan]" >&2
  exit 1
fi
cmake --build "$dir" -j "$jobs"
