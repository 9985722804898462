// Where the production Temporal server pieces are: an explicit path (env), a binary on PATH, or
// .tools/bin that scripts/setup-temporal-server.sh fills with `go install` builds. The schema
// folders are copied to .tools/temporal-schema at setup, so running the cluster needs no Go.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';

const toolsDir = path.join(projectRoot, '.tools');
const SETUP_HINT = 'run `bash scripts/setup-temporal-server.sh`';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function find(envVar: string, name: string): string | undefined {
  const explicit = process.env[envVar];
  if (explicit) return explicit;
  const local = path.join(toolsDir, 'bin', name);
  return onPath(name) ?? (existsSync(local) ? local : undefined);
}

function required(envVar: string, name: string): string {
  const found = find(envVar, name);
  if (!found) throw new Error(`${name} not found: ${SETUP_HINT} or set ${envVar}`);
  return found;
}

export function temporalServerPath(): string {
  return required('TEMPORAL_SERVER', 'temporal-server');
}

export function temporalSqlToolPath(): string {
  return required('TEMPORAL_SQL_TOOL', 'temporal-sql-tool');
}

/** The standalone Web UI is optional: undefined when it was not installed. */
export function temporalUiServerPath(): string | undefined {
  return find('TEMPORAL_UI_SERVER', 'temporal-ui-server');
}

export interface SchemaDirs {
  temporal: string;
  visibility: string;
}

/**
 * The PostgreSQL versioned schema folders (for `update-schema -d`). TEMPORAL_SCHEMA_DIR points at
 * a `schema/postgresql/v12` folder. Undefined when neither exists: the caller then uses the schema
 * embedded in temporal-sql-tool, which matches that tool's version by construction.
 */
export function temporalSchemaDirs(): SchemaDirs | undefined {
  const root = process.env.TEMPORAL_SCHEMA_DIR ?? path.join(toolsDir, 'temporal-schema', 'postgresql', 'v12');
  const dirs = { temporal: path.join(root, 'temporal', 'versioned'), visibility: path.join(root, 'visibility', 'versioned') };
  return existsSync(dirs.temporal) && existsSync(dirs.visibility) ? dirs : undefined;
}
