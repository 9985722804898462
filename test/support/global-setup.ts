// Once per run: a PostgreSQL server with a migrated and seeded template database that each test
// file copies, and one Temporal dev server (createLocal, the real `temporal` binary) shared by the
// HTTP tests.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../../infra/temporal-binaries';
import { startDatabaseServer } from './database-server';
import { testDataConverter, testPayloadEnv } from './payload-keys';
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
  // the test key set for every process of the run. vitest gives its test processes this
  // process's environment as it is once setup is done, and they pass it on to the worker
  // processes they spawn (test/support/worker-process.ts): these win over a developer's own keys.
  Object.assign(process.env, testPayloadEnv);
  const databaseServer = await startDatabaseServer();
  const templateDb = databaseServer.url(`template_${process.pid}`);
  let devServer: TestWorkflowEnvironment;
  try {
    await seededDatabase(templateDb);
    devServer = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        searchAttributes: allSearchAttributes,
        ip: '127.0.0.1',
      },
      client: { dataConverter: testDataConverter() },
    });
  } catch (err) {
    // A failed setup (a broken migration, say) gets no teardown: stop the server it started, or
    // it outlives the run (orphaned PostgreSQL servers were found after such runs).
    await databaseServer.stop();
    throw err;
  }

  project.provide('templateDb', templateDb);
  project.provide('devServerAddress', devServer.address);

  return async () => {
    await devServer.teardown();
    if (process.env.TEST_DATABASE_URL) await dropDatabase(templateDb);
    await databaseServer.stop();
  };
}
