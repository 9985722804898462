// The order process end to end on real parts: HTTP into the API, a real Temporal dev server
// (started once by global-setup with createLocal and the `temporal` binary), a worker, the
// PostgreSQL database, and e-mails delivered over SMTP to the embedded server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { eventually, http } from './support/http';
import { emailSent, lineState, linesAwaitingValidation, newIdempotencyKey, placeOrder, signIn, waitForLineStatus } from './support/orders';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

describe('order process over HTTP, SMTP and a Temporal dev server', () => {
  it('ORD-5, ORD-6, ACC-1, ACC-2: a checkout goes through to active lines, with every e-mail received over SMTP', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    expect(order.customerApiKey).toMatch(/^cust_/);
    const customerKey = order.customerApiKey!;
    await linesAwaitingValidation(sys.db, order);

    // ORD-5: the purchase order, with lines, amounts and each seller's identity and contacts.
    const po = await emailSent(sys.db, `order:${order.orderId}:purchase-order`);
    expect(po.received[0].toAddrs).toBe(order.email);
    for (const fragment of [order.number, 'Acme Mail Pro', 'Globex Backup 1 TB', '19.99 EUR', '4.00 EUR', '23.99 EUR', '167.87 EUR', 'Acme Cloud SAS', 'sales@acme.test', '+33 1 00 00 00 01', '1 rue de la Paix', 'Globex SARL', 'contact@globex.test']) {
      expect(po.received[0].text).toContain(fragment);
    }
    // ORD-5: each seller is notified of its own line.
    const acmeLine = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    const globexLine = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!;
    expect((await emailSent(sys.db, `line:${acmeLine.lineId}:to-validate`)).received[0].toAddrs).toBe('sales@acme.test');
    expect((await emailSent(sys.db, `line:${globexLine.lineId}:to-validate`)).received[0].toAddrs).toBe('contact@globex.test');

    const acmeView = await http(sys.apiUrl, 'GET', '/seller/lines?status=awaiting_validation', { key: DEMO_KEYS.sellerAcme });
    expect(acmeView.body.items.map((l: { lineId: string }) => l.lineId)).toContain(acmeLine.lineId);
    expect(acmeView.body.items.map((l: { lineId: string }) => l.lineId)).not.toContain(globexLine.lineId);

    // ORD-6: each seller accepts with access instructions.
    for (const [line, key, text] of [
      [acmeLine, DEMO_KEYS.sellerAcme, 'IMAP: mail.acme.test'],
      [globexLine, DEMO_KEYS.sellerGlobex, 'Backup console: https://globex.test/console'],
    ] as const) {
      const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/accept`, { key, body: { accessInstructions: text } });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
      const access = await emailSent(sys.db, `line:${line.lineId}:access`);
      expect(access.received[0].toAddrs).toBe(order.email);
      expect(access.received[0].text).toContain(text);
    }

    // ACC-2: the customer's view of the order, with its timeline.
    const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: customerKey });
    expect(view.status).toBe(200);
    expect(view.body.status).toBe('paid');
    expect(view.body.lines.map((l: { status: string }) => l.status)).toEqual(['active', 'active']);
    const steps = view.body.timeline.done.map((s: { step: string }) => s.step);
    expect(steps.slice(0, 2)).toEqual(['order.created', 'order.paid']);
    expect(steps.filter((s: string) => s === 'line.accepted')).toHaveLength(2);
    expect(view.body.timeline.actionNeeded).toBeNull();
    // ACC-2: the next steps are the two automatic renewals, dated in words in Paris time.
    const later = await eventually(async () => {
      const v = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: customerKey });
      return v.body.timeline.next.length === 2 ? v : undefined;
    }, 20_000, 'both subscriptions in the timeline');
    const nextSteps = later.body.timeline.next as { label: string; rule: string; subscriptionId: string; dueAt: string }[];
    expect(nextSteps.map((n) => n.rule)).toEqual(['SUB-3', 'SUB-3']);
    expect(nextSteps.map((n) => n.subscriptionId).sort()).toEqual([acmeLine.lineId, globexLine.lineId].sort());
    expect(nextSteps.find((n) => n.subscriptionId === acmeLine.lineId)!.label).toMatch(/^Automatic renewal of "Acme Mail Pro" on \d{1,2} \w+ \d{4}, \d{2}:\d{2} \(Paris time\)$/);
    const invoiceStep = later.body.timeline.done.find((s: { step: string }) => s.step === 'invoice.issued');
    expect(invoiceStep.document).toMatchObject({ kind: 'invoice', number: expect.stringMatching(/^INV-/) });
    expect(invoiceStep.label).toBe(`Invoice issued: ${invoiceStep.document.number}`);

    // ACC-1: the customer lists every e-mail it was sent, the sign-in link it got its key from
    // included (X-8: checkout gives no key).
    const mails = await http(sys.apiUrl, 'GET', `/customers/${order.customerId}/emails`, { key: customerKey });
    expect(mails.status).toBe(200);
    expect(mails.body.map((m: { id: string }) => m.id).sort()).toEqual([
      ...[
        `order:${order.orderId}:purchase-order`,
        `invoice:order:${order.orderId}:checkout:${DEMO.sellers.acme.id}:email`, // INV-1
        `invoice:order:${order.orderId}:checkout:${DEMO.sellers.globex.id}:email`,
        `line:${acmeLine.lineId}:access`,
        `line:${globexLine.lineId}:access`,
      ].sort(),
      expect.stringMatching(new RegExp(`^signin:${order.customerId}:[0-9a-f]{16}$`)), // sorts last
    ]);

    // Staff can filter the line workflows in the Temporal UI by search attributes.
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `WorkflowType = "orderLineWorkflow" AND OrderId = "${order.orderId}" AND BusinessStatus = "active"` })) ids.push(wf.workflowId);
      return ids.length === 2 ? ids : undefined;
    }, 20_000, 'search attributes');
    expect(found.sort()).toEqual([`OrderLine:${acmeLine.lineId}`, `OrderLine:${globexLine.lineId}`].sort());
    const completed = await env.client.workflow.getHandle(`Order:${order.orderId}`).result();
    expect(completed.status).toBe('completed');
  });

  it('ORD-1, X-8: the first paid checkout of an address creates its account; a second one with the same address lands in the same account, found via sign-in; the answers carry no key nor id', async () => {
    const email = `Reuse.${Date.now()}@Example.test`;
    const checkout = async (body: ReturnType<typeof checkoutBody>) => {
      const res = await http(sys.apiUrl, 'POST', '/checkout', { body, headers: { 'idempotency-key': newIdempotencyKey() } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    // The same answer, field for field, whether the address had an account or not.
    const ANSWER = ['currency', 'lines', 'number', 'orderId', 'orderToken', 'paidAt', 'status', 'totalCents', 'totalExclVatCents', 'totalVatCents'];
    const first = await checkout(checkoutBody({ email, type: 'business' }));
    expect(Object.keys(first).sort()).toEqual(ANSWER);
    expect(first.orderToken).toMatch(/^ot1\./);
    const account = await sys.db.customer.findUniqueOrThrow({ where: { email: email.toLowerCase() } });
    expect(account).toMatchObject({ type: 'business', name: 'Test Buyer', verifiedAt: null });

    // Another anonymous checkout with the address, declaring another name and type: it goes to the
    // same account and changes nothing of it; the order keeps what its own checkout declared.
    const secondBody = checkoutBody({ email: email.toLowerCase(), type: 'individual', offers: [DEMO.offers.acmeMail.id] });
    secondBody.customer.name = 'Someone Else';
    const second = await checkout(secondBody);
    expect(Object.keys(second).sort()).toEqual(ANSWER);
    expect(second.orderToken).not.toBe(first.orderToken);
    expect(await sys.db.customer.count({ where: { email: email.toLowerCase() } })).toBe(1);
    const customer = await sys.db.customer.findUniqueOrThrow({ where: { id: account.id }, include: { orders: { orderBy: { createdAt: 'asc' } } } });
    expect(customer).toMatchObject({ email: email.toLowerCase(), type: 'business', name: 'Test Buyer' });
    expect(customer.orders.map((o) => [o.id, o.customerType, o.customerName, o.customerEmail])).toEqual([
      [first.orderId, 'business', 'Test Buyer', email.toLowerCase()],
      [second.orderId, 'individual', 'Someone Else', email.toLowerCase()],
    ]);

    // The account is reached by signing in with the address; its key reads both orders.
    const signedIn = await signIn(sys.apiUrl, email);
    expect(signedIn.customerId).toBe(account.id);
    expect(signedIn.apiKey).toMatch(/^cust_/);
    expect((await sys.db.customer.findUniqueOrThrow({ where: { id: account.id } })).verifiedAt).not.toBeNull();
    for (const o of [first, second]) {
      const view = await http(sys.apiUrl, 'GET', `/orders/${o.orderId}`, { key: signedIn.apiKey });
      expect(view.status).toBe(200);
      expect(view.body.customerId).toBe(account.id);
    }
    // Each order token follows its own order only, and says nothing of the account.
    const own = await http(sys.apiUrl, 'GET', `/orders/${first.orderId}`, { key: first.orderToken });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ orderId: first.orderId, status: 'paid' });
    expect(own.body.customerId).toBeUndefined();
    expect((await http(sys.apiUrl, 'GET', `/orders/${second.orderId}`, { key: first.orderToken })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/orders/${first.orderId}/lines/${first.lines[0].lineId}`, { key: first.orderToken })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/customers/${account.id}/emails`, { key: first.orderToken })).status).toBe(403);
  });

  it('ORD-2, ORD-4: each line is one offer of one seller with its own price, VAT, period and commitment, paid in one charge', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeCrm.id, DEMO.offers.globexBackup.id, DEMO.offers.acmeMail.id] });
    const lines = await sys.db.orderLine.findMany({ where: { orderId: order.orderId }, orderBy: { position: 'asc' } });
    expect(lines.map((l) => [l.sellerId, l.name, l.priceCents, l.vatCents, l.totalCents, l.billingPeriod, l.commitmentMonths])).toEqual([
      ['sel_acme', 'Acme CRM (12-month commitment)', 4900, 980, 5880, 'monthly', 12],
      ['sel_globex', 'Globex Backup 1 TB', 11990, 2398, 14388, 'annual', 0],
      ['sel_acme', 'Acme Mail Pro', 1999, 400, 2399, 'monthly', 0],
    ]);
    const payments = await sys.db.payment.findMany({ where: { orderId: order.orderId } });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: 'captured', amountCents: 5880 + 14388 + 2399 });
    await linesAwaitingValidation(sys.db, order);
  });

  it('ORD-3: without the current terms of every seller, checkout is refused naming them and nothing is charged', async () => {
    const before = await sys.db.sandboxTransaction.count();
    const res = await http(sys.apiUrl, 'POST', '/checkout', {
      body: checkoutBody({ terms: [{ sellerId: DEMO.sellers.acme.id, version: 'acme-2025-old' }] }),
      headers: { 'idempotency-key': newIdempotencyKey() },
    });
    expect(res.status).toBe(422);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.sellers.map((s: { sellerId: string }) => s.sellerId).sort()).toEqual(['sel_acme', 'sel_globex']);
    expect(res.body.detail).toContain('Globex Backup (version globex-v3)');
    expect(await sys.db.sandboxTransaction.count()).toBe(before);
  });

  it('X-4: every state change of an order is in the audit log with its actor, time and workflow id', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const [acme, globex] = order.lines;
    await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'ok' } });
    await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${globex.lineId}/cancel`, { key: DEMO_KEYS.ops, body: { reason: 'duplicate' } });
    await waitForLineStatus(sys.db, globex.lineId, 'cancelled');
    const audit = await sys.db.auditLog.findMany({ where: { orderId: order.orderId }, orderBy: { id: 'asc' } });
    const rows = audit.map((a) => [a.action, a.actor, a.entityId, a.workflowId]);
    expect(rows).toEqual(
      expect.arrayContaining([
        // an anonymous checkout proves nothing about its e-mail: the actor is not named by it.
        ['order.created', 'anonymous', order.orderId, `Order:${order.orderId}`],
        ['order.paid', 'system', order.orderId, `Order:${order.orderId}`],
        ['line.awaiting_validation', 'system', acme.lineId, `OrderLine:${acme.lineId}`],
        ['line.accepted', 'seller:sel_acme', acme.lineId, `OrderLine:${acme.lineId}`],
        // the person who acted, by the label of their own key.
        ['line.cancelled', `staff:${DEMO.staff.ops.label}`, globex.lineId, `OrderLine:${globex.lineId}`],
      ]),
    );
    for (const a of audit) expect(a.at.getTime()).toBeGreaterThanOrEqual(Date.parse(order.paidAt) - 60_000);
    expect(JSON.parse(audit.find((a) => a.action === 'line.cancelled')!.data)).toMatchObject({ reason: 'duplicate', refundId: `line:${globex.lineId}:refund` });
  });

  it('ORD-8: the line and its future subscription are anchored at the payment time', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const stored = await sys.db.order.findUniqueOrThrow({ where: { id: order.orderId } });
    const state = await lineState(sys.apiUrl, order, order.lines[0].lineId);
    expect(state.paidAt).toBe(stored.paidAt!.toISOString());
    expect(order.paidAt).toBe(stored.paidAt!.toISOString());
    await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${order.lines[0].lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'ok' } });
    await waitForLineStatus(sys.db, order.lines[0].lineId, 'active');
  });
});
