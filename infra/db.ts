// One Prisma client over the better-sqlite3 driver adapter (no native query engine download).
import { PrismaClient } from '@prisma/client';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export type Db = PrismaClient;

export async function createDb(url: string): Promise<Db> {
  // `timeout` is SQLite's busy timeout: the API and the worker may be separate processes
  // writing the same file, so a writer waits for the other instead of failing.
  const db = new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }),
    // SQLite has one writer at a time across the processes: a transaction waits its turn for as
    // long as the busy timeout allows, rather than failing at Prisma's 5-second default (under
    // load that failure surfaced as 503s on checkout, seen by the benchmark and the crash test).
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
  });
  // WAL lets readers (the API) proceed while a writer (an activity) commits.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  return db;
}

/**
 * Runs a transaction again when SQLite was busy (another process held the write lock past the
 * busy timeout, or Prisma gave up waiting): the transaction rolled back whole, so it is safe to
 * repeat. Seen under load as 503s on checkout before this.
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
