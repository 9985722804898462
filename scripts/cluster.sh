#!/usr/bin/env bash
# `npm run cluster`: installs what is missing (the Temporal server builds from the Go module proxy
# once, about 10 minutes), then runs the production topology on this machine (scripts/cluster.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-temporal-server.sh
exec npx tsx scripts/cluster.ts
