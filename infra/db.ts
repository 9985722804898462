// One Prisma client over the better-sqlite3 driver adapter (no native query engine download).
import { PrismaClient } from '@prisma/client';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export type Db = PrismaClient;

export async function createDb(url: string): Promise<Db> {
  // `timeout` is SQLite's busy timeout: the API and the worker may be separate processes
  // writing the same file, so a writer waits for the other instead of failing.
  const db = new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }),
    // The adapter runs one interactive transaction at a time per process: under load (20
    // checkouts at once) one waits for the others longer than Prisma's 2-second default.
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
  });
  // WAL lets readers (the API) proceed while a writer (an activity) commits.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  return db;
}

/**
 * Runs a transaction again when SQLite answered "busy": Prisma opens deferred transactions, and a
 * read that must become a write fails at once (no busy wait) if another process wrote meanwhile.
 * Prisma reports it as "database is locked" or, through the adapter, "Operation has timed out".
 * The transaction rolled back whole, so it is safe to repeat. (Activities need no such loop:
 * Temporal retries them, and they are idempotent.) Seen under load as 503s on checkout.
 */
export async function retryWhileBusy<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (attempt >= attempts || !/database is locked|SQLITE_BUSY|Operation has timed out|Unable to start a transaction/i.test(message)) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
  }
}
