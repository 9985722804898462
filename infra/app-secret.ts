// The server-side secret that keys HMACs: order-follow tokens, idempotency fingerprints, hashed
// one-time codes. APP_SECRET in production (same value on every API and worker); on the embedded
// setup a random one is generated once into data/app-secret (mode 0600) and reused.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from './config';

let cached: string | undefined;

export function appSecret(env: NodeJS.ProcessEnv = process.env): string {
  if (env.APP_SECRET) return env.APP_SECRET;
  if (cached) return cached;
  const file = path.join(dataDir, 'app-secret');
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': only the first of several processes starting together writes it; the others read it.
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  cached = readFileSync(file, 'utf8').trim();
  return cached;
}
