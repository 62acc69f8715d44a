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
# The fake models every reading of Premiere's API that Adobe's sources disagree on: the panel's
# suite runs again under each combination of them.
node -e '
  const { VARIANTS } = require("./fake_premierepro_base.js");
  let combos = [{}];
  for (const [name, values] of Object.entries(VARIANTS))
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  for (const c of combos) console.log(JSON.stringify(c));
' | while read -r variants; do
  echo "test_js.sh: node --test with the fake reading ${variants}" >&2
  FAKE_PREMIEREPRO_VARIANTS="$variants" node --test --test-reporter=dot >/dev/null \
    || { echo "test_js.sh: failed with FAKE_PREMIEREPRO_VARIANTS='${variants}'" >&2; exit 1; }
done
npx tsc --noEmit -p tsconfig.json
