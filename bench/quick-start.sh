#!/usr/bin/env bash
# The README's quick start as a first-time user meets it: a fresh clone, empty npm and pip caches,
# `bash scripts/start.sh` until it prints that the system is running. Prints how long each part
# took (npm ci, the whole start), then stops the system. Needs ports 3000, 5433, 7233, 8233, 8888
# and 2525 free (nothing else of the project running).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
# Readable by others: the embedded PostgreSQL runs initdb as an unprivileged user when started as root.
chmod 755 "$work"
trap 'kill -- -"$pid" 2>/dev/null || true; sleep 2; rm -rf "$work"' EXIT

git clone -q "$repo" "$work/clone"
cd "$work/clone"
export npm_config_cache="$work/npm-cache" PIP_NO_CACHE_DIR=1
started=$(date +%s.%N)
setsid bash scripts/start.sh > "$work/start.log" 2>&1 &
pid=$!
until grep -q 'Marketplace back-office is running' "$work/start.log"; do
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/start.log"; echo "[quick-start] start.sh exited before it was running" >&2; exit 1; fi
  sleep 0.5
done
ended=$(date +%s.%N)
npm_line="$(grep -E '^added [0-9]+ packages in' "$work/start.log" || true)"
echo "[quick-start] fresh clone to running: $(echo "$ended - $started" | bc | xargs printf '%.1f') s (npm ci: ${npm_line:-not run})"
