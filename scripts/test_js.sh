#!/usr/bin/env bash
# The Premiere panel's JavaScript checks: node's test runner on the panel logic and adapter against
# the premierepro fake, and tsc keeping the fake and the adapter true to @adobe/premierepro.
# Also installs Debian's chromium (for the panel's browser test) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq chromium >/dev/null
fi
cd tests/premiere
npm ci --no-audit --no-fund --loglevel=error
node --test
npx tsc --noEmit -p tsconfig.json
