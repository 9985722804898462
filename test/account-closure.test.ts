// ACC-3 on the dev server (its visibility lists every workflow of the file's task queue): a closure
// refused naming each obstacle, then a customer with real activity (checkout, a subscription and
// its end, a support ticket, e-mails received over SMTP) closes its account, and its e-mail
// address is searched for everywhere afterwards: every column of every table (the mailbox is one),
// and the decoded history of every workflow the system ran.
import { randomUUID } from 'node:crypto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { addressPattern, erasedEmail } from '../domain/account-closure';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { accountClosureWorkflowId } from '../workflows/account-closure';
import { subscriptionWorkflowId } from '../workflows/subscription';
import { tenderWorkflowId } from '../workflows/tender';
import { emailDeliveryWorkflow, emailDeliveryWorkflowId } from '../workflows/email-delivery';
import { useTestSystem } from './support/environments';
import { decodedPayloadTexts } from './support/history-secrets';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, placeOrder, waitForLineStatus } from './support/orders';
import { waitState } from './support/subscriptions';
import { freshPartner, postTender, tenderBody } from './support/tender-fixtures';
import { ticketFixtures, settledTicketSnapshot } from './support/ticket-fixtures';
import { ticketCommand } from './support/tickets';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

const readTender = (key: string, id: string) => http(sys.apiUrl, 'POST', `/partner/tenders/${id}/read`, { key, body: {} });

const ACME_ONLY = { offers: [DEMO.offers.acmeMail.id], terms: [{ sellerId: DEMO.sellers.acme.id, version: DEMO.sellers.acme.terms }] };

/** Where `needle` occurs (case-insensitively) in the database: "Table.column" → rows, over every column of every table. */
async function databaseHits(needle: string): Promise<Record<string, number>> {
  const columns = await sys.db.$queryRaw<{ table: string; column: string; type: string }[]>`
    SELECT c."table_name" AS "table", c."column_name" AS "column", c."data_type" AS "type"
    FROM information_schema.columns c JOIN information_schema.tables t ON t."table_schema" = c."table_schema" AND t."table_name" = c."table_name"
    WHERE c."table_schema" = current_schema() AND t."table_type" = 'BASE TABLE'`;
  const hits: Record<string, number> = {};
  for (const c of columns) {
    const col = `"${c.column}"`;
    // Binary columns (rendered PDFs and XML) are searched as bytes; everything else as its text.
    const where = c.type === 'bytea' ? `position(convert_to(lower($1), 'UTF8') IN ${col}) > 0 OR position(convert_to($1, 'UTF8') IN ${col}) > 0` : `${col}::text ILIKE '%' || $1 || '%'`;
    const [{ n }] = await sys.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${c.table}" WHERE ${where}`, needle);
    if (n > 0) hits[`${c.table}.${c.column}`] = n;
  }
  return hits;
}

/** Every workflow run of this file's task queue (visibility is eventually consistent: waits for `expected`). */
async function runsOfTaskQueue(expected: string[]): Promise<{ workflowId: string; runId: string }[]> {
  return eventually(async () => {
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${sys.taskQueue}"` })) runs.push({ workflowId: wf.workflowId, runId: wf.runId });
    return expected.every((id) => runs.some((r) => r.workflowId === id)) ? runs : undefined;
  }, 30_000, `the workflows ${expected.join(', ')} listed`);
}

/** Which workflow histories hold `needle` (case-insensitively), their payloads decoded as staff would read them. */
async function historyHits(runs: { workflowId: string; runId: string }[], needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const r of runs) {
    const history = JSON.parse(historyToJSON(await env.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory()));
    // Decoded payloads, and the plain fields (failure messages, search attributes) as they are.
    const text = `${(await decodedPayloadTexts(history)).join('\n')}\n${JSON.stringify(history)}`;
    if (text.toLowerCase().includes(needle.toLowerCase())) found.push(r.workflowId);
  }
  return found;
}

/** The code of the latest closure e-mail to `address`, as received by the SMTP server. */
async function closureCode(address: string, after: number): Promise<string> {
  const message = await eventually(
    async () => (await sys.db.mailboxMessage.findMany({ where: { toAddrs: { contains: address, mode: 'insensitive' }, subject: 'Your account closure code', id: { gt: after } } }))[0],
    20_000,
    'the closure code e-mail',
  );
  return /Closure code: ([A-Z0-9]{8})/.exec(message.text)![1];
}

/** Its EmailDelivery workflow is waiting for business hours (POL-5): a timer started, not fired. */
async function heldForBusinessHours(emailId: string): Promise<boolean> {
  try {
    const events = (await env.client.workflow.getHandle(emailDeliveryWorkflowId(emailId)).fetchHistory()).events ?? [];
    return events.some((e) => e.timerStartedEventAttributes) && !events.some((e) => e.timerFiredEventAttributes);
  } catch {
    return false; // not started yet
  }
}

/**
 * Waits until every e-mail of the account is sent or held for business hours (the ticket's, at
 * night: POL-5); else names those still on their way. Returns the held ones.
 */
async function everyEmailSentOrHeld(customerId: string): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const queued = await sys.db.email.findMany({ where: { customerId, status: { not: 'sent' } }, select: { id: true, attempts: true } });
    const held: string[] = [];
    for (const e of queued) if (e.attempts === 0 && (await heldForBusinessHours(e.id))) held.push(e.id);
    if (held.length === queued.length) return held;
    if (Date.now() > deadline) throw new Error(`e-mails neither sent nor held after 60 s: ${JSON.stringify(queued.filter((e) => !held.includes(e.id)))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function lastMailboxId(): Promise<number> {
  return (await sys.db.mailboxMessage.aggregate({ _max: { id: true } }))._max.id ?? 0;
}

describe('ACC-3 account closure', () => {
  it("ACC-3: the erasure's sweep replaces the address as a whole, in any case, and never a longer address that contains it", async () => {
    const sweep = async (text: string) =>
      (await sys.db.$queryRaw<{ out: string }[]>`SELECT regexp_replace(${text}, ${addressPattern('a.b@ex.test')}, 'X', 'gi') AS "out"`)[0].out;
    expect(await sweep('write to A.B@Ex.Test.')).toBe('write to X.');
    expect(await sweep('<a.b@ex.test>, a.b@ex.test')).toBe('<X>, X');
    expect(await sweep('{"email":"a.b@ex.test"}')).toBe('{"email":"X"}');
    // Other people's addresses: a longer local part, a longer domain, a subdomain.
    expect(await sweep('xa.b@ex.test a.b@ex.testing a.b@ex.test.fr a+b@ex.test')).toBe('xa.b@ex.test a.b@ex.testing a.b@ex.test.fr a+b@ex.test');
  });

  it('ACC-3: a closure is refused naming each obstacle: an active service, an unpaid invoice, an order in progress (and an open ticket); nothing is sent or changed', async () => {
    // A running subscription with an open incident and another whose diagnostic is invoiced, unpaid.
    const f = await ticketFixtures(env.client, sys);
    await settledTicketSnapshot(env.client, sys, f);
    // An order of the same account still with its seller.
    const pending = await placeOrder(sys.apiUrl, { ...ACME_ONLY, email: f.service.email });
    expect(pending.customerId).toBe(f.service.customerId);
    await linesAwaitingValidation(sys.db, pending);
    const invoice = await sys.db.invoice.findFirstOrThrow({ where: { ticketId: f.due, kind: 'invoice' } });

    const res = await http(sys.apiUrl, 'POST', '/account/closure', { key: f.service.customerKey, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.contentType).toMatch(/application\/problem\+json/);
    const named = (res.body.obstacles as { kind: string; ref: string }[]).map((o) => `${o.kind} ${o.ref}`).sort();
    expect(named).toEqual(
      [
        `active_service ${f.service.lineId}`,
        `active_service ${f.consenting}`,
        `active_service ${f.due}`,
        `unpaid_invoice ${invoice.number}`,
        `order_in_progress ${pending.number}`,
      ].sort(),
    );
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['account.active_service', 'account.unpaid_invoice', 'account.order_in_progress']));

    // Nothing was started: no code, no e-mail, and a confirmation without a request is refused.
    expect(await sys.db.confirmationCode.count({ where: { subjectId: f.service.customerId } })).toBe(0);
    expect(await sys.db.email.count({ where: { id: { startsWith: `account-closure:${f.service.customerId}:` } } })).toBe(0);
    const confirm = await http(sys.apiUrl, 'POST', '/account/closure/confirm', { key: f.service.customerKey, body: { code: 'ABCDEFGH' } });
    expect(confirm.status).toBe(409);
    expect((await sys.db.customer.findUniqueOrThrow({ where: { id: f.service.customerId } })).closedAt).toBeNull();
  });

  it('ACC-3: after a checkout, a subscription ended, a ticket and e-mails received, the account closes on its e-mailed code; keys revoked, open calls for tenders withdrawn (TND-1), e-mails not yet sent cancelled, partnerships ended, and its e-mail address is nowhere: no table (its issued invoices included), no mailbox copy, no workflow history', async () => {
    const u = randomUUID().slice(0, 8);
    // Mixed case, as a person may type it: every search below is case-insensitive.
    const email = `Closing.Buyer-${u}@Example.test`;
    const order = await placeOrder(sys.apiUrl, { ...ACME_ONLY, email });
    await linesAwaitingValidation(sys.db, order);
    const lineId = order.lines[0].lineId;
    const key = order.customerApiKey;

    // The seller's access instructions name the buyer's login; the subscription starts.
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: `login: ${email.toLowerCase()} / password: on first sign-in` } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    await waitState(env.client, lineId, (s) => s.status === 'active');
    // The workflow is active before its read model is written (the routes below read the row).
    await eventually(() => sys.db.subscription.findUnique({ where: { id: lineId } }), 20_000, 'subscription row');

    // A support contact (the buyer itself) and a support ticket whose message quotes the address.
    const contact = await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/support-contacts`, { key, body: { name: 'Closing Buyer', email } });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    const opened = await http(sys.apiUrl, 'POST', '/tickets', {
      key,
      body: { requestId: `req-${u}`, subscriptionId: lineId, contactId: contact.body.contactId, kind: 'support', subject: 'Mailbox quota of Closing Buyer', message: `Please write to ${email} about the mailbox.` },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const ticket = opened.body as { ticketId: string };
    const closed = await ticketCommand(sys, ticket.ticketId, 'close', { reason: 'Solved on my own' }, key);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await eventually(async () => (await sys.db.ticket.findUnique({ where: { id: ticket.ticketId } }))?.status === 'closed', 20_000, 'ticket closed');

    // Records other features write for the account: a charity verification, a call for tenders,
    // and a partnership in force (no workflow of its own here: the signal finds none, which is fine).
    await sys.db.customerVerification.create({ data: { id: `cver_${u}`, customerId: order.customerId, kind: 'charity', evidenceRef: `RNA W123 (sent by ${email})`, expiresAt: new Date(Date.now() + 86_400_000), recordedBy: 'staff:test' } });
    await sys.db.tender.create({
      data: { id: `tnd_${u}`, customerId: order.customerId, contactName: 'Closing Buyer', contactEmail: email.toLowerCase(), contactPhone: '+33 6 00 00 00 00', category: 'hosting', title: 'Hosting', excerpt: 'We need hosting', description: 'Full text', status: 'closed' },
    });
    // An open call posted through the API (its Tender workflow, its contact the account's address),
    // read in full by a partner opted in to its category.
    const reader = await freshPartner(sys.db, ['web_hosting']);
    const openCall = await postTender(sys.apiUrl, key, tenderBody({ category: 'web_hosting' }));
    expect((await readTender(reader.key, openCall.tenderId)).status).toBe(200);
    await sys.db.partner.create({ data: { id: `prt_${u}`, customerId: `cus_partner_${u}`, companyName: 'Partner SAS', registrationNumber: '123456789', website: 'https://partner.test', legalRepresentatives: [{ name: 'Rep', email: 'rep@partner.test' }], status: 'approved' } });
    const partnership = await sys.db.partnership.create({
      data: { id: `pship_${u}`, customerId: order.customerId, partnerId: `prt_${u}`, status: 'active', requestedBy: 'partner', requestedAccess: 'limited', access: 'limited', invitedAt: new Date(), lapsesAt: new Date(Date.now() + 14 * 86_400_000) },
    });

    // The service is ended by the customer (SUB-10): nothing is in the way any more.
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion`, { key, body: {} })).status).toBe(200);
    const deletionMail = await eventually(async () => (await sys.db.email.findFirst({ where: { id: { startsWith: `sub:${lineId}:deletion-code:` } } })) ?? undefined, 20_000, 'deletion code');
    const deletionCode = /Confirmation code: (\w+)/.exec(deletionMail.text)![1];
    const deleted = await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion/confirm`, { key, body: { code: deletionCode } });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    await waitForLineStatus(sys.db, lineId, 'terminated');

    // The scan finds the address where the activity above put it (it is not blind).
    const written = await databaseHits(email);
    expect(Object.keys(written)).toEqual(expect.arrayContaining(['Customer.email', 'Order.customerEmail', 'Email.toAddress', 'MailboxMessage.toAddrs', 'SupportContact.email', 'TicketMessage.text', 'OrderLine.accessInstructions', 'AccessInstructions.text', 'ApiKey.label', 'Tender.contactEmail', 'CustomerVerification.evidenceRef']));
    // Invoices name the buyer by name and address, never by e-mail (README "Account closure").
    expect(written['Invoice.document']).toBeUndefined();

    // The closure: a code by e-mail; a wrong one is counted, the right one closes.
    const before = await lastMailboxId();
    const asked = await http(sys.apiUrl, 'POST', '/account/closure', { key, body: {} });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const code = await closureCode(email, before);
    const wrong = await http(sys.apiUrl, 'POST', '/account/closure/confirm', { key, body: { code: code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.reason).toBe('WrongCode');
    expect(wrong.body.errors[0].field).toBe('body.code');
    // Every e-mail of the account has reached the mailbox before the closure, or is held (a ticket's,
    // outside business hours); and one held for a few seconds, as POL-5 holds a ticket's e-mail until business hours: the
    // closure cancels it, so it never goes (its address is erased).
    const heldId = `test:${u}:held`;
    await sys.db.email.create({ data: { id: heldId, customerId: order.customerId, toAddress: email, subject: 'Held', text: `For ${email}`, status: 'queued', messageId: `<${heldId}@test>` } });
    const heldDelivery = await env.client.workflow.start(emailDeliveryWorkflow, { workflowId: emailDeliveryWorkflowId(heldId), taskQueue: sys.taskQueue, args: [heldId, new Date(Date.now() + 25_000).toISOString()] });
    const held = await everyEmailSentOrHeld(order.customerId);
    expect(held).toContain(heldId);
    const done = await http(sys.apiUrl, 'POST', '/account/closure/confirm', { key, body: { code } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: 'closed', customerId: order.customerId, workflowId: accountClosureWorkflowId(order.customerId), partnershipsEnded: 1, tendersWithdrawn: 1 });

    // Closed: the key no longer works, no sign-in link reaches the old address, the partnership ended.
    expect((await http(sys.apiUrl, 'GET', '/me/keys', { key })).status).toBe(401);
    const customer = await sys.db.customer.findUniqueOrThrow({ where: { id: order.customerId } });
    expect(customer).toMatchObject({ email: erasedEmail(order.customerId), name: '[erased]', address: null, vatNumber: null });
    expect(customer.closedAt).not.toBeNull();
    expect(await sys.db.apiKey.count({ where: { customerId: order.customerId, revokedAt: null } })).toBe(0);
    expect(await sys.db.partnership.findUniqueOrThrow({ where: { id: partnership.id } })).toMatchObject({ status: 'ended', endedBy: 'account_closed' });
    expect((await http(sys.apiUrl, 'POST', '/auth/sign-in', { body: { email } })).status).toBe(202);
    // TND-1: its open call is withdrawn: the partner can no longer read it; nothing was e-mailed
    // about it (its contact is erased).
    expect(await sys.db.tender.findUniqueOrThrow({ where: { id: openCall.tenderId } })).toMatchObject({ status: 'withdrawn', contactEmail: erasedEmail(order.customerId) });
    const refusedRead = await readTender(reader.key, openCall.tenderId);
    expect(refusedRead.status).toBe(409);
    expect(refusedRead.body.reason).toBe('TenderWithdrawn');
    expect(await sys.db.email.count({ where: { id: `tnd:${openCall.tenderId}:withdrawn` } })).toBe(0);

    // The e-mails not sent by then are cancelled and never sent: their deliveries end without a
    // transmission (the held one's 25 seconds ran out meanwhile).
    expect(await heldDelivery.result()).toBe('cancelled');
    const cancelled = await sys.db.email.findMany({ where: { id: { in: held } }, select: { status: true, attempts: true, messageId: true } });
    expect(cancelled.map((e) => [e.status, e.attempts])).toEqual(held.map(() => ['cancelled', 0]));
    expect(await sys.db.mailboxMessage.count({ where: { messageId: { in: cancelled.map((e) => e.messageId) } } })).toBe(0);

    // The database: nowhere, invoices and credit notes included (their frozen copy names the buyer
    // by name and address only, never by e-mail), though the account has both.
    const invoices = await sys.db.invoice.count({ where: { customerId: order.customerId } });
    expect(invoices).toBeGreaterThanOrEqual(1);
    expect(await databaseHits(email)).toEqual({});
    expect((await sys.db.ticket.findUniqueOrThrow({ where: { id: ticket.ticketId } })).subject).not.toContain('Closing Buyer');
    // The mailbox kept its copies, addressed and worded as tombstones.
    expect(await sys.db.mailboxMessage.count({ where: { toAddrs: erasedEmail(order.customerId) } })).toBeGreaterThanOrEqual(5);

    // Temporal: the histories of every workflow this file ran, decoded with the payload keys.
    const runs = await runsOfTaskQueue([`Order:${order.orderId}`, `OrderLine:${lineId}`, subscriptionWorkflowId(lineId), `Ticket:${ticket.ticketId}`, tenderWorkflowId(openCall.tenderId), accountClosureWorkflowId(order.customerId)]);
    expect(runs.filter((r) => r.workflowId.startsWith('EmailDelivery:')).length).toBeGreaterThanOrEqual(5);
    // The search reads decoded payloads (the offer's name is only in encrypted ones).
    expect(await historyHits(runs, 'Acme Mail Pro')).toEqual(expect.arrayContaining([`Order:${order.orderId}`, `OrderLine:${lineId}`]));
    expect(await historyHits(runs, email)).toEqual([]);
    // Nor the buyer's name (checkout's "Test Buyer", the contact's "Closing Buyer", the ticket's
    // subject: the customer's text stays in the database, where the closure erased it).
    expect(await historyHits(runs, 'Test Buyer')).toEqual([]);
    expect(await historyHits(runs, 'Closing Buyer')).toEqual([]);
  });
});
