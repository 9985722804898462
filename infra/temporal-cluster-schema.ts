// Temporal's own databases (`temporal`, `temporal_visibility`) on the application's PostgreSQL
// server, created and brought to the server's schema version with temporal-sql-tool. Idempotent:
// on an existing database `setup-schema -v 0.0` only ensures the version tables and
// `update-schema` applies the versions it lacks (none when current).
import { execFile } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { TEMPORAL_DATABASE, VISIBILITY_DATABASE, type PostgresEndpoint } from './temporal-cluster-config';
import { temporalSchemaDirs, temporalSqlToolPath } from './temporal-server-binaries';

const run = promisify(execFile);

async function databaseExists(pgEndpoint: PostgresEndpoint, database: string): Promise<boolean> {
  const client = new pg.Client({ ...pgEndpoint, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

/** Returns whether the databases were created by this call (a fresh cluster). */
export async function ensureTemporalSchemas(pgEndpoint: PostgresEndpoint, logFile: string): Promise<{ created: boolean }> {
  const tool = temporalSqlToolPath();
  const dirs = temporalSchemaDirs();
  const sqlTool = async (database: string, args: string[]) => {
    const common = ['--endpoint', pgEndpoint.host, '--port', String(pgEndpoint.port), '--user', pgEndpoint.user, '--plugin', 'postgres12', '--database', database];
    // The password goes by environment, not argv, so that `ps` does not show it.
    const env = { ...process.env, SQL_PASSWORD: pgEndpoint.password };
    try {
      const { stdout, stderr } = await run(tool, [...common, ...args], { env });
      await appendFile(logFile, `$ temporal-sql-tool --database ${database} ${args.join(' ')}\n${stdout}${stderr}`);
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      await appendFile(logFile, `$ temporal-sql-tool --database ${database} ${args.join(' ')} FAILED\n${stdout}${stderr}`);
      throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed (see ${logFile}): ${stderr.trim().split('\n').pop()}`);
    }
  };
  const ensure = async (database: string, schemaDir: string | undefined, schemaName: string) => {
    const created = !(await databaseExists(pgEndpoint, database));
    if (created) await sqlTool(database, ['create-database', '--defaultdb', 'postgres']);
    await sqlTool(database, ['setup-schema', '-v', '0.0']);
    await sqlTool(database, ['update-schema', ...(schemaDir ? ['-d', schemaDir] : ['--schema-name', schemaName])]);
    return created;
  };
  const [main, visibility] = await Promise.all([
    ensure(TEMPORAL_DATABASE, dirs?.temporal, 'postgresql/v12/temporal'),
    ensure(VISIBILITY_DATABASE, dirs?.visibility, 'postgresql/v12/visibility'),
  ]);
  return { created: main || visibility };
}

/**
 * Whether a server process has written the cluster metadata and the system namespace. On a fresh
 * database, services started together race to insert the metadata row and the losers exit
 * ("duplicate key ... cluster_metadata_info_pkey"): the cluster starts one service, waits for
 * this, then the others.
 */
export async function temporalInitialised(pgEndpoint: PostgresEndpoint): Promise<boolean> {
  const client = new pg.Client({ ...pgEndpoint, database: TEMPORAL_DATABASE });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT EXISTS (SELECT 1 FROM cluster_metadata_info) AND EXISTS (SELECT 1 FROM namespaces WHERE name = 'temporal-system') AS ok`,
    );
    return rows[0].ok === true;
  } finally {
    await client.end();
  }
}
