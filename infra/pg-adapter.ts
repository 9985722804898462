// Prisma's driver adapter for PostgreSQL (`@prisma/adapter-pg`), with two fixes its migration
// engine needs here (Prisma 6.19.2; checked against PostgreSQL 15 and 17):
// - the adapter cannot deserialize the catalog types `name` (oid 19) and `"char"` (oid 18) that
//   the migrate commands read from pg_catalog: our pg client reports them as `text` (oid 25),
//   which is what they hold;
// - its shadow database (for `migrate dev` and `migrate diff --from-migrations`) is ignored when
//   the pool is given a connection string (the string's database wins, so it would migrate the
//   main database), and it drops that database before closing its pool: ours names the shadow
//   database in the URL and closes its pool first.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const TEXT_OID = 25;
const CATALOG_TEXT_OIDS = new Set([18, 19]);

type QueryResultLike = { fields?: { dataTypeID: number }[] } | { fields?: { dataTypeID: number }[] }[];

function asText<T>(result: T): T {
  for (const r of Array.isArray(result) ? (result as QueryResultLike[]) : [result as QueryResultLike]) {
    for (const field of (r as { fields?: { dataTypeID: number }[] })?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/** A pg client whose results report `name` and `"char"` columns as `text`. */
export class CatalogTextClient extends pg.Client {
  // pg's query takes a callback or returns a promise; both paths are rewritten.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, result: unknown) => (last as (e: Error | null, r: unknown) => void)(err, err ? result : asText(result));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return (out instanceof Promise ? out.then(asText) : out) as never;
  }
}

/** The URL of another database on the same server, query parameters (sslmode, …) kept. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export function poolConfig(url: string, extra: pg.PoolConfig = {}): pg.PoolConfig {
  return { connectionString: url, Client: CatalogTextClient as unknown as typeof pg.Client, ...extra };
}

export class PostgresAdapterFactory extends PrismaPg {
  constructor(private readonly url: string, extra: pg.PoolConfig = {}) {
    super(poolConfig(url, extra));
  }

  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg(poolConfig(withDatabase(this.url, database))).connect();
    const dispose = shadow.dispose.bind(shadow);
    // Close the shadow pool before dropping its database (PostgreSQL refuses to drop a database
    // with open connections), then release the main pool.
    shadow.dispose = async () => {
      await dispose();
      try {
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      } finally {
        await main.dispose();
      }
    };
    return shadow;
  }
}
