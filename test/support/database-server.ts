// The PostgreSQL server a test run or a benchmark uses: TEST_DATABASE_URL's server if set (any
// PostgreSQL 15 to 17; its databases are created and dropped there), else an embedded one in a
// temporary folder, without fsync (a test run needs no durability).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../infra/embedded-postgres';
import { withDatabase } from '../../infra/pg-adapter';
import { freePort } from './ports';

export interface DatabaseServer {
  /** The URL of database `name` on this server. */
  url(name: string): string;
  /** Restarts the server (embedded only): its data stays. `kill`: SIGKILL, as a crash would. */
  restart(opts?: { kill?: boolean }): Promise<void>;
  /** The embedded server's postmaster. */
  pid?(): number | undefined;
  /** `keepFiles`: leave the embedded server's data folder for a look (a failed run). */
  stop(keepFiles?: boolean): Promise<void>;
  /** The embedded server's folder. */
  dir?: string;
}

export async function startDatabaseServer(opts: { durable?: boolean; settings?: Record<string, string> } = {}): Promise<DatabaseServer> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    return {
      url: (name) => withDatabase(external, name),
      async restart() {
        throw new Error('TEST_DATABASE_URL: an external server is not restarted by the tests');
      },
      async stop() {},
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-pg-'));
  // mkdtemp makes it private; as root, PostgreSQL runs as another user that must enter it.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port, durable: opts.durable ?? false, settings: opts.settings });
  let server: EmbeddedPostgres = await start();
  return {
    dir,
    url: (name) => server.url(name),
    pid: () => server.process.pid,
    async restart(restartOpts = {}) {
      await (restartOpts.kill ? server.kill() : server.stop());
      server = await start();
    },
    async stop(keepFiles = false) {
      await server.stop();
      if (!keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}
