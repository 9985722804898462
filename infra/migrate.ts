// Applies the committed migrations with Prisma's WebAssembly migration engine (prisma.config.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';

export function migrateDatabase(databaseUrl: string): void {
  if (databaseUrl.startsWith('file:')) mkdirSync(path.dirname(databaseUrl.slice('file:'.length)), { recursive: true });
  execFileSync(path.join(projectRoot, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'pipe',
  });
}
