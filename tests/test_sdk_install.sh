#!/bin/sh
# test_sdk_install.sh - the SDK as an outsider gets it.
#
# Installs the build into a scratch prefix (cmake --install --prefix),
# then builds sdk/template out of tree twice, with find_package(CrmSdk)
# and with make + pkg-config, against that prefix only, and runs
# crm_plugin_check (test_sdk_install) on both results and on the installed
# plugins.
#
# usage: test_sdk_install.sh BUILD_DIR SOURCE_DIR CHECKER CC SDK_VERSION
set -eu

build=$1
src=$2
checker=$3
cc=$4
want_version=$5

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-sdk-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix="$tmp/prefix"

fail() {
  echo "test_sdk_install: $*" >&2
  exit 1
}

echo "== install into $prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

[ -f "$prefix/include/crm/sdk.h" ] || fail "include/crm/sdk.h not installed"
pc=$(find "$prefix" -name crm-sdk.pc | head -n 1)
[ -n "$pc" ] || fail "crm-sdk.pc not installed"
cfg=$(find "$prefix" -name CrmSdkConfig.cmake | head -n 1)
[ -n "$cfg" ] || fail "CrmSdkConfig.cmake not installed"
cfgdir=$(dirname "$cfg")
for f in CrmSdkConfigVersion.cmake CrmSdkTargets.cmake CrmSdkPlugin.cmake; do
  [ -f "$cfgdir/$f" ] || fail "$f not installed next to CrmSdkConfig.cmake"
done

echo "== pkg-config"
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR
got=$(pkg-config --modversion crm-sdk)
[ "$got" = "$want_version" ] ||
  fail "crm-sdk.pc Version is $got, sdk.h says $want_version"
incdir=$(pkg-config --variable=includedir crm-sdk)
[ "$(cd "$incdir" && pwd -P)" = "$(cd "$prefix/include" && pwd -P)" ] ||
  fail "includedir $incdir is not $prefix/include"
plugindir=$(pkg-config --variable=plugindir crm-sdk)
[ -d "$plugindir" ] || fail "plugindir $plugindir does not exist"
[ -f "$plugindir/rfm.so" ] || fail "plugindir $plugindir has no rfm.so"
pkg-config --cflags crm-sdk | grep -q -- "-I" || fail "no -I in Cflags"

echo "== template with find_package(CrmSdk)"
cp -R "$src/sdk/template" "$tmp/t-cmake"
cmake -S "$tmp/t-cmake" -B "$tmp/t-cmake/build" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  >"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log" >&2; fail "configuring the template failed"; }
cmake --build "$tmp/t-cmake/build" >>"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log" >&2; fail "building the template failed"; }
so1="$tmp/t-cmake/build/hello.so"
[ -f "$so1" ] || fail "no hello.so from the CMake build"
# the SDK came from the prefix, not from the source tree
grep -q "$cfgdir" "$tmp/t-cmake/build/CMakeCache.txt" ||
  fail "find_package(CrmSdk) did not use $cfgdir"

echo "== template with make + pkg-config"
cp -R "$src/sdk/template" "$tmp/t-make"
rm -rf "$tmp/t-make/build"
make -C "$tmp/t-make" CC="$cc" >"$tmp/make.log" 2>&1 ||
  { cat "$tmp/make.log" >&2; fail "make failed"; }
so2="$tmp/t-make/hello.so"
[ -f "$so2" ] || fail "no hello.so from make"
make -C "$tmp/t-make" install DESTDIR="$tmp/dest" >>"$tmp/make.log" 2>&1 ||
  { cat "$tmp/make.log" >&2; fail "make install failed"; }
[ -f "$tmp/dest$plugindir/hello.so" ] || fail "make install missed plugindir"

# Exactly one exported symbol: the entry point.
if command -v nm >/dev/null 2>&1; then
  for so in "$so1" "$so2"; do
    syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
           grep -v '^_' || true)
    [ "$syms" = "crm_plugin_entry" ] ||
      fail "$so exports: $(echo $syms) (only crm_plugin_entry allowed)"
  done
fi

echo "== crm_plugin_check"
"$checker" "$so1" "$so2" "$plugindir"/rfm.so "$plugindir"/basic_points.so \
  "$plugindir"/file.so "$plugindir"/basic_case.so
