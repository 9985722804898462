// Databases on a PostgreSQL server: created on first start, and per test file from a template.
import pg from 'pg';
import { withDatabase } from './pg-adapter';

/** The database a URL names. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function onMaintenanceDb<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates the database of `url` unless it exists; `template` copies another (fast: a file copy). */
export async function createDatabase(url: string, template?: string): Promise<void> {
  const name = databaseName(url);
  await onMaintenanceDb(url, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
    } catch (err) {
      // Another process created it between the check and the CREATE.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  });
}

export async function dropDatabase(url: string): Promise<void> {
  await onMaintenanceDb(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName(url))} WITH (FORCE)`));
}
