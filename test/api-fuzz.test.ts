// X-5 and X-6 as properties over every route of the API, with fast-check generating the requests.
// The example tables (api-validation.test.ts, api-authorization.test.ts) prove the cases someone
// thought of; these properties look for the ones nobody did:
// - X-5: bodies (a valid example broken a little, arbitrary JSON, text that is not JSON), path ids
//   (real ones, unicode, invalid percent-encodings, very long), query strings and headers
//   (Authorization, Content-Type, Idempotency-Key, others), on every route, plain and unknown
//   ones included. Never a 5xx; every 4xx is an RFC 9457 problem whose `status` is the HTTP
//   status; a 400 names fields, and only fields the request got wrong; a body that is invalid for
//   sure is a 400 naming it, and so is a checkout without a valid Idempotency-Key (ORD-4: the
//   header is required, 8 to 200 characters: a 400 naming headers.idempotency-key); after any
//   refusal the whole database (every table, every row) is as it was: nothing half-written.
// - X-6: a route, real resources of different owners (plus random ids) and a valid request (a
//   checkout with a fresh Idempotency-Key), sent by a random set of principals, an anonymous
//   checkout's order token among them (X-8). A wrong or malformed key is 401 (an unknown route 404); a 2xx, or a
//   business refusal (402, 409, 422, which come after the authorization), only when an oracle
//   written here from SPEC X-6 and the expectations of api-authorization.test.ts says the caller
//   may; a caller who may is never told 401/403; a refused caller changes nothing.
// Only a successful command (2xx POST) may write, and so may the two refusals that record a
// business event rather than bad input: a declined checkout card (402, ORD-4: the failed order is
// kept) and a declined advance payment (422 PaymentDeclined, SUB-6: the attempt is audited).
// After those, the test waits for the worker to be idle before it compares again. Runs on the
// shared Temporal dev server with a real worker; fixtures are made through the API. A failure
// prints fast-check's seed and path: FUZZ_SEED=<seed> FUZZ_PATH=<path> replays it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { TEST_IBANS } from '../infra/sandbox-payouts';
import { nothingDuePayout } from './support/payouts';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { deletionLinkSubject, signLink, type LinkPurpose } from '../api/signed-links';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import {
  DbProbe,
  bodyArb,
  changedTables,
  dbChanges,
  describeRequest,
  encodedText,
  fieldName,
  headerValue,
  LIST_QUERY_KEYS,
  listItemsAreOwn,
  listQueryArb,
  notJson,
  percentGarbage,
  rawSegment,
  related,
  sendRaw,
  settle,
  type BodyCase,
  type DbSnapshot,
  type RawRequest,
  type RawResponse,
} from './support/fuzz';
import { randomUUID } from 'node:crypto';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, newIdempotencyKey, placeOrder, signIn, signInToken, waitForLineStatus, type PlacedOrder } from './support/orders';
import { waitState } from './support/subscriptions';
import { openTicketAs, supportedService, ticketCommand } from './support/tickets';
import { ticketWorkflowId } from '../workflows/ticket';
import { applicationBody, apply } from './support/application-fixtures';
import { sellerCaseWorkflowId } from '../workflows/seller-case';
import { freshSeller } from './support/sellers';
import { PRINCIPALS, type PrincipalName } from './support/principals';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

/**
 * Runs per property. An X-5 run is one HTTP request; an X-6 run one per principal of its set
 * (about 6); each is followed by a comparison of the whole database.
 */
const X5_RUNS = 400;
const X6_RUNS = 150;
/** FUZZ_STATS=1 prints how many requests each route got, by method, status and kind of body. */
const tally = new Map<string, number>();
function count(key: string): void {
  if (process.env.FUZZ_STATS) tally.set(key, (tally.get(key) ?? 0) + 1);
}
function printTally(label: string): void {
  if (!process.env.FUZZ_STATS) return;
  console.info(`${label}\n${[...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${String(v).padStart(5)}  ${k}`).join('\n')}`);
  tally.clear();
}
/** FUZZ_SEED=<seed> FUZZ_PATH=<path> replays the counterexample a failure printed. */
const REPLAY: fc.Parameters<unknown> = process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH, endOnFailure: true } : {};

const EMAIL_A = 'fuzz-alice@example.test';
const EMAIL_B = 'fuzz-bob@example.test';

/** The callers: every X-6 principal, and the order token of customerA's first order (X-8). */
type CallerName = PrincipalName | 'orderTokenA';
const CALLERS: readonly CallerName[] = [...PRINCIPALS, 'orderTokenA'];

// --- fixtures ----------------------------------------------------------------------------------------

/** Every resource made in beforeAll, with its owners: the facts the X-6 oracle decides on. */
interface Pool {
  customers: { id: string; email: string }[];
  orders: { id: string; customerId: string; number: string }[];
  /** `status` as of the last settled state: only the generators use it, to aim at undecided lines. */
  lines: { id: string; orderId: string; sellerId: string; customerId: string; status: string }[];
  subscriptions: { id: string; customerId: string; sellerId: string }[];
  invoices: { id: string; customerId: string; sellerId: string }[];
  /** Support tickets (DIA-8): owners never change; `status` only aims the generators. */
  tickets: { id: string; customerId: string; sellerId: string; kind: string; status: string }[];
  /** Named support contacts (POL-5); a removed one names nothing any more. */
  contacts: { id: string; subscriptionId: string; customerId: string; removed: boolean }[];
  /** Every seller, the demo ones included (the oracle knows them all; the generators never aim a closure case at a demo seller). */
  sellers: { id: string; status: string }[];
  /** Seller cases (MED-1..MED-7): their seller never changes; `status` only aims the generators. */
  cases: { id: string; sellerId: string; kind: string; status: string }[];
  /** Seller applications (KYC-1): none of the fuzzers' callers is their applicant (its token is not one of them). */
  applications: { id: string; status: string }[];
  /** Products published through POST /seller/offers (fixtures and the fuzzers'), with their seller; never a demo offer. */
  products: { id: string; sellerId: string }[];
  /** PYO-2: payouts, with their seller. */
  payouts: { id: string; sellerId: string }[];
  /** TND-1: calls for tenders, with the customer that posted them (null: a visitor). */
  tenders: { id: string; customerId: string | null }[];
}
let pool: Pool;
let keyA: string;
let keyB: string;
let probe: DbProbe;

/**
 * X-8: what signing in gives, made in beforeAll. Keys the fuzzers may revoke (never a caller's
 * own); for each customer a key that POST /me/keys/rotate is sent with instead of its own (a
 * rotation revokes the key it is called with: the answer's key is the next one); sign-in link
 * tokens that POST /auth/sign-in/exchange may use, each once.
 */
interface Accounts {
  tokenA: string;
  orderA: string;
  revocable: { keyId: string; customerId: string }[];
  rotation: Partial<Record<CallerName, string>>;
  signInTokens: string[];
  usedTokens: Set<string>;
  /** The sellers' accepts and refusals of the fixtures, as Updates whose outcome GET /updates/… shows. */
  updates: { workflowId: string; updateId: string }[];
}
let accounts: Accounts;

beforeAll(async () => {
  const api = sys.apiUrl;
  const { acmeMail, acmeCrm, globexBackup } = DEMO.offers;
  const lineOf = (o: PlacedOrder, sellerId: string) => o.lines.find((l) => l.sellerId === sellerId)!.lineId;
  const decide = async (o: PlacedOrder, lineId: string, command: 'accept' | 'refuse', key: string) => {
    const body = command === 'accept' ? { accessInstructions: 'https://access.example.test' } : { reason: 'Region not served' };
    const res = await http(api, 'POST', `/orders/${o.orderId}/lines/${lineId}/${command}`, { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  // customerA: an undecided order, an order whose two lines run as subscriptions (Acme with a
  // commitment, Globex), a declined one. customerB: an order with an accepted and a refused line
  // (refund, credit note), an undecided order, a subscription ended by deletion (SUB-10). The demo
  // customer: an undecided order.
  const orderA = await placeOrder(api, { email: EMAIL_A });
  const orderA2 = await placeOrder(api, { email: EMAIL_A, offers: [acmeCrm.id, globexBackup.id] });
  const orderB = await placeOrder(api, { email: EMAIL_B });
  const orderB2 = await placeOrder(api, { email: EMAIL_B });
  const orderC = await placeOrder(api, { email: EMAIL_B, offers: [acmeMail.id] });
  const orderD = await placeOrder(api, { email: DEMO.customer.email, offers: [globexBackup.id, acmeMail.id] });
  keyA = orderA.customerApiKey!;
  keyB = orderB.customerApiKey!;
  expect(keyA).toMatch(/^cust_/);
  expect(keyB).toMatch(/^cust_/);
  expect(orderA.orderToken).toMatch(/^ot1\./);
  for (const o of [orderA, orderA2, orderB, orderB2, orderC, orderD]) await linesAwaitingValidation(sys.db, o);

  const acme = DEMO.sellers.acme.id;
  const globex = DEMO.sellers.globex.id;
  await decide(orderA2, lineOf(orderA2, acme), 'accept', DEMO_KEYS.sellerAcme);
  await decide(orderA2, lineOf(orderA2, globex), 'accept', DEMO_KEYS.sellerGlobex);
  await decide(orderB, lineOf(orderB, acme), 'accept', DEMO_KEYS.sellerAcme);
  await decide(orderB, lineOf(orderB, globex), 'refuse', DEMO_KEYS.sellerGlobex);
  const ended = orderC.lines[0].lineId;
  await decide(orderC, ended, 'accept', DEMO_KEYS.sellerAcme);
  await waitForLineStatus(sys.db, lineOf(orderB, globex), 'refused');
  for (const id of [lineOf(orderA2, acme), lineOf(orderA2, globex), lineOf(orderB, acme), ended]) {
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id } })) !== null, 20_000, `subscription ${id}`);
    await waitState(env.client, id, (s) => s.status === 'active' && s.paidPeriods >= 1);
  }
  expect((await http(api, 'POST', `/subscriptions/${ended}/deletion`, { key: keyB, body: {} })).status).toBe(200);
  const codeMail = await eventually(async () => (await sys.db.email.findFirst({ where: { id: { startsWith: `sub:${ended}:deletion-code:` } } })) ?? undefined, 20_000, 'deletion code');
  const code = /Confirmation code: (\w+)/.exec(codeMail.text)![1];
  expect((await http(api, 'POST', `/subscriptions/${ended}/deletion/confirm`, { key: keyB, body: { code } })).status).toBe(200);
  const declined = await http(api, 'POST', '/checkout', { body: checkoutBody({ email: EMAIL_A, card: TEST_CARDS.declined }), headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(declined.status, JSON.stringify(declined.body)).toBe(402);

  // X-8: keys to revoke and to rotate with, and sign-in links to exchange (see Accounts).
  accounts = { tokenA: orderA.orderToken, orderA: orderA.orderId, revocable: [], rotation: {}, signInTokens: [], usedTokens: new Set(), updates: [] };
  for (const lineId of [lineOf(orderA2, acme), lineOf(orderA2, globex), lineOf(orderB, acme), lineOf(orderB, globex), ended]) {
    const workflowId = `OrderLine:${lineId}`;
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    for (const e of history.events ?? []) {
      const updateId = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId;
      if (updateId) accounts.updates.push({ workflowId, updateId });
    }
  }
  expect(accounts.updates.length).toBeGreaterThanOrEqual(5);
  for (const email of [EMAIL_A, EMAIL_A, EMAIL_B, EMAIL_B]) {
    const k = await signIn(api, email);
    accounts.revocable.push({ keyId: k.keyId, customerId: k.customerId });
  }
  for (const [name, email] of [['customerA', EMAIL_A], ['customerB', EMAIL_B], ['customerDemo', DEMO.customer.email]] as const) {
    accounts.rotation[name] = (await signIn(api, email)).apiKey;
  }
  for (let i = 0; i < 12; i++) accounts.signInTokens.push(await signInToken(api, i % 2 ? EMAIL_B : EMAIL_A));

  // Support (POL-5, DIA-1..DIA-8): a named contact on each running subscription, and tickets in
  // every state a command can meet: awaiting consent, awaiting support, a quote pending, an
  // invoice awaiting payment, closed.
  const crmA = lineOf(orderA2, acme);
  const backupA = lineOf(orderA2, globex);
  const mailB = lineOf(orderB, acme);
  const contactOf = async (subscriptionId: string, key: string, email: string) => {
    const res = await http(api, 'POST', `/subscriptions/${subscriptionId}/support-contacts`, { key, body: { name: 'Named Contact', email } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.contactId as string;
  };
  const contacts = { [crmA]: await contactOf(crmA, keyA, EMAIL_A), [backupA]: await contactOf(backupA, keyA, EMAIL_A), [mailB]: await contactOf(mailB, keyB, EMAIL_B) };
  const ticket = async (subscriptionId: string, key: string, kind: 'incident' | 'support') => {
    const body = { requestId: `fuzz-${randomUUID()}`, subscriptionId, contactId: contacts[subscriptionId], kind, subject: `Fixture ${kind}`, message: 'It does not work.' };
    const res = await http(api, 'POST', '/tickets', { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { ticketId: string; diagnostic: { priceNowCents: number } | null };
  };
  const command = async (ticketId: string, path: string, key: string, body: unknown, status: string) => {
    const res = await http(api, 'POST', `/tickets/${ticketId}/${path}`, { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe(status);
  };
  await ticket(crmA, keyA, 'incident');
  await ticket(crmA, keyA, 'support');
  for (const [outcome, status] of [[{ outcome: 'quote', quote: { amountCents: 15_000, description: 'Restore the backup set' } }, 'quote_pending'], [{ outcome: 'fixed' }, 'awaiting_payment']] as const) {
    const t = await ticket(backupA, keyA, 'incident');
    await command(t.ticketId, 'consent', keyA, { acceptedPriceCents: t.diagnostic!.priceNowCents }, 'diagnosing');
    await command(t.ticketId, 'diagnosis', DEMO_KEYS.support, outcome, status);
  }
  await ticket(mailB, keyB, 'support');
  await command((await ticket(mailB, keyB, 'support')).ticketId, 'close', keyB, { reason: 'Solved' }, 'closed');

  // Seller cases (MED-1..MED-7) in the states a command can meet: a closure case awaiting its
  // contest, a complaint awaiting its meeting, one awaiting the seller's confirmation, a closure
  // request with its meeting confirmed, a withdrawn complaint. The closure case goes to a seller of
  // its own: it suspends its seller (MED-1), and the demo sellers must keep taking the fuzzers'
  // orders and deciding their lines. Every meeting is at FAR_MEETING, so none can be recorded: no
  // demo seller's closure request is ever held (MED-6 would close its account).
  const openCase = async (key: string, path: string, body: unknown) => {
    const res = await http(api, 'POST', path, { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.caseId as string;
  };
  const caseCommand = async (caseId: string, path: string, key: string, body: unknown, status: string) => {
    const res = await http(api, 'POST', `/cases/${caseId}/${path}`, { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe(status);
  };
  const meeting = { at: FAR_MEETING, place: 'Paris office' };
  const closureSeller = await freshSeller(sys.db);
  const ownSeller = await freshSeller(sys.db);
  await openCase(DEMO_KEYS.ops, `/ops/sellers/${closureSeller.sellerId}/cases`, { reasons: 'Fixture: repeated customer complaints', letterReference: 'LR-FUZZ-0001' });
  await openCase(DEMO_KEYS.sellerAcme, '/seller/cases', { kind: 'complaint', text: 'Fixture complaint' });
  const invited = await openCase(ownSeller.key, '/seller/cases', { kind: 'complaint', text: 'Fixture complaint' });
  await caseCommand(invited, 'meeting', DEMO_KEYS.ops, meeting, 'awaiting_confirmation');
  const request = await openCase(DEMO_KEYS.sellerGlobex, '/seller/cases', { kind: 'closure_request', text: 'Fixture request' });
  await caseCommand(request, 'meeting', DEMO_KEYS.ops, meeting, 'awaiting_confirmation');
  await caseCommand(request, 'meeting/confirm', DEMO_KEYS.sellerGlobex, {}, 'meeting_confirmed');
  const withdrawn = await openCase(DEMO_KEYS.sellerPending, '/seller/cases', { kind: 'complaint', text: 'Fixture complaint' });
  await caseCommand(withdrawn, 'withdraw', DEMO_KEYS.ops, { reason: 'Settled by phone' }, 'withdrawn');
  // Their Updates, whose outcome GET /updates/SellerCase:…/… shows to the case's seller and ops.
  for (const caseId of [invited, request, withdrawn]) {
    const workflowId = sellerCaseWorkflowId(caseId);
    for (const e of (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
      const updateId = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId;
      if (updateId) accounts.updates.push({ workflowId, updateId });
    }
  }

  // KYC-1: an incomplete seller application (ops' decisions on it are refused by state, 409).
  await apply(api);
  // TND-1: an open call for tenders of customerA (no contact given: its own address, open at once).
  expect((await http(api, 'POST', '/tenders', { key: keyA, body: { ...FUZZ_TENDER, contact: undefined } })).status).toBe(201);
  // Offers and terms: a product of each approved demo seller, for the fuzzers to edit and unpublish
  // (the demo offers that fixtures and checkouts order are never aimed at).
  for (const key of [DEMO_KEYS.sellerAcme, DEMO_KEYS.sellerGlobex]) {
    const res = await http(api, 'POST', '/seller/offers', { key, body: FUZZ_OFFER, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  // PYO-2: a payout of each approved demo seller (nothing due), for the payout routes to read.
  for (const sellerId of [DEMO.sellers.acme.id, DEMO.sellers.globex.id]) await nothingDuePayout(sys.db, sellerId, '2099-01-15');

  // Wait for every e-mail, invoice and credit note of the fixtures, then take them as the pool.
  probe = await DbProbe.open(sys.databaseUrl);
  await settle(probe, env.client, sys.taskQueue);
  await loadPool();
  expect(pool.orders.length).toBe(7);
  expect(pool.subscriptions.length).toBe(4);
  expect(pool.invoices.some((i) => i.id.startsWith('credit:'))).toBe(true);
  expect(pool.tickets.map((t) => t.kind).sort()).toEqual(['incident', 'incident', 'incident', 'support', 'support', 'support']);
  expect(pool.contacts.length).toBe(3);
  expect(pool.cases.map((c) => `${c.kind} ${c.status}`).sort()).toEqual([
    'closure awaiting_contest',
    'closure_request meeting_confirmed',
    'complaint awaiting_confirmation',
    'complaint awaiting_meeting',
    'complaint withdrawn',
  ]);
  expect(caseSellers().length).toBe(2);
}, 180_000);

afterAll(async () => {
  await probe?.close();
});

/**
 * The resources in the database and their owners. Owners never change, but resources appear
 * (an accepted line becomes a subscription, a checkout adds an order): reloaded at every settled
 * state, so the oracle never calls a real resource absent.
 */
async function loadPool(): Promise<void> {
  const db = sys.db;
  const orders = await db.order.findMany({ orderBy: { id: 'asc' } });
  const customerOf = new Map(orders.map((o) => [o.id, o.customerId]));
  pool = {
    customers: (await db.customer.findMany({ orderBy: { id: 'asc' } })).map((c) => ({ id: c.id, email: c.email })),
    orders: orders.map((o) => ({ id: o.id, customerId: o.customerId ?? '', number: o.number })),
    lines: (await db.orderLine.findMany({ orderBy: { id: 'asc' } })).map((l) => ({ id: l.id, orderId: l.orderId, sellerId: l.sellerId, customerId: customerOf.get(l.orderId)!, status: l.status })),
    subscriptions: (await db.subscription.findMany({ orderBy: { id: 'asc' } })).map((s) => ({ id: s.id, customerId: s.customerId, sellerId: s.sellerId })),
    invoices: (await db.invoice.findMany({ orderBy: { id: 'asc' } })).map((i) => ({ id: i.id, customerId: i.customerId, sellerId: i.sellerId })),
    tickets: (await db.ticket.findMany({ orderBy: { id: 'asc' } })).map((t) => ({ id: t.id, customerId: t.customerId, sellerId: t.sellerId, kind: t.kind, status: t.status })),
    contacts: (await db.supportContact.findMany({ orderBy: { id: 'asc' } })).map((c) => ({ id: c.id, subscriptionId: c.subscriptionId, customerId: c.customerId, removed: c.removedAt !== null })),
    sellers: (await db.seller.findMany({ orderBy: { id: 'asc' } })).map((s) => ({ id: s.id, status: s.status })),
    cases: (await db.sellerCase.findMany({ orderBy: { id: 'asc' } })).map((c) => ({ id: c.id, sellerId: c.sellerId, kind: c.kind, status: c.status })),
    applications: (await db.sellerApplication.findMany({ orderBy: { id: 'asc' } })).map((a) => ({ id: a.id, status: a.status })),
    products: (await db.offer.findMany({ where: { productId: { startsWith: 'prd_' }, version: 1 }, orderBy: { id: 'asc' } })).map((o) => ({ id: o.productId!, sellerId: o.sellerId })),
    payouts: (await db.payout.findMany({ orderBy: { id: 'asc' } })).map((p) => ({ id: p.id, sellerId: p.sellerId })),
    tenders: (await db.tender.findMany({ orderBy: { id: 'asc' } })).map((t) => ({ id: t.id, customerId: t.customerId })),
  };
}

// --- principals --------------------------------------------------------------------------------------

type StaffRole = 'admin' | 'ops' | 'support' | 'finance';

/** Who a caller is, as the test knows it (never asked of the API). */
type Who =
  | { name: CallerName; kind: 'anonymous' }
  | { name: CallerName; kind: 'staff'; role: StaffRole }
  | { name: CallerName; kind: 'seller'; sellerId: string }
  | { name: CallerName; kind: 'customer'; customerId: string; email: string }
  /** An anonymous checkout's order token: it follows that order only (X-8). */
  | { name: CallerName; kind: 'order'; orderId: string }
  /** A wrong key or a malformed Authorization header. */
  | { name: CallerName; kind: 'bad' };

function who(name: CallerName): Who & { key?: string } {
  switch (name) {
    case 'anonymous':
      return { name, kind: 'anonymous' };
    case 'admin':
    case 'ops':
    case 'support':
    case 'finance':
      return { name, kind: 'staff', role: name, key: DEMO_KEYS[name] };
    case 'sellerAcme':
      return { name, kind: 'seller', sellerId: DEMO.sellers.acme.id, key: DEMO_KEYS.sellerAcme };
    case 'sellerGlobex':
      return { name, kind: 'seller', sellerId: DEMO.sellers.globex.id, key: DEMO_KEYS.sellerGlobex };
    case 'sellerInitech':
      return { name, kind: 'seller', sellerId: DEMO.sellers.initech.id, key: DEMO_KEYS.sellerPending };
    case 'customerA':
      return { name, kind: 'customer', customerId: customerByEmail(EMAIL_A), email: EMAIL_A, key: keyA };
    case 'customerB':
      return { name, kind: 'customer', customerId: customerByEmail(EMAIL_B), email: EMAIL_B, key: keyB };
    case 'customerDemo':
      return { name, kind: 'customer', customerId: DEMO.customer.id, email: DEMO.customer.email, key: DEMO_KEYS.customer };
    case 'orderTokenA':
      return { name, kind: 'order', orderId: accounts.orderA, key: accounts.tokenA };
    case 'wrongKey':
    case 'malformedHeader':
      return { name, kind: 'bad' };
  }
}

function customerByEmail(email: string): string {
  return pool.customers.find((c) => c.email === email)!.id;
}

const realKeys = () => new Set<string>([...Object.values(DEMO_KEYS), keyA, keyB, accounts.tokenA, ...Object.values(accounts.rotation)]);

/** Could this header value name a real key? (`Bearer <key>`, any case, any blanks around.) */
function namesRealKey(value: string): boolean {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
  return m !== null && realKeys().has(m[1]);
}

interface Caller {
  who: Who;
  authorization?: string;
}

/** A principal and the Authorization header it sends: real keys in every spelling the format allows. */
function callerArb(name: CallerName): fc.Arbitrary<Caller> {
  const w = who(name);
  if (w.kind === 'anonymous') return fc.constant({ who: w });
  if (w.kind === 'bad') {
    const header =
      name === 'wrongKey'
        ? fc.tuple(fc.constantFrom('Bearer ', 'bearer ', 'Bearer  '), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+/='), minLength: 1, maxLength: 120 })).map(([s, k]) => s + k)
        : fc.oneof(
            fc.constantFrom('', 'Basic abc', 'Bearer', 'Bearer ', 'bearer', 'Token demo-admin-key', 'Bearer demo-admin-key trailing', 'Bearer\tdemo-admin-key\tx', DEMO_KEYS.admin, `Basic ${Buffer.from('admin:demo-admin-key').toString('base64')}`, 'Bearer demo-admin-key, Bearer demo-ops-key', 'Bearer "demo-admin-key"'),
            headerValue(60),
          );
    return header.filter((h) => !namesRealKey(h)).map((authorization) => ({ who: w, authorization }));
  }
  return fc
    .tuple(fc.constantFrom('Bearer', 'Bearer', 'bearer', 'BEARER', 'bEaReR'), fc.constantFrom(' ', ' ', '  ', '\t'), fc.constantFrom('', '', ' '))
    .map(([scheme, gap, tail]) => ({ who: w, authorization: `${scheme}${gap}${w.key}${tail}` }));
}

// --- the routes and the X-6 oracle -----------------------------------------------------------------

type Kind = 'order' | 'orderNumber' | 'line' | 'customer' | 'subscription' | 'invoice' | 'asset' | 'key' | 'workflow' | 'update' | 'link' | 'ticket' | 'contact' | 'seller' | 'case' | 'application' | 'product' | 'payout' | 'tender' | 'partnership' | 'partner';
/** allow: the caller may; deny: it may not; absent: there is no such resource (no 2xx either). */
type Verdict = 'allow' | 'deny' | 'absent';
type Ids = Record<string, string>;

interface RouteDef {
  /** As in /openapi.json (`POST /orders/{orderId}/withdraw`); plain and unknown routes say so. */
  op: string;
  method: string;
  /** Express pattern. */
  path: string;
  params: [string, Kind][];
  type: 'table' | 'plain' | 'unknown';
  /** The route's own gate (`allow` of its declaration), as api-authorization.test.ts expects it. */
  gate: (w: Who) => boolean;
  /** X-6: may this caller do this, to these resources, with this body? */
  may: (w: Who, ids: Ids, body: unknown) => Verdict;
  /** A valid body for the caller (POST routes). */
  body?: (w: Who) => fc.Arbitrary<unknown>;
  /** Valid query strings ('' = none). */
  query?: fc.Arbitrary<string>;
  /** The query parameters the X-5 fuzzer tries with arbitrary values (default: status). */
  queryKeys?: string[];
  /** An unknown route's answer whoever calls it: 404, or 405 where the path has other methods. */
  unknownAnswer?: 404 | 405;
  /** Requires an Idempotency-Key header (ORD-4: checkout). */
  idempotent?: boolean;
  /**
   * The tables an answer that may write (see mayWrite) may change, the work of the worker it
   * started included; absent: not checked table by table.
   */
  writes?: readonly string[];
  /**
   * Body fields a rule ties to others: a change to the first may make a 400 name the others
   * (a meeting recorded as held requires its end, MED-3). The X-5 fuzzer suspects them too.
   */
  coupled?: Record<string, readonly string[]>;
}

const staff =
  (...roles: StaffRole[]) =>
  (w: Who) =>
    w.kind === 'staff' && (w.role === 'admin' || roles.includes(w.role));
const anyStaff = (w: Who) => w.kind === 'staff';
const customer = (w: Who) => w.kind === 'customer';
const seller = (w: Who) => w.kind === 'seller';
/** Any key of a person: an order token is none (X-8). */
const authenticated = (w: Who) => w.kind !== 'anonymous' && w.kind !== 'bad' && w.kind !== 'order';
const orderToken = (w: Who) => w.kind === 'order';
const either =
  (...rules: ((w: Who) => boolean)[]) =>
  (w: Who) =>
    rules.some((r) => r(w));
const verdict = (ok: boolean): Verdict => (ok ? 'allow' : 'deny');

const findOrder = (id: string) => pool.orders.find((o) => o.id === id);
const findSubscription = (id: string) => pool.subscriptions.find((s) => s.id === id);
const findInvoice = (id: string) => pool.invoices.find((i) => i.id === id);
/** A line exists only inside its own order. */
const findLine = (ids: Ids) => pool.lines.find((l) => l.id === ids.lineId && l.orderId === ids.orderId);
const ownsCustomer = (w: Who, customerId: string) => w.kind === 'customer' && w.customerId === customerId;
const ownsSeller = (w: Who, sellerId: string) => w.kind === 'seller' && w.sellerId === sellerId;

const STATUSES = ['awaiting_validation', 'overdue', 'active', 'refused', 'cancelled'];
const PAYOUT_STATUSES = ['sending', 'paid', 'rejected', 'nothing_due', 'no_bank_details', 'stopped'];
/** A well-formed sign-in link token (43 base64url characters) that no link carries. */
const signInTokenText = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const VALID_CARD = { number: TEST_CARDS.success, expMonth: 12, expYear: 2030, cvc: '123' };

const lineRoute = (command: 'accept' | 'refuse' | 'cancel' | 'extend', gate: (w: Who) => boolean, body: unknown): RouteDef => ({
  op: `POST /orders/{orderId}/lines/{lineId}/${command}`,
  method: 'POST',
  path: `/orders/:orderId/lines/:lineId/${command}`,
  params: [
    ['orderId', 'order'],
    ['lineId', 'line'],
  ],
  type: 'table',
  gate,
  // Sellers decide on their own lines; ops (and admin) cancel and extend; customers never decide.
  may: (w, ids) => {
    const line = findLine(ids);
    if (!line) return 'absent';
    return verdict(command === 'accept' || command === 'refuse' ? ownsSeller(w, line.sellerId) : staff('ops')(w));
  },
  body: () => fc.constant(body),
});

const subscriptionCommand = (command: string, body: fc.Arbitrary<unknown>): RouteDef => ({
  op: `POST /subscriptions/{subscriptionId}/${command}`,
  method: 'POST',
  path: `/subscriptions/:subscriptionId/${command}`,
  params: [['subscriptionId', 'subscription']],
  type: 'table',
  gate: customer,
  // Only the owning customer commands its subscription.
  may: (w, ids) => {
    const sub = findSubscription(ids.subscriptionId);
    return sub ? verdict(ownsCustomer(w, sub.customerId)) : 'absent';
  },
  body: () => body,
});

// --- support tickets (api/routes/tickets.ts, api/routes/support.ts) ---------------------------------

const findTicket = (id: string) => pool.tickets.find((t) => t.id === id);
/** X-6: a ticket's customer, support and ops staff, and the seller of the offer for a `support` ticket. */
const mayReadTicket = (w: Who, t: Pool['tickets'][number]) => ownsCustomer(w, t.customerId) || staff('support', 'ops')(w) || (t.kind === 'support' && ownsSeller(w, t.sellerId));
const TICKET_STATUSES = ['awaiting_consent', 'diagnosing', 'quote_pending', 'work_in_progress', 'awaiting_payment', 'awaiting_support', 'awaiting_customer', 'paid', 'contested', 'closed'];

/** What a ticket's step writes: its row and audit entry (DIA-8), the e-mail of the step and its delivery. */
const TICKET_STEP = ['Ticket', 'AuditLog', 'Email', 'MailboxMessage'] as const;
/** A support invoice (DIA-4) or its credit note (DIA-5), in the marketplace's gapless series, with its stored files (INV-1: PDF and XML, frozen at issue). */
const SUPPORT_INVOICE = ['Invoice', 'Counter', 'DocumentFile'] as const;
/** A card payment of a support invoice (DIA-4): the card saved with the gateway, the attempt, the charge, its ledger transfer (PAY-1). */
const SUPPORT_PAYMENT = [...TICKET_STEP, 'PaymentCard', 'SupportPayment', 'SandboxCard', 'SandboxTransaction', 'SandboxAttempt', 'LedgerTransfer', 'LedgerAccount'] as const;

/**
 * A command on a ticket: who passes its gate and may read the ticket may (a customer reads only
 * its own); its state (closed, awaiting something else) refuses with 409/422 after that.
 */
const ticketCommandRoute = (command: string, gate: (w: Who) => boolean, body: (w: Who) => fc.Arbitrary<unknown>, writes: readonly string[]): RouteDef => ({
  op: `POST /tickets/{ticketId}/${command}`,
  method: 'POST',
  path: `/tickets/:ticketId/${command}`,
  params: [['ticketId', 'ticket']],
  type: 'table',
  gate,
  may: (w, ids) => {
    const t = findTicket(ids.ticketId);
    return t ? verdict(gate(w) && mayReadTicket(w, t)) : 'absent';
  },
  body,
  writes,
});

/** A valid opening (DIA-1, POL-5): mostly on one of the caller's services, by one of its named contacts. */
function openingBody(w: Who): fc.Arbitrary<unknown> {
  const own = w.kind === 'customer' ? pool.subscriptions.filter((s) => s.customerId === w.customerId) : [];
  const any = fc.constantFrom(...pool.subscriptions);
  const subscription = own.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: any }) : any;
  return fc.record({ subscription, kind: fc.constantFrom('incident', 'support'), requestId: fc.uuid(), pick: fc.nat() }).map(({ subscription, kind, requestId, pick }) => {
    const named = pool.contacts.filter((c) => c.subscriptionId === subscription.id && !c.removed);
    const contacts = named.length > 0 ? named : pool.contacts;
    return { requestId: `fuzz-${requestId}`, subscriptionId: subscription.id, contactId: contacts[pick % contacts.length].id, kind, subject: `Fuzzed ${kind}`, message: 'It does not work.' };
  });
}

// --- seller cases (api/routes/seller-cases.ts, MED-1..MED-7) --------------------------------------

const findCase = (id: string) => pool.cases.find((c) => c.id === id);
/** X-6: a case's seller (with its key even while suspended) and ops. */
const mayReadCase = (w: Who, c: Pool['cases'][number]) => staff('ops')(w) || ownsSeller(w, c.sellerId);
const CASE_STATUSES = ['awaiting_contest', 'awaiting_meeting', 'awaiting_confirmation', 'meeting_confirmed', 'remediation', 'closing', 'account_closed', 'resolved', 'lapsed', 'withdrawn'];
const CASE_KINDS = ['closure', 'closure_request', 'complaint'];
const DEMO_SELLER_IDS: readonly string[] = Object.values(DEMO.sellers).map((s) => s.id);
/**
 * The sellers a closure case may be opened against: the fixtures' own, never a demo seller (it
 * would be suspended, MED-1: its offers then take no orders and its key decides no line, and the
 * oracle counts on both).
 */
const caseSellers = () => pool.sellers.filter((s) => !DEMO_SELLER_IDS.includes(s.id));
/** KYC-1: only approved sellers publish (Initech is pending: 403 from the handler, past the gate). */
const approvedSeller = (w: Who) => w.kind === 'seller' && pool.sellers.some((s) => s.id === w.sellerId && s.status === 'approved');
const FUZZ_OFFER = { name: 'Fuzz offer', priceCents: 1000, vatRateBp: 2000, billingPeriod: 'monthly' };
/** TND-1: a valid call for tenders; its contact is nobody's account (a customer's then awaits verification too). */
const FUZZ_TENDER = { category: 'consulting', title: 'Fuzz call', excerpt: 'Fuzz excerpt', description: 'Fuzz brief', contact: { name: 'Fuzz Visitor', email: 'fuzz-visitor@example.test' } };
/** A product the caller edits or unpublishes: its own, while approved (unpublishing needs no approval); another's is 404. */
const productVerdict = (w: Who, ids: Ids, needsApproval: boolean): Verdict => {
  const product = pool.products.find((p) => p.id === ids.productId);
  if (!product) return 'absent';
  return verdict(w.kind === 'seller' && w.sellerId === product.sellerId && (!needsApproval || approvedSeller(w)));
};
/**
 * Every meeting the fuzzers schedule: after the run, so none is ever recorded (409 until then).
 * Held, a demo seller's closure request would close its account (MED-6).
 */
const FAR_MEETING = '2099-06-01T09:00:00+02:00';

/** What a case's step writes: its row and timeline (X-4), the e-mail to its seller and that e-mail's delivery. */
const CASE_STEP = ['SellerCase', 'AuditLog', 'Email', 'MailboxMessage'] as const;

/** A command on a case: who passes its gate and may read the case may; its state refuses after that (409, 422). */
const caseCommandRoute = (command: string, gate: (w: Who) => boolean, body: fc.Arbitrary<unknown>, writes: readonly string[]): RouteDef => ({
  op: `POST /cases/{caseId}/${command}`,
  method: 'POST',
  path: `/cases/:caseId/${command}`,
  params: [['caseId', 'case']],
  type: 'table',
  gate,
  may: (w, ids) => {
    const c = findCase(ids.caseId);
    return c ? verdict(gate(w) && mayReadCase(w, c)) : 'absent';
  },
  body: () => body,
  writes,
});

const unknownRoute = (method: string, path: string, params: [string, Kind][] = [], unknownAnswer: 404 | 405 = 404): RouteDef => ({
  op: `unknown ${method} ${path}`,
  method,
  path,
  params,
  type: 'unknown',
  unknownAnswer,
  gate: () => false,
  may: () => 'absent',
  body: () => fc.constant({ a: 1 }),
});

/** A list without path parameters: whoever passes its gate gets its own items (X-6). */
const listRoute = (path: string, gate: (w: Who) => boolean, filters: Record<string, readonly string[]> = {}): RouteDef => ({
  op: `GET ${path}`,
  method: 'GET',
  path,
  params: [],
  type: 'table',
  gate,
  may: (w) => verdict(gate(w)),
  query: listQueryArb(filters),
  queryKeys: LIST_QUERY_KEYS,
});

/**
 * Links minted for the pool's resources as the e-mails mint them, with one far expiry (a replay
 * mints the same tokens). No withdrawal link names an order with a line still awaiting its
 * seller: those lines are the X-6 refusals' fixtures, and anyone holding the link may withdraw.
 */
const LINK_EXPIRY = new Date('2100-01-01T00:00:00Z');
function linkTokens(purpose: LinkPurpose): string[] {
  const undecided = new Set(pool.lines.filter((l) => l.status === 'awaiting_validation' || l.status === 'overdue').map((l) => l.orderId));
  const subjects =
    purpose === 'document'
      ? pool.invoices.map((i) => i.id)
      : purpose === 'withdrawal'
        ? pool.orders.filter((o) => !undecided.has(o.id)).map((o) => o.id)
        : purpose === 'deletion-confirmation'
          ? pool.subscriptions.map((s) => deletionLinkSubject(s.id, 1))
          : purpose === 'support-payment'
            ? pool.tickets.map((t) => t.id)
            : purpose === 'tender-withdrawal'
              ? pool.tenders.map((t) => t.id)
              : pool.subscriptions.map((s) => s.id);
  return subjects.map((subject) => signLink(purpose, subject, LINK_EXPIRY));
}

const linkRoute = (method: 'GET' | 'POST', purpose: LinkPurpose, body?: unknown, writes?: readonly string[]): RouteDef => ({
  op: `${method} /links/${purpose}/{token}`,
  method,
  path: `/links/${purpose}/:token`,
  params: [['token', 'link']],
  type: 'table',
  gate: () => true,
  // Whoever holds a link minted for this page may; a link of another page, or none, is no resource.
  may: (w, ids) => (linkTokens(purpose).includes(ids.token) ? verdict(w.kind !== 'bad') : 'absent'),
  ...(body === undefined ? {} : { body: () => fc.constant(body) }),
  ...(writes === undefined ? {} : { writes }),
});

const plainRoute = (path: string, params: [string, Kind][] = []): RouteDef => ({
  op: `plain GET ${path}`,
  method: 'GET',
  path,
  params,
  type: 'plain',
  gate: () => true,
  may: () => 'allow',
});

const ROUTE_LIST: RouteDef[] = [
  {
    op: 'POST /checkout',
    method: 'POST',
    path: '/checkout',
    params: [],
    type: 'table',
    idempotent: true,
    gate: either((w) => w.kind === 'anonymous', customer),
    // Anyone orders (ORD-1); a customer key only for its own e-mail; staff and sellers never.
    may: (w, _ids, body) => {
      const email = String((body as { customer: { email: string } }).customer.email).trim().toLowerCase();
      return verdict(w.kind === 'anonymous' || (w.kind === 'customer' && w.email === email));
    },
    body: (w) =>
      fc
        .oneof(
          fc.nat({ max: 50 }).map((n) => `fuzz-buyer-${n}@example.test`),
          fc.constantFrom(EMAIL_A, EMAIL_B, DEMO.customer.email),
          fc.constant(w.kind === 'customer' ? w.email.toUpperCase() : 'FUZZ-BUYER@EXAMPLE.TEST'),
        )
        .map((email) => checkoutBody({ email, offers: [DEMO.offers.acmeMail.id] })),
  },
  {
    op: 'GET /orders/{orderId}',
    method: 'GET',
    path: '/orders/:orderId',
    params: [['orderId', 'order']],
    type: 'table',
    gate: either(customer, anyStaff, orderToken),
    may: (w, ids) => {
      const order = findOrder(ids.orderId);
      // X-8: an order token reads its own order.
      return order ? verdict(anyStaff(w) || ownsCustomer(w, order.customerId) || (w.kind === 'order' && w.orderId === order.id)) : 'absent';
    },
  },
  {
    op: 'GET /orders/{orderId}/lines/{lineId}',
    method: 'GET',
    path: '/orders/:orderId/lines/:lineId',
    params: [
      ['orderId', 'order'],
      ['lineId', 'line'],
    ],
    type: 'table',
    gate: authenticated,
    may: (w, ids) => {
      const line = findLine(ids);
      return line ? verdict(anyStaff(w) || ownsSeller(w, line.sellerId) || ownsCustomer(w, line.customerId)) : 'absent';
    },
  },
  lineRoute('accept', seller, { accessInstructions: 'Sign in at https://access.example.test' }),
  lineRoute('refuse', seller, { reason: 'Region not served' }),
  lineRoute('cancel', staff('ops'), { reason: 'Seller unreachable' }),
  lineRoute('extend', staff('ops'), { hours: 24 }),
  {
    op: 'GET /ops/lines',
    method: 'GET',
    path: '/ops/lines',
    params: [],
    type: 'table',
    gate: staff('ops', 'support'),
    may: (w) => verdict(staff('ops', 'support')(w)),
    // Every status, terminated and the unpaid ones included (ORD-7); none lists every line.
    query: listQueryArb({ status: [...STATUSES, 'awaiting_payment', 'payment_failed', 'terminated'] }),
    queryKeys: LIST_QUERY_KEYS,
  },
  {
    op: 'GET /seller/lines',
    method: 'GET',
    path: '/seller/lines',
    params: [],
    type: 'table',
    gate: seller,
    may: (w) => verdict(seller(w)),
    query: listQueryArb({ status: [...STATUSES, 'terminated'] }),
    queryKeys: LIST_QUERY_KEYS,
  },
  {
    op: 'GET /customers/{customerId}/emails',
    method: 'GET',
    path: '/customers/:customerId/emails',
    params: [['customerId', 'customer']],
    type: 'table',
    gate: either(customer, staff('support')),
    may: (w, ids) => verdict(staff('support')(w) || ownsCustomer(w, ids.customerId)),
  },
  {
    op: 'GET /mailbox',
    method: 'GET',
    path: '/mailbox',
    params: [],
    type: 'table',
    gate: staff('support'),
    may: (w) => verdict(staff('support')(w)),
    query: fc.constantFrom('', `to=${encodeURIComponent(EMAIL_A)}`, 'to=example.test'),
  },
  {
    op: 'GET /offers',
    method: 'GET',
    path: '/offers',
    params: [],
    type: 'table',
    gate: () => true,
    may: (w) => verdict(w.kind !== 'bad'),
    query: listQueryArb(),
    queryKeys: LIST_QUERY_KEYS,
  },
  {
    op: 'GET /subscriptions/{subscriptionId}',
    method: 'GET',
    path: '/subscriptions/:subscriptionId',
    params: [['subscriptionId', 'subscription']],
    type: 'table',
    gate: authenticated,
    may: (w, ids) => {
      const sub = findSubscription(ids.subscriptionId);
      return sub ? verdict(anyStaff(w) || ownsSeller(w, sub.sellerId) || ownsCustomer(w, sub.customerId)) : 'absent';
    },
  },
  subscriptionCommand('renewal-mode', fc.constantFrom({ mode: 'manual' }, { mode: 'auto' })),
  subscriptionCommand('terminate', fc.constant({})),
  subscriptionCommand('withdraw-termination', fc.constant({})),
  subscriptionCommand('pay-next-period', fc.constant({})),
  subscriptionCommand('quantity', fc.integer({ min: 1, max: 10_000 }).map((quantity) => ({ quantity }))),
  subscriptionCommand('card', fc.constant({ card: VALID_CARD })),
  subscriptionCommand('deletion', fc.constant({})),
  subscriptionCommand('deletion/confirm', fc.constant({ code: 'ABCD1234' })),
  {
    op: 'POST /orders/{orderId}/withdraw',
    method: 'POST',
    path: '/orders/:orderId/withdraw',
    params: [['orderId', 'order']],
    type: 'table',
    gate: customer,
    may: (w, ids) => {
      const order = findOrder(ids.orderId);
      return order ? verdict(ownsCustomer(w, order.customerId)) : 'absent';
    },
    body: () => fc.constant({}),
  },
  {
    op: 'GET /customers/{customerId}/invoices',
    method: 'GET',
    path: '/customers/:customerId/invoices',
    params: [['customerId', 'customer']],
    type: 'table',
    gate: either(customer, staff('finance', 'support')),
    may: (w, ids) => verdict(staff('finance', 'support')(w) || ownsCustomer(w, ids.customerId)),
    query: listQueryArb({ kind: ['invoice', 'credit_note', 'purchase_order'] }),
    queryKeys: LIST_QUERY_KEYS,
  },
  ...(['pdf', 'xml'] as const).map((format): RouteDef => ({
    op: `GET /invoices/{invoiceId}/${format}`,
    method: 'GET',
    path: `/invoices/:invoiceId/${format}`,
    params: [['invoiceId', 'invoice']],
    type: 'table',
    gate: either(customer, seller, staff('finance')),
    may: (w, ids) => {
      const invoice = findInvoice(ids.invoiceId);
      // X-6: its customer, the seller who issued it, finance.
      return invoice ? verdict(staff('finance')(w) || ownsCustomer(w, invoice.customerId) || ownsSeller(w, invoice.sellerId)) : 'absent';
    },
  })),
  {
    // Where a command's outcome appears: for whoever may read the line (its customer, its seller,
    // ops and admin) or the case (its seller, ops and admin), whether or not that Update exists
    // (404 or 409 then, after authorization).
    op: 'GET /updates/{workflowId}/{updateId}',
    method: 'GET',
    path: '/updates/:workflowId/:updateId',
    params: [
      ['workflowId', 'workflow'],
      ['updateId', 'update'],
    ],
    type: 'table',
    gate: authenticated,
    may: (w, ids) => {
      // A case's commands: for its seller and ops (MED-1..MED-7).
      const caseId = /^SellerCase:(case_[0-9a-f-]{36})$/.exec(ids.workflowId)?.[1];
      if (caseId !== undefined) {
        const c = findCase(caseId);
        return c ? verdict(mayReadCase(w, c)) : 'absent';
      }
      const lineId = /^(?:OrderLine|Subscription):(lin_[A-Za-z0-9_-]{1,80})$/.exec(ids.workflowId)?.[1];
      const line = pool.lines.find((l) => l.id === lineId);
      return line ? verdict(ownsCustomer(w, line.customerId) || ownsSeller(w, line.sellerId) || staff('ops')(w)) : 'absent';
    },
  },
  // X-8: access to an account. Open to every caller; a caller's keys are its own.
  {
    op: 'POST /auth/sign-in',
    method: 'POST',
    path: '/auth/sign-in',
    params: [],
    type: 'table',
    gate: () => true,
    may: (w) => verdict(w.kind !== 'bad'),
    body: () => fc.constantFrom(EMAIL_A, EMAIL_B, DEMO.customer.email, 'fuzz-nobody@example.test', 'FUZZ-ALICE@EXAMPLE.TEST').map((email) => ({ email })),
  },
  {
    op: 'GET /auth/sign-in',
    method: 'GET',
    path: '/auth/sign-in',
    params: [],
    type: 'table',
    gate: () => true,
    may: (w) => verdict(w.kind !== 'bad'),
    query: signInTokenText.map((t) => `token=${t}`),
  },
  {
    op: 'POST /auth/sign-in/exchange',
    method: 'POST',
    path: '/auth/sign-in/exchange',
    params: [],
    type: 'table',
    gate: () => true,
    // The link is the proof, whoever sends it: a token not yet used exchanges; an unknown or used one is no resource.
    may: (w, _ids, body) => {
      const token = String((body as { token?: unknown } | undefined)?.token);
      return accounts.signInTokens.includes(token) && !accounts.usedTokens.has(token) ? verdict(w.kind !== 'bad') : 'absent';
    },
    body: () =>
      fc
        .oneof(
          { weight: 3, arbitrary: fc.constantFrom(...accounts.signInTokens) },
          { weight: 1, arbitrary: signInTokenText },
        )
        .map((token) => ({ token })),
  },
  {
    op: 'GET /me/keys',
    method: 'GET',
    path: '/me/keys',
    params: [],
    type: 'table',
    gate: authenticated,
    may: (w) => verdict(authenticated(w)),
  },
  {
    op: 'POST /me/keys/{keyId}/revoke',
    method: 'POST',
    path: '/me/keys/:keyId/revoke',
    params: [['keyId', 'key']],
    type: 'table',
    gate: authenticated,
    // Only its owner revokes a key (anyone else is told there is no such key of theirs).
    may: (w, ids) => {
      const key = accounts.revocable.find((k) => k.keyId === ids.keyId);
      return key ? verdict(ownsCustomer(w, key.customerId)) : 'absent';
    },
    body: () => fc.constant({}),
  },
  {
    op: 'POST /me/keys/rotate',
    method: 'POST',
    path: '/me/keys/rotate',
    params: [],
    type: 'table',
    gate: customer,
    may: (w) => verdict(customer(w)),
    body: () => fc.constant({}),
  },
  // ACC-3: a customer asks to close its account (refused while anything is in the way, 409; else
  // a code e-mailed), and confirms with the code (none asked: 409; a wrong one: 422 WrongCode).
  {
    op: 'POST /account/closure',
    method: 'POST',
    path: '/account/closure',
    params: [],
    type: 'table',
    gate: customer,
    may: (w) => verdict(customer(w)),
    body: () => fc.constant({}),
    writes: ['ConfirmationCode', 'Email', 'MailboxMessage'],
  },
  {
    op: 'POST /account/closure/confirm',
    method: 'POST',
    path: '/account/closure/confirm',
    params: [],
    type: 'table',
    gate: customer,
    may: (w) => verdict(customer(w)),
    body: () => fc.constant({ code: 'ABCD2345' }),
  },
  // The list routes (api/routes/*-lists.ts): each caller's own items, the oracle's gate alone
  // decides; that the items are the caller's is checked on every 2xx (listItemsAreOwn).
  listRoute('/me/orders', customer, { status: ['payment_pending', 'paid', 'payment_failed'] }),
  listRoute('/me/subscriptions', customer, { status: ['active', 'past_due', 'terminated'] }),
  listRoute('/me/payments', customer, { kind: ['charge', 'refund'], status: ['captured', 'declined', 'refunded'] }),
  listRoute('/seller/subscriptions', seller, { status: ['active', 'past_due', 'terminated'] }),
  listRoute('/seller/documents', seller, { kind: ['invoice', 'credit_note', 'purchase_order'] }),
  {
    ...listRoute('/customers', staff('ops', 'support', 'finance')),
    query: listQueryArb({}, fc.constantFrom(EMAIL_A, EMAIL_B.toUpperCase(), 'fuzz-nobody@example.test').map((email) => ({ email }))),
    queryKeys: ['email', 'limit', 'cursor'],
  },
  {
    op: 'GET /orders/by-number/{number}',
    method: 'GET',
    path: '/orders/by-number/:number',
    params: [['number', 'orderNumber']],
    type: 'table',
    gate: staff('ops', 'support', 'finance'),
    may: (w, ids) => (pool.orders.some((o) => o.number === ids.number.toUpperCase()) ? verdict(staff('ops', 'support', 'finance')(w)) : 'absent'),
  },
  // The signed links of e-mails (api/routes/links.ts): opened without a key, the link is the proof.
  linkRoute('GET', 'document'),
  linkRoute('GET', 'card-update'),
  linkRoute('POST', 'card-update', { number: TEST_CARDS.success, expMonth: '12', expYear: '2030', cvc: '123' }),
  linkRoute('GET', 'manual-payment'),
  linkRoute('POST', 'manual-payment', {}),
  linkRoute('GET', 'deletion-confirmation'),
  linkRoute('POST', 'deletion-confirmation', { code: 'ABCD1234' }),
  linkRoute('GET', 'withdrawal'),
  linkRoute('POST', 'withdrawal', {}),
  // Support tickets (DIA-1..DIA-8, POL-5).
  {
    op: 'POST /tickets',
    method: 'POST',
    path: '/tickets',
    params: [],
    type: 'table',
    gate: customer,
    // A customer opens tickets on its own services only; on no subscription, there is nothing (404).
    may: (w, _ids, body) => {
      const sub = findSubscription(String((body as { subscriptionId?: unknown } | undefined)?.subscriptionId));
      return sub ? verdict(ownsCustomer(w, sub.customerId)) : 'absent';
    },
    body: openingBody,
    writes: [...TICKET_STEP, 'TicketMessage'],
  },
  ...['', '/messages'].map(
    (tail): RouteDef => ({
      op: `GET /tickets/{ticketId}${tail}`,
      method: 'GET',
      path: `/tickets/:ticketId${tail}`,
      params: [['ticketId', 'ticket']],
      type: 'table',
      gate: authenticated,
      may: (w, ids) => {
        const t = findTicket(ids.ticketId);
        return t ? verdict(mayReadTicket(w, t)) : 'absent';
      },
      ...(tail ? { query: listQueryArb(), queryKeys: ['limit', 'cursor'] } : {}),
    }),
  ),
  ticketCommandRoute('consent', customer, () => fc.constantFrom(2000, 0).map((acceptedPriceCents) => ({ acceptedPriceCents })), TICKET_STEP),
  // Support may leave the ticket waiting for the customer; a customer may not (a 400 then).
  ticketCommandRoute(
    'messages',
    either(customer, staff('support')),
    (w) => (w.kind === 'staff' ? fc.oneof(fc.constant({ text: 'Any news?' }), fc.boolean().map((awaitCustomer) => ({ text: 'Please check now', awaitCustomer }))) : fc.constant({ text: 'Any news?' })),
    [...TICKET_STEP, 'TicketMessage'],
  ),
  ticketCommandRoute(
    'diagnosis',
    staff('support'),
    () => fc.constantFrom<unknown>({ outcome: 'fixed' }, { outcome: 'provider_fault' }, { outcome: 'no_quote' }, { outcome: 'quote', quote: { amountCents: 15_000, description: 'Replace the disk' } }),
    [...TICKET_STEP, ...SUPPORT_INVOICE],
  ),
  ticketCommandRoute('quote', customer, () => fc.boolean().map((accept) => ({ accept })), [...TICKET_STEP, ...SUPPORT_INVOICE]),
  ticketCommandRoute('work-done', staff('support'), () => fc.constant({}), [...TICKET_STEP, ...SUPPORT_INVOICE]),
  ticketCommandRoute('pay', customer, () => fc.constant({ card: VALID_CARD }), SUPPORT_PAYMENT),
  // DIA-5: the credit note, the bar, and the customer's other open tickets closed.
  ticketCommandRoute('contest', customer, () => fc.constant({ reason: 'Not what I asked for' }), [...TICKET_STEP, ...SUPPORT_INVOICE, 'SupportBar']),
  ticketCommandRoute('close', either(customer, staff('support')), () => fc.constant({ reason: 'Solved' }), TICKET_STEP),
  {
    op: 'GET /subscriptions/{subscriptionId}/support',
    method: 'GET',
    path: '/subscriptions/:subscriptionId/support',
    params: [['subscriptionId', 'subscription']],
    type: 'table',
    gate: either(customer, staff('support', 'ops')),
    may: (w, ids) => {
      const sub = findSubscription(ids.subscriptionId);
      return sub ? verdict(ownsCustomer(w, sub.customerId) || staff('support', 'ops')(w)) : 'absent';
    },
  },
  {
    op: 'POST /subscriptions/{subscriptionId}/support-contacts',
    method: 'POST',
    path: '/subscriptions/:subscriptionId/support-contacts',
    params: [['subscriptionId', 'subscription']],
    type: 'table',
    gate: customer,
    // Only the owner names contacts (POL-5: as many as the tier allows, then 422).
    may: (w, ids) => {
      const sub = findSubscription(ids.subscriptionId);
      return sub ? verdict(ownsCustomer(w, sub.customerId)) : 'absent';
    },
    body: () => fc.nat({ max: 20 }).map((n) => ({ name: `Contact ${n}`, email: `fuzz-contact-${n}@example.test` })),
    writes: ['SupportContact'],
  },
  {
    op: 'POST /subscriptions/{subscriptionId}/support-contacts/{contactId}/remove',
    method: 'POST',
    path: '/subscriptions/:subscriptionId/support-contacts/:contactId/remove',
    params: [
      ['subscriptionId', 'subscription'],
      ['contactId', 'contact'],
    ],
    type: 'table',
    gate: customer,
    // The owner removes a named contact of that subscription; another subscription's, or a removed one, is none (404).
    may: (w, ids) => {
      const sub = findSubscription(ids.subscriptionId);
      if (!sub) return 'absent';
      if (!ownsCustomer(w, sub.customerId)) return 'deny';
      return pool.contacts.some((c) => c.id === ids.contactId && c.subscriptionId === sub.id && !c.removed) ? 'allow' : 'absent';
    },
    body: () => fc.constant({}),
    writes: ['SupportContact'],
  },
  {
    op: 'GET /me/support',
    method: 'GET',
    path: '/me/support',
    params: [],
    type: 'table',
    gate: customer,
    may: (w) => verdict(customer(w)),
  },
  {
    op: 'GET /customers/{customerId}/support',
    method: 'GET',
    path: '/customers/:customerId/support',
    params: [['customerId', 'customer']],
    type: 'table',
    gate: staff('support', 'ops', 'finance'),
    may: (w, ids) => (pool.customers.some((c) => c.id === ids.customerId) ? verdict(staff('support', 'ops', 'finance')(w)) : 'absent'),
  },
  listRoute('/me/tickets', customer, { status: TICKET_STATUSES, kind: ['incident', 'support'] }),
  listRoute('/ops/tickets', staff('support', 'ops'), { status: TICKET_STATUSES, kind: ['incident', 'support'] }),
  listRoute('/seller/tickets', seller, { status: TICKET_STATUSES }),
  // DIA-4: the e-mailed payment link of a support invoice: whoever holds it pays as the ticket's customer.
  linkRoute('GET', 'support-payment'),
  linkRoute('POST', 'support-payment', { number: TEST_CARDS.success, expMonth: '12', expYear: '2030', cvc: '123' }, SUPPORT_PAYMENT),
  // Seller cases (MED-1..MED-7).
  {
    op: 'POST /ops/sellers/{sellerId}/cases',
    method: 'POST',
    path: '/ops/sellers/:sellerId/cases',
    params: [['sellerId', 'seller']],
    type: 'table',
    gate: staff('ops'),
    // Ops open a closure case against a seller there is (201; 409 while one is open or once the seller is closed).
    may: (w, ids) => (pool.sellers.some((s) => s.id === ids.sellerId) ? verdict(staff('ops')(w)) : 'absent'),
    body: () => fc.constant({ reasons: 'Repeated customer complaints', letterReference: 'LR-FUZZ-0002' }),
    // MED-1: the reasons, the seller suspended and notified.
    writes: [...CASE_STEP, 'SellerCaseMessage', 'Seller'],
  },
  {
    op: 'POST /seller/cases',
    method: 'POST',
    path: '/seller/cases',
    params: [],
    type: 'table',
    gate: seller,
    // Any seller files its own (MED-6, MED-7; 409 while one of that kind is open).
    may: (w) => verdict(seller(w)),
    body: () => fc.constantFrom('closure_request', 'complaint').map((kind) => ({ kind, text: 'Fuzzed case' })),
    writes: [...CASE_STEP, 'SellerCaseMessage'],
  },
  {
    op: 'GET /cases/{caseId}',
    method: 'GET',
    path: '/cases/:caseId',
    params: [['caseId', 'case']],
    type: 'table',
    gate: either(seller, staff('ops')),
    may: (w, ids) => {
      const c = findCase(ids.caseId);
      return c ? verdict(mayReadCase(w, c)) : 'absent';
    },
  },
  listRoute('/ops/cases', staff('ops'), { status: CASE_STATUSES, kind: CASE_KINDS }),
  listRoute('/seller/cases', seller),
  // The seller's written contest (MED-2) and its confirmation of the meeting (MED-3).
  caseCommandRoute('contest', seller, fc.constant({ text: 'We contest the reasons' }), [...CASE_STEP, 'SellerCaseMessage']),
  caseCommandRoute('meeting/confirm', seller, fc.constant({}), CASE_STEP),
  // Ops schedule the meeting, record it (absent: the closure closes later, MED-3; a request lapses), confirm the changes (MED-4: the seller active again), withdraw.
  caseCommandRoute('meeting', staff('ops'), fc.constant({ at: FAR_MEETING, place: 'Paris office' }), CASE_STEP),
  { ...caseCommandRoute('meeting/record', staff('ops'), fc.constant({ held: false }), [...CASE_STEP, 'SellerCaseMessage', 'Seller', 'Offer']), coupled: { 'body.held': ['body.endedAt'] } },
  caseCommandRoute('changes-confirmed', staff('ops'), fc.constant({}), [...CASE_STEP, 'Seller']),
  caseCommandRoute('withdraw', staff('ops'), fc.constant({ reason: 'Settled by phone' }), [...CASE_STEP, 'Seller']),
  // Seller onboarding (KYC-1). The upload route is multipart: the fuzzers send it JSON (the
  // parser passes it through to the route), and no fuzzed caller is an applicant, so it is refused
  // by its gate; real files are sent by test/seller-applications.test.ts.
  {
    op: 'POST /seller-applications',
    method: 'POST',
    path: '/seller-applications',
    params: [],
    type: 'table',
    gate: () => true,
    may: () => 'allow',
    body: () => fc.constant(applicationBody()),
    // The application, its workflow's assessment (X-4) and the e-mail of what is missing.
    writes: ['SellerApplication', 'AuditLog', 'Email', 'MailboxMessage'],
  },
  {
    op: 'POST /seller-applications/{applicationId}/documents',
    method: 'POST',
    path: '/seller-applications/:applicationId/documents',
    params: [['applicationId', 'application']],
    type: 'table',
    gate: () => false,
    may: (_w, ids) => (pool.applications.some((a) => a.id === ids.applicationId) ? 'deny' : 'absent'),
    body: () => fc.constant({ kind: 'statutes' }),
    writes: [],
  },
  {
    op: 'GET /seller-applications/{applicationId}',
    method: 'GET',
    path: '/seller-applications/:applicationId',
    params: [['applicationId', 'application']],
    type: 'table',
    gate: staff('ops'),
    may: (w, ids) => (pool.applications.some((a) => a.id === ids.applicationId) ? verdict(staff('ops')(w)) : 'absent'),
  },
  listRoute('/ops/seller-applications', staff('ops'), { status: ['incomplete', 'submitted', 'approved', 'rejected', 'lapsed'] }),
  ...(
    [
      ['approve', {}],
      ['reject', { reason: 'Fuzzed rejection' }],
    ] as const
  ).map(([command, body]): RouteDef => ({
    op: `POST /seller-applications/{applicationId}/${command}`,
    method: 'POST',
    path: `/seller-applications/:applicationId/${command}`,
    params: [['applicationId', 'application']],
    type: 'table',
    gate: staff('ops'),
    may: (w, ids) => (pool.applications.some((a) => a.id === ids.applicationId) ? verdict(staff('ops')(w)) : 'absent'),
    body: () => fc.constant(body),
    writes: ['SellerApplication', 'AuditLog', 'Email', 'MailboxMessage', 'Seller', 'SignInToken'],
  })),
  // Offers and terms (README "Offers and terms"). Writes on the fixture products only; a terms
  // body restates the seller's current label with another text (409), so the demo terms that
  // checkouts accept stay current unless a mutated label happens to be new.
  {
    op: 'POST /seller/offers',
    method: 'POST',
    path: '/seller/offers',
    params: [],
    type: 'table',
    idempotent: true,
    gate: seller,
    may: (w) => verdict(approvedSeller(w)),
    // With its commercial policies (POL-1, POL-3, POL-4; a POL-6 restriction fuzzed in is a 422).
    body: () => fc.constant({ ...FUZZ_OFFER, trialDays: 14, allowedPeriods: [], discountEligible: true, productKind: 'service' }),
    writes: ['Offer', 'AuditLog', 'IdempotencyRecord'],
  },
  {
    op: 'POST /seller/offers/{productId}/versions',
    method: 'POST',
    path: '/seller/offers/:productId/versions',
    params: [['productId', 'product']],
    type: 'table',
    gate: seller,
    // The owner's edit from a stale version: 409 (a mutated baseVersion may hit the latest: 201).
    may: (w, ids) => productVerdict(w, ids, true),
    // An edit states every field (none falls back to a default).
    body: () => fc.constant({ ...FUZZ_OFFER, description: '', currency: 'EUR', commitmentMonths: 0, supportTier: 'basic', baseVersion: 99 }),
    writes: ['Offer', 'AuditLog'],
  },
  {
    op: 'POST /seller/offers/{productId}/unpublish',
    method: 'POST',
    path: '/seller/offers/:productId/unpublish',
    params: [['productId', 'product']],
    type: 'table',
    gate: seller,
    may: (w, ids) => productVerdict(w, ids, false),
    body: () => fc.constant({}),
    writes: ['Offer', 'AuditLog'],
  },
  listRoute('/seller/offers', seller),
  // POL-3: ops (and admin) record a customer's verification; staff read them, a customer its own.
  {
    op: 'POST /staff/customers/{customerId}/verifications',
    method: 'POST',
    path: '/staff/customers/:customerId/verifications',
    params: [['customerId', 'customer']],
    type: 'table',
    gate: staff('ops'),
    may: (w, ids) => (pool.customers.some((c) => c.id === ids.customerId) ? verdict(staff('ops')(w)) : 'absent'),
    body: () => fc.constantFrom('charity', 'education').map((kind) => ({ kind, evidenceRef: 'RNA W751000001', expiresAt: '2099-09-01T00:00:00Z' })),
    writes: ['CustomerVerification', 'AuditLog'],
  },
  {
    op: 'GET /staff/customers/{customerId}/verifications',
    method: 'GET',
    path: '/staff/customers/:customerId/verifications',
    params: [['customerId', 'customer']],
    type: 'table',
    gate: anyStaff,
    may: (w, ids) => (pool.customers.some((c) => c.id === ids.customerId) ? verdict(anyStaff(w)) : 'absent'),
    query: listQueryArb(),
    queryKeys: ['limit', 'cursor'],
  },
  listRoute('/account/verifications', customer),
  {
    op: 'POST /seller/terms',
    method: 'POST',
    path: '/seller/terms',
    params: [],
    type: 'table',
    gate: seller,
    may: (w) => verdict(approvedSeller(w)),
    body: (w) => fc.constant({ version: w.kind === 'seller' && w.sellerId === DEMO.sellers.globex.id ? DEMO.sellers.globex.terms : DEMO.sellers.acme.terms, text: 'Fuzzed terms' }),
    writes: ['SellerTermsVersion', 'AuditLog'],
  },
  listRoute('/seller/terms', seller),
  {
    op: 'GET /sellers/{sellerId}/terms/current',
    method: 'GET',
    path: '/sellers/:sellerId/terms/current',
    params: [['sellerId', 'seller']],
    type: 'table',
    gate: () => true,
    // Public, for sellers taking orders; any other is not told (404).
    may: (w, ids) => (pool.sellers.some((s) => s.id === ids.sellerId && s.status === 'approved') ? verdict(w.kind !== 'bad') : 'absent'),
  },
  // PYO-1: a seller's bank account (the demo ones have one; a restatement in its own name is a 200).
  {
    op: 'GET /seller/payout-account',
    method: 'GET',
    path: '/seller/payout-account',
    params: [],
    type: 'table',
    gate: seller,
    may: (w) => (w.kind === 'seller' && w.sellerId === DEMO.sellers.initech.id ? 'absent' : verdict(seller(w))),
  },
  {
    op: 'POST /seller/payout-account',
    method: 'POST',
    path: '/seller/payout-account',
    params: [],
    type: 'table',
    gate: seller,
    // Any seller may; a holder that is not its legal name is a business refusal (422), not a 403.
    may: (w) => verdict(seller(w)),
    // Acme and Globex restate theirs; any other caller names Acme's (a 422 for a seller): Initech,
    // pending, keeps having none, which the GET row's oracle relies on.
    body: (w) => fc.constant({ iban: TEST_IBANS.paid, holder: w.kind === 'seller' && w.sellerId === DEMO.sellers.globex.id ? DEMO.sellers.globex.legalName : DEMO.sellers.acme.legalName }),
    writes: ['PayoutAccount', 'AuditLog', 'Email', 'MailboxMessage'],
  },
  // POL-4: a seller refunds a payment of its own subscription (another's is none to it: 404); a
  // payment of another subscription, or more than is left, is a business refusal (422).
  {
    op: 'POST /seller/subscriptions/{subscriptionId}/refunds',
    method: 'POST',
    path: '/seller/subscriptions/:subscriptionId/refunds',
    params: [['subscriptionId', 'subscription']],
    type: 'table',
    idempotent: true,
    gate: seller,
    may: (w, ids) => {
      const sub = findSubscription(ids.subscriptionId);
      return sub ? verdict(ownsSeller(w, sub.sellerId)) : 'absent';
    },
    // One cent of the checkout payment of a subscription of the pool: the path's own (201) or another's (422).
    body: () => fc.constantFrom(...pool.subscriptions).map((s) => ({ paymentId: `order:${pool.lines.find((l) => l.id === s.id)!.orderId}:checkout`, amountCents: 1, reason: 'Fuzz goodwill' })),
    // The refund with its ledger transfers, the gateway's refund, the credit note and its files, the customer's e-mail.
    writes: ['Refund', 'LedgerTransfer', 'LedgerAccount', 'SandboxTransaction', 'SandboxAttempt', 'Invoice', 'Counter', 'DocumentFile', 'AuditLog', 'Email', 'MailboxMessage', 'IdempotencyRecord'],
  },
  {
    op: 'GET /seller/subscriptions/{subscriptionId}/refunds',
    method: 'GET',
    path: '/seller/subscriptions/:subscriptionId/refunds',
    params: [['subscriptionId', 'subscription']],
    type: 'table',
    gate: either(seller, staff('finance')),
    may: (w, ids) => {
      const sub = findSubscription(ids.subscriptionId);
      return sub ? verdict(ownsSeller(w, sub.sellerId) || staff('finance')(w)) : 'absent';
    },
    query: listQueryArb(),
    queryKeys: LIST_QUERY_KEYS,
  },
  // PYO-2: a seller its own payouts and balance (whatever its status), finance all.
  {
    op: 'GET /seller/balance',
    method: 'GET',
    path: '/seller/balance',
    params: [],
    type: 'table',
    gate: seller,
    may: (w) => verdict(seller(w)),
  },
  listRoute('/seller/payouts', seller, { status: PAYOUT_STATUSES }),
  listRoute('/finance/payouts', staff('finance'), { status: PAYOUT_STATUSES }),
  {
    op: 'GET /finance/sellers/{sellerId}/balance',
    method: 'GET',
    path: '/finance/sellers/:sellerId/balance',
    params: [['sellerId', 'seller']],
    type: 'table',
    gate: staff('finance'),
    may: (w, ids) => (pool.sellers.some((s) => s.id === ids.sellerId) ? verdict(staff('finance')(w)) : 'absent'),
  },
  ...['', '/statement.pdf', '/statement.csv'].map((tail): RouteDef => ({
    op: `GET /payouts/{payoutId}${tail}`,
    method: 'GET',
    path: `/payouts/:payoutId${tail}`,
    params: [['payoutId', 'payout']],
    type: 'table',
    gate: either(seller, staff('finance')),
    may: (w, ids) => {
      const payout = pool.payouts.find((p) => p.id === ids.payoutId);
      return payout ? verdict(ownsSeller(w, payout.sellerId) || staff('finance')(w)) : 'absent';
    },
  })),
  {
    op: 'GET /finance/ledger.csv',
    method: 'GET',
    path: '/finance/ledger.csv',
    params: [],
    type: 'table',
    gate: staff('finance'),
    may: (w) => verdict(staff('finance')(w)),
    query: fc.constantFrom('from=2026-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', 'from=2026-12-01T00:00:00.000Z&to=2026-12-02T00:00:00.000Z'),
    queryKeys: ['from', 'to'],
  },
  {
    op: 'GET /finance/documents.zip',
    method: 'GET',
    path: '/finance/documents.zip',
    params: [],
    type: 'table',
    gate: staff('finance'),
    may: (w) => verdict(staff('finance')(w)),
    query: fc.constantFrom('from=2026-01-01&to=2026-12-31', `from=2026-12-01&to=2026-12-02&sellerId=${DEMO.sellers.acme.id}`, 'from=2026-12-01&to=2026-12-01&sellerId=sel_none'),
    queryKeys: ['from', 'to', 'sellerId'],
  },
  // PRT-4, PRT-5: a partner acting for its customers. No caller of the pool is a partner: every
  // customer key passes the gate and is refused (403, PRT-1); nothing is written.
  ...(
    [
      ['GET', '/partner/customers', [], undefined],
      ['GET', '/partner/customers/:customerId/subscriptions', [['customerId', 'customer']], undefined],
      ['POST', '/partner/customers/:customerId/subscriptions/:subscriptionId/renewal-mode', [['customerId', 'customer'], ['subscriptionId', 'subscription']], fc.constantFrom({ mode: 'auto' }, { mode: 'manual' })],
      ['POST', '/partner/customers/:customerId/subscriptions/:subscriptionId/pay-next-period', [['customerId', 'customer'], ['subscriptionId', 'subscription']], fc.constant({})],
      ['POST', '/partner/customers/:customerId/subscriptions/:subscriptionId/support-contacts', [['customerId', 'customer'], ['subscriptionId', 'subscription']], fc.nat({ max: 20 }).map((n) => ({ name: `Contact ${n}`, email: `fuzz-partner-contact-${n}@example.test` }))],
      ['POST', '/partner/customers/:customerId/orders', [['customerId', 'customer']], fc.constant({ lines: [{ offerId: DEMO.offers.acmeMail.id }], acceptedTerms: [], cardId: 'card_fuzz' })],
      ['GET', '/partner/invoices', [], undefined],
    ] as [string, string, [string, Kind][], fc.Arbitrary<unknown> | undefined][]
  ).map(([method, path, params, body]): RouteDef => ({
    op: `${method} ${path.replace(/:(\w+)/g, '{$1}')}`,
    method,
    path,
    params,
    type: 'table',
    gate: customer,
    may: () => 'deny',
    ...(body ? { body: () => body } : { query: listQueryArb(), queryKeys: LIST_QUERY_KEYS }),
    ...(path.endsWith('/orders') ? { idempotent: true } : {}),
  })),
  // TND-1: a visitor or a customer posts a call and types a code (a wrong one is recorded: 422
  // WrongCode); a customer reads and withdraws its own; the e-mailed link withdraws it for whoever
  // holds it. No caller of the fuzzers is a partner: the partner routes refuse every one (PRT-1).
  ...(
    [
      ['POST /tenders', '/tenders', [], (_w: Who) => fc.constant(FUZZ_TENDER), ['Tender', 'AuditLog', 'ConfirmationCode', 'Email', 'MailboxMessage']],
      ['POST /tenders/{tenderId}/verify', '/tenders/:tenderId/verify', [['tenderId', 'tender']], () => fc.constant({ code: 'ABCDEFGH' }), ['ConfirmationCode', 'Tender', 'AuditLog', 'Email', 'MailboxMessage']],
    ] as const
  ).map(([op, path, params, body, writes]): RouteDef => ({
    op,
    method: 'POST',
    path,
    params: params.map(([n, k]): [string, Kind] => [n, k]),
    type: 'table',
    gate: (w) => w.kind === 'anonymous' || customer(w),
    may: (w, ids) => (params.length > 0 && !pool.tenders.some((t) => t.id === ids.tenderId) ? 'absent' : verdict(w.kind === 'anonymous' || customer(w))),
    body,
    writes,
  })),
  ...(['GET', 'POST'] as const).map((method): RouteDef => ({
    op: method === 'GET' ? 'GET /tenders/{tenderId}' : 'POST /tenders/{tenderId}/withdraw',
    method,
    path: method === 'GET' ? '/tenders/:tenderId' : '/tenders/:tenderId/withdraw',
    params: [['tenderId', 'tender']],
    type: 'table',
    gate: customer,
    may: (w, ids) => {
      const t = pool.tenders.find((x) => x.id === ids.tenderId);
      return t ? verdict(t.customerId !== null && ownsCustomer(w, t.customerId)) : 'absent';
    },
    ...(method === 'POST' ? { body: () => fc.constant({}), writes: ['Tender', 'AuditLog', 'Email', 'MailboxMessage'] } : {}),
  })),
  ...(
    [
      ['POST', '/partner/tender-categories', [], { categories: ['consulting'] }],
      ['GET', '/partner/tenders', [], undefined],
      ['POST', '/partner/tenders/{tenderId}/read', [['tenderId', 'tender']], {}],
      ['POST', '/partner/tenders/{tenderId}/proposals', [['tenderId', 'tender']], { message: 'Fuzz proposal', priceCents: 100, currency: 'EUR' }],
    ] as const
  ).map(([method, path, params, body]): RouteDef => ({
    op: `${method} ${path}`,
    method,
    path: path.replace('{tenderId}', ':tenderId'),
    params: params.map(([n, k]): [string, Kind] => [n, k]),
    type: 'table',
    gate: customer,
    may: () => 'deny',
    ...(body === undefined ? { query: listQueryArb(), queryKeys: [...LIST_QUERY_KEYS, 'category'] } : { body: () => fc.constant(body) }),
    ...(path.endsWith('/proposals') ? { coupled: { 'body.priceCents': ['body.currency'], 'body.currency': ['body.priceCents'] } } : {}),
  })),
  // PRT-1, PRT-2, PRT-5, PRT-7: the pool's customers are no company and no partner; a customer
  // may apply (refused by the rules: 422) and invite a partner of nothing (422), lists its own
  // partnerships; the partner side refuses them (403); ops decide on partners of nothing (absent).
  {
    op: 'POST /partner/application',
    method: 'POST',
    path: '/partner/application',
    params: [],
    type: 'table',
    gate: customer,
    may: (w) => verdict(customer(w)),
    body: () => fc.constant({ companyName: 'Fuzz SAS', registrationNumber: 'RCS Fuzz', website: 'https://fuzz.example.test', legalRepresentatives: [{ name: 'Fuzz Rep', email: 'fuzz-rep@example.test' }] }),
    writes: ['Partner', 'AuditLog'],
  },
  { op: 'GET /partner/application', method: 'GET', path: '/partner/application', params: [], type: 'table', gate: customer, may: (w) => verdict(customer(w)) },
  {
    op: 'POST /partnerships',
    method: 'POST',
    path: '/partnerships',
    params: [],
    type: 'table',
    gate: customer,
    may: (w) => verdict(customer(w)),
    body: () => fc.constant({ partnerId: `prt_${'0'.repeat(24)}`, access: 'complete' }),
    coupled: { 'body.access': ['body.productIds'] },
  },
  {
    op: 'POST /partner/partnerships',
    method: 'POST',
    path: '/partner/partnerships',
    params: [],
    type: 'table',
    gate: customer,
    may: () => 'deny',
    body: () => fc.constant({ customerEmail: 'fuzz-customer@example.test', representativeEmail: 'fuzz-rep@example.test', access: 'complete' }),
    coupled: { 'body.access': ['body.productIds'], 'body.customerEmail': ['body.customerId'] },
  },
  listRoute('/partnerships', customer, { status: ['pending', 'active', 'ended'] }),
  { ...listRoute('/partner/partnerships', customer, { status: ['pending', 'active', 'ended'] }), may: () => 'deny' },
  listRoute('/staff/partners', staff('ops'), { status: ['pending', 'approved', 'refused'] }),
  ...(
    [
      ['approve', {}],
      ['refuse', { reason: 'Fuzzed refusal' }],
    ] as const
  ).map(([command, body]): RouteDef => ({
    op: `POST /staff/partners/{partnerId}/${command}`,
    method: 'POST',
    path: `/staff/partners/:partnerId/${command}`,
    params: [['partnerId', 'partner']],
    type: 'table',
    gate: staff('ops'),
    may: () => 'absent',
    body: () => fc.constant(body),
  })),
  {
    op: 'GET /partnerships/{partnershipId}',
    method: 'GET',
    path: '/partnerships/:partnershipId',
    params: [['partnershipId', 'partnership']],
    type: 'table',
    gate: customer,
    may: () => 'absent',
  },
  ...(
    [
      ['accept', { access: 'limited', productIds: [DEMO.offers.acmeMail.id] }, { 'body.access': ['body.productIds'], 'body.productIds': ['body.access'] }],
      ['refuse', {}, {}],
      ['resend', {}, {}],
      ['withdraw', {}, {}],
      ['change', { payer: 'customer' }, { 'body.payer': ['body.access'] }],
      ['end', {}, {}],
      ['end/confirm', {}, {}],
      ['end/code', { code: 'ABCDEFGH' }, {}],
    ] as const
  ).map(([command, body, coupled]): RouteDef => ({
    op: `POST /partnerships/{partnershipId}/${command}`,
    method: 'POST',
    path: `/partnerships/:partnershipId/${command}`,
    params: [['partnershipId', 'partnership']],
    type: 'table',
    gate: customer,
    may: () => 'absent',
    body: () => fc.constant(body),
    coupled,
  })),
  linkRoute('GET', 'tender-withdrawal'),
  linkRoute('POST', 'tender-withdrawal', {}, ['Tender', 'AuditLog', 'Email', 'MailboxMessage']),
  plainRoute('/health'),
  plainRoute('/openapi.json'),
  plainRoute('/docs'),
  plainRoute('/docs/assets/:file', [['file', 'asset']]),
  unknownRoute('GET', '/nope'),
  unknownRoute('GET', '/orders'),
  unknownRoute('POST', '/orders'),
  // Paths that exist with other methods: 405 with Allow.
  unknownRoute('PUT', '/checkout', [], 405),
  unknownRoute('POST', '/offers', [], 405),
  unknownRoute('DELETE', '/orders/:orderId', [['orderId', 'order']], 405),
  unknownRoute('PATCH', '/subscriptions/:subscriptionId', [['subscriptionId', 'subscription']], 405),
  unknownRoute('GET', '/orders/:orderId/lines', [['orderId', 'order']]),
  unknownRoute('POST', '/orders/:orderId/lines/:lineId/approve', [
    ['orderId', 'order'],
    ['lineId', 'line'],
  ]),
];

/** Routes print as their operation in fast-check's counterexamples. */
const ROUTES: RouteDef[] = ROUTE_LIST.map((r) => Object.assign(r, { [fc.toStringMethod]: () => r.op }));

const ASSETS = ['favicon-16x16.png', 'index.css', 'swagger-ui.css'];

function realIds(kind: Kind): string[] {
  switch (kind) {
    case 'order':
      return pool.orders.map((o) => o.id);
    case 'orderNumber':
      return pool.orders.map((o) => o.number);
    case 'line':
    case 'subscription':
      // Lines that are not subscriptions are subscription ids of nothing: absent, never a 2xx.
      return kind === 'line' ? pool.lines.map((l) => l.id) : [...pool.subscriptions.map((s) => s.id), ...pool.lines.map((l) => l.id)];
    case 'customer':
      return pool.customers.map((c) => c.id);
    case 'invoice':
      return pool.invoices.map((i) => i.id);
    case 'asset':
      return ASSETS;
    case 'key':
      return accounts.revocable.map((k) => k.keyId);
    case 'workflow':
      return [...pool.lines.map((l) => `OrderLine:${l.id}`), ...pool.subscriptions.map((s) => `Subscription:${s.id}`), ...pool.cases.map((c) => sellerCaseWorkflowId(c.id))];
    case 'update':
      return accounts.updates.map((u) => u.updateId);
    case 'link':
      return (['document', 'card-update', 'manual-payment', 'deletion-confirmation', 'withdrawal', 'support-payment', 'tender-withdrawal'] as const).flatMap(linkTokens);
    case 'ticket':
      return pool.tickets.map((t) => t.id);
    case 'contact':
      return pool.contacts.map((c) => c.id);
    case 'seller':
      return caseSellers().map((s) => s.id);
    case 'case':
      return pool.cases.map((c) => c.id);
    case 'application':
      return pool.applications.map((a) => a.id);
    case 'product':
      return pool.products.map((p) => p.id);
    case 'payout':
      return pool.payouts.map((p) => p.id);
    case 'tender':
      return pool.tenders.map((t) => t.id);
    // PRT-1, PRT-2: the pool holds no partner nor partnership: well-formed ids of nothing.
    case 'partnership':
      return [`psh_${'0'.repeat(24)}`];
    case 'partner':
      return [`prt_${'0'.repeat(24)}`];
  }
}

// A seller id of nothing is never a demo seller's (a closure case would suspend it).
const PREFIX: Record<Kind, string> = { order: 'ord_', orderNumber: 'O-2026-', line: 'lin_', customer: 'cus_', subscription: 'lin_', invoice: 'order:ord_', asset: 'swagger-', key: 'key_', workflow: 'OrderLine:lin_', update: '', link: '', ticket: 'tkt_', contact: 'con_', seller: 'sel_fuzz_nobody_', case: 'case_', application: 'sapp_', product: 'prd_', payout: 'payout:sel_', tender: 'tnd_', partnership: 'psh_', partner: 'prt_' };
const idChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-');

/** A path segment: the text sent, the id it decodes to, and whether it is a real id of the right kind. */
interface Segment {
  text: string;
  id: string;
  real: boolean;
}
/** Printed clipped in counterexamples (FUZZ_SEED and FUZZ_PATH replay them in full). */
function printable(s: Segment): Segment {
  const clip = (t: string) => (t.length > 120 ? `${t.slice(0, 120)}…(${t.length} chars)` : t);
  return Object.assign(s, { [fc.toStringMethod]: () => `{text: ${JSON.stringify(clip(s.text))}, real: ${s.real}}` });
}
const segment = (id: string, real: boolean): Segment => printable({ text: encodeURIComponent(id), id, real });
function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
const fuzzed = (text: string): Segment => printable({ text, id: decoded(text), real: false });

/**
 * X-6: a real id of the right kind, most of the time (an order with a line still awaiting its
 * seller more often: refusals there are the ones that could do harm); else a well-formed id of
 * nothing, or another kind's.
 */
function x6Id(kind: Kind): fc.Arbitrary<Segment> {
  const others = (['order', 'line', 'customer', 'invoice'] as Kind[]).filter((k) => k !== kind).flatMap(realIds);
  const undecided = kind === 'order' ? [...new Set(pool.lines.filter((l) => l.status === 'awaiting_validation' || l.status === 'overdue').map((l) => l.orderId))] : [];
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...realIds(kind)).map((id) => segment(id, true)) },
    ...(undecided.length > 0 ? [{ weight: 6, arbitrary: fc.constantFrom(...undecided).map((id) => segment(id, true)) }] : []),
    { weight: 1, arbitrary: fc.string({ unit: idChars, minLength: 1, maxLength: 20 }).map((s) => segment(PREFIX[kind] + s, false)) },
    { weight: 1, arbitrary: fc.constantFrom(...others).map((id) => segment(id, false)) },
  );
}

/** X-5: real ids, and everything else a path segment can carry. */
function x5Id(kind: Kind): fc.Arbitrary<Segment> {
  const reals = realIds(kind);
  const others = (['order', 'line', 'customer', 'invoice'] as Kind[]).filter((k) => k !== kind).flatMap(realIds);
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...reals).map((id) => segment(id, true)) },
    { weight: 1, arbitrary: fc.constantFrom(...others).map((id) => segment(id, false)) },
    { weight: 2, arbitrary: fc.string({ unit: idChars, maxLength: 90 }).map((s) => fuzzed(PREFIX[kind] + s)) },
    { weight: 2, arbitrary: encodedText.map(fuzzed) },
    { weight: 2, arbitrary: percentGarbage.map(fuzzed) },
    { weight: 1, arbitrary: rawSegment.map(fuzzed) },
    { weight: 1, arbitrary: fc.constantFrom(79, 80, 81, 200, 296, 297, 301, 1000, 4000, 17_000).map((n) => fuzzed(PREFIX[kind] + 'a'.repeat(n))) },
    { weight: 1, arbitrary: fc.constantFrom(8, 40, 300).map((n) => fuzzed(encodeURIComponent('é'.repeat(n)))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...reals), fc.constantFrom('upper', 'suffix', 'chop', 'raw', 'space'))
        .map(([id, how]) => fuzzed(how === 'upper' ? id.toUpperCase() : how === 'suffix' ? `${encodeURIComponent(id)}x` : how === 'chop' ? encodeURIComponent(id.slice(0, -1)) : how === 'raw' ? id : `${encodeURIComponent(id)}%20`)),
    },
    { weight: 1, arbitrary: fc.constantFrom('.', '..', '%2e%2e', '~', '*', '', 'null', 'undefined', '0', '-1').map(fuzzed) },
  );
}

function buildPath(route: RouteDef, segments: Record<string, Segment>): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => segments[name].text);
}

/** The ids of a route; after a real order, mostly a line of that order, sometimes not (no such pair). */
function segmentsArb(route: RouteDef, id: (kind: Kind) => fc.Arbitrary<Segment>): fc.Arbitrary<Record<string, Segment>> {
  const names = route.params.map(([n]) => n);
  if (names.includes('workflowId') && names.includes('updateId')) {
    // Mostly an Update with its own workflow, sometimes ids that do not go together.
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...accounts.updates).map((u) => ({ workflowId: segment(u.workflowId, true), updateId: segment(u.updateId, true) })) },
      { weight: 2, arbitrary: fc.record({ workflowId: id('workflow'), updateId: id('update') }) },
    );
  }
  if (names.includes('token') && route.path.startsWith('/links/')) {
    // Mostly a link minted for this page, sometimes one of another page (or anything else).
    const own = linkTokens(route.path.split('/')[2] as LinkPurpose);
    const other = fc.record({ token: id('link') });
    return own.length === 0 ? other : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own).map((t) => ({ token: segment(t, true) })) }, { weight: 2, arbitrary: other });
  }
  if (names.includes('subscriptionId') && names.includes('contactId')) {
    // Mostly a contact of that subscription, sometimes another one (no such pair).
    return id('subscription').chain((sub) => {
      const own = sub.real ? pool.contacts.filter((c) => c.subscriptionId === sub.id).map((c) => c.id) : [];
      const contact = own.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own).map((c) => segment(c, true)) }, { weight: 1, arbitrary: id('contact') }) : id('contact');
      return contact.map((c) => ({ subscriptionId: sub, contactId: c }));
    });
  }
  if (names.includes('orderId') && names.includes('lineId')) {
    return id('order').chain((order) => {
      const own = order.real ? pool.lines.filter((l) => l.orderId === order.id).map((l) => l.id) : [];
      const line = own.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own).map((l) => segment(l, true)) }, { weight: 1, arbitrary: id('line') }) : id('line');
      return line.map((l) => ({ orderId: order, lineId: l }));
    });
  }
  return fc.record(Object.fromEntries(route.params.map(([n, kind]) => [n, id(kind)])) as Record<string, fc.Arbitrary<Segment>>);
}

// --- sending, and the invariants checked on every answer -----------------------------------------------

/** The Authorization a caller sends: a customer's rotation goes with its rotation key (see Accounts). */
function authorizationFor(route: RouteDef, caller: Caller): string | undefined {
  const w = caller.who;
  const rotation = accounts.rotation[w.name];
  if (route.op === 'POST /me/keys/rotate' && w.kind === 'customer' && rotation && caller.authorization !== undefined) {
    return caller.authorization.replace(who(w.name).key!, rotation);
  }
  return caller.authorization;
}

/** What an answer changes in Accounts: a link used, a rotation key replaced by the one the rotation gave. */
function noteAccounts(req: RawRequest, res: RawResponse): void {
  if (res.status !== 201 || req.method !== 'POST') return;
  if (req.path === '/auth/sign-in/exchange') {
    try {
      accounts.usedTokens.add(String(JSON.parse(req.body ?? '{}').token));
    } catch {
      // not JSON: nothing was exchanged
    }
  }
  if (req.path === '/me/keys/rotate') {
    const used = /^\s*bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    for (const [name, key] of Object.entries(accounts.rotation)) if (key === used) accounts.rotation[name as CallerName] = res.json.apiKey;
  }
}

/**
 * Does the API read a valid Idempotency-Key in this request: 8 to 200 characters as Node hands it
 * to the app (each value trimmed, repeats joined by ", ", every byte one character)? Node's client
 * writes the headers in latin-1, but in UTF-8 when it sends them in one write with a body string:
 * a character from 0x80 on then arrives as two.
 */
function validIdempotencyKey(req: RawRequest): boolean {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return false;
  const read = (Array.isArray(value) ? value : [value]).map((v) => v.replace(/^[ \t]+|[ \t]+$/g, '')).join(', ');
  const length = req.body === undefined ? read.length : Buffer.byteLength(read, 'utf8');
  return length >= 8 && length <= 200;
}

/**
 * Sends one request and checks that the database did not move unless the answer allows it; after
 * an answer that may write, waits until the worker is idle and takes that state as the new
 * reference. A change seen elsewhere (even a late one, from an earlier request) fails.
 */
class Exchange {
  private reference!: DbSnapshot;
  private since: string[] = [];

  async begin(): Promise<void> {
    this.reference = await settle(probe, env.client, sys.taskQueue);
    this.since = [];
    await loadPool();
  }

  /** `writes`: the only tables an answer that may write may change (RouteDef.writes), if given. */
  async send(req: RawRequest, mayWrite: (res: RawResponse) => boolean, writes?: readonly string[]): Promise<RawResponse> {
    const res = await sendRaw(sys.apiUrl, req);
    noteAccounts(req, res);
    this.since.push(`${describeRequest(req)} → ${res.status} ${res.text.slice(0, 200)}`);
    if (mayWrite(res)) {
      const before = this.reference;
      await this.begin();
      if (writes) {
        const elsewhere = changedTables(before, this.reference).filter((t) => !writes.includes(t));
        expect(elsewhere, `X-5: ${describeRequest(req)} → ${res.status} wrote outside ${JSON.stringify(writes)}:\n  ${dbChanges(before, this.reference).join('\n  ')}`).toEqual([]);
      }
    } else await this.expectUnchanged(await probe.snapshot());
    return res;
  }

  /** After the last request: nothing written late by a refused request either. */
  async end(): Promise<void> {
    await this.expectUnchanged(await settle(probe, env.client, sys.taskQueue));
  }

  private async expectUnchanged(now: DbSnapshot): Promise<void> {
    const changes = dbChanges(this.reference, now);
    if (changes.length === 0) return;
    const since = this.since.slice(-4);
    // The next run (fast-check shrinking) starts from a settled state again, or it would fail on
    // the tail of this same write.
    await this.begin();
    throw new Error(`X-5/X-6: the database changed although no answer since the last settled state allowed a write:\n  ${changes.join('\n  ')}\nrequests since then (last 4):\n  ${since.join('\n  ')}`);
  }
}

/** MED-1: no fuzzed request suspended or closed a demo seller (the oracle counts on them taking orders and deciding lines). */
async function expectDemoSellersAsSeeded(): Promise<void> {
  const rows = await sys.db.seller.findMany({ where: { id: { in: [...DEMO_SELLER_IDS] } }, orderBy: { id: 'asc' } });
  const seeded = Object.values(DEMO.sellers).map((d) => [d.id, d.status]);
  expect(rows.map((r) => [r.id, r.status])).toEqual(seeded.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Answers that may write: a successful command, a declined checkout card, a declined advance
 * payment, and a wrong deletion code (the owner's wrong try is counted: SUB-10 allows five).
 */
function mayWrite(req: RawRequest, res: RawResponse): boolean {
  if (res.status >= 200 && res.status < 300) return req.method === 'POST';
  if (res.status === 402) return req.path.startsWith('/checkout');
  // The same refusals shown to a browser as a link page (the form again, with the reason).
  if (res.status === 422 && answeredAsPage(req, res)) return true;
  return res.status === 422 && (res.json?.reason === 'PaymentDeclined' || res.json?.reason === 'WrongCode');
}

/** X-5 on any answer: never a 5xx; every 4xx a problem whose status is the HTTP status; a 400 names fields. */
/**
 * A browser opening an e-mailed link (its Accept names text/html) gets a refusal as a readable
 * page instead of a problem (api/routes/links.ts); every other caller gets the problem.
 */
function answeredAsPage(req: RawRequest, res: RawResponse): boolean {
  const accept = req.headers.accept;
  return req.path.startsWith('/links/') && res.contentType.startsWith('text/html') && /text\/html/i.test(Array.isArray(accept) ? accept.join(', ') : String(accept ?? ''));
}

function expectWellFormed(req: RawRequest, res: RawResponse): void {
  const shown = `${describeRequest(req)}\n→ ${res.status} ${res.contentType} ${res.text.slice(0, 500)}`;
  expect(res.status, `X-5: never a 5xx\n${shown}`).toBeLessThan(500);
  if (res.status < 400) return;
  if (answeredAsPage(req, res)) return;
  expect(res.contentType, `X-5: a 4xx is application/problem+json\n${shown}`).toContain('application/problem+json');
  if (req.method === 'HEAD') return;
  const p = res.json;
  expect(p !== null && typeof p === 'object' && !Array.isArray(p), `X-5: a problem object\n${shown}`).toBe(true);
  expect(typeof p.type === 'string' && p.type.length > 0, `X-5: problem.type\n${shown}`).toBe(true);
  expect(typeof p.title === 'string' && p.title.length > 0, `X-5: problem.title\n${shown}`).toBe(true);
  expect(p.status, `X-5: problem.status is the HTTP status\n${shown}`).toBe(res.status);
  if (res.status === 400) {
    expect(Array.isArray(p.errors) && p.errors.length > 0, `X-5: a 400 names the fields at fault\n${shown}`).toBe(true);
    for (const e of p.errors) {
      expect(typeof e?.field === 'string' && /^(body|params|query|headers)(\.|$)/.test(e.field) && typeof e.message === 'string', `X-5: errors[] are {field, message}\n${shown}`).toBe(true);
    }
  }
}

// --- X-5 requests -------------------------------------------------------------------------------------------

const CONTENT_TYPES_JSON = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8'];
const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 14, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES_JSON) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=nope',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/merge-patch+json',
      'application/vnd.api+json',
      'application/json; charset',
      ';;;',
      '',
      'application/json, text/plain',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: headerValue(40) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const EXTRA_HEADERS = [
  'x-request-id',
  'accept',
  'accept-encoding',
  'accept-language',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-http-method-override',
  'cookie',
  'origin',
  'referer',
  'user-agent',
  'content-encoding',
  'expect',
  'if-none-match',
  'if-modified-since',
  'range',
  'x-api-key',
  'forwarded',
  'te',
];
const extraHeaders = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom(...EXTRA_HEADERS), fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)),
    fc.oneof(
      headerValue(60),
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', '100-continue', 'bytes=0-10', 'bytes=999999-', '*', 'application/json', 'text/html', 'DELETE', 'trailers'),
    ),
  ),
  { maxLength: 3 },
);

/** Keys of every kind; a route that requires one (checkout) mostly gets a valid fresh one, so the request reaches its handler. */
const idempotencyKeyArb = (route: RouteDef): fc.Arbitrary<string | string[] | undefined> =>
  fc.oneof(
    { weight: route.idempotent ? 1 : 6, arbitrary: fc.constant(undefined) },
    ...(route.idempotent ? [{ weight: 8, arbitrary: fc.uuid().map((u) => `fuzz-${u}`) }] : []),
    { weight: 2, arbitrary: headerValue(210) },
    { weight: 1, arbitrary: fc.constantFrom('short', 'exactly8', 'x'.repeat(200), 'x'.repeat(201), '        ', '  seven ', 'fuzz-key-0001') },
    { weight: 1, arbitrary: fc.tuple(fc.constant('fuzz-key-0001'), fc.constant('fuzz-key-0002')).map((t) => [...t]) },
  );

const queryFuzz = (keys: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...keys, 'status[]', '__proto__', 'constructor', 'toString', '', 'a'), encodedText),
          fc.oneof(fc.constantFrom(...STATUSES, 'OVERDUE', '', 'x'.repeat(300), 'awaiting_validation%20', 'awaiting_validation+'), encodedText, percentGarbage),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
    fc.constantFrom('&&', '=', 'status', 'status=a&status=b', 'to=a&to=b', 'status=%E0%A4%A', '%', '==&=', '&status=overdue&'),
  );

interface X5Case {
  route: RouteDef;
  method: string;
  segments: Record<string, Segment>;
  query: string;
  caller: Caller;
  contentType?: string;
  idempotencyKey?: string | string[];
  extra: [string, string][];
  body: BodyCase;
}

const ANY_METHOD = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

function x5CaseArb(route: RouteDef): fc.Arbitrary<X5Case> {
  const example = route.body ? route.body(who('anonymous')) : undefined;
  return fc
    .record({
      segments: segmentsArb(route, x5Id),
      method: fc.oneof({ weight: 12, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: ANY_METHOD }),
      query: route.query
        ? fc.oneof({ weight: 3, arbitrary: route.query }, { weight: 2, arbitrary: queryFuzz(route.queryKeys ?? (route.op.includes('mailbox') ? ['to'] : route.op.includes('sign-in') ? ['token'] : ['status'])) })
        : fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryFuzz(['status']) }),
      example: example ?? fc.constant(undefined),
      contentType: contentTypeArb,
      idempotencyKey: idempotencyKeyArb(route),
      extra: extraHeaders,
      pick: fc.nat(),
    })
    .chain((c) => {
      const ids = Object.fromEntries(Object.entries(c.segments).map(([n, s]) => [n, s.id]));
      // Mostly a caller who may (so the request reaches validation and the handler), else anyone.
      const names = CALLERS.filter((n) => n !== 'wrongKey' && n !== 'malformedHeader');
      const permitted = names.filter((n) => route.may(who(n), ids, c.example) === 'allow');
      const gated = names.filter((n) => route.gate(who(n)));
      const preferred = permitted.length > 0 ? permitted : gated.length > 0 ? gated : [...names];
      const caller = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...preferred) }, { weight: 2, arbitrary: fc.constantFrom(...CALLERS) }).chain(callerArb);
      const body: fc.Arbitrary<BodyCase> =
        c.example !== undefined
          ? bodyArb(c.example)
          : fc.oneof(
              { weight: 8, arbitrary: fc.constant<BodyCase>({ kind: 'none' }) },
              { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value): BodyCase => ({ kind: 'json', value, text: JSON.stringify(value) ?? 'null' })) },
              { weight: 1, arbitrary: notJson.map((text): BodyCase => ({ kind: 'raw', text })) },
            );
      return fc.record({ caller, body }).map(
        ({ caller, body }): X5Case => ({
          route,
          method: c.method,
          segments: c.segments,
          query: c.query,
          caller,
          contentType: c.contentType,
          idempotencyKey: c.idempotencyKey,
          extra: c.extra,
          body,
        }),
      );
    });
}

function x5Request(c: X5Case): RawRequest {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of c.extra) headers[name] = value;
  const authorization = authorizationFor(c.route, c.caller);
  if (authorization !== undefined) headers.authorization = authorization;
  if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey;
  const body = c.body.kind === 'none' ? undefined : c.body.text;
  if (c.contentType !== undefined && (body !== undefined || c.method === 'POST')) headers['content-type'] = c.contentType;
  return { method: c.method, path: `${buildPath(c.route, c.segments)}${c.query ? `?${c.query}` : ''}`, headers, body };
}

/** The body reaches the validator as the JSON the fuzzer made (no other charset, encoding or type). */
function sentAsJson(req: RawRequest): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(type) && req.headers['content-encoding'] === undefined;
}

/** The fields a 400 may name: the ones this request may have got wrong. */
function suspects(c: X5Case, req: RawRequest): string[] {
  const out = Object.entries(c.segments)
    .filter(([, s]) => !s.real)
    .map(([n]) => `params.${n}`);
  if (c.query) out.push('query');
  // An empty segment at the end of a path (`/orders/by-number/`) is matched, trailing slash
  // ignored, by a shorter route (`/orders/{orderId}`): its own path parameters are then at fault.
  if (Object.values(c.segments).some((s) => s.text === '')) out.push('params');
  // Another method on the same path may be another route (GET and POST /auth/sign-in): what that
  // one requires and this request did not carry is at fault too.
  const sibling = c.method === c.route.method ? undefined : ROUTES.find((r) => r !== c.route && r.method === c.method && r.path === c.route.path);
  if (sibling?.query) out.push('query');
  if (sibling?.body) out.push('body');
  // Only a route that requires the key reads it, and only a missing or invalid one is at fault.
  if (c.route.idempotent && !validIdempotencyKey(req)) out.push('headers.idempotency-key');
  // A Content-Encoding the body does not have (none at all, say: Node then sends POST, PUT and
  // PATCH with an empty chunked body, which the JSON parser tries to inflate) is the body's fault,
  // whatever the route.
  if (req.headers['content-encoding'] !== undefined && ['POST', 'PUT', 'PATCH'].includes(req.method)) out.push('body');
  if (req.body !== undefined || c.route.body) {
    if (c.body.kind === 'mutated' && sentAsJson(req)) {
      const touched = c.body.touched.map((p) => fieldName('body', p));
      const coupled = Object.entries(c.route.coupled ?? {}).filter(([field]) => touched.some((t) => related(t, field)));
      out.push(...touched, ...coupled.flatMap(([, others]) => others));
    }
    else if (c.body.kind !== 'valid' || !sentAsJson(req)) out.push('body');
  }
  return out;
}

// --- the properties -------------------------------------------------------------------------------------------

describe('X-5, X-6: properties over every route', () => {
  it('X-5, X-6: the fuzzers cover every route documented in /openapi.json', async () => {
    const res = await http(sys.apiUrl, 'GET', '/openapi.json');
    const documented = Object.entries<Record<string, unknown>>(res.body.paths).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const covered = ROUTES.filter((r) => r.type === 'table').map((r) => r.op);
    expect([...documented].sort()).toEqual([...covered].sort());
    // The oracle's gates agree with the security documented for each route.
    for (const r of ROUTES.filter((x) => x.type === 'table')) {
      const [method, path] = r.op.split(' ');
      expect(res.body.paths[path][method.toLowerCase()].security.length > 0, r.op).toBe(!r.gate(who('anonymous')));
    }
  });

  it('X-6: any route, resources of different owners, a set of principals: 401 for a bad key, a 2xx or a business refusal only when the oracle allows, a refused caller changes nothing', async () => {
    const ex = new Exchange();
    await ex.begin();
    const stats = { total: 0, passed: 0, refusedOnUndecided: 0, badKey: 0 };
    // One route and one set of resources per run, sent by several principals in turn (a shuffled
    // subset of all of them; shrinking narrows it to the one at fault).
    // The line commands weigh more: the property must see refusals on undecided lines (asserted
    // below), which a uniform pick over the ~70 routes left to chance.
    const weightOf = (r: (typeof ROUTES)[number]) => (r.type !== 'table' ? 1 : r.op.includes('/lines/{lineId}/') ? 12 : 4);
    const arb = fc.oneof(...ROUTES.map((r) => ({ weight: weightOf(r), arbitrary: fc.constant(r) }))).chain((route) =>
      fc.record({
        route: fc.constant(route),
        segments: segmentsArb(route, x6Id),
        query: route.query ?? fc.constant(''),
        callers: fc
          .shuffledSubarray([...CALLERS], { minLength: 1 })
          .chain((names) => fc.tuple(...names.map((n) => fc.record({ caller: callerArb(n), body: route.body ? route.body(who(n)) : fc.constant(undefined) })))),
      }),
    );
    const lineState = async (id: string) => ({
      status: (await sys.db.orderLine.findUniqueOrThrow({ where: { id } })).status,
      audit: await sys.db.auditLog.count({ where: { entityId: id } }),
      refunds: await sys.db.refund.count({ where: { lineId: id } }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, segments, query, callers }) => {
        const ids = Object.fromEntries(Object.entries(segments).map(([n, s]) => [n, s.id]));
        // The line a command names: a refusal must leave it as it was (X-6).
        const line = route.op.includes('/lines/{lineId}/') ? findLine(ids) : undefined;
        for (const { caller, body } of callers) {
          const headers: Record<string, string> = {};
          const authorization = authorizationFor(route, caller);
          if (authorization !== undefined) headers.authorization = authorization;
          if (body !== undefined) headers['content-type'] = 'application/json';
          // A well-behaved client: a fresh key for every new checkout (ORD-4).
          if (route.idempotent) headers['idempotency-key'] = `fuzz-x6-${randomUUID()}`;
          const req: RawRequest = { method: route.method, path: `${buildPath(route, segments)}${query ? `?${query}` : ''}`, headers, body: body === undefined ? undefined : JSON.stringify(body) };
          const lineBefore = line ? await lineState(line.id) : undefined;
          // The verdict on the state the request meets (a sign-in link is used once).
          const v = route.may(caller.who, ids, body);

          const res = await ex.send(req, (r) => mayWrite(req, r), route.writes);
          stats.total += 1;
          count(`${route.op} as ${caller.who.name} → ${res.status}`);
          expectWellFormed(req, res);
          const w = caller.who;
          const shown = `${w.name} (${authorization === undefined ? 'no Authorization' : JSON.stringify(authorization)}): ${describeRequest(req)}\n→ ${res.status} ${res.text.slice(0, 300)}`;
          const ok = res.status >= 200 && res.status < 300;

          if (w.kind === 'bad') {
            stats.badKey += 1;
            expect(res.status, `X-6: a wrong or malformed key is ${route.type === 'unknown' ? `${route.unknownAnswer} on an unknown route` : '401'}\n${shown}`).toBe(route.type === 'unknown' ? route.unknownAnswer : 401);
            continue;
          }
          // A 2xx, and a business refusal (402 declined card, 409 already decided or ended, 422
          // refused by the rules), come only after the caller passed X-6.
          const passed = ok || [402, 409, 422].includes(res.status);
          if (v !== 'allow') expect(passed, `X-6: the oracle says ${v}, the API let the caller through (${res.status})\n${shown}`).toBe(false);
          if (v === 'allow') expect([401, 403], `X-6: the oracle says the caller may: neither 401 nor 403\n${shown}`).not.toContain(res.status);
          if (w.kind === 'anonymous' && route.type === 'table' && !route.gate(w)) expect(res.status, `X-6: a closed route without a key is 401\n${shown}`).toBe(401);
          if (w.kind === 'order' && route.type === 'table' && !route.gate(w)) expect(res.status, `X-6, X-8: an order token on a route it does not open is 403\n${shown}`).toBe(403);
          if (passed) stats.passed += 1;
          // X-6 on a list's answer: its items are the caller's own.
          if (ok) {
            const owner = { kind: w.kind, customerId: w.kind === 'customer' ? w.customerId : undefined, sellerId: w.kind === 'seller' ? w.sellerId : undefined };
            expect(listItemsAreOwn(route.op, owner, res.json, (id) => findOrder(id)?.customerId), `X-6: a list answered items that are not the caller's\n${shown}`).toBe(true);
          }

          // A refused caller leaves the line as it was: status, audit entries, refunds (and the
          // whole database is compared as well, by the exchange).
          if (line && !ok) {
            expect(await lineState(line.id), `X-6: the line ${line.id} changed after a refusal\n${shown}`).toEqual(lineBefore);
            if (lineBefore!.status === 'awaiting_validation' || lineBefore!.status === 'overdue') stats.refusedOnUndecided += 1;
          }
        }
      }),
      { numRuns: X6_RUNS, ...REPLAY } as fc.Parameters<unknown>,
    );
    await ex.end();
    await expectDemoSellersAsSeeded();
    printTally('[X-6] requests per route');
    console.info(`[X-6] ${X6_RUNS} runs, ${stats.total} requests: ${stats.passed} let through, ${stats.refusedOnUndecided} refusals on undecided lines, ${stats.badKey} bad keys`);
    expect(stats.refusedOnUndecided).toBeGreaterThan(0);
    expect(stats.passed).toBeGreaterThan(0);
  }, 180_000);

  it('X-5: fuzzed bodies, ids, queries and headers on every route: never a 5xx, always a problem naming the field, nothing half-written', async () => {
    const ex = new Exchange();
    await ex.begin();
    const stats = { total: 0, s2xx: 0, s400: 0, definite: 0, definiteKey: 0, other4xx: new Map<number, number>() };
    const arb = fc.oneof(...ROUTES.map((r) => ({ weight: r.type === 'table' ? 4 : 1, arbitrary: x5CaseArb(r) })));
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const req = x5Request(c);
        // Another method may reach another route: its writes are not this one's.
        const res = await ex.send(req, (r) => mayWrite(req, r), c.method === c.route.method ? c.route.writes : undefined);
        stats.total += 1;
        count(`${c.route.op}  ${c.method} → ${res.status}  (${c.body.kind} body)`);
        const shown = `${describeRequest(req)}\n→ ${res.status} ${res.text.slice(0, 500)}`;
        expectWellFormed(req, res);
        // A link page's refusal shown to a browser has no fields to check (the same request as JSON has).
        if (answeredAsPage(req, res)) return;
        if (res.status >= 200 && res.status < 300) stats.s2xx += 1;
        else if (res.status === 400) stats.s400 += 1;
        else stats.other4xx.set(res.status, (stats.other4xx.get(res.status) ?? 0) + 1);

        // A 400 names only fields this request may have got wrong (an answer to HEAD has no body).
        if (res.status === 400 && req.method !== 'HEAD') {
          const allowed = suspects(c, req);
          for (const e of res.json.errors as { field: string }[]) {
            expect(
              allowed.some((s) => related(e.field, s)),
              `X-5: ${e.field} is named, but the request could only be wrong in ${JSON.stringify(allowed)}\n${shown}`,
            ).toBe(true);
          }
        }

        // A body that breaks the route's shape for sure, sent to a caller who passes the route's
        // gate, is a 400 naming (one of) the broken fields. Not when the request never reaches
        // the route, and so its body is never read: a path that matches no route (an empty id),
        // that is not valid HTTP (raw non-ASCII bytes) or that Express cannot percent-decode
        // (both 400 naming the path alone), a request line over 16 KB (431), an unsupported
        // Expect header (417).
        const gateOpen = c.caller.who.kind !== 'bad' && c.route.gate(c.caller.who);
        const routable =
          Object.values(c.segments).every((s) => /^[\x21-\x7e]+$/.test(s.text) && decodes(s.text)) && req.path.length < 8_000 && !('expect' in req.headers);
        if (c.body.kind === 'mutated' && c.body.violations.length > 0 && c.route.type === 'table' && c.method === c.route.method && gateOpen && routable && sentAsJson(req) && Buffer.byteLength(req.body!) < 100 * 1024) {
          stats.definite += 1;
          const broken = c.body.violations.map((p) => fieldName('body', p));
          expect(res.status, `X-5: invalid for sure (${c.body.ops.join('; ')}): 400 expected\n${shown}`).toBe(400);
          expect(
            (res.json.errors as { field: string }[]).some((e) => broken.some((b) => related(e.field, b))),
            `X-5: the 400 names none of ${JSON.stringify(broken)}\n${shown}`,
          ).toBe(true);
        }

        // ORD-4: a checkout that reaches its route (as above, with a JSON object for a body, so
        // the body parser lets it through) without a valid Idempotency-Key is a 400 naming the header.
        const jsonObject = (c.body.kind === 'valid' || c.body.kind === 'mutated') && typeof c.body.value === 'object' && c.body.value !== null;
        if (c.route.idempotent && !validIdempotencyKey(req) && c.method === c.route.method && gateOpen && routable && sentAsJson(req) && jsonObject && Buffer.byteLength(req.body!) < 100 * 1024) {
          stats.definiteKey += 1;
          expect(res.status, `X-5, ORD-4: no valid Idempotency-Key: 400 expected\n${shown}`).toBe(400);
          expect(
            (res.json.errors as { field: string }[]).some((e) => e.field === 'headers.idempotency-key'),
            `X-5, ORD-4: the 400 does not name headers.idempotency-key\n${shown}`,
          ).toBe(true);
        }
      }),
      { numRuns: X5_RUNS, ...REPLAY } as fc.Parameters<[X5Case]>,
    );
    await ex.end();
    await expectDemoSellersAsSeeded();
    printTally('[X-5] requests per route');
    console.info(`[X-5] ${stats.total} requests: ${stats.s2xx} 2xx, ${stats.s400} 400 (${stats.definite} invalid for sure, ${stats.definiteKey} checkouts without a valid Idempotency-Key), other 4xx ${JSON.stringify([...stats.other4xx])}`);
    expect(stats.s400).toBeGreaterThan(X5_RUNS / 4);
    expect(stats.definite).toBeGreaterThan(10);
  }, 180_000);
});

// --- regressions: the counterexamples the properties found, as plain examples -----------------------

describe('X-5, X-6: counterexamples found by the fuzzers', () => {
  const someLine = () => pool.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;

  /** Sends `req`, checks X-5 on the answer, and that nothing was written. */
  async function refused(req: RawRequest, status: number): Promise<RawResponse> {
    const before = await probe.snapshot();
    const res = await sendRaw(sys.apiUrl, req);
    expect(res.status, `${describeRequest(req)} → ${res.status} ${res.text}`).toBe(status);
    expectWellFormed(req, res);
    expect(dbChanges(before, await probe.snapshot())).toEqual([]);
    return res;
  }

  it('X-5: an Expect header other than 100-continue is a 417 problem naming headers.expect (Node answered a bare 417 with no body), and changes nothing', async () => {
    const line = someLine();
    const res = await refused(
      {
        method: 'POST',
        path: `/orders/${line.orderId}/lines/${line.id}/refuse`,
        headers: { expect: 'gzip', authorization: `Bearer ${DEMO_KEYS.sellerAcme}`, 'content-type': 'application/json' },
        body: '{}',
      },
      417,
    );
    expect(res.json.errors).toEqual([{ field: 'headers.expect', message: expect.any(String) }]);
    // 100-continue is still met.
    const offers = await sendRaw(sys.apiUrl, { method: 'GET', path: '/offers', headers: { expect: '100-continue' } });
    expect(offers.status).toBe(200);
  });

  it.each(['/health', '/openapi.json', '/docs', '/docs/assets/swagger-ui.css'])(
    'X-6: a wrong or malformed key on the plain route %s is 401 (it answered 200); no key or a valid one still gets it',
    async (path) => {
      for (const authorization of ['', 'Bearer nope', 'Basic abc', DEMO_KEYS.admin]) {
        await refused({ method: 'GET', path, headers: { authorization } }, 401);
      }
      for (const headers of [{}, { authorization: `Bearer ${DEMO_KEYS.support}` }, { authorization: `bearer ${keyA}` }] as Record<string, string>[]) {
        expect((await sendRaw(sys.apiUrl, { method: 'GET', path, headers })).status, JSON.stringify(headers)).toBe(200);
      }
    },
  );

  it('X-5: a request Node cannot parse (a raw non-ASCII byte in the path) is a 400 problem naming the path, not a bare 400; to a HEAD, without a body', async () => {
    const admin = { authorization: `Bearer ${DEMO_KEYS.admin}`, 'content-type': 'application/json' };
    const res = await refused({ method: 'POST', path: '/orders/ord_/lines/\x80!/extend', headers: admin, body: '{}' }, 400);
    expect(res.json.errors).toEqual([{ field: 'params', message: expect.stringContaining('HPE_INVALID_URL') }]);
    const head = await refused({ method: 'HEAD', path: `/orders/${someLine().orderId}/lines/\x80!/cancel`, headers: admin }, 400);
    expect(head.text).toBe('');
  });

  it('X-5, X-6: a card command the workflow refuses (its owner, on its ended subscription: 409) writes nothing: no PaymentCard row, no card in the gateway', async () => {
    const ended = await sys.db.subscription.findFirstOrThrow({ where: { status: 'terminated', customerId: customerByEmail(EMAIL_B) } });
    await settle(probe, env.client, sys.taskQueue);
    const res = await refused(
      {
        method: 'POST',
        path: `/subscriptions/${ended.id}/card`,
        headers: { authorization: `Bearer ${keyB}`, 'content-type': 'application/json' },
        body: JSON.stringify({ card: VALID_CARD }),
      },
      409,
    );
    expect(res.json.detail).toContain('ended');
  });

  // Support tickets: on a fresh customer's premium service (no bar, no quota, e-mails never held),
  // since the properties may have barred the fixtures' customers (DIA-5).
  const freshService = () => supportedService(env.client, sys, { paidAt: new Date().toISOString(), offerId: DEMO.offers.globexBackup.id });
  const ticketPost = (ticketId: string, command: string, key: string, body: unknown): RawRequest => ({
    method: 'POST',
    path: `/tickets/${ticketId}/${command}`,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  /** An incident awaiting consent, and a support ticket closed by its customer whose process has ended. */
  async function openAndClosed() {
    const s = await freshService();
    const incident = (await openTicketAs(sys, s, 'incident')).ticketId as string;
    const closed = (await openTicketAs(sys, s, 'support')).ticketId as string;
    expect((await ticketCommand(sys, closed, 'close', { reason: 'Solved' }, s.customerKey)).status).toBe(200);
    await env.client.workflow.getHandle(ticketWorkflowId(closed)).result();
    await settle(probe, env.client, sys.taskQueue);
    return { s, incident, closed };
  }

  /** Each request refused with `status`, and what it wrote (nothing, every one of them). */
  async function writesOfRefusals(cases: Record<string, RawRequest>, status: number): Promise<void> {
    const written: Record<string, string[]> = {};
    for (const [name, req] of Object.entries(cases)) {
      const before = await probe.snapshot();
      const res = await sendRaw(sys.apiUrl, req);
      expect(res.status, `${name}: ${describeRequest(req)} → ${res.status} ${res.text}`).toBe(status);
      expectWellFormed(req, res);
      written[name] = dbChanges(before, await probe.snapshot());
    }
    expect(written).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, []])));
  }

  it('X-5, X-6: a message the ticket refuses (409: anyone on a closed ticket) leaves no TicketMessage behind', async () => {
    const { s, closed } = await openAndClosed();
    await writesOfRefusals(
      {
        'its customer on a closed ticket': ticketPost(closed, 'messages', s.customerKey, { text: 'After closing' }),
        'support on a closed ticket': ticketPost(closed, 'messages', DEMO_KEYS.support, { text: 'After closing' }),
      },
      409,
    );
  });

  it('X-5, X-6: a payment the ticket refuses (409: no invoice yet, a closed ticket) leaves no card behind: no PaymentCard row, no card in the gateway', async () => {
    const { s, incident, closed } = await openAndClosed();
    await writesOfRefusals(
      {
        'an incident awaiting consent': ticketPost(incident, 'pay', s.customerKey, { card: VALID_CARD }),
        'a closed ticket': ticketPost(closed, 'pay', s.customerKey, { card: VALID_CARD }),
      },
      409,
    );
  });

  it("DIA-8: a ticket's row, which the lists, their filters and the payment link read, says the status its workflow answers: quote_pending after a quote, work_in_progress once accepted", async () => {
    const s = await freshService();
    const t = await openTicketAs(sys, s, 'incident');
    expect((await ticketCommand(sys, t.ticketId, 'consent', { acceptedPriceCents: t.diagnostic.priceNowCents }, s.customerKey)).status).toBe(200);
    const quoted = await ticketCommand(sys, t.ticketId, 'diagnosis', { outcome: 'quote', quote: { amountCents: 15_000, description: 'Restore the backup set' } });
    expect(quoted.body.status).toBe('quote_pending');
    const rowAfterSettling = async () => {
      await settle(probe, env.client, sys.taskQueue);
      return (await sys.db.ticket.findUniqueOrThrow({ where: { id: t.ticketId } })).status;
    };
    expect(await rowAfterSettling()).toBe('quote_pending');
    const listed = await http(sys.apiUrl, 'GET', '/me/tickets?status=quote_pending', { key: s.customerKey });
    expect(listed.body.items.map((i: { ticketId: string }) => i.ticketId)).toEqual([t.ticketId]);
    const accepted = await ticketCommand(sys, t.ticketId, 'quote', { accept: true }, s.customerKey);
    expect(accepted.body.status).toBe('work_in_progress');
    expect(await rowAfterSettling()).toBe('work_in_progress');
  });

  it('X-5: a request line over 16 KB is a 431 problem naming the headers, not a bare 431', async () => {
    const res = await refused(
      { method: 'POST', path: `/subscriptions/lin_${'a'.repeat(17_000)}/withdraw-termination`, headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json' }, body: '{"":[]}' },
      431,
    );
    expect(res.json.errors).toEqual([{ field: 'headers', message: expect.any(String) }]);
  });
});
