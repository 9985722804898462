// `npx tsx prisma/seed.ts`: seeds the demo data into DATABASE_URL.
import { databaseUrl } from '../infra/config';
import { createDb } from '../infra/db';
import { seedDemoData } from './demo-data';

void (async () => {
  const db = await createDb(databaseUrl());
  await seedDemoData(db);
  await db.$disconnect();
  console.log('[seed] demo data ready');
})();
