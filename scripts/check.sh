#!/usr/bin/env bash
# `pnpm check`: everything CI checks, one announced step at a time, ending with the plain line
# `N passed, N failed` (all test runs summed). It changes nothing outside the repository unless
# asked: Chromium is installed only under CI (`CI` set) or with STRANDS_VLLM_INSTALL_BROWSER=1.
#
#   STRANDS_VLLM_INSTALL_BROWSER=1  install Debian's chromium with apt-get (root) for the HTML report test
#   CHROMIUM_PATH=/path/to/chromium use that browser for the HTML report test
#   STRANDS_VLLM_NODE22=/path/node  the Node 22 for the second run (default: fetched once, see scripts/node22.mjs)
#   STRANDS_VLLM_SKIP_NODE22=1      skip the Node 22 run (it is then reported as skipped)
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 FORCE_COLOR=0

# Projects that run a second time on Node 22, the first line the Strands SDK supports: what a user
# installs and runs (the packed tarballs through npm, README programs, the examples), the scenario
# list (every model path end to end over HTTP) and the mock server (node:http). The unit suites of
# model, tito, drift, validation, tokenizer and hardening are computation over the same inputs and
# run once, on the Node that runs pnpm check.
NODE22_PROJECTS=(pack-test readme-snippets examples scenarios mock-server)

step_no=0
step() {
  step_no=$((step_no + 1))
  printf '\n== %s. %s\n' "$step_no" "$*"
}
# Runs and failed checks for the summary: (REPORT|-, EXIT_CODE, LABEL) triples.
reports=()
failed_check() {
  echo "step ${step_no} failed: $*"
  reports+=(- 1 "step ${step_no}, $*")
}

step "build: tsup builds every package (ESM + CJS + types), cached by turbo"
if ! pnpm exec turbo run build --output-logs=errors-only; then
  # Nothing can be tested without dist/: stop here, still ending with the summary line.
  echo "pnpm check: the build failed; tests not run"
  node scripts/test-summary.mjs - 1 'build'
  exit 1
fi

step "typecheck + package shape: tsc --noEmit everywhere, publint --strict and attw --pack --profile node16 (turbo)"
pnpm exec turbo run typecheck lint:pkg --output-logs=errors-only || failed_check 'typecheck or package lint'

step "lint + format: biome ci over the repository (reports, never writes)"
pnpm exec biome ci --colors=off . || failed_check 'biome ci'

step "browser for the HTML report test (headless Chromium)"
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  echo "using Chromium at $chromium_path"
elif [ -n "${CI:-}" ] || [ "${STRANDS_VLLM_INSTALL_BROWSER:-}" = 1 ]; then
  why=$([ -n "${CI:-}" ] && echo "CI is set" || echo "STRANDS_VLLM_INSTALL_BROWSER=1")
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium with apt-get ($why)"
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); then
      export CHROMIUM_PATH=/usr/bin/chromium
      echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    else
      echo "apt-get could not install chromium; the HTML report browser test will skip"
    fi
  else
    echo "cannot install chromium here (needs root and apt-get); the HTML report browser test will skip"
  fi
else
  echo "no Chromium at $chromium_path: the HTML report browser test will skip."
  echo "To run it: set CHROMIUM_PATH, or STRANDS_VLLM_INSTALL_BROWSER=1 to let this script apt-get install chromium."
fi

step "tests on Node $(node --version): every vitest project (unit, mock-server integration, examples, README snippets, packed tarballs via npm)"
rm -f .vitest-report.json
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest-report.json
rc=$?
reports+=(.vitest-report.json "$rc" "Node $(node --version), all projects")

step "tests on Node 22, the first line the Strands SDK supports: ${NODE22_PROJECTS[*]}"
rm -f .vitest-report-node22.json
node22_note=''
if [ "${STRANDS_VLLM_SKIP_NODE22:-}" = 1 ]; then
  node22_note='Node 22 run: skipped (STRANDS_VLLM_SKIP_NODE22=1)'
  echo "$node22_note"
elif node --version | grep -q '^v22\.'; then
  node22_note="Node 22 run: skipped (the run above already used Node $(node --version))"
  echo "$node22_note"
elif node22=$(node scripts/node22.mjs); then
  echo "using $node22 ($("$node22" --version))"
  project_args=()
  for p in "${NODE22_PROJECTS[@]}"; do project_args+=(--project "$p"); done
  # Child processes (npm, node, tsx) must run on the same Node: put it first on PATH.
  PATH="$(dirname "$node22"):$PATH" "$node22" node_modules/vitest/vitest.mjs run "${project_args[@]}" \
    --reporter=default --reporter=json --outputFile.json=.vitest-report-node22.json
  rc=$?
  reports+=(.vitest-report-node22.json "$rc" "Node $("$node22" --version), ${NODE22_PROJECTS[*]}")
else
  echo "could not get a Node 22 (see above); set STRANDS_VLLM_NODE22 or STRANDS_VLLM_SKIP_NODE22=1"
  reports+=(.vitest-report-node22.json 1 "Node 22")
fi

step "summary"
[ -n "$node22_note" ] && echo "$node22_note"
node scripts/test-summary.mjs "${reports[@]}"
