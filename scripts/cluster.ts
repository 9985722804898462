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
import { startSmtpInbox } from '../infra/smtp-inbox';
import { postgresEndpointFromUrl, startTemporalCluster } from '../infra/temporal-cluster';
import { demoKeyHolders, seedDemoData } from '../prisma/demo-data';
import { runMain, stopOnSignal } from './lifecycle';

const env = process.env;
const ports = {
  postgres: Number(env.CLUSTER_PG_PORT ?? 5434),
  temporal: Number(env.CLUSTER_TEMPORAL_PORT ?? 17233),
  smtp: Number(env.CLUSTER_SMTP_PORT ?? 2625),
  apis: (env.CLUSTER_API_PORTS ?? '3100,3101').split(',').map(Number),
};
const workerCount = Number(env.CLUSTER_WORKERS ?? 2);

async function main(): Promise<void> {
  const dir = path.join(dataDir, 'cluster');
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
  const temporal = await startTemporalCluster({ dir: path.join(dir, 'temporal'), postgres: postgresEndpointFromUrl(appDatabaseUrl), basePort: ports.temporal, ui: true });
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
  for (let i = 0; i < workerCount; i++) {
    processes.push(await spawnNodeProcess({ entry: path.join(projectRoot, 'worker', 'main.ts'), env: appEnv({}), readyText: 'polling task queue', logFile: path.join(logs, `worker-${i + 1}.log`) }));
  }
  for (const [i, port] of ports.apis.entries()) {
    processes.push(await spawnNodeProcess({ entry: path.join(projectRoot, 'api', 'main.ts'), env: appEnv({ API_PORT: String(port) }), readyText: 'listening on', logFile: path.join(logs, `api-${i + 1}.log`) }));
  }

  console.log(`
The marketplace runs on a Temporal cluster.
  APIs          ${ports.apis.map((p) => `http://localhost:${p}`).join('  ')}   (same data; any of them)
  Temporal      ${temporal.frontendAddress}: frontend, history, matching and worker services (pids ${Object.values(temporal.services).map((s) => s.process.pid).join(', ')})
  Temporal UI   ${temporal.uiUrl ?? '(temporal-ui-server not installed)'}
  Database      ${postgres ? `embedded PostgreSQL on 127.0.0.1:${ports.postgres} (data/cluster/postgres)` : '(external) DATABASE_URL'}: marketplace, temporal, temporal_visibility
  Workers       ${workerCount} processes; logs in data/cluster/logs, Temporal's in data/cluster/temporal/logs
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
