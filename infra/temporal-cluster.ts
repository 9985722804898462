// A production-shaped Temporal cluster without Docker: the four server services (frontend,
// history, matching, worker) as separate `temporal-server` processes on PostgreSQL, plus the
// standalone Web UI when installed. For scripts, tests and benchmarks that need what the
// single-process dev server hides: services failing separately, real SQL persistence.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from './search-attributes-admin';
import {
  HOST, SERVICES, clusterPorts, dynamicConfigYaml, serviceConfigYaml, uiConfigYaml,
  type ClusterPorts, type PostgresEndpoint, type ServiceName, type UiCodecConfig,
} from './temporal-cluster-config';
import {
  NAMESPACE_CACHE_REFRESH_MS, clusterWorks, ensureNamespace, frontendWorks, namespaceReady, portOpen, searchAttributesUsable, sleep, until,
} from './temporal-cluster-probes';
import { ensureTemporalSchemas, temporalInitialised } from './temporal-cluster-schema';
import { temporalServerPath, temporalUiServerPath } from './temporal-server-binaries';

export type { PostgresEndpoint, ServiceName } from './temporal-cluster-config';

export interface ClusterService {
  /** The current process: a new one after restart(). */
  readonly process: ChildProcess;
  kill(signal?: NodeJS.Signals): void;
  /** Respawns the service (killing it first if still alive) and waits until the cluster works. */
  restart(): Promise<void>;
}

export interface TemporalCluster {
  frontendAddress: string;
  namespace: string;
  uiUrl?: string;
  ports: ClusterPorts;
  /** True when this start created Temporal's databases. */
  freshDatabase: boolean;
  services: Record<ServiceName, ClusterService>;
  stop(): Promise<void>;
}

export interface TemporalClusterOptions {
  /** Config files and logs (`logs/<service>.log`). */
  dir: string;
  postgres: PostgresEndpoint;
  /** The frontend's gRPC port; the others are offsets from it (see clusterPorts). Default 7233. */
  basePort?: number;
  /** Start the standalone Web UI if temporal-ui-server is installed. Default false. */
  ui?: boolean;
  /** the codec server the Web UI decodes payloads through. */
  uiCodec?: UiCodecConfig;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Fixed by the first start on a database. Default 4. */
  numHistoryShards?: number;
  namespace?: string;
  retentionDays?: number;
  startTimeoutMs?: number;
}

/** `postgresql://user:password@host:port/db` → the endpoint Temporal's databases go on. */
export function postgresEndpointFromUrl(url: string): PostgresEndpoint {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** Spawns one process, its output appended to a log file; respawnable with the same arguments. */
function supervised(name: string, command: string, args: string[], logFile: string) {
  let child: ChildProcess;
  const spawnIt = () => {
    const fd = openSync(logFile, 'a');
    try {
      child = spawn(command, args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd); // the child holds its own copy
    }
  };
  spawnIt();
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    get process() {
      return child;
    },
    respawn: spawnIt,
    exited,
    assertAlive() {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
      }
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited();
      clearTimeout(timer);
    },
  };
}

export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const ports = clusterPorts(opts.basePort ?? 7233);
  const namespace = opts.namespace ?? 'default';
  const numHistoryShards = opts.numHistoryShards ?? 4;
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const configDir = path.join(opts.dir, 'config');
  const logDir = path.join(opts.dir, 'logs');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const { created } = await ensureTemporalSchemas(opts.postgres, path.join(logDir, 'sql-tool.log'));

  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, dynamicConfigYaml(ports));
  const server = temporalServerPath();
  const launch = (service: ServiceName) => {
    writeFileSync(
      path.join(configDir, `${service}.yaml`),
      serviceConfigYaml({ service, ports, postgres: opts.postgres, numHistoryShards, logLevel: opts.logLevel ?? 'warn', dynamicConfigFile }),
    );
    // v1.29 has no --config-file: it loads <root>/<config>/<env>.yaml, so the env names the file.
    const args = ['--root', opts.dir, '--config', 'config', '--env', service, '--allow-no-auth', 'start', '--service', service];
    return supervised(service, server, args, path.join(logDir, `${service}.log`));
  };
  const procs = {} as Record<ServiceName, ReturnType<typeof supervised>>;

  let ui: ReturnType<typeof supervised> | undefined;
  const all = () => [...Object.values(procs), ...(ui ? [ui] : [])];
  // A test runner that dies must not leave servers holding the ports.
  const killOnExit = () => all().forEach((p) => p.process.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await Promise.all(all().map((p) => p.stop()));
  };

  const frontendAddress = `${HOST}:${ports.services.frontend.grpc}`;
  // No retry interceptor: the probes loop themselves, and the SDK's pending retries would throw
  // (uncaught, from a timer) once the connection is closed.
  const connection = Connection.lazy({ address: frontendAddress, interceptors: [] });
  const allAlive = () => Object.values(procs).forEach((p) => p.assertAlive());
  try {
    // On a fresh database the frontend starts alone, for two reasons: services started together
    // race to insert the cluster metadata and the losers exit; and the others, started after the
    // namespace registration below, load it at start instead of waiting for a cache refresh. Not
    // on an existing database: a lone frontend waits ~50 s for ringpop seeds there (the other
    // services' membership rows from the last run).
    const fresh = !(await temporalInitialised(opts.postgres));
    procs.frontend = launch('frontend');
    if (fresh) {
      await until('cluster metadata', timeoutMs, async () => {
        if (!(await temporalInitialised(opts.postgres))) throw new Error('not written yet');
      }, allAlive);
    } else {
      for (const service of SERVICES) procs[service] ??= launch(service);
    }
    await until('Temporal frontend', timeoutMs, () => frontendWorks(connection, 'temporal-system'), allAlive);
    const registered = await until('namespace registration', timeoutMs, async () => {
      if (await namespaceReady(connection, namespace)) return false;
      await ensureNamespace(connection, namespace, opts.retentionDays ?? 3);
      await ensureSearchAttributes(connection, namespace);
      return true;
    }, allAlive);
    await until('search attributes', timeoutMs, () => searchAttributesUsable(connection, namespace), allAlive);
    for (const service of SERVICES) procs[service] ??= launch(service);
    await until('Temporal cluster', timeoutMs, () => clusterWorks(connection, namespace, numHistoryShards), allAlive);
    // Processes running before the registration cache namespaces and refresh them each 2 s
    // (system.namespaceCacheRefreshInterval); the probe above saw the frontend's copy only.
    if (registered && !fresh) await sleep(2 * NAMESPACE_CACHE_REFRESH_MS);

    let uiUrl: string | undefined;
    const uiServer = opts.ui ? temporalUiServerPath() : undefined;
    if (opts.ui && !uiServer) throw new Error('ui: true but temporal-ui-server is not installed: run `bash scripts/setup-temporal-server.sh`');
    if (uiServer) {
      writeFileSync(path.join(configDir, 'ui.yaml'), uiConfigYaml(ports, opts.uiCodec));
      ui = supervised('temporal-ui-server', uiServer, ['--root', opts.dir, '--config', 'config', '--env', 'ui', 'start'], path.join(logDir, 'ui.log'));
      uiUrl = `http://${HOST}:${ports.ui}`;
      const u = ui;
      await until('Temporal Web UI', timeoutMs, async () => {
        const res = await fetch(`${uiUrl}/`);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      }, () => u.assertAlive());
    }

    const services = Object.fromEntries(
      SERVICES.map((name) => {
        const p = procs[name];
        const service: ClusterService = {
          get process() {
            return p.process;
          },
          kill: (signal = 'SIGTERM') => void p.process.kill(signal),
          async restart() {
            await p.stop();
            p.respawn();
            await until(`${name} restart`, timeoutMs, async () => {
              // Every service listens on its membership port (the worker service has no gRPC server).
              await portOpen(ports.services[name].membership);
              await clusterWorks(connection, namespace, numHistoryShards);
            }, () => p.assertAlive());
          },
        };
        return [name, service];
      }),
    ) as Record<ServiceName, ClusterService>;

    return {
      frontendAddress, namespace, uiUrl, ports, freshDatabase: created, services,
      stop: async () => {
        await connection.close();
        await stop();
      },
    };
  } catch (err) {
    await connection.close().catch(() => {});
    await stop();
    throw err;
  }
}
