// `npm run worker`: one worker process; run several against a Temporal cluster to scale out.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createDb } from '../infra/db';
import { dataConverterFromConfig } from '../infra/payload-codec';
import { activityDepsFromConfig } from './activity-deps';
import { createWorker } from './create-worker';
import { ensurePayoutCalendar } from './payout-calendar-start';
import { installRuntime, metricsBindAddress, metricsUrl } from './metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  // Issue 9: Prometheus metrics when METRICS_BIND_ADDRESS is set (the Runtime is installed before
  // the first connection); unset, the SDK's default Runtime and no metrics.
  const metricsAddress = metricsBindAddress();
  if (metricsAddress) {
    installRuntime({ metricsBindAddress: metricsAddress });
    console.log(`[worker] metrics at ${metricsUrl(metricsAddress)}`);
  }
  const db = await createDb(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const deps = activityDepsFromConfig(config, db);
  const worker = await createWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    dataConverter: dataConverterFromConfig(config), // PAYLOAD_KEYS, required
  });
  await ensurePayoutCalendar({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, dataConverter: dataConverterFromConfig(config) });
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
