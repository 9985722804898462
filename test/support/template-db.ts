// A migrated database holding the demo data, for a run to copy (tests) or use (benchmarks).
import { createDb } from '../../infra/db';
import { migrateDatabase } from '../../infra/migrate';
import { seedDemoData } from '../../prisma/demo-data';

export async function seededDatabaseFile(file: string): Promise<void> {
  migrateDatabase(`file:${file}`);
  const db = await createDb(`file:${file}`);
  await seedDemoData(db);
  // One self-contained file, safe to copy: no WAL beside it.
  await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
  await db.$queryRawUnsafe('PRAGMA journal_mode = DELETE');
  await db.$disconnect();
}
