#!/usr/bin/env bash
# Installs the pinned Temporal server, its SQL schema tool and (best effort) the standalone Web UI
# into .tools/bin, for the multi-process cluster on PostgreSQL (infra/temporal-cluster.ts).
# Idempotent. Binaries already on PATH win. Building needs Go and the Go module proxy; running
# the cluster afterwards needs neither: the schema folders are copied to .tools/temporal-schema.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_SERVER_VERSION=1.29.1
# Newest ui-server v2 whose go.mod accepts the local Go 1.26.8 (v2.56.1+ require go >= 1.26.10,
# and GOTOOLCHAIN=local forbids fetching a newer toolchain).
TEMPORAL_UI_SERVER_VERSION=2.55.0

BIN=.tools/bin
SCHEMA=.tools/temporal-schema
mkdir -p "$BIN"

has_version() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q "version $2\$"; }

# `go install` names a binary after its package folder (`server`, `sql`), so the server and the UI
# would overwrite each other: each is built into its own scratch GOBIN, then renamed.
go_install() { # <package@version> <built name> <final name>
  local tmp status=0
  tmp=$(mktemp -d "$PWD/.tools/gobin.XXXXXX") # absolute: GOBIN must be
  GOBIN="$tmp" go install "$1" && mv "$tmp/$2" "$BIN/$3" || status=$?
  rm -rf "$tmp"
  return "$status"
}

if command -v temporal-server >/dev/null && command -v temporal-sql-tool >/dev/null; then
  echo "[setup] using temporal-server and temporal-sql-tool from PATH"
else
  # A plain `GOBIN=.tools/bin go install` leaves `server` and `sql`: adopt them if they are pinned.
  if ! has_version "$BIN/temporal-server" "$TEMPORAL_SERVER_VERSION" && has_version "$BIN/server" "$TEMPORAL_SERVER_VERSION"; then
    mv "$BIN/server" "$BIN/temporal-server"
  fi
  if [ ! -x "$BIN/temporal-sql-tool" ] && has_version "$BIN/sql" "$TEMPORAL_SERVER_VERSION"; then
    mv "$BIN/sql" "$BIN/temporal-sql-tool"
  fi
  if ! has_version "$BIN/temporal-server" "$TEMPORAL_SERVER_VERSION" || ! has_version "$BIN/temporal-sql-tool" "$TEMPORAL_SERVER_VERSION"; then
    echo "[setup] building Temporal server ${TEMPORAL_SERVER_VERSION} (about 10 minutes on a cold Go cache)"
    go_install "go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}" server temporal-server
    go_install "go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}" sql temporal-sql-tool
  fi
fi

# The versioned schema folders matching the pinned server. Without them (binaries from PATH, no
# Go) the cluster falls back to the schema embedded in temporal-sql-tool (--schema-name).
if [ "$(cat "$SCHEMA/VERSION" 2>/dev/null)" != "$TEMPORAL_SERVER_VERSION" ] && command -v go >/dev/null; then
  module_dir=$(go mod download -json "go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  rm -rf "$SCHEMA"
  mkdir -p "$SCHEMA/postgresql"
  cp -r "$module_dir/schema/postgresql/v12" "$SCHEMA/postgresql/"
  chmod -R u+w "$SCHEMA" # the module cache is read-only; a later `rm -rf` must work
  echo "$TEMPORAL_SERVER_VERSION" > "$SCHEMA/VERSION"
fi

# The standalone Web UI is optional: the cluster runs without it.
if ! command -v temporal-ui-server >/dev/null && ! has_version "$BIN/temporal-ui-server" "$TEMPORAL_UI_SERVER_VERSION"; then
  echo "[setup] building Temporal Web UI server ${TEMPORAL_UI_SERVER_VERSION}"
  go_install "github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_SERVER_VERSION}" server temporal-ui-server \
    || echo "[setup] warning: temporal-ui-server did not build; the cluster runs without the Web UI"
fi

echo "[setup] temporal server ready"
