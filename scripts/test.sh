#!/usr/bin/env bash
# Runs every test: unit, time-skipping workflow tests, replay, integration over HTTP/SMTP/Temporal
# dev server, and the cluster topology (Temporal's services on PostgreSQL). Extra arguments go to
# vitest (e.g. a file name).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh
# The documents' PDF/A-3 conformance is checked by veraPDF (Maven Central, run on the JDK).
bash scripts/setup-verapdf.sh
# The cluster tests run the real Temporal server (built once from the Go module proxy).
bash scripts/setup-temporal-server.sh
npx tsc -p .
results=.tools/test-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line that any CI can read.
if [ -f "$results" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests + r.numTodoTests ? `, ${r.numPendingTests + r.numTodoTests} skipped` : ""))' "$PWD/$results"
fi
exit $status
