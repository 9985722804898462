// A migrated database holding the demo data, for each test file to copy (CREATE DATABASE …
// TEMPLATE) or a benchmark to use.
import { randomBytes } from 'node:crypto';
import { createDb } from '../../infra/db';
import { migrateDatabase } from '../../infra/migrate';
import { createDatabase, databaseName } from '../../infra/pg-admin';
import { seedDemoData } from '../../prisma/demo-data';
import { withDatabase } from '../../infra/pg-adapter';

export async function seededDatabase(url: string): Promise<void> {
  await migrateDatabase(url);
  const db = await createDb(url);
  await seedDemoData(db);
  // A template must have no open connection while it is copied.
  await db.$disconnect();
}

/** A new database copied from the template database at `templateUrl`, on the same server. */
export async function copyOfDatabase(templateUrl: string, prefix = 'test'): Promise<string> {
  const url = withDatabase(templateUrl, `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`);
  await createDatabase(url, databaseName(templateUrl));
  return url;
}
