// The embedded Temporal dev server: `temporal server start-dev` with its persistent file (the dev
// server's own SQLite), the Web UI, and the custom search attributes staff filter on. The start
// flags register them on a new file only; on an existing file (data/temporal.db from before a
// rename) the missing ones are added and the retired ones removed here.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { allSearchAttributes } from '../workflows/search-attributes';
import { ensureSearchAttributes } from './search-attributes-admin';
import { temporalCliPath } from './temporal-binaries';

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', INT: 'Int', TEXT: 'Text', BOOL: 'Bool', DOUBLE: 'Double', KEYWORD_LIST: 'KeywordList' };

export function searchAttributeArgs(): string[] {
  return allSearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=${TYPE_NAMES[k.type] ?? k.type}`]);
}

export async function startDevServer(opts: {
  dbFile: string;
  port: number;
  uiPort: number;
  ip?: string;
  /** Where the server's own log goes: the terminal, or a file descriptor (benchmarks). */
  stderr?: 'inherit' | 'ignore' | number;
  /** the codec server the Web UI decodes payloads through (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
}): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const child = spawn(
    temporalCliPath(),
    [
      'server', 'start-dev',
      '--db-filename', opts.dbFile,
      '--ip', ip,
      '--port', String(opts.port),
      '--ui-port', String(opts.uiPort),
      '--log-level', 'warn',
      ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
      ...searchAttributeArgs(),
    ],
    { stdio: ['ignore', 'ignore', opts.stderr ?? 'inherit'] },
  );
  const address = `${ip}:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      try {
        await ensureSearchAttributes(connection);
      } finally {
        await connection.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server did not answer on ${address}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: `http://localhost:${opts.uiPort}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
