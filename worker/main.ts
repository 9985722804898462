// `npm run worker`: one worker process; run several against a Temporal cluster to scale out.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createDb } from '../infra/db';
import { activityDepsFromConfig } from './activity-deps';
import { createWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await createDb(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const deps = activityDepsFromConfig(config, db);
  const worker = await createWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
  });
  console.log(`[worker] polling task queue "${config.taskQueue}" on ${config.temporalAddress}`);
  await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks are done
  deps.mailer.close(); // its pooled SMTP connections
  await connection.close();
  await db.$disconnect();
}

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
