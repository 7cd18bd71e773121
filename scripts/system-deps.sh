#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need when they are missing:
# Chromium for the browser tests and the storefront/admin benchmarks, PostgreSQL for the
# integration tests and the PostgreSQL benchmarks (both from Debian's archive).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "[system-deps] installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
