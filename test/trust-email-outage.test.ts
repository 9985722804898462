// X-9, SUB-11, X-3: business state never waits for an e-mail, and a withdrawal right after
// checkout refunds everything. Before issue 9 an SMTP outage left a paid order's lines
// `awaiting_payment` (missing from the seller's list, accept answered 409) and a withdrawal in that
// window answered "withdrawn" with nothing refunded. The SMTP server here is really stopped.
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { placeOrder, waitForLineStatus } from './support/orders';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('dev-server', (_e, s) => {
  sys = s;
});

const withdraw = (orderId: string, key: string) => http(sys.apiUrl, 'POST', `/orders/${orderId}/withdraw`, { key, body: {} });

async function refundedCents(orderId: string): Promise<number> {
  const refunds = await sys.db.refund.findMany({ where: { line: { orderId } } });
  return refunds.reduce((sum, r) => sum + r.amountCents, 0);
}

describe('X-9: an SMTP outage delays mail, never orders, answers or deadlines', () => {
  it('X-9, ORD-6: with SMTP down, a paid order’s lines reach their sellers at once and an accept answers at once; the mail goes out when SMTP returns', async () => {
    // The buyer signs in first (its link needs SMTP), then SMTP goes down for the checkout.
    const warm = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await sys.smtpDown();
    try {
      const started = Date.now();
      const res = await http(sys.apiUrl, 'POST', '/checkout', {
        key: warm.customerApiKey,
        body: checkoutBody({ email: warm.email, offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] }),
        headers: { 'idempotency-key': `x9-${started}` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const [acme, globex] = res.body.lines as { lineId: string; sellerId: string }[];
      await waitForLineStatus(sys.db, acme.lineId, 'awaiting_validation', 10_000);
      await waitForLineStatus(sys.db, globex.lineId, 'awaiting_validation', 10_000);
      // Listed for the seller although its notice could not be sent.
      const listed = await http(sys.apiUrl, 'GET', '/seller/lines?status=awaiting_validation', { key: DEMO_KEYS.sellerAcme });
      expect(listed.body.items.map((l: { lineId: string }) => l.lineId)).toContain(acme.lineId);
      // The seller's notice is recorded right after the line's state, and stays queued.
      const notice = await eventually(async () => (await sys.db.email.findUnique({ where: { id: `line:${acme.lineId}:to-validate` } })) ?? undefined, 10_000, 'notice recorded');
      expect(notice.status).toBe('queued');

      const t0 = Date.now();
      const accepted = await http(sys.apiUrl, 'POST', `/orders/${res.body.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'https://acme.test/login' } });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      expect(accepted.body.status).toBe('active');
      expect(Date.now() - t0).toBeLessThan(5_000); // the answer does not wait for the e-mail
      expect((await sys.db.email.findUniqueOrThrow({ where: { id: `line:${acme.lineId}:access` } })).status).toBe('queued');

      await sys.smtpUp();
      const sent = await eventually(async () => {
        const e = await sys.db.email.findUnique({ where: { id: `line:${acme.lineId}:access` } });
        return e?.status === 'sent' ? e : undefined;
      }, 60_000, 'access e-mail delivered after the outage');
      expect(sent.attempts).toBeGreaterThanOrEqual(1);
    } finally {
      await sys.smtpUp();
    }
  }, 120_000);
});

describe('SUB-11: a withdrawal accepted in the window refunds everything paid, whatever runs beside it', () => {
  it('SUB-11, X-3: withdrawing at once after checkout refunds every line in full (never "nothing_paid")', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    const res = await withdraw(order.orderId, order.customerApiKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lines.map((l: { outcome: string }) => l.outcome)).not.toContain('nothing_paid');
    const total = order.lines.reduce((s, l) => s + l.totalCents, 0);
    expect(await refundedCents(order.orderId)).toBe(total);
    // A repeat answers the same and refunds nothing more.
    expect((await withdraw(order.orderId, order.customerApiKey)).body).toEqual(res.body);
    expect(await refundedCents(order.orderId)).toBe(total);
  });

  it('SUB-11, X-9: with SMTP down, a withdrawal right after checkout still refunds everything, and no seller can activate the line afterwards', async () => {
    const warm = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await sys.smtpDown();
    try {
      const res = await http(sys.apiUrl, 'POST', '/checkout', {
        key: warm.customerApiKey,
        body: checkoutBody({ email: warm.email, offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] }),
        headers: { 'idempotency-key': `sub11-${Date.now()}` },
      });
      expect(res.status).toBe(201);
      const withdrawn = await withdraw(res.body.orderId, warm.customerApiKey);
      expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
      expect(withdrawn.body.lines.map((l: { outcome: string }) => l.outcome)).toEqual(['cancelled', 'cancelled']);
      expect(await refundedCents(res.body.orderId)).toBe(res.body.totalCents);
      const acme = res.body.lines[0].lineId as string;
      const late = await http(sys.apiUrl, 'POST', `/orders/${res.body.orderId}/lines/${acme}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'too late' } });
      expect(late.status).toBe(409);
    } finally {
      await sys.smtpUp();
    }
  }, 120_000);
});
