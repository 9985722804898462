#!/usr/bin/env bash
# Runs every test: unit, time-skipping workflow tests, and integration over HTTP/SMTP/Temporal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p .
npx vitest run "$@"
