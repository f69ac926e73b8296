#!/usr/bin/env bash
# Installs everything parley needs to build, run and test, from Debian 12's
# archive only.
set -euo pipefail
packages=(
  g++ cmake make ccache pkg-config
  libcaf-dev libboost-dev nlohmann-json3-dev libpq-dev libssl-dev libcli11-dev
  libqrencode-dev
  libhowardhinnant-date-dev tzdata   # time zones (the brief at 07:00 local time)
  libical-dev                        # iCalendar: CalDAV and ICS feeds
  libcurl4-openssl-dev               # IMAP and SMTP for the mail connector
  libgmime-3.0-dev                   # mail messages: reading one, writing a reply
  libsodium-dev                      # credentials at rest (XChaCha20-Poly1305)
  postgresql postgresql-client
  python3 ca-certificates openssl
  clang libclang-rt-14-dev   # the fuzz targets: libFuzzer, ASan, UBSan
)
# --test: also what only the test suite needs: the real CalDAV, IMAP and
# SMTP servers it starts on loopback (never as system services of their own),
# and libfaketime, which steps parley's wall clock in a fault test.
# And Debian's chromium with Node.js, for the dashboard's browser test
# (driven by playwright-core from the npm registry, tests/browser/).
if [ "${1:-}" = "--test" ]; then
  packages+=(radicale dovecot-imapd python3-aiosmtpd faketime chromium nodejs)
  # Debian's nodejs comes without npm; a Node.js that brings its own (as
  # NodeSource's does) conflicts with Debian's npm package.
  command -v npm >/dev/null || packages+=(npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "parley: all Debian packages are installed"
else
  echo "parley: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "${1:-}" = "--test" ]; then
  # The exact versions in tests/browser/package-lock.json; no browser is
  # downloaded (playwright-core drives /usr/bin/chromium).
  (cd "$(dirname "$0")/../tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
