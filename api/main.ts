// `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS and DATABASE_URL.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../infra/config';
import { createDb } from '../infra/db';
import { dataConverterFromConfig } from '../infra/payload-codec';
import { createSandboxGateway } from '../infra/sandbox-gateway';
import { createApp } from './app';
import { listenApi } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await createDb(config.databaseUrl);
  const connection = await Connection.connect({ address: config.temporalAddress });
  // every payload the API sends (workflow starts, signals, updates) is encrypted; PAYLOAD_KEYS is required.
  const temporal = new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverterFromConfig(config) });
  const app = createApp({ db, temporal, gateway: createSandboxGateway(db), taskQueue: config.taskQueue, mailboxEnabled: config.mailboxEnabled });
  await listenApi(app, config.apiPort);
  console.log(`[api] listening on ${config.publicUrl}`);
}

main().catch((err) => {
  console.error('[api] failed:', err);
  process.exit(1);
});
