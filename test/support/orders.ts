// Helpers to drive and observe the order process through the API and the database.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { DEMO_KEYS } from '../../prisma/demo-data';
import type { Db } from '../../infra/db';
import { checkoutBody } from './checkout';
import { eventually, http } from './http';

export interface PlacedOrder {
  orderId: string;
  number: string;
  /** The buyer's account, reached by signing in with the address. */
  customerId: string;
  paidAt: string;
  /** A customer key from the sign-in link e-mailed to the buyer (checkout never gives one). */
  customerApiKey: string;
  /** What the anonymous checkout answered: follows this order only. */
  orderToken: string;
  email: string;
  lines: { lineId: string; sellerId: string; totalCents: number }[];
}

/** An anonymous checkout (with its Idempotency-Key), then the buyer signs in from its e-mail. */
export async function placeOrder(apiUrl: string, opts: Parameters<typeof checkoutBody>[0] = {}): Promise<PlacedOrder> {
  const body = checkoutBody(opts);
  const res = await http(apiUrl, 'POST', '/checkout', { body, headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const signedIn = await signIn(apiUrl, body.customer.email);
  return { ...res.body, customerId: signedIn.customerId, customerApiKey: signedIn.apiKey, email: body.customer.email };
}

export function newIdempotencyKey(): string {
  return `test-${randomUUID()}`;
}

/** The sign-in link e-mailed to `email` (read from the embedded SMTP server's mailbox), exchanged for a key. */
export async function signIn(apiUrl: string, email: string): Promise<{ customerId: string; apiKey: string; keyId: string; expiresAt: string }> {
  const token = await signInToken(apiUrl, email);
  const res = await http(apiUrl, 'POST', '/auth/sign-in/exchange', { body: { token } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Asks for a sign-in link and returns the token of the new message that carries it. */
export async function signInToken(apiUrl: string, email: string): Promise<string> {
  const mailbox = async () => {
    const res = await http(apiUrl, 'GET', `/mailbox?to=${encodeURIComponent(email.toLowerCase())}`, { key: DEMO_KEYS.support });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body as { id: number; subject: string; text: string }[]).filter((m) => m.subject === 'Your sign-in link');
  };
  const seen = new Set((await mailbox()).map((m) => m.id));
  const asked = await http(apiUrl, 'POST', '/auth/sign-in', { body: { email } });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const message = await eventually(async () => (await mailbox()).find((m) => !seen.has(m.id)), 20_000, `sign-in e-mail to ${email}`);
  return /[?&]token=([A-Za-z0-9_-]{43})/.exec(message.text)![1];
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
