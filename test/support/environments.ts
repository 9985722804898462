// The two Temporal servers the tests run on: a time-skipping server per file (deadlines), and
// the run's shared dev server started by global-setup (integration, visibility, real timing).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { testDataConverter } from './payload-keys';
import { startTestSystem, type TestSystem } from './system';
import { timeSkippingEnv } from './time-skipping';

export { timeSkippingEnv };

export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  // env.client encrypts with the test keys, as every client of the app does.
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('devServerAddress'), client: { dataConverter: testDataConverter() } });
}

/**
 * Registers the hooks every workflow test file needs: its Temporal environment and a test system
 * on it before the tests, both stopped after. `bind` hands them to the file.
 */
export function useTestSystem(
  server: 'time-skipping' | 'dev-server',
  bind: (env: TestWorkflowEnvironment, sys: TestSystem) => void,
  opts: { withWorker?: boolean } = {},
): void {
  let env: TestWorkflowEnvironment | undefined;
  let sys: TestSystem | undefined;
  beforeAll(async () => {
    env = server === 'time-skipping' ? await timeSkippingEnv() : await devServerEnv();
    sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection, ...opts });
    bind(env, sys);
  });
  afterAll(async () => {
    await sys?.stop();
    await env?.teardown();
  });
}
