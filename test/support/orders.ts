// Helpers to drive and observe the order process through the API and the database.
import { expect } from 'vitest';
import { DEMO_KEYS } from '../../prisma/demo-data';
import type { Db } from '../../infra/db';
import { checkoutBody } from './checkout';
import { eventually, http } from './http';

export interface PlacedOrder {
  orderId: string;
  number: string;
  customerId: string;
  paidAt: string;
  customerApiKey?: string;
  email: string;
  lines: { lineId: string; sellerId: string; totalCents: number }[];
}

export async function placeOrder(apiUrl: string, opts: Parameters<typeof checkoutBody>[0] = {}): Promise<PlacedOrder> {
  const body = checkoutBody(opts);
  const res = await http(apiUrl, 'POST', '/checkout', { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...res.body, email: body.customer.email };
}

/** Waits until every line of the order is with its seller (its workflow has recorded it). */
export async function linesAwaitingValidation(db: Db, order: PlacedOrder): Promise<void> {
  await eventually(
    async () => {
      const lines = await db.orderLine.findMany({ where: { orderId: order.orderId } });
      const emails = await db.email.count({ where: { id: { in: order.lines.map((l) => `line:${l.lineId}:to-validate`) }, status: 'sent' } });
      return lines.every((l) => l.status === 'awaiting_validation') && emails === lines.length;
    },
    20_000,
    'lines awaiting validation',
  );
}

export async function lineState(apiUrl: string, order: PlacedOrder, lineId: string, key: string = DEMO_KEYS.admin) {
  const res = await http(apiUrl, 'GET', `/orders/${order.orderId}/lines/${lineId}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function mailboxTo(db: Db, address: string) {
  return db.mailboxMessage.findMany({ where: { toAddrs: { contains: address } }, orderBy: { id: 'asc' } });
}

export async function waitForLineStatus(db: Db, lineId: string, status: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => (await db.orderLine.findUnique({ where: { id: lineId } }))?.status === status, timeoutMs, `line ${lineId} ${status}`);
}

/** Waits until the e-mail with this business key has been sent (and so received over SMTP). */
export async function emailSent(db: Db, id: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const email = await db.email.findUnique({ where: { id } });
    if (email?.status !== 'sent') return undefined;
    const received = await db.mailboxMessage.findMany({ where: { messageId: email.messageId } });
    return received.length > 0 ? { email, received } : undefined;
  }, timeoutMs, `e-mail ${id}`);
}
