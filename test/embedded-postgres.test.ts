// The embedded default database (`scripts/start.sh` with no DATABASE_URL): a project-local
// PostgreSQL whose data survives a stop and a start on the same folder.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports';
import { createDb } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { migrateDatabase } from '../infra/migrate';

const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-embedded-'));
chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
const dataDir = path.join(dir, 'postgres');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded PostgreSQL', () => {
  it('keeps an order across a stop and a start on the same data folder', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    const url = first.url('marketplace');
    await migrateDatabase(url);
    let db = await createDb(url);
    await db.customer.create({ data: { id: 'cus_kept', email: 'kept@example.test', name: 'Kept', type: 'individual' } });
    await db.order.create({
      data: {
        id: 'ord_kept', number: 'O-2026-999999', customerId: 'cus_kept', status: 'paid', currency: 'EUR',
        totalExclVatCents: 1000, totalVatCents: 200, totalCents: 1200, customerEmail: 'kept@example.test', cardId: 'card_x', cardLast4: '4242',
      },
    });
    await db.$disconnect();
    await first.stop();

    // A second start finds the cluster (no initdb) and its data.
    const second = await startEmbeddedPostgres({ dataDir, port });
    db = await createDb(second.url('marketplace'));
    try {
      const order = await db.order.findUnique({ where: { id: 'ord_kept' } });
      expect(order?.number).toBe('O-2026-999999');
      expect(order?.totalCents).toBe(1200);
    } finally {
      await db.$disconnect();
      await second.stop();
    }
  }, 120_000);
});
