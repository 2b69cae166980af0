#!/usr/bin/env bash
# Everything CI checks, in one command: build, typecheck, lint, package lint, every test
# (unit, integration against the mock vLLM server, examples, packed-tarball consumer),
# then the plain summary line `N passed, N failed` from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 FORCE_COLOR=0

step() { printf '\n== %s\n' "$*"; }

step "build, typecheck, package lint (turbo)"
pnpm exec turbo run build typecheck lint:pkg --output-logs=errors-only || exit 1

step "lint + format (biome)"
pnpm exec biome ci . || exit 1

# The drift HTML report is checked in headless Chromium (Debian's package). Install it
# when we can (root + apt); otherwise that one test skips and says why.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  step "installing Debian chromium for the HTML report test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    echo "could not install chromium; the browser test will skip"
fi

step "tests (vitest)"
rm -f .vitest-report.json
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest-report.json
status=$?
node scripts/test-summary.mjs .vitest-report.json || status=1
exit $status
