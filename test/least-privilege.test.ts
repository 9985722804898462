// X-6 least privilege, X-4 people in the audit log, ACC-1 e-mails read by staff: over real HTTP on
// a test system (the run's Temporal dev server, a worker, PostgreSQL). What a caller may read of a
// resource it may open: access instructions (the line's customer and seller, ops, admin), staff
// labels (staff only), e-mail secrets (the addressee only), invoices (the seller who issued them).
// The rules live in api/visibility.ts; the last block checks them without HTTP.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashKey, type Principal } from '../api/auth';
import { actorAsSeenBy, emailTextFor, HIDDEN, lineAsSeenBy, maskSecrets, mayReadAccessInstructions } from '../api/visibility';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, lineState, placeOrder, waitForLineStatus, type PlacedOrder } from './support/orders';
import type { TestSystem } from './support/system';

let sys: TestSystem;

useTestSystem('dev-server', (_env, s) => {
  sys = s;
});

/**
 * A key of the order's customer, written straight to the database: the test does not depend on
 * how checkout hands a key out (or whether it does).
 */
async function customerKeyOf(order: PlacedOrder): Promise<string> {
  const key = `cust_lp_${randomUUID().replace(/-/g, '')}`;
  await sys.db.apiKey.create({ data: { hash: hashKey(key), label: order.email, kind: 'customer', customerId: order.customerId } });
  return key;
}

/** An order of an Acme line and a Globex line, both with their sellers, and its customer's key. */
async function orderWithTwoLines() {
  const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
  await linesAwaitingValidation(sys.db, order);
  const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!.lineId;
  const globex = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!.lineId;
  return { order, acme, globex, customerKey: await customerKeyOf(order) };
}

const INSTRUCTIONS = 'IMAP: mail.acme.test, user jane, password Kx7-PLmq-29ab';

/**
 * The access instructions a line state gives its reader: the text, or (once the text stays out of
 * the workflow, X-7) the id of where it is stored; the reader who may not read them gets neither.
 */
function expectInstructionsShown(state: Record<string, unknown>): void {
  expect(state.accessInstructions ?? state.accessInstructionsId).toBeDefined();
  if ('accessInstructions' in state) expect(state.accessInstructions).toBe(INSTRUCTIONS);
  expect(state).not.toHaveProperty('accessInstructionsHidden');
}

describe('X-6: access instructions are read by the line\'s customer and seller, ops and admin only', () => {
  it('X-6: finance and support get no access instructions for an accepted line; ops, admin, its seller and its customer do', async () => {
    const { order, acme, customerKey } = await orderWithTwoLines();
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: INSTRUCTIONS } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expectInstructionsShown(accepted.body); // the seller reads what it wrote
    await waitForLineStatus(sys.db, acme, 'active');

    for (const key of [DEMO_KEYS.finance, DEMO_KEYS.support]) {
      const state = await lineState(sys.apiUrl, order, acme, key);
      expect(state.status).toBe('active');
      expect(state).not.toHaveProperty('accessInstructions');
      expect(state).not.toHaveProperty('accessInstructionsId');
      expect(state.accessInstructionsHidden).toBe(true);
      expect(JSON.stringify(state)).not.toContain('Kx7-PLmq-29ab');
    }
    for (const key of [DEMO_KEYS.ops, DEMO_KEYS.admin, DEMO_KEYS.sellerAcme, customerKey]) {
      expectInstructionsShown(await lineState(sys.apiUrl, order, acme, key));
    }
    // Nor does the order view give them to anyone: it has no access instructions at all.
    for (const key of [DEMO_KEYS.finance, DEMO_KEYS.support, DEMO_KEYS.ops, customerKey]) {
      const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key });
      expect(view.status).toBe(200);
      expect(JSON.stringify(view.body)).not.toContain('Kx7-PLmq-29ab');
    }
  });
});

describe('X-4, X-6: the audit log names the person; customers and sellers see "staff"', () => {
  it("X-4: a customer's view of a line extended by ops shows no staff label; ops sees who it was, and so does the audit log", async () => {
    const { order, globex, customerKey } = await orderWithTwoLines();
    const extended = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${globex}/extend`, { key: DEMO_KEYS.ops, body: { hours: 12 } });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    const opsActor = `staff:${DEMO.staff.ops.label}`;
    expect(extended.body.extensions).toEqual([expect.objectContaining({ by: opsActor, hours: 12 })]);

    // the audit entry names the person who acted, by their key's label.
    const entry = await eventually(
      async () => (await sys.db.auditLog.findFirst({ where: { entityId: globex, action: 'line.validation_extended' } })) ?? undefined,
      20_000,
      'extension audit entry',
    );
    expect(entry.actor).toBe(opsActor);

    // The customer and the seller: `staff`, and no label anywhere in what they read.
    for (const key of [customerKey, DEMO_KEYS.sellerGlobex]) {
      const state = await lineState(sys.apiUrl, order, globex, key);
      expect(state.extensions).toEqual([expect.objectContaining({ by: 'staff', hours: 12 })]);
      expect(JSON.stringify(state)).not.toContain(DEMO.staff.ops.label);
    }
    const customerView = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: customerKey });
    expect(customerView.status).toBe(200);
    const step = customerView.body.timeline.done.find((s: { step: string }) => s.step === 'line.validation_extended');
    expect(step).toMatchObject({ lineId: globex, by: 'staff' });
    expect(customerView.body.timeline.done.find((s: { step: string }) => s.step === 'order.paid')).toMatchObject({ by: 'system' });
    expect(JSON.stringify(customerView.body)).not.toContain(DEMO.staff.ops.label);

    // Staff read the label, in the line and in the timeline.
    expect((await lineState(sys.apiUrl, order, globex, DEMO_KEYS.support)).extensions).toEqual([expect.objectContaining({ by: opsActor })]);
    const staffView = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: DEMO_KEYS.finance });
    expect(staffView.body.timeline.done.find((s: { step: string }) => s.step === 'line.validation_extended')).toMatchObject({ by: opsActor });

    // A line cancelled by ops: decidedBy is `staff` to its customer, the person to ops.
    const cancelled = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${globex}/cancel`, { key: DEMO_KEYS.ops, body: { reason: 'Seller unreachable' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await waitForLineStatus(sys.db, globex, 'cancelled');
    expect((await lineState(sys.apiUrl, order, globex, customerKey)).decidedBy).toBe('staff');
    expect((await lineState(sys.apiUrl, order, globex, DEMO_KEYS.sellerGlobex)).decidedBy).toBe('staff');
    expect((await lineState(sys.apiUrl, order, globex, DEMO_KEYS.ops)).decidedBy).toBe(opsActor);
  });
});

describe('ACC-1, X-6: support reads a customer\'s e-mails with their secrets masked', () => {
  it("ACC-1, X-8: support's view of an e-mail holding a deletion code shows it masked, and so does the customer's: a key does not prove the mailbox", async () => {
    const { order, customerKey } = await orderWithTwoLines();
    // Written as the outbox writes a deletion-code e-mail (activities/subscriptions.ts), without
    // `maskedText`: staff then read the regex fallback.
    const id = `sub:lp-${randomUUID()}:deletion-code:1`;
    const text = [
      'You asked to delete Acme Mail Pro (subscription lin_x) immediately and for good.',
      'Confirmation code: 7F3A9C2E',
      'The code is valid until 2026-06-01T10:00:00.000Z. No refund applies (except withdrawal within the legal period).',
    ].join('\n');
    const access = `line:lp-${randomUUID()}:access`;
    const accessText = ['Acme Cloud has activated "Acme Mail Pro".', '', 'Access instructions:', INSTRUCTIONS, 'Panel: https://acme.test/login?token=abc123def456'].join('\n');
    for (const [emailId, body] of [[id, text], [access, accessText]] as const) {
      await sys.db.email.create({
        data: { id: emailId, customerId: order.customerId, toAddress: order.email, subject: 'Confirmation code to delete Acme Mail Pro', text: body, status: 'sent', messageId: `<${randomUUID()}@lp.test>` },
      });
    }
    const find = (body: { id: string; text: string }[], emailId: string) => body.find((e) => e.id === emailId)!;

    const own = await http(sys.apiUrl, 'GET', `/customers/${order.customerId}/emails`, { key: customerKey });
    expect(own.status).toBe(200);
    // The code proves control of the mailbox: read there only, never through the API.
    expect(find(own.body, id).text).not.toContain('7F3A9C2E');
    expect(find(own.body, id).text).toContain(`Confirmation code: ${HIDDEN}`);
    expect(find(own.body, access).text).toBe(accessText);

    for (const key of [DEMO_KEYS.support, DEMO_KEYS.admin]) {
      const staff = await http(sys.apiUrl, 'GET', `/customers/${order.customerId}/emails`, { key });
      expect(staff.status).toBe(200);
      const code = find(staff.body, id).text;
      expect(code).not.toContain('7F3A9C2E');
      expect(code).toContain(`Confirmation code: ${HIDDEN}`);
      expect(code).toContain('You asked to delete Acme Mail Pro'); // the rest stays readable
      const instructions = find(staff.body, access).text;
      expect(instructions).not.toContain('Kx7-PLmq-29ab');
      expect(instructions).not.toContain('abc123def456');
      expect(instructions).toBe(['Acme Cloud has activated "Acme Mail Pro".', '', 'Access instructions:', HIDDEN].join('\n'));
      // The purchase order's only secret is its signed withdrawal link (api/signed-links.ts: it
      // withdraws without a key): staff read it hidden, the rest as the customer does.
      const purchaseOrder = find(staff.body, `order:${order.orderId}:purchase-order`);
      if (purchaseOrder) {
        const ownText = find(own.body, `order:${order.orderId}:purchase-order`).text;
        expect(ownText).toMatch(/\/links\/withdrawal\//);
        expect(purchaseOrder.text).toBe(ownText.replace(/\S+\/links\/withdrawal\/\S+/, HIDDEN));
      }
    }
  });
});

describe('X-6: a seller downloads the documents issued in its name', () => {
  it("X-6: a seller downloads a PDF issued in its name and gets 403 for another seller's", async () => {
    const { order } = await orderWithTwoLines();
    const invoiceOf = (sellerId: string) =>
      eventually(async () => (await sys.db.invoice.findFirst({ where: { orderId: order.orderId, sellerId } })) ?? undefined, 20_000, `invoice of ${sellerId}`);
    const acmeInvoice = await invoiceOf(DEMO.sellers.acme.id);
    const globexInvoice = await invoiceOf(DEMO.sellers.globex.id);
    const pdf = (invoiceId: string, key: string) => fetch(`${sys.apiUrl}/invoices/${encodeURIComponent(invoiceId)}/pdf`, { headers: { authorization: `Bearer ${key}` } });

    for (const [invoice, owner, other] of [
      [acmeInvoice, DEMO_KEYS.sellerAcme, DEMO_KEYS.sellerGlobex],
      [globexInvoice, DEMO_KEYS.sellerGlobex, DEMO_KEYS.sellerAcme],
    ] as const) {
      const mine = await pdf(invoice.id, owner);
      expect(mine.status).toBe(200);
      expect(mine.headers.get('content-type')).toContain('application/pdf');
      expect(Buffer.from(await mine.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
      const theirs = await pdf(invoice.id, other);
      expect(theirs.status).toBe(403);
      expect(theirs.headers.get('content-type')).toContain('application/problem+json');
      expect((await pdf(invoice.id, DEMO_KEYS.sellerPending)).status).toBe(403);
    }
    // Unchanged: finance (and admin) download any, ops and support none.
    expect((await pdf(acmeInvoice.id, DEMO_KEYS.finance)).status).toBe(200);
    expect((await pdf(acmeInvoice.id, DEMO_KEYS.admin)).status).toBe(200);
    expect((await pdf(acmeInvoice.id, DEMO_KEYS.ops)).status).toBe(403);
    expect((await pdf(acmeInvoice.id, DEMO_KEYS.support)).status).toBe(403);
  });
});

describe('X-6: the rules of api/visibility.ts', () => {
  const staff = (role: 'ops' | 'support' | 'finance' | 'admin'): Principal => ({ kind: 'staff', label: DEMO.staff[role].label, role });
  const acme: Principal = { kind: 'seller', label: 'acme', sellerId: 'sel_acme' };
  const globex: Principal = { kind: 'seller', label: 'globex', sellerId: 'sel_globex' };
  const jane: Principal = { kind: 'customer', label: 'jane@example.test', customerId: 'cus_jane' };
  const bob: Principal = { kind: 'customer', label: 'bob@example.test', customerId: 'cus_bob' };
  const line = { sellerId: 'sel_acme', customerId: 'cus_jane' };

  it('X-6: access instructions: the line\'s customer and seller, ops and admin; not finance, support, another seller or customer', () => {
    expect([staff('ops'), staff('admin'), acme, jane].map((p) => mayReadAccessInstructions(p, line))).toEqual([true, true, true, true]);
    expect([staff('finance'), staff('support'), globex, bob, { kind: 'anonymous' } as Principal].map((p) => mayReadAccessInstructions(p, line))).toEqual([false, false, false, false, false]);
    // A customer is the owner only when the route loaded the owner.
    expect(mayReadAccessInstructions(jane, { sellerId: 'sel_acme' })).toBe(false);
  });

  it('X-4: staff actors are named to staff only; other actors are shown as they are', () => {
    const actor = `staff:${DEMO.staff.ops.label}`;
    expect(actorAsSeenBy(staff('finance'), actor)).toBe(actor);
    expect([jane, acme].map((p) => actorAsSeenBy(p, actor))).toEqual(['staff', 'staff']);
    expect(actorAsSeenBy(jane, 'customer:cus_jane')).toBe('customer:cus_jane');
    expect(actorAsSeenBy(jane, 'seller:sel_acme')).toBe('seller:sel_acme');
    expect(actorAsSeenBy(acme, 'system')).toBe('system');
  });

  it('X-6: a line view is trimmed: instructions hidden (flagged), decidedBy and extensions[].by shown per viewer', () => {
    const view = { status: 'active', accessInstructions: 'secret', decidedBy: 'staff:Alice Martin (ops)', extensions: [{ by: 'staff:Alice Martin (ops)', hours: 2 }] };
    expect(lineAsSeenBy(staff('finance'), line, view)).toEqual({ status: 'active', accessInstructionsHidden: true, decidedBy: 'staff:Alice Martin (ops)', extensions: [{ by: 'staff:Alice Martin (ops)', hours: 2 }] });
    expect(lineAsSeenBy(jane, line, view)).toEqual({ status: 'active', accessInstructions: 'secret', decidedBy: 'staff', extensions: [{ by: 'staff', hours: 2 }] });
    // A line without instructions (undecided) looks the same to everyone: no flag.
    expect(lineAsSeenBy(staff('support'), line, { status: 'awaiting_validation', extensions: [] })).toEqual({ status: 'awaiting_validation', extensions: [] });
    expect(view.accessInstructions).toBe('secret'); // the input is not changed
  });

  it('ACC-1: the regex fallback masks codes, credential URLs and the access instructions block, and nothing else', () => {
    expect(maskSecrets('Your sign-in code: 482913\nIt works once.')).toBe(`Your sign-in code: ${HIDDEN}\nIt works once.`);
    expect(maskSecrets('Open this link to sign in: https://market.test/sign-in?token=Zx81kQ_a-9 now')).toBe(`Open this link to sign in: ${HIDDEN} now`);
    expect(maskSecrets('Sign in: https://market.test/t/aB3dE5fG7h')).toBe(`Sign in: ${HIDDEN}`);
    expect(maskSecrets('Download: https://cdn.test/file.pdf?exp=1&sig=abcdef')).toBe(`Download: ${HIDDEN}`);
    expect(maskSecrets('Header\n\nAccess instructions:\nline 1\n\nline 2')).toBe(`Header\n\nAccess instructions:\n${HIDDEN}`);
    // No secret: unchanged (a URL without a token, the purchase order's promise of instructions, a short "code").
    for (const text of [
      'Download the invoice (PDF): http://api.test/invoices/inv_1/pdf',
      'Each seller validates its lines within 48 hours; you will receive the access instructions by e-mail.',
      'Error code 42.',
    ]) {
      expect(maskSecrets(text)).toBe(text);
    }
  });

  it('ACC-1: the addressee reads the text; staff read maskedText when the composer wrote one, else the fallback', () => {
    const email = { id: 'line:lin_x:access', customerId: 'cus_jane', text: 'Confirmation code: 7F3A9C2E' };
    expect(emailTextFor(jane, email)).toBe(email.text);
    // Sign-in links and SUB-10 codes prove the mailbox: masked for their addressee too.
    expect(emailTextFor(jane, { ...email, id: 'sub:lin_x:deletion-code:1' })).toBe(`Confirmation code: ${HIDDEN}`);
    expect(emailTextFor(jane, { ...email, id: 'signin:cus_jane:0123456789abcdef' })).toBe(`Confirmation code: ${HIDDEN}`);
    expect(emailTextFor(staff('support'), email)).toBe(`Confirmation code: ${HIDDEN}`);
    expect(emailTextFor(bob, email)).toBe(`Confirmation code: ${HIDDEN}`);
    expect(emailTextFor(staff('support'), { ...email, maskedText: `Confirmation code: ${HIDDEN} (composer)` } as typeof email)).toBe(`Confirmation code: ${HIDDEN} (composer)`);
  });
});
