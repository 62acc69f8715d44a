#!/usr/bin/env bash
# The Premiere panel's JavaScript checks: node's test runner on the panel logic and adapter against
# the premierepro fake, and tsc keeping the fake and the adapter true to @adobe/premierepro.
# Needs node and npm, and chromium for the panel's browser test (asked for before installing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system_packages.sh
require_packages node=nodejs npm=npm chromium=chromium
cd tests/premiere
npm ci --no-audit --no-fund --loglevel=error
node --test
npx tsc --noEmit -p tsconfig.json
