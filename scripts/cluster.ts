// `npm run cluster`: the production topology on this machine, without Docker. PostgreSQL (the
// embedded one with its data in data/cluster/postgres, or DATABASE_URL), the Temporal server
// built by `scripts/setup-temporal-server.sh` as four services (frontend, history, matching,
// worker), each its own process, persisting to PostgreSQL, the standalone Temporal Web UI, two
// worker processes, two API processes and the SMTP sink. Demo data is seeded unless
// SEED_DEMO_DATA=false. Ports differ from `scripts/start.sh`'s, so both can run at once.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { dataDir, databaseUrl, projectRoot } from '../infra/config';
import { createDb } from '../infra/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../infra/embedded-postgres';
import { migrateDatabase } from '../infra/migrate';
import { spawnNodeProcess, type NodeProcess } from '../infra/node-process';
import { localPayloadKeys, payloadKeyringFromConfig } from '../infra/payload-codec';
import { startSmtpInbox } from '../infra/smtp-inbox';
import { postgresEndpointFromUrl, startTemporalCluster } from '../infra/temporal-cluster';
import { demoKeyHolders, seedDemoData } from '../prisma/demo-data';
import { runMain, stopOnSignal } from './lifecycle';
import { metricsUrl } from '../worker/metrics';

const env = process.env;
const ports = {
  postgres: Number(env.CLUSTER_PG_PORT ?? 5434),
  temporal: Number(env.CLUSTER_TEMPORAL_PORT ?? 17233),
  smtp: Number(env.CLUSTER_SMTP_PORT ?? 2625),
  apis: (env.CLUSTER_API_PORTS ?? '3100,3101').split(',').map(Number),
  // X-7: the codec server (start.sh's is 8888).
  codec: Number(env.CLUSTER_CODEC_PORT ?? 8988),
  // The workers' Prometheus metrics, one port each (9464 is start.sh's); empty: none.
  workerMetrics: (env.CLUSTER_METRICS_PORTS ?? '9465,9466').split(',').filter((p) => p.trim()).map(Number),
};
const workerCount = Number(env.CLUSTER_WORKERS ?? 2);

async function main(): Promise<void> {
  const dir = path.join(dataDir, 'cluster');
  // X-7: every payload is encrypted. Without PAYLOAD_KEYS, the key of data/payload-keys (made once,
  // mode 0600; start.sh's too), handed to every process below through the environment.
  mkdirSync(dataDir, { recursive: true });
  const localKeys = !env.PAYLOAD_KEYS;
  if (localKeys) env.PAYLOAD_KEYS = localPayloadKeys(path.join(dataDir, 'payload-keys'));
  const { currentKeyId } = payloadKeyringFromConfig({ payloadKeys: env.PAYLOAD_KEYS, payloadKeyId: env.PAYLOAD_KEY_ID });
  // The UI and the codec server on the same host name (127.0.0.1): the session cookie is same-site.
  const codecUrl = `http://127.0.0.1:${ports.codec}`;
  let postgres: EmbeddedPostgres | undefined;
  if (!env.DATABASE_URL) {
    console.log('[cluster] starting the embedded PostgreSQL');
    postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: ports.postgres });
  }
  const appDatabaseUrl = postgres ? postgres.url('marketplace') : databaseUrl();
  console.log('[cluster] applying migrations');
  await migrateDatabase(appDatabaseUrl);
  const db = await createDb(appDatabaseUrl);
  if (env.SEED_DEMO_DATA !== 'false') await seedDemoData(db);

  console.log('[cluster] starting the Temporal services (frontend, history, matching, worker) and the Web UI');
  const temporal = await startTemporalCluster({ dir: path.join(dir, 'temporal'), postgres: postgresEndpointFromUrl(appDatabaseUrl), basePort: ports.temporal, ui: true, uiCodec: { endpoint: codecUrl, includeCredentials: true, passAccessToken: false } });
  const inbox = await startSmtpInbox(db, ports.smtp);

  const appEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...env,
    DATABASE_URL: appDatabaseUrl,
    TEMPORAL_ADDRESS: temporal.frontendAddress,
    SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
    PUBLIC_URL: `http://localhost:${ports.apis[0]}`,
    MAILBOX_ENABLED: 'true',
    ...extra,
  });
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const processes: NodeProcess[] = [];
  const metricsAddresses: (string | undefined)[] = [];
  for (let i = 0; i < workerCount; i++) {
    const port = ports.workerMetrics[i];
    metricsAddresses.push(port ? `127.0.0.1:${port}` : undefined);
    const metricsEnv = { METRICS_BIND_ADDRESS: metricsAddresses[i] ?? '' };
    processes.push(await spawnNodeProcess({ entry: path.join(projectRoot, 'worker', 'main.ts'), env: appEnv(metricsEnv), readyText: 'polling task queue', logFile: path.join(logs, `worker-${i + 1}.log`) }));
  }
  for (const [i, port] of ports.apis.entries()) {
    processes.push(await spawnNodeProcess({ entry: path.join(projectRoot, 'api', 'main.ts'), env: appEnv({ API_PORT: String(port) }), readyText: 'listening on', logFile: path.join(logs, `api-${i + 1}.log`) }));
  }
  const codecEnv = { CODEC_PORT: String(ports.codec), CODEC_PUBLIC_HOST: '127.0.0.1', TEMPORAL_UI_ORIGIN: env.TEMPORAL_UI_ORIGIN ?? temporal.uiUrl ?? '' };
  processes.push(await spawnNodeProcess({ entry: path.join(projectRoot, 'scripts', 'codec-server.ts'), env: appEnv(codecEnv), readyText: 'listening on', logFile: path.join(logs, 'codec-server.log') }));

  console.log(`
The marketplace runs on a Temporal cluster.
  APIs          ${ports.apis.map((p) => `http://localhost:${p}`).join('  ')}   (same data; any of them)
  Temporal      ${temporal.frontendAddress}: frontend, history, matching and worker services (pids ${Object.values(temporal.services).map((s) => s.process.pid).join(', ')})
  Temporal UI   ${temporal.uiUrl ?? '(temporal-ui-server not installed)'}
  Codec server  ${codecUrl}   payloads are encrypted (key ${currentKeyId}${localKeys ? ', data/payload-keys' : ', PAYLOAD_KEYS'}): staff sign in there with
                their staff key, then the UI decodes them (it is configured to, with credentials); audit in data/cluster/logs/codec-server.log
  Database      ${postgres ? `embedded PostgreSQL on 127.0.0.1:${ports.postgres} (data/cluster/postgres)` : '(external) DATABASE_URL'}: marketplace, temporal, temporal_visibility
  Workers       ${workerCount} processes; logs in data/cluster/logs, Temporal's in data/cluster/temporal/logs
  Metrics       ${metricsAddresses.map((a) => (a ? metricsUrl(a) : 'off')).join('  ')}   (the workers', Prometheus)
  Mailbox       http://localhost:${ports.apis[0]}/mailbox  (SMTP on 127.0.0.1:${ports.smtp}; staff key)
Demo API keys (Authorization: Bearer <key>):${env.SEED_DEMO_DATA === 'false' ? ' none (SEED_DEMO_DATA=false)' : `\n${demoKeyHolders().map(({ key, holder }) => `  ${key.padEnd(26)}${holder}`).join('\n')}`}
Stop with Ctrl-C.`);

  stopOnSignal('cluster', async () => {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    await temporal.stop();
    await inbox.close();
    await db.$disconnect();
    await postgres?.stop();
  });
}

runMain('cluster', main);
