#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" (CI reads it).
# Assumes dependencies are installed and dist/kuma is built (make test does both).
set -uo pipefail
cd "$(dirname "$0")/.."
unset NODE_OPTIONS
export NO_COLOR=1
report=.vitest-report.json
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
rc=$?
if [ -f "$report" ]; then
  # A file that fails before running any test (import error) counts as one failure.
  node -e 'const r=require("./'"$report"'");const broken=r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length;console.log(`${r.numPassedTests} passed, ${r.numFailedTests+broken} failed`)'
else
  echo "0 passed, 1 failed"
  rc=1
fi
exit $rc
