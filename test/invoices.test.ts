// Invoices and credit notes of the order process on the time-skipping server (INV-1): each
// seller's checkout invoice is issued and e-mailed at payment, a refused line's refund gets its
// credit note, and numbers stay gapless per seller and year.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { http } from './support/http';
import { emailSent, lineState, linesAwaitingValidation, placeOrder } from './support/orders';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const checkoutInvoice = (orderId: string, sellerId: string) => `order:${orderId}:checkout:${sellerId}`;

describe('order invoices', () => {
  it('INV-1: an order with two sellers gets one invoice per seller at payment, e-mailed to the customer, before any seller decides', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.acmeCrm.id, DEMO.offers.globexBackup.id] });
    const mails = await Promise.all(
      [DEMO.sellers.acme.id, DEMO.sellers.globex.id].map((sellerId) => emailSent(sys.db, `invoice:${checkoutInvoice(order.orderId, sellerId)}:email`)),
    );
    await linesAwaitingValidation(sys.db, order);

    const invoices = await sys.db.invoice.findMany({ where: { orderId: order.orderId, kind: 'invoice' }, orderBy: { sellerId: 'asc' } });
    expect(invoices.map((i) => [i.id, i.kind, i.sellerId])).toEqual([
      [checkoutInvoice(order.orderId, DEMO.sellers.acme.id), 'invoice', DEMO.sellers.acme.id],
      [checkoutInvoice(order.orderId, DEMO.sellers.globex.id), 'invoice', DEMO.sellers.globex.id],
    ]);
    for (const invoice of invoices) {
      // Dated at payment, for the seller's own lines of the order.
      expect(invoice.issuedAt.toISOString()).toBe(order.paidAt);
      expect(invoice.paymentId).toBe(`order:${order.orderId}:checkout`);
      expect(invoice.totalCents).toBe(order.lines.filter((l) => l.sellerId === invoice.sellerId).reduce((t, l) => t + l.totalCents, 0));
      expect(invoice.number).toMatch(new RegExp(`^INV-${invoice.sellerId}-\\d{4}-\\d{6}$`));
    }
    expect(invoices.reduce((t, i) => t + i.totalCents, 0)).toBe(order.lines.reduce((t, l) => t + l.totalCents, 0));

    for (const [i, mail] of mails.entries()) {
      expect(mail.email.toAddress).toBe(order.email);
      expect(mail.email.subject).toContain(invoices[i].number);
      // INV-1: a signed document link (api/signed-links.ts), opened without an API key.
      expect(mail.email.text).toMatch(/\/links\/document\/[A-Za-z0-9_.-]+/);
      expect(mail.received).toHaveLength(1);
    }
    // No seller has decided yet: every line is still with its seller.
    for (const line of order.lines) expect((await lineState(sys.apiUrl, order, line.lineId)).status).toBe('awaiting_validation');
    expect(await sys.db.auditLog.count({ where: { orderId: order.orderId, action: { in: ['line.accepted', 'line.refused', 'line.cancelled'] } } })).toBe(0);

    // The customer sees both and can download them.
    const list = await http(sys.apiUrl, 'GET', `/customers/${order.customerId}/invoices?kind=invoice`, { key: order.customerApiKey! });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { invoiceId: string }) => i.invoiceId).sort()).toEqual(invoices.map((i) => i.id));

    // A seller accepting later does not issue another invoice.
    const acmeLine = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acmeLine.lineId}/accept`, {
      key: DEMO_KEYS.sellerAcme,
      body: { accessInstructions: 'Sign in at https://mail.acme.test' },
    });
    expect(accepted.status).toBe(200);
    await emailSent(sys.db, `line:${acmeLine.lineId}:access`);
    await new Promise((r) => setTimeout(r, 500));
    expect(await sys.db.invoice.findMany({ where: { orderId: order.orderId, kind: 'invoice' }, orderBy: { sellerId: 'asc' } })).toEqual(invoices);
  });

  it("INV-1: an order whose only Globex line is refused still has Globex's checkout invoice, and the refund a credit note with its own CN number crediting it", async () => {
    const order = await placeOrder(sys.apiUrl);
    await linesAwaitingValidation(sys.db, order);
    const line = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!;
    const invoiceId = checkoutInvoice(order.orderId, DEMO.sellers.globex.id);
    const before = await sys.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });

    const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/refuse`, {
      key: DEMO_KEYS.sellerGlobex,
      body: { reason: 'Region not served' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('refused');
    await emailSent(sys.db, `line:${line.lineId}:refunded`);

    const refundId = `line:${line.lineId}:refund`;
    const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: `credit:${refundId}` } });
    expect(note).toMatchObject({
      kind: 'credit_note',
      creditedInvoiceId: invoiceId,
      refundId,
      sellerId: DEMO.sellers.globex.id,
      customerId: order.customerId,
      orderId: order.orderId,
      paymentId: `order:${order.orderId}:checkout`,
      totalCents: line.totalCents,
    });
    expect(note.number).toMatch(/^CN-sel_globex-\d{4}-\d{6}$/);
    expect(note.number).not.toBe(before.number);
    // The invoice it corrects is never edited.
    expect(await sys.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } })).toEqual(before);
    expect(before.totalCents).toBe(line.totalCents);
    expect(await sys.db.invoice.count({ where: { refundId } })).toBe(1);
    const audit = await sys.db.auditLog.findMany({ where: { entityId: note.id, action: 'credit_note.issued' } });
    expect(audit).toHaveLength(1);
  });

  it('INV-1, ORD-7: a line cancelled by ops is refunded with a credit note too', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const [line] = order.lines;
    const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/cancel`, { key: DEMO_KEYS.ops, body: { reason: 'Seller unreachable' } });
    expect(res.status).toBe(200);
    const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: `credit:line:${line.lineId}:refund` } });
    expect(note).toMatchObject({ kind: 'credit_note', creditedInvoiceId: checkoutInvoice(order.orderId, DEMO.sellers.acme.id), totalCents: line.totalCents });
    expect(note.number).toMatch(/^CN-sel_acme-\d{4}-\d{6}$/);
  });

  it('INV-1: invoice and credit-note numbers stay gapless per seller and year', async () => {
    const invoices = await sys.db.invoice.findMany({ where: { kind: { in: ['invoice', 'credit_note'] } }, orderBy: { number: 'asc' } });
    const groups = new Map<string, number[]>();
    for (const inv of invoices) {
      const m = /^(INV|CN)-(.+)-(\d{4})-(\d{6})$/.exec(inv.number)!;
      expect(m[1]).toBe(inv.kind === 'invoice' ? 'INV' : 'CN');
      expect(m[2]).toBe(inv.sellerId);
      const k = `${m[1]}-${m[2]}-${m[3]}`;
      groups.set(k, [...(groups.get(k) ?? []), Number(m[4])]);
    }
    expect([...groups.keys()].sort()).toEqual(expect.arrayContaining(['CN-sel_acme', 'CN-sel_globex', 'INV-sel_acme', 'INV-sel_globex'].map((p) => expect.stringMatching(new RegExp(`^${p}-\\d{4}$`)))));
    for (const numbers of groups.values()) expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    // Numbers follow issue dates within each series: a number is never taken later than its date.
    for (const k of groups.keys()) {
      const series = invoices.filter((i) => i.number.startsWith(`${k}-`));
      const dates = series.map((i) => i.issuedAt.getTime());
      expect(dates).toEqual([...dates].sort((a, b) => a - b));
    }
  });
});
