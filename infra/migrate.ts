// Creates the database if needed and applies the committed migrations with Prisma's WebAssembly
// migration engine (prisma.config.ts).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './config';
import { createDatabase } from './pg-admin';

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await createDatabase(databaseUrl);
  await promisify(execFile)(path.join(projectRoot, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}
