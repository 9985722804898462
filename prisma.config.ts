// Prisma runs its migration engine in WebAssembly over a driver adapter: no native engine is
// downloaded. The database comes from DATABASE_URL (the embedded PostgreSQL when unset: see
// infra/config.ts).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PostgresAdapterFactory } from './infra/pg-adapter';
import { databaseUrl } from './infra/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    // allowExitOnIdle: the CLI exits once its queries are done instead of waiting for the pool's
    // idle timeout (10 s per command otherwise).
    return new PostgresAdapterFactory(databaseUrl(), { allowExitOnIdle: true });
  },
});
