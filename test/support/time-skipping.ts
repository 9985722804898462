// The time-skipping test server (a project-local binary, never a download), with the custom
// search attributes registered. Free of vitest: benchmarks use it too.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureSearchAttributes } from '../../infra/search-attributes-admin';
import { temporalTestServerPath } from '../../infra/temporal-binaries';
import { testDataConverter } from './payload-keys';

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: { dataConverter: testDataConverter() }, // env.client encrypts with the test keys
  });
  await ensureSearchAttributes(env.connection);
  return env;
}
