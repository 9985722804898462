// What the database did during a measured run: committed transactions (pg_stat_database) and
// statements executed (pg_stat_statements, when the server preloads it), for one database.
import pg from 'pg';

export interface DbWork {
  transactions: number;
  statements?: number;
  /** The five statements run most often, with their calls. */
  topStatements?: { calls: number; query: string }[];
}

/**
 * Server settings that make statements countable (pass to the embedded server). `track: 'top'`
 * (the default): statements the clients sent. `all` also counted the statements run inside them,
 * e.g. each foreign-key check of an INSERT (`SELECT 1 FROM ONLY … FOR KEY SHARE`), ~15 an order.
 */
export const statementStatsSettings = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' };

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function read(c: pg.Client): Promise<{ xact: number; statements?: number; top?: { calls: number; query: string }[] }> {
  const xact = await c.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()');
  try {
    const s = await c.query<{ n: string }>('SELECT coalesce(sum(calls), 0)::text AS n FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())');
    const top = await c.query<{ calls: string; query: string }>(
      'SELECT calls::text, left(query, 140) AS query FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT 5',
    );
    return { xact: Number(xact.rows[0].n), statements: Number(s.rows[0].n), top: top.rows.map((r) => ({ calls: Number(r.calls), query: r.query })) };
  } catch {
    return { xact: Number(xact.rows[0].n) };
  }
}

/** Starts counting; the returned function gives what happened since. */
export async function countDbWork(url: string): Promise<() => Promise<DbWork>> {
  await withClient(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
    await c.query('SELECT pg_stat_statements_reset()').catch(() => undefined);
  });
  const before = await withClient(url, read);
  return async () => {
    const after = await withClient(url, read);
    return {
      transactions: after.xact - before.xact,
      ...(after.statements !== undefined ? { statements: after.statements, topStatements: after.top } : {}),
    };
  };
}
