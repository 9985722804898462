// One Prisma client over PostgreSQL through the pg driver adapter (no native query engine).
import { PrismaClient } from '@prisma/client';
import { PostgresAdapterFactory } from './pg-adapter';

export type Db = PrismaClient;

export async function createDb(url: string, opts: { poolSize?: number } = {}): Promise<Db> {
  const db = new PrismaClient({
    adapter: new PostgresAdapterFactory(url, { max: opts.poolSize ?? 10 }),
    // Under load (20 checkouts at once) a transaction may wait for a pooled connection longer
    // than Prisma's 2-second default.
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
  });
  await db.$connect();
  return db;
}

/**
 * Runs a transaction again when PostgreSQL refused it for a concurrent writer: a unique key
 * taken between our read and our insert (two first checkouts with one new e-mail: P2002), or a
 * serialization failure or deadlock (P2034). The transaction rolled back whole, so it is safe to
 * repeat. Activities need no such loop: Temporal retries them, and they are idempotent.
 */
export async function retryOnConflict<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= attempts || (code !== 'P2002' && code !== 'P2034')) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
    }
  }
}
