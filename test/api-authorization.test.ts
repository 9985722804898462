// X-6 on every route of the API: a seller sees and acts only on its own lines, a customer only on
// its own orders, lines and e-mails, staff by role; a missing key is 401 on closed routes, an
// unknown or malformed key is 401 everywhere. One table gives the expected status of every
// (route, principal) pair, so no pair is left out; an anonymous checkout's order token (X-8) is one
// more caller of the table. Runs on the shared Temporal dev server.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from './support/environments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletionLinkSubject, signLink } from '../api/signed-links';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { TEST_IBANS } from '../infra/sandbox-payouts';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { ticketWorkflowId } from '../workflows/ticket';
import { checkoutBody } from './support/checkout';
import { eventually, http, type HttpResponse } from './support/http';
import { linesAwaitingValidation, newIdempotencyKey, placeOrder, signIn, signInToken, waitForLineStatus, type PlacedOrder } from './support/orders';
import { PRINCIPALS, type PrincipalName } from './support/principals';
import { freshSeller, type FreshSeller } from './support/sellers';
import { applicationBody, apply } from './support/application-fixtures';
import { nothingDuePayout } from './support/payouts';
import { startTestSystem, type TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

/** Two customers, each with one order of an Acme line and a Globex line. */
interface Fixtures {
  orderA: PlacedOrder;
  orderB: PlacedOrder;
  keyA: string;
  keyB: string;
  /** Undecided: every refusal below must leave them so. */
  acmeA: string;
  globexA: string;
  /** Decided in beforeAll (accepted, refused): a caller who may decide gets 409 on them. */
  acmeB: string;
  globexB: string;
  /** customerB's running subscription (acmeB accepted), and one it ended by deletion (SUB-10). */
  runningB: string;
  endedB: string;
  /** The checkout invoice of orderB for Acme (INV-1). */
  invoiceB: string;
  /** customerA's declined (never paid) order: its owner's withdrawal is refused (409), nothing moves. */
  unpaidA: string;
  /** X-8: the order token orderA's anonymous checkout answered: it reads orderA and nothing else. */
  tokenA: string;
  /** A second key of each customer (signed in again): the table rotates these, not the ones above. */
  spareKeys: Partial<Record<Caller, string>>;
  /** A key of customerB that only customerB may revoke (others are told it is none of theirs). */
  revocableB: string;
  /** One sign-in link token per caller: each exchanges its own (a link works once). */
  signInTokens: Partial<Record<Caller, string>>;
  /** The Update by which Acme accepted acmeB: its outcome is at GET /updates/OrderLine:<acmeB>/<id>. */
  acceptB: string;
  /** POL-5: the one named support contact of runningB (Acme Mail: basic tier, one contact allowed, so it is full). */
  contactB: string;
  /** customerB's tickets on runningB (an Acme offer). Every command of the table is refused on them by state. */
  tickets: {
    /** An incident awaiting consent (DIA-1): stays so, the table only sends it refused commands. */
    incident: string;
    /** A `support` ticket awaiting support: Acme reads it; the table never writes to it. */
    support: string;
    /** A `support` ticket customerB closed: a command that passes X-6 is refused (409). */
    closed: string;
  };
  /** KYC-1: an incomplete seller application: ops' decisions on it are refused by state (409). */
  applicationId: string;
  /** Seller cases (MED-1..MED-7). Every command of the table is refused on them by state (409). */
  cases: {
    /**
     * A closure case awaiting its contest (MED-2), on a seller of its own: it suspends its seller
     * (MED-1), and the demo sellers take the table's orders. No caller of the table owns it.
     */
    closure: string;
    closureSeller: FreshSeller;
    /** A complaint of each demo seller awaiting its meeting (MED-7): while it is open, the seller's next complaint is refused (409). */
    complaints: Record<'sellerAcme' | 'sellerGlobex' | 'sellerInitech', string>;
    /** Globex's closure request (MED-6), withdrawn by ops: every command on it is refused (409). */
    ended: string;
    /** The cases' timeline entries once the fixtures were made: the table adds none. */
    audit: number;
  };
  /** PYO-2: Acme's payout (nothing due) and its statement. */
  payoutAcme: string;
}
let f: Fixtures;

const EMAIL_A = 'x6-alice@example.test';
const EMAIL_B = 'x6-bob@example.test';

/** Every caller of the table: the principals of every X-6 test, and an order token (X-8). */
type Caller = PrincipalName | 'orderTokenA';
const CALLERS: readonly Caller[] = [...PRINCIPALS, 'orderTokenA'];

beforeAll(async () => {
  env = await devServerEnv();
  sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection });
  const orderA = await placeOrder(sys.apiUrl, { email: EMAIL_A });
  const orderB = await placeOrder(sys.apiUrl, { email: EMAIL_B });
  expect(orderA.customerApiKey).toMatch(/^cust_/);
  expect(orderB.customerApiKey).toMatch(/^cust_/);
  expect(orderA.orderToken).toMatch(/^ot1\./);
  await linesAwaitingValidation(sys.db, orderA);
  await linesAwaitingValidation(sys.db, orderB);
  const lineOf = (o: PlacedOrder, sellerId: string) => o.lines.find((l) => l.sellerId === sellerId)!.lineId;
  f = {
    runningB: '',
    endedB: '',
    invoiceB: '',
    unpaidA: '',
    payoutAcme: '',
    tokenA: orderA.orderToken,
    spareKeys: {},
    revocableB: '',
    signInTokens: {},
    acceptB: '',
    contactB: '',
    tickets: { incident: '', support: '', closed: '' },
    cases: { closure: '', closureSeller: undefined as unknown as FreshSeller, complaints: { sellerAcme: '', sellerGlobex: '', sellerInitech: '' }, ended: '', audit: 0 },
    applicationId: '',
    orderA,
    orderB,
    keyA: orderA.customerApiKey!,
    keyB: orderB.customerApiKey!,
    acmeA: lineOf(orderA, DEMO.sellers.acme.id),
    globexA: lineOf(orderA, DEMO.sellers.globex.id),
    acmeB: lineOf(orderB, DEMO.sellers.acme.id),
    globexB: lineOf(orderB, DEMO.sellers.globex.id),
  };
  const accepted = await http(sys.apiUrl, 'POST', `/orders/${orderB.orderId}/lines/${f.acmeB}/accept`, {
    key: DEMO_KEYS.sellerAcme,
    body: { accessInstructions: 'https://mail.acme.test' },
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  const refused = await http(sys.apiUrl, 'POST', `/orders/${orderB.orderId}/lines/${f.globexB}/refuse`, {
    key: DEMO_KEYS.sellerGlobex,
    body: { reason: 'Region not served' },
  });
  expect(refused.status, JSON.stringify(refused.body)).toBe(200);
  await waitForLineStatus(sys.db, f.acmeB, 'active');
  await waitForLineStatus(sys.db, f.globexB, 'refused');
  const history = await env.client.workflow.getHandle(`OrderLine:${f.acmeB}`).fetchHistory();
  f.acceptB = history.events!.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId).find((id) => id)!;
  expect(f.acceptB).toBeTruthy();

  // Subscriptions of customerB: acmeB's keeps running; a second one is ended by its owner, so
  // that an owner's command on it is refused by the workflow (409), proving it passed X-6.
  const orderC = await placeOrder(sys.apiUrl, { email: EMAIL_B, offers: [DEMO.offers.acmeMail.id] });
  await linesAwaitingValidation(sys.db, orderC);
  const endedB = orderC.lines[0].lineId;
  await http(sys.apiUrl, 'POST', `/orders/${orderC.orderId}/lines/${endedB}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'ok' } });
  for (const id of [f.acmeB, endedB]) {
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id } })) !== null, 20_000, `subscription ${id}`);
  }
  expect((await http(sys.apiUrl, 'POST', `/subscriptions/${endedB}/deletion`, { key: f.keyB, body: {} })).status).toBe(200);
  const codeMail = await eventually(async () => (await sys.db.email.findFirst({ where: { id: { startsWith: `sub:${endedB}:deletion-code:` } } })) ?? undefined, 20_000, 'deletion code');
  const code = /Confirmation code: (\w+)/.exec(codeMail.text)![1];
  expect((await http(sys.apiUrl, 'POST', `/subscriptions/${endedB}/deletion/confirm`, { key: f.keyB, body: { code } })).status).toBe(200);
  const invoice = await eventually(async () => (await sys.db.invoice.findFirst({ where: { orderId: orderB.orderId, sellerId: DEMO.sellers.acme.id } })) ?? undefined, 20_000, 'invoice');
  const declined = await http(sys.apiUrl, 'POST', '/checkout', { body: checkoutBody({ email: EMAIL_A, card: TEST_CARDS.declined }), headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(declined.status, JSON.stringify(declined.body)).toBe(402);
  f = { ...f, runningB: f.acmeB, endedB, invoiceB: invoice.id, unpaidA: declined.body.orderId };

  // X-8: keys come from sign-in links. Spare keys for the rotation row, a key of B for the
  // revocation row, and a link token for each caller of the exchange row.
  for (const [p, email] of [['customerA', EMAIL_A], ['customerB', EMAIL_B], ['customerDemo', DEMO.customer.email]] as const) {
    f.spareKeys[p] = (await signIn(sys.apiUrl, email)).apiKey;
  }
  f.revocableB = (await signIn(sys.apiUrl, EMAIL_B)).keyId;
  for (const p of CALLERS) f.signInTokens[p] = await signInToken(sys.apiUrl, EMAIL_A);

  // Support tickets (DIA-1..DIA-8, POL-5): the ended subscription's row must say so (POST /tickets
  // on it is refused 409), runningB gets its one named contact and three tickets of customerB.
  await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: endedB } }))?.status === 'terminated', 20_000, 'ended subscription');
  await openTicketFixtures();
  await openCaseFixtures();
  await openPayoutFixture();
  await openTenderFixtures();
});

/** TND-1: customerB's calls for tenders, one open and one it withdrew. */
let tenders = { openB: '', withdrawnB: '' };
async function openTenderFixtures(): Promise<void> {
  const post = async () => {
    const res = await http(sys.apiUrl, 'POST', '/tenders', { key: f.keyB, body: { category: 'consulting', title: 'X-6 call', excerpt: 'An excerpt', description: 'The brief' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.tenderId as string;
  };
  tenders = { openB: await post(), withdrawnB: await post() };
  expect((await http(sys.apiUrl, 'POST', `/tenders/${tenders.withdrawnB}/withdraw`, { key: f.keyB, body: {} })).status).toBe(200);
}

/** PYO-2: a payout of Acme with its statement (nothing was due). */
async function openPayoutFixture(): Promise<void> {
  f.payoutAcme = await nothingDuePayout(sys.db, DEMO.sellers.acme.id, '2099-01-15');
}

async function openTicketFixtures(): Promise<void> {
  // customerB names itself: its ticket e-mails go to its own address, as its other e-mails do.
  const contact = await http(sys.apiUrl, 'POST', `/subscriptions/${f.runningB}/support-contacts`, { key: f.keyB, body: { name: 'Bob Named', email: EMAIL_B } });
  expect(contact.status, JSON.stringify(contact.body)).toBe(201);
  f.contactB = contact.body.contactId;
  const open = async (kind: 'incident' | 'support') => {
    const body = { requestId: `x6-${randomUUID()}`, subscriptionId: f.runningB, contactId: f.contactB, kind, subject: `X-6 ${kind}`, message: 'It does not work.' };
    const res = await http(sys.apiUrl, 'POST', '/tickets', { key: f.keyB, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.ticketId as string;
  };
  f.tickets = { incident: await open('incident'), support: await open('support'), closed: await open('support') };
  const closed = await http(sys.apiUrl, 'POST', `/tickets/${f.tickets.closed}/close`, { key: f.keyB, body: { reason: 'Solved on my own' } });
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  expect(closed.body.status).toBe('closed');
  // Its process ends once closed: commands then meet an ended workflow, not a running one.
  await env.client.workflow.getHandle(ticketWorkflowId(f.tickets.closed)).result();
  await eventually(async () => (await sys.db.ticket.findUnique({ where: { id: f.tickets.closed } }))?.status === 'closed', 20_000, 'closed ticket row');
  for (const [id, status] of [[f.tickets.incident, 'awaiting_consent'], [f.tickets.support, 'awaiting_support']] as const) {
    await eventually(async () => (await sys.db.ticket.findUnique({ where: { id } }))?.status === status, 20_000, `ticket ${id} ${status}`);
  }
}

/** MED-1: the closure case goes to a fresh seller, never a demo one (it would be suspended: no more orders for the table). */
async function openCaseFixtures(): Promise<void> {
  const open = async (key: string, path: string, body: unknown) => {
    const res = await http(sys.apiUrl, 'POST', path, { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.caseId as string;
  };
  const closureSeller = await freshSeller(sys.db);
  const closure = await open(DEMO_KEYS.ops, `/ops/sellers/${closureSeller.sellerId}/cases`, { reasons: 'X-6: repeated customer complaints', letterReference: 'LR-X6-0001' });
  const complain = (key: string) => open(key, '/seller/cases', { kind: 'complaint', text: 'Payouts arrive late' });
  const complaints = { sellerAcme: await complain(DEMO_KEYS.sellerAcme), sellerGlobex: await complain(DEMO_KEYS.sellerGlobex), sellerInitech: await complain(DEMO_KEYS.sellerPending) };
  const ended = await open(DEMO_KEYS.sellerGlobex, '/seller/cases', { kind: 'closure_request', text: 'We stop selling here' });
  const withdrawn = await http(sys.apiUrl, 'POST', `/cases/${ended}/withdraw`, { key: DEMO_KEYS.ops, body: { reason: 'Settled by phone' } });
  expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
  expect(withdrawn.body.status).toBe('withdrawn');
  // The API reads a case's row first: each must say the state the workflow is in.
  for (const [id, status] of [[closure, 'awaiting_contest'], ...Object.values(complaints).map((id) => [id, 'awaiting_meeting']), [ended, 'withdrawn']]) {
    await eventually(async () => (await sys.db.sellerCase.findUnique({ where: { id } }))?.status === status, 20_000, `case ${id} ${status}`);
  }
  await eventually(async () => (await sys.db.seller.findUnique({ where: { id: closureSeller.sellerId } }))?.status === 'suspended', 20_000, 'closure seller suspended');
  f.cases = { closure, closureSeller, complaints, ended, audit: await sys.db.auditLog.count({ where: { entityType: 'seller_case' } }) };
  f.applicationId = (await apply(sys.apiUrl)).applicationId;
}

afterAll(async () => {
  await sys?.stop();
  await env?.teardown();
});

// --- principals ----------------------------------------------------------------------------------

/** The Authorization header each caller sends (none for anonymous). */
function authorization(p: Caller): string | undefined {
  switch (p) {
    case 'anonymous':
      return undefined;
    case 'admin':
      return `Bearer ${DEMO_KEYS.admin}`;
    case 'ops':
      return `Bearer ${DEMO_KEYS.ops}`;
    case 'support':
      return `Bearer ${DEMO_KEYS.support}`;
    case 'finance':
      return `Bearer ${DEMO_KEYS.finance}`;
    case 'sellerAcme':
      return `Bearer ${DEMO_KEYS.sellerAcme}`;
    case 'sellerGlobex':
      return `Bearer ${DEMO_KEYS.sellerGlobex}`;
    case 'sellerInitech':
      return `Bearer ${DEMO_KEYS.sellerPending}`;
    case 'customerA':
      return `Bearer ${f.keyA}`;
    case 'customerB':
      return `Bearer ${f.keyB}`;
    case 'customerDemo':
      return `Bearer ${DEMO_KEYS.customer}`;
    case 'wrongKey':
      return 'Bearer nope';
    case 'malformedHeader':
      return 'Basic abc';
    case 'orderTokenA':
      return `Bearer ${f.tokenA}`;
  }
}

function call(p: Caller | { authorization: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
  const header = typeof p === 'string' ? authorization(p) : p.authorization;
  return http(sys.apiUrl, method, path, { body, headers: header === undefined ? headers : { ...headers, authorization: header } });
}

/** Checkout requires an Idempotency-Key (ORD-4): a fresh one per request. */
const idempotent = () => ({ 'idempotency-key': newIdempotencyKey() });

// --- the table -------------------------------------------------------------------------------------

interface RouteDef {
  /** The OpenAPI operation, or UNKNOWN. */
  route: string;
  /** Which case of the route this row is, where the route has more than one row. */
  note?: string;
  method: 'GET' | 'POST';
  path: (p: Caller) => string;
  body?: (p: Caller) => unknown;
  /** Headers the route requires besides Authorization (checkout's Idempotency-Key). */
  headers?: () => Record<string, string>;
  /** The Authorization header of a caller, where the route needs another key than the table's. */
  as?: (p: Caller) => string | undefined;
  /** Every caller must appear: the type makes a forgotten one a compile error. */
  expected: Record<Caller, number>;
}

const UNKNOWN = 'unknown route';
/** The form each link page posts (api/routes/links.ts), sent as JSON here. */
const LINK_FORMS: Record<string, unknown> = {
  'card-update': { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '123' },
  'manual-payment': {},
  'deletion-confirmation': { code: 'ABCD1234' },
  withdrawal: {},
  'support-payment': { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '123' },
  'tender-withdrawal': {},
};
const BAD_KEYS = { wrongKey: 401, malformedHeader: 401 } as const;
/** Callers who pass the route's gate and own the line are sent to a decided line: 409 proves they got through. */
const decisionPath = (command: string, deciders: Caller[]) => (p: Caller) =>
  deciders.includes(p) ? `/orders/${f.orderB.orderId}/lines/${f.acmeB}/${command}` : `/orders/${f.orderA.orderId}/lines/${f.acmeA}/${command}`;

/** A command of customerB's alone: it passes X-6 and gets `owner` (a refusal by state); every other caller 403. */
const customerCommand = (owner: number): Record<Caller, number> => ({
  anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
  sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
  customerA: 403, customerB: owner, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
});

const ROUTES: RouteDef[] = [
  {
    route: 'POST /checkout',
    method: 'POST',
    path: () => '/checkout',
    headers: idempotent,
    // A customer orders under its own e-mail; anyone else under a fresh one.
    body: (p) => checkoutBody({ email: p === 'customerA' ? EMAIL_A : p === 'customerB' ? EMAIL_B : p === 'customerDemo' ? DEMO.customer.email : undefined, offers: [DEMO.offers.acmeMail.id] }),
    expected: {
      anonymous: 201, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 201, customerB: 201, customerDemo: 201, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /orders/{orderId}',
    method: 'GET',
    path: () => `/orders/${f.orderA.orderId}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 200,
    },
  },
  {
    route: 'GET /orders/{orderId}/lines/{lineId}',
    method: 'GET',
    path: () => `/orders/${f.orderA.orderId}/lines/${f.acmeA}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 200, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'POST /orders/{orderId}/lines/{lineId}/accept',
    method: 'POST',
    path: decisionPath('accept', ['sellerAcme']),
    body: () => ({ accessInstructions: 'https://example.test/access' }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 409, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'POST /orders/{orderId}/lines/{lineId}/refuse',
    method: 'POST',
    path: decisionPath('refuse', ['sellerAcme']),
    body: () => ({ reason: 'Not for us' }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 409, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'POST /orders/{orderId}/lines/{lineId}/cancel',
    method: 'POST',
    path: decisionPath('cancel', ['admin', 'ops']),
    body: () => ({ reason: 'Seller unreachable' }),
    expected: {
      anonymous: 401, admin: 409, ops: 409, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'POST /orders/{orderId}/lines/{lineId}/extend',
    method: 'POST',
    path: decisionPath('extend', ['admin', 'ops']),
    body: () => ({ hours: 24 }),
    expected: {
      anonymous: 401, admin: 409, ops: 409, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /ops/lines',
    method: 'GET',
    path: () => '/ops/lines?status=awaiting_validation',
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /seller/lines',
    method: 'GET',
    path: () => '/seller/lines',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /customers/{customerId}/emails',
    method: 'GET',
    path: () => `/customers/${f.orderA.customerId}/emails`,
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 200, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /mailbox',
    method: 'GET',
    path: () => '/mailbox',
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 200, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /offers',
    method: 'GET',
    path: () => '/offers',
    expected: {
      anonymous: 200, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 200,
    },
  },
  {
    route: 'GET /subscriptions/{subscriptionId}',
    method: 'GET',
    path: () => `/subscriptions/${f.runningB}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 200, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 200, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  ...(
    [
      ['renewal-mode', { mode: 'manual' }],
      ['terminate', {}],
      ['withdraw-termination', {}],
      ['pay-next-period', {}],
      ['quantity', { quantity: 2 }],
      ['card', { card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } }],
      ['deletion', {}],
      ['deletion/confirm', { code: 'ABCD1234' }],
    ] as const
  ).map(([command, body]): RouteDef => ({
    // Sent to customerB's ended subscription: its owner passes X-6 and the workflow refuses (409).
    route: `POST /subscriptions/{subscriptionId}/${command}`,
    method: 'POST',
    path: () => `/subscriptions/${f.endedB}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 409, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    // SUB-11 withdraws every line of an order, undecided ones included: orderA (whose lines must
    // stay undecided) is not used; customerA's never-paid order is, its owner passes X-6 and is
    // told there is nothing to withdraw (409).
    route: 'POST /orders/{orderId}/withdraw',
    method: 'POST',
    path: () => `/orders/${f.unpaidA}/withdraw`,
    body: () => ({}),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 409, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /customers/{customerId}/invoices',
    method: 'GET',
    path: () => `/customers/${f.orderB.customerId}/invoices`,
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 200, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 200, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  ...(['pdf', 'xml'] as const).map((format): RouteDef => ({
    route: `GET /invoices/{invoiceId}/${format}`,
    method: 'GET',
    // Acme's invoice: Acme issued it, so downloads it; the other sellers get 403.
    path: () => `/invoices/${encodeURIComponent(f.invoiceB)}/${format}`,
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 403, finance: 200,
      sellerAcme: 200, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 200, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    // A command's outcome (api/temporal-errors.ts): whoever may read the line — its customer, its
    // seller, ops and admin — reads how Acme's accept of acmeB went.
    route: 'GET /updates/{workflowId}/{updateId}',
    method: 'GET',
    path: () => `/updates/${encodeURIComponent(`OrderLine:${f.acmeB}`)}/${f.acceptB}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 200, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // X-8: access to an account. Signing in is open to every caller (the answer never tells whether
  // the address has an account); a caller's keys are its own.
  {
    route: 'POST /auth/sign-in',
    method: 'POST',
    path: () => '/auth/sign-in',
    body: () => ({ email: 'x6-nobody@example.test' }),
    expected: {
      anonymous: 202, admin: 202, ops: 202, support: 202, finance: 202,
      sellerAcme: 202, sellerGlobex: 202, sellerInitech: 202,
      customerA: 202, customerB: 202, customerDemo: 202, ...BAD_KEYS, orderTokenA: 202,
    },
  },
  {
    route: 'GET /auth/sign-in',
    method: 'GET',
    path: () => `/auth/sign-in?token=${'A'.repeat(43)}`,
    expected: {
      anonymous: 200, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 200,
    },
  },
  {
    // Each caller exchanges a link of its own (customerA's address): the link, not the caller, is
    // what proves control of the address.
    route: 'POST /auth/sign-in/exchange',
    method: 'POST',
    path: () => '/auth/sign-in/exchange',
    body: (p) => ({ token: f.signInTokens[p] }),
    expected: {
      anonymous: 201, admin: 201, ops: 201, support: 201, finance: 201,
      sellerAcme: 201, sellerGlobex: 201, sellerInitech: 201,
      customerA: 201, customerB: 201, customerDemo: 201, ...BAD_KEYS, orderTokenA: 201,
    },
  },
  {
    route: 'GET /me/keys',
    method: 'GET',
    path: () => '/me/keys',
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // A key of customerB: B revokes it; every other key holder is told it is none of theirs (404).
    route: 'POST /me/keys/{keyId}/revoke',
    method: 'POST',
    path: () => `/me/keys/${f.revocableB}/revoke`,
    body: () => ({}),
    expected: {
      anonymous: 401, admin: 404, ops: 404, support: 404, finance: 404,
      sellerAcme: 404, sellerGlobex: 404, sellerInitech: 404,
      customerA: 404, customerB: 200, customerDemo: 404, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // Rotation revokes the key it is called with: customers call it with their spare keys.
    route: 'POST /me/keys/rotate',
    method: 'POST',
    path: () => '/me/keys/rotate',
    body: () => ({}),
    as: (p) => (f.spareKeys[p] ? `Bearer ${f.spareKeys[p]}` : authorization(p)),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 201, customerB: 201, customerDemo: 201, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // The list routes (api/routes/*-lists.ts): a customer's own, a seller's own, staff lookups.
  ...['/me/orders', '/me/subscriptions', '/me/payments'].map((path): RouteDef => ({
    route: `GET ${path}`,
    method: 'GET',
    path: () => path,
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  ...['/seller/subscriptions', '/seller/documents'].map((path): RouteDef => ({
    route: `GET ${path}`,
    method: 'GET',
    path: () => path,
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    route: 'GET /customers',
    method: 'GET',
    path: () => `/customers?email=${encodeURIComponent(EMAIL_A)}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // Staff only: the order's own customer, and its order token, follow it by its id.
    route: 'GET /orders/by-number/{number}',
    method: 'GET',
    path: () => `/orders/by-number/${f.orderA.number}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // The signed links of e-mails (api/routes/links.ts): the link is the proof, whoever opens it
  // (a bad key is still 401). Pages on customerB's running subscription and paid order; the
  // commands on its ended subscription and customerA's unpaid order, refused after the gate (409);
  // the support invoice's link of a ticket that has none (409).
  ...(
    [
      ['GET', 'document', () => f.invoiceB, 200],
      ['GET', 'card-update', () => f.runningB, 200],
      ['POST', 'card-update', () => f.endedB, 409],
      ['GET', 'manual-payment', () => f.runningB, 200],
      ['POST', 'manual-payment', () => f.endedB, 409],
      ['GET', 'deletion-confirmation', () => deletionLinkSubject(f.endedB, 1), 409],
      ['POST', 'deletion-confirmation', () => deletionLinkSubject(f.endedB, 1), 409],
      ['GET', 'withdrawal', () => f.orderB.orderId, 200],
      ['POST', 'withdrawal', () => f.unpaidA, 409],
      // DIA-4: the incident has no invoice yet, nothing to pay, whoever holds its link (409).
      ['GET', 'support-payment', () => f.tickets.incident, 409],
      ['POST', 'support-payment', () => f.tickets.incident, 409],
      // TND-1: customerB's withdrawn call: its page says so, and a repeat shows the same result.
      ['GET', 'tender-withdrawal', () => tenders.withdrawnB, 200],
      ['POST', 'tender-withdrawal', () => tenders.withdrawnB, 200],
    ] as const
  ).map(([method, purpose, subject, status]): RouteDef => ({
    route: `${method} /links/${purpose}/{token}`,
    method,
    path: () => `/links/${purpose}/${signLink(purpose, subject(), new Date(Date.now() + 3_600_000))}`,
    body: method === 'POST' ? () => LINK_FORMS[purpose] : undefined,
    expected: {
      anonymous: status, admin: status, ops: status, support: status, finance: status,
      sellerAcme: status, sellerGlobex: status, sellerInitech: status,
      customerA: status, customerB: status, customerDemo: status, ...BAD_KEYS, orderTokenA: status,
    },
  })),
  // Support tickets (api/routes/tickets.ts, DIA-1..DIA-8): customerB's tickets on runningB, an
  // Acme offer. Who passes X-6 on a command is refused by the ticket's state (409, 422 for a price
  // that is not the diagnostic's), so no row changes a ticket, whatever order they run in.
  {
    // On customerB's ended subscription: its owner passes X-6 and is told the service has ended.
    route: 'POST /tickets',
    method: 'POST',
    path: () => '/tickets',
    body: () => ({ requestId: 'x6-table-ended-0001', subscriptionId: f.endedB, contactId: f.contactB, kind: 'incident', subject: 'Down', message: 'It does not work.' }),
    expected: customerCommand(409),
  },
  ...(['support', 'incident'] as const).flatMap((kind) =>
    ['', '/messages'].map((tail): RouteDef => ({
      route: `GET /tickets/{ticketId}${tail}`,
      note: `${kind} ticket`,
      method: 'GET',
      path: () => `/tickets/${f.tickets[kind]}${tail}`,
      // The customer's own; support and ops staff; Acme for a `support` ticket on its offer only (X-6).
      expected: {
        anonymous: 401, admin: 200, ops: 200, support: 200, finance: 403,
        sellerAcme: kind === 'support' ? 200 : 403, sellerGlobex: 403, sellerInitech: 403,
        customerA: 403, customerB: 200, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
      },
    })),
  ),
  // The customer's commands, on the incident awaiting consent: a price that is not the diagnostic's
  // (422 PriceChanged), no quote, no invoice to pay or contest yet (409). Support never does them.
  ...(
    [
      ['consent', { acceptedPriceCents: 9_999_999 }, 422],
      ['quote', { accept: true }, 409],
      ['pay', { card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } }, 409],
      ['contest', { reason: 'Not what I asked for' }, 409],
    ] as const
  ).map(([command, body, status]): RouteDef => ({
    route: `POST /tickets/{ticketId}/${command}`,
    method: 'POST',
    path: () => `/tickets/${f.tickets.incident}/${command}`,
    body: () => body,
    expected: customerCommand(status),
  })),
  // Support staff's commands, on the incident awaiting consent: no diagnosis or work before it (409).
  ...(
    [
      ['diagnosis', { outcome: 'fixed' }],
      ['work-done', {}],
    ] as const
  ).map(([command, body]): RouteDef => ({
    route: `POST /tickets/{ticketId}/${command}`,
    method: 'POST',
    path: () => `/tickets/${f.tickets.incident}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: 409, ops: 403, support: 409, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // The customer's or support's, on the closed ticket: refused (409). Ops read tickets, never write.
  ...(
    [
      ['messages', { text: 'Any news?' }],
      ['close', { reason: 'Done' }],
    ] as const
  ).map(([command, body]): RouteDef => ({
    route: `POST /tickets/{ticketId}/${command}`,
    method: 'POST',
    path: () => `/tickets/${f.tickets.closed}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: 409, ops: 403, support: 409, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 409, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // A service's support (api/routes/support.ts, POL-5): read by its customer and support and ops
  // staff, its contacts managed by the customer alone.
  {
    route: 'GET /subscriptions/{subscriptionId}/support',
    method: 'GET',
    path: () => `/subscriptions/${f.runningB}/support`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 200, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // runningB's basic tier allows one named contact, and it has it: its owner is refused (422).
    route: 'POST /subscriptions/{subscriptionId}/support-contacts',
    method: 'POST',
    path: () => `/subscriptions/${f.runningB}/support-contacts`,
    body: () => ({ name: 'Another Contact', email: 'x6-another@example.test' }),
    expected: customerCommand(422),
  },
  {
    // runningB's contact, through customerB's other (ended) subscription: not a contact of that one (404).
    route: 'POST /subscriptions/{subscriptionId}/support-contacts/{contactId}/remove',
    method: 'POST',
    path: () => `/subscriptions/${f.endedB}/support-contacts/${f.contactB}/remove`,
    body: () => ({}),
    expected: customerCommand(404),
  },
  {
    route: 'GET /me/support',
    method: 'GET',
    path: () => '/me/support',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // Staff only, finance included (a bar comes from an invoice); a customer reads its own at /me/support.
    route: 'GET /customers/{customerId}/support',
    method: 'GET',
    path: () => `/customers/${f.orderB.customerId}/support`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /me/tickets',
    method: 'GET',
    path: () => '/me/tickets',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /ops/tickets',
    method: 'GET',
    path: () => '/ops/tickets',
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /seller/tickets',
    method: 'GET',
    path: () => '/seller/tickets',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // Seller cases (api/routes/seller-cases.ts, MED-1..MED-7): ops open closure cases and drive the
  // meetings; a seller files its own cases and answers in them. Who passes X-6 is refused by the
  // case's state (409), so no row opens, moves or ends a case, whatever order they run in.
  ...(
    [
      ['unknown seller', () => 'sel_x6_nobody', 404],
      // MED-1: one open closure case per seller.
      ['a seller whose closure case is open', () => f.cases.closureSeller.sellerId, 409],
    ] as const
  ).map(([note, sellerId, status]): RouteDef => ({
    route: 'POST /ops/sellers/{sellerId}/cases',
    note,
    method: 'POST',
    path: () => `/ops/sellers/${sellerId()}/cases`,
    body: () => ({ reasons: 'X-6: repeated customer complaints', letterReference: 'LR-X6-0002' }),
    expected: {
      anonymous: 401, admin: status, ops: status, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    // Each demo seller's complaint is open (MED-7: one at a time): every seller key passes X-6 and is refused.
    route: 'POST /seller/cases',
    method: 'POST',
    path: () => '/seller/cases',
    body: () => ({ kind: 'complaint', text: 'Payouts arrive late again' }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 409, sellerGlobex: 409, sellerInitech: 409,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  ...(
    [
      ["Acme's complaint", () => f.cases.complaints.sellerAcme, 'sellerAcme'],
      ["Globex's ended request", () => f.cases.ended, 'sellerGlobex'],
      ["a fresh seller's closure case", () => f.cases.closure, undefined],
    ] as const
  ).map(([note, caseId, owner]): RouteDef => ({
    // Its seller and ops; no other seller, whatever the case's state.
    route: 'GET /cases/{caseId}',
    note,
    method: 'GET',
    path: () => `/cases/${caseId()}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 403, finance: 403,
      sellerAcme: owner === 'sellerAcme' ? 200 : 403, sellerGlobex: owner === 'sellerGlobex' ? 200 : 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    route: 'GET /ops/cases',
    method: 'GET',
    path: () => '/ops/cases',
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // POL-3: ops (and admin) record a verification (on customerA; no offer the table orders is
  // discount-eligible), staff read them, a customer its own.
  {
    route: 'POST /staff/customers/{customerId}/verifications',
    method: 'POST',
    path: () => `/staff/customers/${f.orderA.customerId}/verifications`,
    body: () => ({ kind: 'charity', evidenceRef: 'RNA W751000001', expiresAt: '2099-01-01T00:00:00Z' }),
    expected: {
      anonymous: 401, admin: 201, ops: 201, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /staff/customers/{customerId}/verifications',
    method: 'GET',
    path: () => `/staff/customers/${f.orderA.customerId}/verifications`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /account/verifications',
    method: 'GET',
    path: () => '/account/verifications',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // Offers and terms (README "Offers and terms"). Approved sellers publish (201); Initech is
  // pending (KYC-1: 403 from the handler). Rows never touch a demo offer or the demo terms that
  // other rows check out with: edits and terms go to refusals by state (409), unpublishing to 404.
  {
    route: 'POST /seller/offers',
    method: 'POST',
    path: () => '/seller/offers',
    body: () => ({ name: 'X-6 offer', priceCents: 1000, vatRateBp: 2000, billingPeriod: 'monthly' }),
    headers: () => ({ 'idempotency-key': newIdempotencyKey() }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 201, sellerGlobex: 201, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // Acme's own product from a stale version: 409; another seller's: 404 (X-6, nothing told).
    route: 'POST /seller/offers/{productId}/versions',
    method: 'POST',
    path: () => `/seller/offers/${DEMO.offers.acmeMail.id}/versions`,
    body: () => ({ name: 'X-6 edit', description: '', priceCents: 1000, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, supportTier: 'basic', baseVersion: 99 }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 409, sellerGlobex: 404, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // Others are sent to Acme's product (404: not theirs); Acme to no product (its own would be unpublished for later rows).
    route: 'POST /seller/offers/{productId}/unpublish',
    method: 'POST',
    path: (p) => `/seller/offers/${p === 'sellerAcme' ? 'prd_none' : DEMO.offers.acmeMail.id}/unpublish`,
    body: () => ({}),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 404, sellerGlobex: 404, sellerInitech: 404,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  ...['/seller/offers', '/seller/terms'].map((path): RouteDef => ({
    route: `GET ${path}`,
    method: 'GET',
    path: () => path,
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    // Each seller restates its current version's label with another text: 409, the terms unchanged.
    route: 'POST /seller/terms',
    method: 'POST',
    path: () => '/seller/terms',
    body: (p) => ({ version: p === 'sellerGlobex' ? DEMO.sellers.globex.terms : p === 'sellerInitech' ? DEMO.sellers.initech.terms : DEMO.sellers.acme.terms, text: 'X-6 terms' }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 409, sellerGlobex: 409, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /sellers/{sellerId}/terms/current',
    method: 'GET',
    path: () => `/sellers/${DEMO.sellers.acme.id}/terms/current`,
    expected: {
      anonymous: 200, admin: 200, ops: 200, support: 200, finance: 200,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 200, customerB: 200, customerDemo: 200, ...BAD_KEYS, orderTokenA: 200,
    },
  },
  {
    route: 'GET /seller/cases',
    method: 'GET',
    path: () => '/seller/cases',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // The seller's commands on Acme's complaint awaiting its meeting: a complaint is not contested
  // (MED-2 is a closure's), there is no meeting to confirm yet (409). Another seller's: 403.
  ...(
    [
      ['contest', { text: 'We contest' }],
      ['meeting/confirm', {}],
    ] as const
  ).map(([command, body]): RouteDef => ({
    route: `POST /cases/{caseId}/${command}`,
    note: "Acme's complaint",
    method: 'POST',
    path: () => `/cases/${f.cases.complaints.sellerAcme}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 409, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // Ops' commands on the closure case awaiting its contest: no meeting before a contest, none to
  // record, no changes asked yet (409). Withdrawing would end it: only on the ended case, below.
  ...(
    [
      ['meeting', { at: '2099-06-01T09:00:00+02:00', place: 'Paris office' }],
      ['meeting/record', { held: false }],
      ['changes-confirmed', {}],
    ] as const
  ).map(([command, body]): RouteDef => ({
    route: `POST /cases/{caseId}/${command}`,
    note: 'closure case awaiting its contest',
    method: 'POST',
    path: () => `/cases/${f.cases.closure}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: 409, ops: 409, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // Every command on Globex's withdrawn request: its seller (seller commands) or ops (theirs) pass
  // X-6 and are told the case has ended (409).
  ...(
    [
      ['contest', { text: 'We contest' }, 'seller'],
      ['meeting', { at: '2099-06-01T09:00:00+02:00', place: 'Paris office' }, 'ops'],
      ['meeting/confirm', {}, 'seller'],
      ['meeting/record', { held: false }, 'ops'],
      ['changes-confirmed', {}, 'ops'],
      ['withdraw', { reason: 'Settled' }, 'ops'],
    ] as const
  ).map(([command, body, by]): RouteDef => ({
    route: `POST /cases/{caseId}/${command}`,
    note: 'ended case',
    method: 'POST',
    path: () => `/cases/${f.cases.ended}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: by === 'ops' ? 409 : 403, ops: by === 'ops' ? 409 : 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: by === 'seller' ? 409 : 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // Seller onboarding (api/routes/seller-applications.ts, KYC-1): anyone applies; only the
  // applicant's own token (test/seller-applications.test.ts) uploads; ops read and decide, and the
  // fixture's application is incomplete, so a decision that passes X-6 is refused (409).
  {
    route: 'POST /seller-applications',
    method: 'POST',
    path: () => '/seller-applications',
    body: () => applicationBody(),
    expected: {
      anonymous: 201, admin: 201, ops: 201, support: 201, finance: 201,
      sellerAcme: 201, sellerGlobex: 201, sellerInitech: 201,
      customerA: 201, customerB: 201, customerDemo: 201, ...BAD_KEYS, orderTokenA: 201,
    },
  },
  {
    route: 'POST /seller-applications/{applicationId}/documents',
    method: 'POST',
    path: () => `/seller-applications/${f.applicationId}/documents`,
    body: () => ({ kind: 'statutes' }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /seller-applications/{applicationId}',
    method: 'GET',
    path: () => `/seller-applications/${f.applicationId}`,
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /ops/seller-applications',
    method: 'GET',
    path: () => '/ops/seller-applications',
    expected: {
      anonymous: 401, admin: 200, ops: 200, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  ...(
    [
      ['approve', {}],
      ['reject', { reason: 'Incomplete file' }],
    ] as const
  ).map(([command, body]): RouteDef => ({
    route: `POST /seller-applications/{applicationId}/${command}`,
    note: 'incomplete application',
    method: 'POST',
    path: () => `/seller-applications/${f.applicationId}/${command}`,
    body: () => body,
    expected: {
      anonymous: 401, admin: 409, ops: 409, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // PYO-2: a seller its own balance and payouts, whatever its status (a closed seller is still
  // paid); finance everything; a payout's statement its seller's and finance's only.
  ...['/seller/balance', '/seller/payouts'].map((path): RouteDef => ({
    route: `GET ${path}`,
    method: 'GET',
    path: () => path,
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    // The demo sellers Acme and Globex have one (sandbox) bank account; Initech, pending, none yet.
    route: 'GET /seller/payout-account',
    method: 'GET',
    path: () => '/seller/payout-account',
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 404,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    // Each seller restates its account in its own legal name (Acme and Globex the one they have).
    route: 'POST /seller/payout-account',
    method: 'POST',
    path: () => '/seller/payout-account',
    body: (p) => ({ iban: TEST_IBANS.paid, holder: p === 'sellerGlobex' ? DEMO.sellers.globex.legalName : p === 'sellerInitech' ? DEMO.sellers.initech.legalName : DEMO.sellers.acme.legalName }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 200, sellerGlobex: 200, sellerInitech: 200,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // POL-4: the seller of runningB (Acme) asks to refund more than was paid (422: past X-6, nothing
  // moves); another seller is told there is no such subscription (404); finance reads the refunds.
  {
    route: 'POST /seller/subscriptions/{subscriptionId}/refunds',
    method: 'POST',
    path: () => `/seller/subscriptions/${f.runningB}/refunds`,
    body: () => ({ paymentId: `order:${f.orderB.orderId}:checkout`, amountCents: 99_999_999, reason: 'X-6 refund' }),
    headers: () => ({ 'idempotency-key': newIdempotencyKey() }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 422, sellerGlobex: 404, sellerInitech: 404,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'GET /seller/subscriptions/{subscriptionId}/refunds',
    method: 'GET',
    path: () => `/seller/subscriptions/${f.runningB}/refunds`,
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 403, finance: 200,
      sellerAcme: 200, sellerGlobex: 404, sellerInitech: 404,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  // ACC-3: customers alone ask to close; each of the table's customers has an order or a
  // service in the way (409, nothing sent), and none asked yet, so a confirmation is 409 too.
  {
    route: 'POST /account/closure',
    method: 'POST',
    path: () => '/account/closure',
    body: () => ({}),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 409, customerB: 409, customerDemo: 409, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'POST /account/closure/confirm',
    method: 'POST',
    path: () => '/account/closure/confirm',
    body: () => ({ code: 'ABCD2345' }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 409, customerB: 409, customerDemo: 409, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  ...(
    [
      ['GET /finance/payouts', () => `/finance/payouts?sellerId=${DEMO.sellers.acme.id}`],
      ['GET /finance/sellers/{sellerId}/balance', () => `/finance/sellers/${DEMO.sellers.acme.id}/balance`],
      ['GET /finance/ledger.csv', () => '/finance/ledger.csv?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z'],
      ['GET /finance/documents.zip', () => `/finance/documents.zip?from=2026-01-01&to=2026-12-31&sellerId=${DEMO.sellers.acme.id}`],
    ] as const
  ).map(([route, path]): RouteDef => ({
    route,
    method: 'GET',
    path,
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 403, finance: 200,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  ...(['', '/statement.pdf', '/statement.csv'] as const).map((tail): RouteDef => ({
    route: `GET /payouts/{payoutId}${tail}`,
    method: 'GET',
    path: () => `/payouts/${encodeURIComponent(f.payoutAcme)}${tail}`,
    expected: {
      anonymous: 401, admin: 200, ops: 403, support: 403, finance: 200,
      sellerAcme: 200, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // TND-1: a visitor or any customer posts a call (a contact that is not the caller's own waits
  // for its verification); the code of a call that does not exist is 404 past the gate. Only
  // customerB reads or withdraws its calls (its withdrawn one: 409). No caller of the table is a
  // partner: the partner routes pass the gate for customer keys and refuse them (403, PRT-1).
  {
    route: 'POST /tenders',
    method: 'POST',
    path: () => '/tenders',
    body: () => ({ category: 'consulting', title: 'X-6 call', excerpt: 'An excerpt', description: 'The brief', contact: { name: 'X-6 Visitor', email: 'x6-visitor@example.test' } }),
    expected: {
      anonymous: 201, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 201, customerB: 201, customerDemo: 201, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  {
    route: 'POST /tenders/{tenderId}/verify',
    method: 'POST',
    path: () => `/tenders/tnd_${'0'.repeat(32)}/verify`,
    body: () => ({ code: 'ABCDEFGH' }),
    expected: {
      anonymous: 404, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 404, customerB: 404, customerDemo: 404, ...BAD_KEYS, orderTokenA: 403,
    },
  },
  { route: 'GET /tenders/{tenderId}', method: 'GET', path: () => `/tenders/${tenders.openB}`, expected: customerCommand(200) },
  { route: 'POST /tenders/{tenderId}/withdraw', method: 'POST', path: () => `/tenders/${tenders.withdrawnB}/withdraw`, body: () => ({}), expected: customerCommand(409) },
  ...(
    [
      ['POST', '/partner/tender-categories', () => '/partner/tender-categories', { categories: ['consulting'] }],
      ['GET', '/partner/tenders', () => '/partner/tenders', undefined],
      ['POST', '/partner/tenders/{tenderId}/read', () => `/partner/tenders/${tenders.openB}/read`, {}],
      ['POST', '/partner/tenders/{tenderId}/proposals', () => `/partner/tenders/${tenders.openB}/proposals`, { message: 'X-6 proposal' }],
    ] as const
  ).map(([method, route, path, body]): RouteDef => ({
    route: `${method} ${route}`,
    method,
    path,
    ...(body === undefined ? {} : { body: () => body }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // PRT-4, PRT-5: a partner acting for its customers; no caller of the table is a partner (403, PRT-1).
  ...(
    [
      ['GET', '/partner/customers', () => '/partner/customers', undefined],
      ['GET', '/partner/customers/{customerId}/subscriptions', () => `/partner/customers/${f.orderB.customerId}/subscriptions`, undefined],
      ['POST', '/partner/customers/{customerId}/subscriptions/{subscriptionId}/renewal-mode', () => `/partner/customers/${f.orderB.customerId}/subscriptions/${f.runningB}/renewal-mode`, { mode: 'manual' }],
      ['POST', '/partner/customers/{customerId}/subscriptions/{subscriptionId}/pay-next-period', () => `/partner/customers/${f.orderB.customerId}/subscriptions/${f.runningB}/pay-next-period`, {}],
      ['POST', '/partner/customers/{customerId}/subscriptions/{subscriptionId}/support-contacts', () => `/partner/customers/${f.orderB.customerId}/subscriptions/${f.runningB}/support-contacts`, { name: 'X-6 Contact', email: 'x6-contact@example.test' }],
      ['POST', '/partner/customers/{customerId}/orders', () => `/partner/customers/${f.orderB.customerId}/orders`, { lines: [{ offerId: DEMO.offers.acmeMail.id }], acceptedTerms: [], cardId: 'card_x6' }],
      ['GET', '/partner/invoices', () => '/partner/invoices', undefined],
    ] as const
  ).map(([method, route, path, body]): RouteDef => ({
    route: `${method} ${route}`,
    method,
    path,
    ...(body === undefined ? {} : { body: () => body }),
    ...(route.endsWith('/orders') ? { headers: idempotent } : {}),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  // PRT-1, PRT-2, PRT-5, PRT-7: the table's customers are individuals (no company: 422 on
  // applying) and none is a partner (403 on the partner side); ops list and decide applications
  // (a partner that does not exist: 404); partnerships that do not exist are 404 past the gate.
  ...(
    [
      ['POST', '/partner/application', () => '/partner/application', { companyName: 'X-6 SAS', registrationNumber: 'RCS X6', website: 'https://x6.example.test', legalRepresentatives: [{ name: 'X-6 Rep', email: 'x6-rep@example.test' }] }, 422],
      ['GET', '/partner/application', () => '/partner/application', undefined, 404],
      ['POST', '/partner/partnerships', () => '/partner/partnerships', { customerEmail: 'x6@example.test', representativeEmail: 'x6-rep@example.test', access: 'complete' }, 403],
      ['GET', '/partner/partnerships', () => '/partner/partnerships', undefined, 403],
      ['POST', '/partnerships', () => '/partnerships', { partnerId: `prt_${'0'.repeat(24)}`, access: 'complete' }, 422],
      ['GET', '/partnerships', () => '/partnerships', undefined, 200],
      ['GET', '/partnerships/{partnershipId}', () => `/partnerships/psh_${'0'.repeat(24)}`, undefined, 404],
      ...(['accept', 'refuse', 'resend', 'withdraw', 'end', 'end/confirm'] as const).map((c) => ['POST', `/partnerships/{partnershipId}/${c}`, () => `/partnerships/psh_${'0'.repeat(24)}/${c}`, {}, 404] as const),
      ['POST', '/partnerships/{partnershipId}/change', () => `/partnerships/psh_${'0'.repeat(24)}/change`, { payer: 'customer' }, 404],
      ['POST', '/partnerships/{partnershipId}/end/code', () => `/partnerships/psh_${'0'.repeat(24)}/end/code`, { code: 'ABCDEFGH' }, 404],
    ] as const
  ).map(([method, route, path, body, customer]): RouteDef => ({
    route: `${method} ${route}`,
    method,
    path,
    ...(body === undefined ? {} : { body: () => body }),
    expected: {
      anonymous: 401, admin: 403, ops: 403, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: customer, customerB: customer, customerDemo: customer, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  ...(
    [
      ['GET', '/staff/partners', () => '/staff/partners', undefined, 200],
      ['POST', '/staff/partners/{partnerId}/approve', () => `/staff/partners/prt_${'0'.repeat(24)}/approve`, {}, 404],
      ['POST', '/staff/partners/{partnerId}/refuse', () => `/staff/partners/prt_${'0'.repeat(24)}/refuse`, { reason: 'X-6' }, 404],
    ] as const
  ).map(([method, route, path, body, staff]): RouteDef => ({
    route: `${method} ${route}`,
    method,
    path,
    ...(body === undefined ? {} : { body: () => body }),
    expected: {
      anonymous: 401, admin: staff, ops: staff, support: 403, finance: 403,
      sellerAcme: 403, sellerGlobex: 403, sellerInitech: 403,
      customerA: 403, customerB: 403, customerDemo: 403, ...BAD_KEYS, orderTokenA: 403,
    },
  })),
  {
    // No route: nothing to authorize, for anyone.
    route: UNKNOWN,
    method: 'GET',
    path: () => '/nope',
    expected: {
      anonymous: 404, admin: 404, ops: 404, support: 404, finance: 404,
      sellerAcme: 404, sellerGlobex: 404, sellerInitech: 404,
      customerA: 404, customerB: 404, customerDemo: 404, wrongKey: 404, malformedHeader: 404, orderTokenA: 404,
    },
  },
];

const TABLE = ROUTES.flatMap((r) => CALLERS.map((p) => [`${r.route}${r.note ? ` (${r.note})` : ''} as ${p} → ${r.expected[p]}`, r, p] as const));

/** A row of the table, as its caller sends it. */
function callRow(r: RouteDef, p: Caller): Promise<HttpResponse> {
  const header = r.as ? r.as(p) : authorization(p);
  return call(header === undefined ? 'anonymous' : { authorization: header }, r.method, r.path(p), r.body?.(p), r.headers?.());
}

async function expectStatus(res: HttpResponse, status: number): Promise<void> {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (status >= 400) {
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  } else {
    expect(res.contentType).toMatch(/application\/(json|pdf|xml|zip)|text\/(html|csv)/);
  }
}

async function lineStatus(lineId: string): Promise<string> {
  return (await sys.db.orderLine.findUniqueOrThrow({ where: { id: lineId } })).status;
}

/** The undecided lines, in the database and in their workflows. */
async function expectUndecided(...lineIds: string[]): Promise<void> {
  for (const lineId of lineIds) {
    expect(await lineStatus(lineId)).toBe('awaiting_validation');
    const state = await call('admin', 'GET', `/orders/${f.orderA.orderId}/lines/${lineId}`);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: 'awaiting_validation', extensions: [] });
  }
  const decisions = await sys.db.auditLog.count({
    where: { entityId: { in: lineIds }, action: { in: ['line.accepted', 'line.refused', 'line.cancelled', 'line.validation_extended'] } },
  });
  expect(decisions).toBe(0);
  expect(await sys.db.refund.count({ where: { lineId: { in: lineIds } } })).toBe(0);
}

// --- the tests ---------------------------------------------------------------------------------

describe('X-6: every route × every principal', () => {
  it.each(TABLE)('X-6: %s', async (_title, r, p) => {
    const res = await callRow(r, p);
    await expectStatus(res, r.expected[p]);
  });

  it('X-6: after the whole table, the lines nobody may decide on are still undecided', async () => {
    await expectUndecided(f.acmeA, f.globexA);
  });

  it("X-6, DIA-8: after the whole table, customerB's tickets are as the fixtures left them (no consent, diagnosis, payment or bar) and its one contact is still named", async () => {
    const { incident, support, closed } = f.tickets;
    const rows = await sys.db.ticket.findMany({ where: { customerId: f.orderB.customerId } });
    expect(Object.fromEntries(rows.map((t) => [t.id, t.status]))).toEqual({ [incident]: 'awaiting_consent', [support]: 'awaiting_support', [closed]: 'closed' });
    const live = await call('admin', 'GET', `/tickets/${incident}`);
    await expectStatus(live, 200);
    expect(live.body).toMatchObject({ status: 'awaiting_consent', consent: null, diagnosis: null, invoice: null, payment: null, paymentAttempts: [] });
    expect(await sys.db.supportPayment.count({ where: { customerId: f.orderB.customerId } })).toBe(0);
    expect(await sys.db.supportBar.count({ where: { customerId: f.orderB.customerId } })).toBe(0);
    const contacts = await sys.db.supportContact.findMany({ where: { customerId: f.orderB.customerId } });
    expect(contacts.map((c) => [c.id, c.subscriptionId, c.removedAt])).toEqual([[f.contactB, f.runningB, null]]);
  });

  it('X-5, X-6: after the whole table, the messages the closed ticket refused (409) left nothing behind: each ticket has only the message it was opened with', async () => {
    const messages: Record<string, number> = {};
    for (const id of Object.values(f.tickets)) messages[id] = await sys.db.ticketMessage.count({ where: { ticketId: id } });
    expect(messages).toEqual(Object.fromEntries(Object.values(f.tickets).map((id) => [id, 1])));
  });

  it('X-6, MED-1: after the whole table, the cases are as the fixtures left them (no case opened, moved or ended, no timeline entry), the demo sellers still take orders and the closure case\'s seller is still suspended', async () => {
    const { closure, closureSeller, complaints, ended, audit } = f.cases;
    const rows = await sys.db.sellerCase.findMany();
    expect(Object.fromEntries(rows.map((c) => [c.id, c.status]))).toEqual({
      [closure]: 'awaiting_contest',
      [complaints.sellerAcme]: 'awaiting_meeting',
      [complaints.sellerGlobex]: 'awaiting_meeting',
      [complaints.sellerInitech]: 'awaiting_meeting',
      [ended]: 'withdrawn',
    });
    expect(await sys.db.auditLog.count({ where: { entityType: 'seller_case' } })).toBe(audit);
    const sellers = await sys.db.seller.findMany({ where: { id: { in: [DEMO.sellers.acme.id, DEMO.sellers.globex.id, DEMO.sellers.initech.id, closureSeller.sellerId] } } });
    expect(Object.fromEntries(sellers.map((s) => [s.id, s.status]))).toEqual({
      [DEMO.sellers.acme.id]: 'approved',
      [DEMO.sellers.globex.id]: 'approved',
      [DEMO.sellers.initech.id]: 'pending',
      [closureSeller.sellerId]: 'suspended',
    });
  });

  it('X-5, X-6: after the whole table, the contests the cases refused (409) left nothing behind: each case has only the message it was opened with', async () => {
    const ids = [f.cases.closure, ...Object.values(f.cases.complaints), f.cases.ended];
    const messages: Record<string, number> = {};
    for (const id of ids) messages[id] = await sys.db.sellerCaseMessage.count({ where: { caseId: id } });
    expect(messages).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
  });

  it('X-6: every route of the table is in /openapi.json, documented as open or closed as the table says', async () => {
    const res = await http(sys.apiUrl, 'GET', '/openapi.json');
    const documented = Object.entries<Record<string, unknown>>(res.body.paths).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const covered = ROUTES.map((r) => r.route).filter((r) => r !== UNKNOWN);
    expect(documented).toEqual(expect.arrayContaining(covered));
    // A new route must join the table: none may be left without its X-6 row.
    expect(documented.filter((r) => !covered.includes(r))).toEqual([]);
    // And a route open to anonymous callers is documented without security, the others with it.
    for (const r of ROUTES.filter((x) => x.route !== UNKNOWN)) {
      const [method, path] = r.route.split(' ');
      const security = res.body.paths[path][method.toLowerCase()].security;
      expect(security.length > 0, r.route).toBe(r.expected.anonymous === 401);
    }
  });
});

describe('X-6: sellers', () => {
  it("X-6: a seller accepting or refusing another seller's line gets 403 and the line stays undecided", async () => {
    for (const [seller, lineId] of [
      ['sellerGlobex', f.acmeA],
      ['sellerInitech', f.acmeA],
      ['sellerAcme', f.globexA],
      ['sellerInitech', f.globexA],
    ] as const) {
      const base = `/orders/${f.orderA.orderId}/lines/${lineId}`;
      await expectStatus(await call(seller, 'POST', `${base}/accept`, { accessInstructions: 'https://evil.test' }), 403);
      await expectStatus(await call(seller, 'POST', `${base}/refuse`, { reason: 'Not mine to refuse' }), 403);
    }
    await expectUndecided(f.acmeA, f.globexA);
  });

  it("X-6: a seller reading another seller's line gets 403; its own line is readable", async () => {
    const path = (lineId: string) => `/orders/${f.orderA.orderId}/lines/${lineId}`;
    await expectStatus(await call('sellerGlobex', 'GET', path(f.acmeA)), 403);
    await expectStatus(await call('sellerAcme', 'GET', path(f.globexA)), 403);
    await expectStatus(await call('sellerInitech', 'GET', path(f.acmeA)), 403);
    const own = await call('sellerAcme', 'GET', path(f.acmeA));
    await expectStatus(own, 200);
    expect(own.body).toMatchObject({ lineId: f.acmeA, sellerId: DEMO.sellers.acme.id });
    await expectStatus(await call('sellerGlobex', 'GET', path(f.globexA)), 200);
  });

  it('X-6: sellers cannot read whole orders (which hold other sellers\' lines)', async () => {
    for (const seller of ['sellerAcme', 'sellerGlobex', 'sellerInitech'] as const) {
      await expectStatus(await call(seller, 'GET', `/orders/${f.orderA.orderId}`), 403);
    }
  });

  it("X-6: /seller/lines returns only the calling seller's lines", async () => {
    const ids = (res: HttpResponse) => res.body.items.map((l: { lineId: string }) => l.lineId);
    const acme = await call('sellerAcme', 'GET', '/seller/lines');
    await expectStatus(acme, 200);
    expect(acme.body.items.length).toBeGreaterThanOrEqual(2);
    expect(acme.body.items.every((l: { sellerId: string }) => l.sellerId === DEMO.sellers.acme.id)).toBe(true);
    expect(ids(acme)).toEqual(expect.arrayContaining([f.acmeA, f.acmeB]));
    expect(ids(acme)).not.toContain(f.globexA);

    const globex = await call('sellerGlobex', 'GET', '/seller/lines');
    await expectStatus(globex, 200);
    expect(globex.body.items.every((l: { sellerId: string }) => l.sellerId === DEMO.sellers.globex.id)).toBe(true);
    expect(ids(globex)).toEqual(expect.arrayContaining([f.globexA, f.globexB]));
    expect(ids(globex)).not.toContain(f.acmeA);

    // Filtered by status, still only the caller's.
    const pending = await call('sellerGlobex', 'GET', '/seller/lines?status=awaiting_validation');
    expect(ids(pending)).toContain(f.globexA);
    expect(ids(pending)).not.toContain(f.acmeA);
    const refused = await call('sellerGlobex', 'GET', '/seller/lines?status=refused');
    expect(ids(refused)).toEqual([f.globexB]);
    const acmeActive = await call('sellerAcme', 'GET', '/seller/lines?status=active');
    expect(ids(acmeActive)).toEqual([f.acmeB]);

    // A seller with no orders sees none, not everyone's.
    const initech = await call('sellerInitech', 'GET', '/seller/lines');
    await expectStatus(initech, 200);
    expect(initech.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('X-6: customers', () => {
  it("X-6: a customer reading another customer's order, line or e-mails gets 403; its own are readable", async () => {
    for (const [me, mine, theirs] of [
      ['customerA', f.orderA, f.orderB],
      ['customerB', f.orderB, f.orderA],
    ] as const) {
      await expectStatus(await call(me, 'GET', `/orders/${theirs.orderId}`), 403);
      await expectStatus(await call(me, 'GET', `/orders/${theirs.orderId}/lines/${theirs.lines[0].lineId}`), 403);
      await expectStatus(await call(me, 'GET', `/customers/${theirs.customerId}/emails`), 403);
      const order = await call(me, 'GET', `/orders/${mine.orderId}`);
      await expectStatus(order, 200);
      expect(order.body.customerId).toBe(mine.customerId);
      await expectStatus(await call(me, 'GET', `/orders/${mine.orderId}/lines/${mine.lines[0].lineId}`), 200);
      const emails = await call(me, 'GET', `/customers/${mine.customerId}/emails`);
      await expectStatus(emails, 200);
      expect(emails.body.every((e: { to: string }) => e.to === mine.email)).toBe(true);
    }
    // A customer with no order of its own reads neither.
    await expectStatus(await call('customerDemo', 'GET', `/orders/${f.orderA.orderId}`), 403);
    await expectStatus(await call('customerDemo', 'GET', `/customers/${f.orderA.customerId}/emails`), 403);
  });

  it("X-6: a customer cannot fetch its own line through another customer's order id", async () => {
    // The line is A's, the order is B's: the pair does not exist, whoever asks.
    const res = await call('customerA', 'GET', `/orders/${f.orderB.orderId}/lines/${f.acmeA}`);
    expect([403, 404]).toContain(res.status);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('X-6: a customer calling accept, refuse, cancel or extend gets 403, even on its own lines', async () => {
    const base = `/orders/${f.orderA.orderId}/lines/${f.acmeA}`;
    await expectStatus(await call('customerA', 'POST', `${base}/accept`, { accessInstructions: 'self-service' }), 403);
    await expectStatus(await call('customerA', 'POST', `${base}/refuse`, { reason: 'changed my mind' }), 403);
    await expectStatus(await call('customerA', 'POST', `${base}/cancel`, { reason: 'changed my mind' }), 403);
    await expectStatus(await call('customerA', 'POST', `${base}/extend`, { hours: 24 }), 403);
    await expectStatus(await call('customerB', 'POST', `${base}/cancel`, { reason: 'not even mine' }), 403);
    await expectUndecided(f.acmeA);
  });
});

describe('X-6: staff by role', () => {
  it('X-6: sellers and customers calling ops routes (cancel, extend, /ops/lines) get 403', async () => {
    const base = `/orders/${f.orderA.orderId}/lines/${f.globexA}`;
    for (const p of ['sellerAcme', 'sellerGlobex', 'sellerInitech', 'customerA', 'customerB', 'customerDemo'] as const) {
      await expectStatus(await call(p, 'POST', `${base}/cancel`, { reason: 'no' }), 403);
      await expectStatus(await call(p, 'POST', `${base}/extend`, { hours: 1 }), 403);
      await expectStatus(await call(p, 'GET', '/ops/lines'), 403);
      await expectStatus(await call(p, 'GET', '/ops/lines?status=overdue'), 403);
    }
    await expectUndecided(f.globexA);
  });

  it('X-6: finance (and support) staff calling cancel or extend get 403: only ops and admin may', async () => {
    const base = `/orders/${f.orderA.orderId}/lines/${f.globexA}`;
    for (const p of ['finance', 'support'] as const) {
      await expectStatus(await call(p, 'POST', `${base}/cancel`, { reason: 'no' }), 403);
      await expectStatus(await call(p, 'POST', `${base}/extend`, { hours: 1 }), 403);
    }
    await expectUndecided(f.globexA);
  });

  it('X-6: support staff can read /ops/lines', async () => {
    const res = await call('support', 'GET', '/ops/lines?status=awaiting_validation');
    await expectStatus(res, 200);
    expect(res.body.items.map((l: { lineId: string }) => l.lineId)).toEqual(expect.arrayContaining([f.acmeA, f.globexA]));
    const all = await call('support', 'GET', '/ops/lines');
    await expectStatus(all, 200);
    expect(Array.isArray(all.body.items)).toBe(true);
  });
});

describe('X-6: tickets', () => {
  const ids = (res: HttpResponse) => res.body.items.map((t: { ticketId: string }) => t.ticketId);

  it("X-6: /seller/tickets lists the calling seller's support tickets only (incidents are the marketplace's); /me/tickets the caller's own; /ops/tickets all", async () => {
    const { incident, support, closed } = f.tickets;
    const acme = await call('sellerAcme', 'GET', '/seller/tickets');
    await expectStatus(acme, 200);
    expect(ids(acme)).toEqual(expect.arrayContaining([support, closed]));
    expect(ids(acme)).not.toContain(incident);
    expect(acme.body.items.every((t: { sellerId: string; kind: string }) => t.sellerId === DEMO.sellers.acme.id && t.kind === 'support')).toBe(true);
    for (const seller of ['sellerGlobex', 'sellerInitech'] as const) {
      const other = await call(seller, 'GET', '/seller/tickets');
      await expectStatus(other, 200);
      expect(ids(other).filter((id: string) => Object.values(f.tickets).includes(id))).toEqual([]);
    }
    const mine = await call('customerB', 'GET', '/me/tickets');
    await expectStatus(mine, 200);
    expect([...ids(mine)].sort()).toEqual([incident, support, closed].sort());
    for (const p of ['customerA', 'customerDemo'] as const) {
      const theirs = await call(p, 'GET', '/me/tickets');
      await expectStatus(theirs, 200);
      expect(theirs.body.items).toEqual([]);
    }
    for (const p of ['support', 'ops'] as const) {
      const all = await call(p, 'GET', '/ops/tickets');
      await expectStatus(all, 200);
      expect(ids(all)).toEqual(expect.arrayContaining([incident, support, closed]));
    }
  });

  it("X-6: a customer's support is its own: /me/support answers the caller's, /subscriptions/{id}/support names the subscription's contacts to its owner and staff only", async () => {
    for (const p of ['customerA', 'customerB'] as const) {
      const me = await call(p, 'GET', '/me/support');
      await expectStatus(me, 200);
      expect(me.body).toEqual({ customerId: p === 'customerA' ? f.orderA.customerId : f.orderB.customerId, barred: false, bar: null });
    }
    for (const p of ['customerB', 'support', 'ops'] as const) {
      const res = await call(p, 'GET', `/subscriptions/${f.runningB}/support`);
      await expectStatus(res, 200);
      expect(res.body).toMatchObject({ subscriptionId: f.runningB, tier: 'basic', contactsAllowed: 1, contacts: [{ contactId: f.contactB, email: EMAIL_B }] });
    }
    // Another customer's subscription: 403, even to name a contact on it or to open a ticket with its contact.
    await expectStatus(await call('customerA', 'POST', `/subscriptions/${f.runningB}/support-contacts`, { name: 'Intruder', email: 'x6-intruder@example.test' }), 403);
    const body = { requestId: 'x6-intruder-0001', subscriptionId: f.runningB, contactId: f.contactB, kind: 'support', subject: 'Let me in', message: 'Hello' };
    await expectStatus(await call('customerA', 'POST', '/tickets', body), 403);
    expect(await sys.db.ticket.count({ where: { customerId: f.orderA.customerId } })).toBe(0);
  });
});

describe('X-6: seller cases', () => {
  const ids = (res: HttpResponse) => res.body.items.map((c: { caseId: string }) => c.caseId);

  it("X-6: /seller/cases lists the calling seller's cases only, newest first; /ops/cases every case, to ops and admin", async () => {
    const { closure, complaints, ended } = f.cases;
    for (const [seller, own] of [
      ['sellerAcme', [complaints.sellerAcme]],
      ['sellerGlobex', [ended, complaints.sellerGlobex]],
      ['sellerInitech', [complaints.sellerInitech]],
    ] as const) {
      const res = await call(seller, 'GET', '/seller/cases');
      await expectStatus(res, 200);
      expect(ids(res), seller).toEqual(own);
    }
    for (const p of ['ops', 'admin'] as const) {
      const all = await call(p, 'GET', '/ops/cases');
      await expectStatus(all, 200);
      expect([...ids(all)].sort()).toEqual([closure, ...Object.values(complaints), ended].sort());
    }
  });

  it("MED-1, X-6: a suspended seller's key does no seller action but on its own cases: it reads and lists its closure case (staff shown as 'ops'); its lines, another seller's case and the ops list are refused (403)", async () => {
    const { closure, closureSeller, complaints } = f.cases;
    const as = { authorization: `Bearer ${closureSeller.key}` };
    const own = await call(as, 'GET', `/cases/${closure}`);
    await expectStatus(own, 200);
    expect(own.body).toMatchObject({ caseId: closure, sellerId: closureSeller.sellerId, kind: 'closure', status: 'awaiting_contest', openedBy: 'ops' });
    // Least privilege: a seller reads 'ops', never a staff member's name, in the timeline and messages.
    const named = [...own.body.timeline, ...own.body.messages].map((e: { by: string }) => e.by);
    expect(named).toContain('ops');
    expect(named.filter((by: string) => by.startsWith('staff:'))).toEqual([]);
    // Ops read who of them opened it.
    expect((await call('ops', 'GET', `/cases/${closure}`)).body.openedBy).toBe(`staff:${DEMO.staff.ops.label}`);
    const listed = await call(as, 'GET', '/seller/cases');
    await expectStatus(listed, 200);
    expect(ids(listed)).toEqual([closure]);
    await expectStatus(await call(as, 'GET', '/seller/lines'), 403);
    await expectStatus(await call(as, 'GET', `/cases/${complaints.sellerAcme}`), 403);
    await expectStatus(await call(as, 'GET', '/ops/cases'), 403);
  });
});

describe('X-6: keys', () => {
  const NON_PUBLIC = ROUTES.filter((r) => r.expected.anonymous === 401);
  const EVERY_ROUTE = ROUTES.filter((r) => r.route !== UNKNOWN);
  const BAD_HEADERS = ['Bearer nope', 'Basic abc', 'Bearer', 'Bearer demo-admin-key trailing', DEMO_KEYS.admin, 'Bearer DEMO-ADMIN-KEY'];

  it.each(NON_PUBLIC.map((r) => [r.route, r] as const))('X-6: a missing key on %s is 401', async (_title, r) => {
    const res = await call('anonymous', r.method, r.path('anonymous'), r.body?.('anonymous'), r.headers?.());
    await expectStatus(res, 401);
    expect(res.body.type).toMatch(/\/unauthorized$/);
  });

  it.each(EVERY_ROUTE.flatMap((r) => BAD_HEADERS.map((h) => [`${r.route} with Authorization "${h}"`, r, h] as const)))(
    'X-6: a wrong key or malformed header is 401 on every route, public ones included: %s',
    async (_title, r, header) => {
      const res = await call({ authorization: header }, r.method, r.path('anonymous'), r.body?.('anonymous'), r.headers?.());
      await expectStatus(res, 401);
      // Refused for the key itself (not, say, for a used sign-in link on the exchange route).
      expect(res.body.type).toMatch(/\/unauthorized$/);
    },
  );
});

describe('X-6: checkout', () => {
  async function checkoutCounts() {
    return {
      order: await sys.db.order.count(),
      customer: await sys.db.customer.count(),
      apiKey: await sys.db.apiKey.count(),
      sandboxTransaction: await sys.db.sandboxTransaction.count(),
      sandboxCard: await sys.db.sandboxCard.count(),
      paymentCard: await sys.db.paymentCard.count(),
      idempotencyRecord: await sys.db.idempotencyRecord.count(),
    };
  }

  it("X-6: checkout with a customer key whose e-mail differs from body.customer.email is 403 and writes nothing", async () => {
    const before = await checkoutCounts();
    for (const [p, email] of [
      ['customerA', EMAIL_B], // another existing customer's e-mail
      ['customerB', EMAIL_A],
      ['customerA', 'x6-someone-new@example.test'], // an e-mail with no account yet
      ['customerDemo', EMAIL_A],
    ] as const) {
      const res = await call(p, 'POST', '/checkout', checkoutBody({ email }), idempotent());
      await expectStatus(res, 403);
    }
    const headers = { authorization: `Bearer ${f.keyA}`, 'idempotency-key': 'x6-foreign-email-0001' };
    const keyed = await http(sys.apiUrl, 'POST', '/checkout', { body: checkoutBody({ email: EMAIL_B }), headers });
    await expectStatus(keyed, 403);
    expect(await checkoutCounts()).toEqual(before);
    expect(await sys.db.customer.count({ where: { email: 'x6-someone-new@example.test' } })).toBe(0);
  });

  it('X-6: checkout with a seller or staff key is 403 and writes nothing', async () => {
    const before = await checkoutCounts();
    for (const p of ['admin', 'ops', 'support', 'finance', 'sellerAcme', 'sellerGlobex', 'sellerInitech', 'orderTokenA'] as const) {
      await expectStatus(await call(p, 'POST', '/checkout', checkoutBody(), idempotent()), 403);
      await expectStatus(await call(p, 'POST', '/checkout', checkoutBody({ email: EMAIL_A }), idempotent()), 403);
      // Without its Idempotency-Key too: authorization is checked first (403, not 400).
      await expectStatus(await call(p, 'POST', '/checkout', checkoutBody({ email: EMAIL_A })), 403);
    }
    expect(await checkoutCounts()).toEqual(before);
  });

  it('ORD-4, X-6: a checkout without a valid Idempotency-Key is 400 naming headers.idempotency-key, after authorization (a bad key is 401), and writes nothing', async () => {
    const before = await checkoutCounts();
    for (const value of [undefined, 'short', 'x'.repeat(201)]) {
      const headers: Record<string, string> = value === undefined ? {} : { 'idempotency-key': value };
      for (const p of ['anonymous', 'customerA'] as const) {
        const res = await call(p, 'POST', '/checkout', checkoutBody({ email: EMAIL_A }), headers);
        await expectStatus(res, 400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['headers.idempotency-key']);
      }
      for (const p of ['wrongKey', 'malformedHeader'] as const) await expectStatus(await call(p, 'POST', '/checkout', checkoutBody(), headers), 401);
    }
    expect(await checkoutCounts()).toEqual(before);
  });

  it('X-6: checkout with a customer key and its own e-mail (any case) orders on its own account, with no new key', async () => {
    const keys = await sys.db.apiKey.count({ where: { customerId: f.orderA.customerId } });
    const res = await call('customerA', 'POST', '/checkout', checkoutBody({ email: EMAIL_A.toUpperCase(), offers: [DEMO.offers.acmeMail.id] }), idempotent());
    await expectStatus(res, 201);
    expect(res.body.customerId).toBe(f.orderA.customerId);
    expect(res.body.customerApiKey).toBeUndefined();
    // Signed in, the customer follows its orders with its key: no order token.
    expect(res.body.orderToken).toBeUndefined();
    expect((await sys.db.order.findUniqueOrThrow({ where: { id: res.body.orderId } })).customerId).toBe(f.orderA.customerId);
    expect(await sys.db.apiKey.count({ where: { customerId: f.orderA.customerId } })).toBe(keys);
  });
});

describe('X-6: the callers who may decide, do', () => {
  it('X-6: ops extend and admin cancel an undecided line; its seller accepts its own line', async () => {
    const base = (lineId: string) => `/orders/${f.orderA.orderId}/lines/${lineId}`;
    const extended = await call('ops', 'POST', `${base(f.globexA)}/extend`, { hours: 24 });
    await expectStatus(extended, 200);
    expect(extended.body).toMatchObject({ status: 'awaiting_validation', extensions: [expect.objectContaining({ hours: 24 })] });
    const cancelled = await call('admin', 'POST', `${base(f.globexA)}/cancel`, { reason: 'Seller unreachable' });
    await expectStatus(cancelled, 200);
    expect(cancelled.body.status).toBe('cancelled');
    const accepted = await call('sellerAcme', 'POST', `${base(f.acmeA)}/accept`, { accessInstructions: 'https://mail.acme.test' });
    await expectStatus(accepted, 200);
    expect(accepted.body).toMatchObject({ status: 'active', decidedBy: `seller:${DEMO.sellers.acme.id}` });
  });
});
