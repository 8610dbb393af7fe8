#!/bin/sh
# test_sdk_install.sh - the SDK as an outsider gets it.
#
# Installs the build into a scratch prefix (cmake --install --prefix),
# then builds sdk/template (hello, a reward, echo_channel, an SDK 1.4
# channel, and hello_case, an SDK 1.5 complaint handler) out of tree twice, with find_package(CrmSdk) and with make +
# pkg-config, against that prefix only, and runs crm_plugin_check
# (test_sdk_install) on the results and on the installed plugins. Then
# the installed `crm` sends through echo_channel on a scratch store: one
# message sent (one line in the file, with its idempotency key), one to a
# bouncing address dead and marked bad, one temporary failure, one rate
# limit. Last, hello_case takes a case through New, In progress and
# Resolved with the agent's points capped by its config. Times are fixed
# with --as-of: nothing waits.
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
ec1="$tmp/t-cmake/build/echo_channel.so"
[ -f "$so1" ] || fail "no hello.so from the CMake build"
[ -f "$ec1" ] || fail "no echo_channel.so from the CMake build"
hc1="$tmp/t-cmake/build/hello_case.so"
[ -f "$hc1" ] || fail "no hello_case.so from the CMake build"
# the SDK came from the prefix, not from the source tree
grep -q "$cfgdir" "$tmp/t-cmake/build/CMakeCache.txt" ||
  fail "find_package(CrmSdk) did not use $cfgdir"

echo "== template with make + pkg-config"
cp -R "$src/sdk/template" "$tmp/t-make"
rm -rf "$tmp/t-make/build"
make -C "$tmp/t-make" CC="$cc" >"$tmp/make.log" 2>&1 ||
  { cat "$tmp/make.log" >&2; fail "make failed"; }
so2="$tmp/t-make/hello.so"
ec2="$tmp/t-make/echo_channel.so"
[ -f "$so2" ] || fail "no hello.so from make"
[ -f "$ec2" ] || fail "no echo_channel.so from make"
hc2="$tmp/t-make/hello_case.so"
[ -f "$hc2" ] || fail "no hello_case.so from make"
make -C "$tmp/t-make" install DESTDIR="$tmp/dest" >>"$tmp/make.log" 2>&1 ||
  { cat "$tmp/make.log" >&2; fail "make install failed"; }
for f in hello.so echo_channel.so hello_case.so; do
  [ -f "$tmp/dest$plugindir/$f" ] || fail "make install missed $f in plugindir"
done

# Exactly one exported symbol: the entry point.
if command -v nm >/dev/null 2>&1; then
  for so in "$so1" "$so2" "$ec1" "$ec2" "$hc1" "$hc2"; do
    syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
           grep -v '^_' || true)
    [ "$syms" = "crm_plugin_entry" ] ||
      fail "$so exports: $(echo $syms) (only crm_plugin_entry allowed)"
  done
fi

echo "== crm_plugin_check"
"$checker" "$so1" "$so2" "$ec1" "$ec2" "$hc1" "$hc2" "$plugindir"/rfm.so \
  "$plugindir"/basic_points.so "$plugindir"/file.so "$plugindir"/basic_case.so

echo "== echo_channel with a fake host"
mkdir "$tmp/unit"
"$checker" --echo "$ec2" "$tmp/unit"

echo "== echo_channel end to end with the installed crm"
# The template's CMake install rule puts its plugins into plugindir.
cmake --install "$tmp/t-cmake/build" >>"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log" >&2; fail "cmake --install of the template failed"; }
[ -f "$plugindir/echo_channel.so" ] ||
  fail "cmake --install did not put echo_channel.so into $plugindir"
bin="$prefix/bin/crm"
[ -x "$bin" ] || fail "bin/crm not installed"
unset CRM_CONFIG CRM_STORE CRM_PLUGIN_DIR
run="$tmp/run"
mkdir "$run"
# The installed crm looks in the plugin directory it was configured with,
# not in the scratch prefix: name it. Quiet hours hold the messages made
# at 22:00 until 08:00, so that `crm outbox run` is what sends them; no
# jitter, so that a retry's time is exact.
cat >"$run/crm.conf" <<EOF
store = { path = "$run/crm.db"; };
plugins = {
  path = [ "$plugindir" ];
  load = ( { name = "echo_channel"; required = true;
             config = { path = "echo.log"; }; } );
};
communication = {
  quiet_hours = "21:00-08:00";
  retry = { base_seconds = 60; jitter = 0.0; };
  channels = ( { name = "email"; component = "echo_channel";
                 address = "email"; } );
  templates = ( { name = "hello"; channel = "email"; language = "en";
                  subject = "Hello {{first_name}}";
                  body = "Hi {{first_name}}"; } );
};
EOF
crm() {
  (cd "$run" && "$bin" --config "$run/crm.conf" "$@") >"$run/out" 2>&1 ||
    { cat "$run/out" >&2; fail "crm $* failed"; }
}
# jget FILE PATH...: values of a `crm --json` document, one a line
jget() {
  "$checker" --json "$@" >"$run/jget" || fail "cannot read $2 from $1"
  tr '\n' ' ' <"$run/jget"
}
expect() { # expect WHAT GOT WANT
  [ "$2" = "$3" ] || fail "$1 is \"$2\", want \"$3\""
}
eve="--as-of 2026-03-02T22:00:00Z"
crm $eve init
for who in ann:ann@example.com bob:bob.bounce@example.com \
           cid:cid.busy@example.com dan:dan.slow@example.com; do
  crm $eve customer add --external-id "${who%%:*}" --name "${who%%:*} X" \
    --email "${who#*:}"
  crm $eve consent set "${who%%:*}" email in --source "sdk test"
  crm $eve send test "${who%%:*}" hello
  grep -q "held until 2026-03-03T08:00:00Z: quiet hours" "$run/out" ||
    { cat "$run/out" >&2; fail "send test ${who%%:*} was not held"; }
done
[ ! -e "$run/echo.log" ] || fail "echo.log written before the run"
crm --as-of 2026-03-03T08:00:00Z outbox run
# ann sent; bob's bounce dead; cid's 503 failed; dan's 429 rate limited
expect "the run" "$(cat "$run/out")" \
  "1 sent, 0 held, 1 failed, 1 dead, 0 refused, 1 rate limited, 0 triggers fired"
crm outbox list --json
cp "$run/out" "$run/list.json"
expect "the outbox" "$(jget "$run/list.json" messages)" "array of 4 "
# newest first: dan (4), cid (3), bob (2), ann (1)
key=$(jget "$run/list.json" messages.3.idempotency_key)
key=${key% }
case $key in
  crm-?*-1) ;;
  *) fail "message 1's idempotency key is \"$key\", want crm-<store>-1" ;;
esac
expect "message 1" "$(jget "$run/list.json" messages.3.id messages.3.status \
  messages.3.attempts messages.3.provider_ref messages.3.sent_at)" \
  "1 sent 1 echo-1 2026-03-03T08:00:00Z "
# exactly one line, with the message's key
expect "echo.log" "$(cat "$run/echo.log")" "$key ann@example.com Hello ann"
expect "message 2" "$(jget "$run/list.json" messages.2.id messages.2.status \
  messages.2.error_class messages.2.error messages.2.provider_ref)" \
  "2 dead permanent 550 5.1.1 no such mailbox null "
# the core's backoff: 60 s after the first attempt, no jitter
expect "message 3" "$(jget "$run/list.json" messages.1.id messages.1.status \
  messages.1.error_class messages.1.error messages.1.attempts \
  messages.1.next_at)" \
  "3 failed temporary 503 try again later 1 2026-03-03T08:01:00Z "
# Retry-After 2000 ms: queued again for 08:00:02, the attempt not counted
expect "message 4" "$(jget "$run/list.json" messages.0.id messages.0.status \
  messages.0.error_class messages.0.attempts messages.0.next_at)" \
  "4 queued rate_limited 0 2026-03-03T08:00:02Z "
crm outbox addresses --json
cp "$run/out" "$run/bad.json"
expect "the bad addresses" "$(jget "$run/bad.json" addresses \
  addresses.0.channel addresses.0.address addresses.0.message_id)" \
  "array of 1 email bob.bounce@example.com 2 "

echo "== hello_case end to end with the installed crm"
# installed into plugindir by the template's cmake --install above
[ -f "$plugindir/hello_case.so" ] ||
  fail "cmake --install did not put hello_case.so into $plugindir"
cat >"$run/crm.conf" <<EOF
store = { path = "$run/cases.db"; };
plugins = {
  path = [ "$plugindir" ];
  load = ( { name = "basic_points"; required = true; },
           { name = "hello_case"; required = true;
             config = { max_points = 300; }; } );
};
complaints = { handler = "hello_case";
               compensation = ( { category = "*"; max_points = 1000; } ); };
EOF
day="--as-of 2026-03-04T10:00:00Z"
crm $day init
crm $day customer add --external-id eve --name "Eve X"
crm $day case open eve --summary "my parcel is late" --by ana
expect "the open" "$(cat "$run/out")" "opened C-000001 (no category, priority 3)"
# the handler's own refusal, with the allowed moves
(cd "$run" && "$bin" --config "$run/crm.conf" $day case move C-000001 Closed \
  --why x) >"$run/out" 2>&1 && fail "New -> Closed was allowed"
grep -q "cannot move case C-000001 from New to Closed; allowed: In progress, Resolved, Rejected, Duplicate" \
  "$run/out" || { cat "$run/out" >&2; fail "New -> Closed: wrong refusal"; }
crm $day case move C-000001 "in progress" --why "looking into it" --by ana
# 500 asked, capped at 300 by the handler, within the core's 1000
crm $day case resolve C-000001 --why "refunded" --points 500 --by ana
crm $day points balance eve
expect "eve's balance" "$(cat "$run/out")" "eve: 300 points"
