// Once per run: a PostgreSQL server with a migrated and seeded template database that each test
// file copies, and one Temporal dev server (createLocal, the real `temporal` binary) shared by the
// HTTP tests.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../../infra/temporal-binaries';
import { startDatabaseServer } from './database-server';
import { seededDatabase } from './template-db';
import { dropDatabase } from '../../infra/pg-admin';
import { allSearchAttributes } from '../../workflows/search-attributes';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the seeded template database. */
    templateDb: string;
    devServerAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const databaseServer = await startDatabaseServer();
  const templateDb = databaseServer.url(`template_${process.pid}`);
  await seededDatabase(templateDb);

  const devServer = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: allSearchAttributes,
      ip: '127.0.0.1',
    },
  });

  project.provide('templateDb', templateDb);
  project.provide('devServerAddress', devServer.address);

  return async () => {
    await devServer.teardown();
    if (process.env.TEST_DATABASE_URL) await dropDatabase(templateDb);
    await databaseServer.stop();
  };
}
