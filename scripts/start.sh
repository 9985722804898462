#!/usr/bin/env bash
# Quick start: installs what is missing, then runs the whole system on its embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx tsx scripts/start.ts
