// Free TCP ports for the services a test, benchmark or crash test starts side by side.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A base port whose next `span` ports are all free (a Temporal cluster takes offsets 0 to 50).
 * Below 32,768: Temporal keeps its services' membership ports in a `smallint` column, and a
 * higher port fails the service's start ("value … is out of range for type smallint").
 */
export async function freePortRange(span = 60): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 126) * 100; // 20,000 to 32,500
    const checks = await Promise.all(Array.from({ length: span }, (_, i) => portFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free range of ports');
}
