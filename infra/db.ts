// One Prisma client over the better-sqlite3 driver adapter (no native query engine download).
import { PrismaClient } from '@prisma/client';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export type Db = PrismaClient;

export async function createDb(url: string): Promise<Db> {
  // `timeout` is SQLite's busy timeout: the API and the worker may be separate processes
  // writing the same file, so a writer waits for the other instead of failing.
  const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }) });
  // WAL lets readers (the API) proceed while a writer (an activity) commits.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  return db;
}
