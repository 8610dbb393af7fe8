#!/bin/sh
# Installs the Debian packages needed to build, test and run crmcore, but
# only those that are missing (no network is used when nothing is).
#   gcc make cmake pkg-config libc6-dev   the tool chain
#   libsqlite3-dev                        the embedded store
#   libconfig-dev                         the admin configuration file
#   libcmocka-dev                         the test suite
#   libcurl4-openssl-dev                  the smtp, sms_http and webhook channels
#   libssl-dev                            HMAC-SHA256 signatures (webhook)
#   tzdata                                time zones for quiet hours
#   python3 python3-aiosmtpd              loopback SMTP/HTTP servers in tests
# gcc's own dependencies bring the ASan/UBSan run-time libraries.
set -eu

PKGS="gcc make cmake pkg-config libc6-dev libsqlite3-dev libconfig-dev libcmocka-dev libcurl4-openssl-dev libssl-dev python3 python3-aiosmtpd tzdata"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present:$(printf ' %s' $PKGS)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: missing packages:$missing; run as root" >&2
    exit 1
  fi
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
