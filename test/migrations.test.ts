// The committed migrations are the schema: applied one after another to an empty PostgreSQL
// database they leave nothing for `prisma migrate diff` to add, and `migrate status` is clean.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { projectRoot } from '../infra/config';
import { migrateDatabase } from '../infra/migrate';
import { dropDatabase } from '../infra/pg-admin';
import { withDatabase } from '../infra/pg-adapter';

const run = promisify(execFile);
const url = withDatabase(inject('templateDb'), `migrations_${process.pid}`);
const prisma = (...args: string[]) =>
  run(path.join(projectRoot, 'node_modules', '.bin', 'prisma'), args, { cwd: projectRoot, env: { ...process.env, DATABASE_URL: url } });

afterAll(async () => {
  await dropDatabase(url);
});

describe('database migrations (PostgreSQL)', () => {
  it('every migration applies from empty, and the result matches prisma/schema.prisma', async () => {
    await migrateDatabase(url);

    const status = await prisma('migrate', 'status');
    expect(status.stdout).toContain('Database schema is up to date!');

    // Exit code 2 means a difference; execFile rejects on any non-zero exit.
    const diff = await prisma('migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema-datamodel', 'prisma/schema.prisma', '--exit-code');
    expect(diff.stdout).toContain('No difference detected');

    // The database holds what the schema declares: every model is a table.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    await client.end();
    const models = [...(await import('node:fs')).readFileSync(path.join(projectRoot, 'prisma', 'schema.prisma'), 'utf8').matchAll(/^model (\w+)/gm)].map((m) => m[1]);
    expect(tables.rows.map((r) => r.table_name).sort()).toEqual([...models, '_prisma_migrations'].sort());
  }, 120_000);

  it('a migrated database is left alone by a second deploy (start.sh runs it at every start)', async () => {
    await migrateDatabase(url);
    const status = await prisma('migrate', 'status');
    expect(status.stdout).toContain('Database schema is up to date!');
  }, 60_000);
});
