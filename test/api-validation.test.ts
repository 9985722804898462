// X-5 on every route of the API: bad input (malformed JSON, wrong types, missing or unknown
// fields, too-long strings, invalid path ids and query values, bodies of the wrong shape or size)
// gets a 4xx RFC 9457 problem whose `errors[].field` names the field at fault, never a 5xx, and a
// refused checkout, subscription or ticket command leaves nothing half-written. Every route
// documented in /openapi.json is in the table. Runs on the shared Temporal dev server.
import { request as httpRequest } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from './support/environments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXTENSION_HOURS } from '../domain/order-line';
import { deletionLinkSubject, signLink, type LinkPurpose } from '../api/signed-links';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { TEST_IBANS } from '../infra/sandbox-payouts';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { eventually, http, type HttpResponse } from './support/http';
import { linesAwaitingValidation, newIdempotencyKey, placeOrder, signIn, type PlacedOrder } from './support/orders';
import { waitState } from './support/subscriptions';
import { startTestSystem, type TestSystem } from './support/system';
import { settledTicketSnapshot, ticketFixtures, ticketSnapshot, type TicketFixtures, type TicketSnapshot } from './support/ticket-fixtures';
import { caseFixtures, caseSnapshot, settledCaseSnapshot, type CaseFixtures, type CaseSnapshot } from './support/case-fixtures';
import { applicationBody, apply, type Applied } from './support/application-fixtures';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
let order: PlacedOrder;
let acmeLine: string;
let globexLine: string;
let countsBefore: Record<string, number>;
/** A customer with a running subscription and an ended one (SUB-10), each on its own order. */
let sub: { key: string; customerId: string; running: string; runningOrder: string; ended: string; endedOrder: string; unpaidOrder: string; invoice: string };
let subBefore: SubSnapshot;
/** A key of the real order's customer, for the key routes (a rotation would revoke it: none is valid). */
let accountKey: string;
/** A service with its only named contact and tickets awaiting consent, awaiting payment, closed (DIA-1..DIA-4). */
let tk: TicketFixtures;
let ticketsBefore: TicketSnapshot;
/** A fresh seller's cases: a closure awaiting contest, a closure request and a complaint awaiting their meeting, a withdrawn complaint (MED-1..MED-7). */
let cs: CaseFixtures;
let casesBefore: CaseSnapshot;
/** KYC-1: an incomplete seller application with its applicant's token; the table adds no document to it. */
let app: Applied;

beforeAll(async () => {
  env = await devServerEnv();
  sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection });
  // One real order, so that valid ids exist and only the part under test is wrong.
  order = await placeOrder(sys.apiUrl, { email: 'x5-real-order@example.test' });
  await linesAwaitingValidation(sys.db, order);
  acmeLine = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!.lineId;
  globexLine = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!.lineId;
  sub = await subscriptions();
  accountKey = (await signIn(sys.apiUrl, order.email)).apiKey;
  tk = await ticketFixtures(env.client, sys);
  ticketsBefore = await settledTicketSnapshot(env.client, sys, tk);
  cs = await caseFixtures(sys);
  casesBefore = await settledCaseSnapshot(sys, cs);
  app = await apply(sys.apiUrl);
  subBefore = await settledSubSnapshot();
  countsBefore = await counts();
});

/** As in api-authorization.test.ts: two Acme lines accepted, the second one ended by its owner. */
async function subscriptions(): Promise<typeof sub> {
  const email = 'x5-subscriber@example.test';
  const runningOrder = await placeOrder(sys.apiUrl, { email, offers: [DEMO.offers.acmeMail.id] });
  const endedOrder = await placeOrder(sys.apiUrl, { email, offers: [DEMO.offers.acmeMail.id] });
  expect(runningOrder.customerApiKey).toMatch(/^cust_/);
  expect(endedOrder.customerId).toBe(runningOrder.customerId);
  const key = runningOrder.customerApiKey!;
  const running = runningOrder.lines[0].lineId;
  const ended = endedOrder.lines[0].lineId;
  for (const [o, lineId] of [[runningOrder, running], [endedOrder, ended]] as const) {
    await linesAwaitingValidation(sys.db, o);
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${o.orderId}/lines/${lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'https://mail.acme.test' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  }
  for (const id of [running, ended]) {
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id } })) !== null, 20_000, `subscription ${id}`);
    await waitState(env.client, id, (s) => s.status === 'active' && s.paidPeriods >= 1);
  }
  expect((await http(sys.apiUrl, 'POST', `/subscriptions/${ended}/deletion`, { key, body: {} })).status).toBe(200);
  const codeMail = await eventually(async () => (await sys.db.email.findFirst({ where: { id: { startsWith: `sub:${ended}:deletion-code:` } } })) ?? undefined, 20_000, 'deletion code');
  const code = /Confirmation code: (\w+)/.exec(codeMail.text)![1];
  const confirmed = await http(sys.apiUrl, 'POST', `/subscriptions/${ended}/deletion/confirm`, { key, body: { code } });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: ended } }))?.status === 'terminated', 20_000, `subscription ${ended} ended`);
  const invoice = await eventually(async () => (await sys.db.invoice.findFirst({ where: { orderId: runningOrder.orderId } })) ?? undefined, 20_000, 'checkout invoice');
  const declined = await http(sys.apiUrl, 'POST', '/checkout', { body: checkoutBody({ email, offers: [DEMO.offers.acmeMail.id], card: TEST_CARDS.declined }), headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(declined.status, JSON.stringify(declined.body)).toBe(402);
  return { key, customerId: runningOrder.customerId, running, runningOrder: runningOrder.orderId, ended, endedOrder: endedOrder.orderId, unpaidOrder: declined.body.orderId, invoice: invoice.id };
}

interface SubSnapshot {
  state: unknown;
  row: unknown;
  payments: number;
  invoices: number;
  emails: number;
  audit: number;
}

/** The running subscription as its owner sees it (the workflow's Query), and the rows written for it. */
async function subSnapshot(): Promise<SubSnapshot> {
  const db = sys.db;
  const res = await http(sys.apiUrl, 'GET', `/subscriptions/${sub.running}`, { key: sub.key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.headers.get('x-state-source')).toBe('workflow');
  return {
    state: res.body,
    row: await db.subscription.findUnique({ where: { id: sub.running } }),
    payments: await db.payment.count({ where: { OR: [{ orderId: sub.runningOrder }, { lineId: sub.running }] } }),
    invoices: await db.invoice.count({ where: { OR: [{ orderId: sub.runningOrder }, { id: { startsWith: `sub:${sub.running}:` } }] } }),
    emails: await db.email.count({
      where: { OR: [{ id: { startsWith: `sub:${sub.running}:` } }, { id: { startsWith: `line:${sub.running}:` } }, { id: { startsWith: `order:${sub.runningOrder}:` } }] },
    }),
    audit: await db.auditLog.count({ where: { OR: [{ entityId: sub.running }, { orderId: sub.runningOrder }] } }),
  };
}

/** Waits for the writes that follow the acceptance (e-mails, invoice) to be over. */
async function settledSubSnapshot(): Promise<SubSnapshot> {
  let last = await subSnapshot();
  return eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      const now = await subSnapshot();
      const settled = JSON.stringify(now) === JSON.stringify(last);
      last = now;
      return settled ? now : undefined;
    },
    20_000,
    'the running subscription to settle',
  );
}

afterAll(async () => {
  await sys?.stop();
  await env?.teardown();
});

/** Rows a checkout writes, in the tables that must not move when it is refused. */
async function counts(): Promise<Record<string, number>> {
  const db = sys.db;
  return {
    order: await db.order.count(),
    orderLine: await db.orderLine.count(),
    customer: await db.customer.count(),
    apiKey: await db.apiKey.count(),
    termsAcceptance: await db.termsAcceptance.count(),
    sandboxTransaction: await db.sandboxTransaction.count(),
    payment: await db.payment.count(),
    idempotencyRecord: await db.idempotencyRecord.count(),
    orderCreatedAudit: await db.auditLog.count({ where: { action: 'order.created' } }),
  };
}

// --- the table -------------------------------------------------------------------------------

interface Case {
  /** The OpenAPI operation under test (`POST /orders/{orderId}/lines/{lineId}/accept`), or UNKNOWN. */
  route: string;
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /**
   * May hold {ORDER}, {ACME_LINE}, {GLOBEX_LINE}, {CUSTOMER}: ids of the real order; {SUB}, {ENDED},
   * {SUB_ORDER}, {ENDED_ORDER}, {UNPAID_ORDER} (declined), {SUB_CUSTOMER}, {INVOICE}: the subscriber's running and ended
   * subscriptions, their orders, the subscriber, and its checkout invoice (percent-encoded);
   * {TICKET_SUB}, {CONTACT}, {TICKET_CUSTOMER}, {CONSENTING}, {DUE}, {CLOSED}: the ticket fixtures'
   * service, its named contact, its customer, and its tickets awaiting consent, awaiting payment, closed;
   * {CASE_SELLER}, {CLOSURE_CASE}, {REQUEST_CASE}, {COMPLAINT_CASE}, {ENDED_CASE}: the case fixtures'
   * seller, its closure case, closure request, complaint, and withdrawn complaint.
   */
  path: string;
  /**
   * An API key, or SUB_KEY: the subscriber's own key, or ACCOUNT_KEY: a key of the real order's
   * customer, or TICKET_KEY: the key of the ticket fixtures' customer, or CASE_KEY: the key of the
   * case fixtures' seller.
   */
  key?: string;
  /** May hold {TICKET_SUB} and {CONTACT} in its strings (resolved when sent). */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  /** Exactly the set of `errors[].field` expected; omitted when no field is at fault. */
  fields?: string[];
}

const UNKNOWN = 'unknown route';
const long = (n: number) => 'x'.repeat(n);
const OVERSIZED = JSON.stringify({ padding: long(110 * 1024) });

/** Malformed or oversized bodies, also sent to GET routes: the JSON parser runs before routing. */
function bodyCases(route: string, method: Case['method'], path: string, key: string | undefined): Case[] {
  return [
    { route, name: 'malformed JSON', method, path, key, rawBody: '{"a":', status: 400, fields: ['body'] },
    { route, name: 'body over 100kb', method, path, key, rawBody: OVERSIZED, status: 413, fields: ['body'] },
  ];
}

/**
 * Every POST route: the body is JSON of the wrong shape, not JSON at all, incomplete, or has extras.
 * A route whose body is `{}` (required is empty) takes an empty or absent body as valid: not sent.
 */
function postBodyCases(route: string, path: string, key: string | undefined, valid: Record<string, unknown>, required: string[], headers?: Record<string, string>): Case[] {
  const c = (name: string, rest: Partial<Case> & Pick<Case, 'status'>): Case => ({ route, name, method: 'POST', path, key, headers, ...rest, ...(headers || rest.headers ? { headers: { ...headers, ...rest.headers } } : {}) });
  const missing = required.map((f) => `body.${f}`);
  const incomplete = required.length === 0 ? [] : [c('empty object', { body: {}, status: 400, fields: missing }), c('no body at all', { status: 400, fields: missing })];
  return [
    ...bodyCases(route, 'POST', path, key).map((b) => ({ ...b, headers })),
    c('body is a JSON array', { body: [valid], status: 400, fields: ['body'] }),
    c('body is an empty JSON array', { rawBody: '[]', status: 400, fields: ['body'] }),
    c('body is a bare JSON string', { rawBody: '"hello"', status: 400, fields: ['body'] }),
    c('body is JSON null', { rawBody: 'null', status: 400, fields: ['body'] }),
    c('body is a JSON number', { rawBody: '42', status: 400, fields: ['body'] }),
    c('valid JSON in an unsupported charset', { rawBody: JSON.stringify(valid), headers: { 'content-type': 'application/json; charset=latin1' }, status: 415, fields: ['body'] }),
    ...incomplete,
    c('unknown extra field', { body: { ...valid, extra: 'surprise' }, status: 400, fields: ['body.extra'] }),
    c('unknown extra field that is an object', { body: { ...valid, meta: { a: 1 } }, status: 400, fields: ['body.meta'] }),
  ];
}

type CheckoutBody = ReturnType<typeof checkoutBody>;
const CHECKOUT_EMAIL = 'x5-invalid-checkout@example.test';
/** A valid checkout, changed by `change`: only the changed part is wrong. */
function co(change: (b: CheckoutBody & Record<string, any>) => void): unknown {
  const b = structuredClone(checkoutBody({ email: CHECKOUT_EMAIL })) as CheckoutBody & Record<string, any>;
  change(b);
  return b;
}

/**
 * A valid Idempotency-Key (ORD-4: required on checkout), so that only the part under test is at
 * fault. A refused request never claims it.
 */
const CHECKOUT_KEY = { 'idempotency-key': 'x5-invalid-checkout-0001' };

const checkout = (): Case[] => {
  const route = 'POST /checkout';
  const c = (name: string, body: unknown, fields: string[], headers: Record<string, string> = CHECKOUT_KEY): Case => ({
    route,
    name,
    method: 'POST',
    path: '/checkout',
    body,
    headers,
    status: 400,
    fields,
  });
  const valid = co(() => {}) as Record<string, unknown>;
  return [
    ...postBodyCases(route, '/checkout', undefined, valid, ['customer', 'lines', 'acceptedTerms', 'card'], CHECKOUT_KEY),
    // customer
    c('customer missing', co((b) => delete (b as any).customer), ['body.customer']),
    c('customer is an array', co((b) => (b.customer = [] as any)), ['body.customer']),
    c('customer is null', co((b) => (b.customer = null as any)), ['body.customer']),
    c('customer is a string', co((b) => (b.customer = 'Test Buyer' as any)), ['body.customer']),
    c('customer.email missing', co((b) => delete (b.customer as any).email), ['body.customer.email']),
    c('customer.email is a number', co((b) => (b.customer.email = 42 as any)), ['body.customer.email']),
    c('customer.email is not an e-mail', co((b) => (b.customer.email = 'not-an-email')), ['body.customer.email']),
    c('customer.email is too long', co((b) => (b.customer.email = `${long(250)}@example.test`)), ['body.customer.email']),
    c('customer.name is a number', co((b) => (b.customer.name = 123 as any)), ['body.customer.name']),
    c('customer.name is blank', co((b) => (b.customer.name = '   ')), ['body.customer.name']),
    c('customer.name is too long', co((b) => (b.customer.name = long(201))), ['body.customer.name']),
    // PostgreSQL's text cannot hold U+0000: refused up front instead of failing in the database.
    c('customer.name has a NUL character', co((b) => (b.customer.name = 'Jane\u0000Doe')), ['body.customer.name']),
    c('customer.type is not an enum value', co((b) => (b.customer.type = 'company' as any)), ['body.customer.type']),
    c('customer.type is null', co((b) => (b.customer.type = null as any)), ['body.customer.type']),
    c('customer has an unknown field', co((b) => ((b.customer as any).phone = '+33 1 23 45 67 89')), ['body.customer.phone']),
    // INV-1: the billing identity every document shows.
    c('customer.address missing', co((b) => delete (b.customer as any).address), ['body.customer.address']),
    c('customer.address is blank', co((b) => (b.customer.address = '  ')), ['body.customer.address']),
    c('customer.address is too long', co((b) => (b.customer.address = long(501))), ['body.customer.address']),
    c('customer.country is not a country code', co((b) => (b.customer.country = 'France')), ['body.customer.country']),
    c('customer.vatNumber is not a VAT number', co((b) => (((b.customer as any).type = 'business'), ((b.customer as any).vatNumber = '12 345'))), ['body.customer.vatNumber']),
    c('customer.vatNumber for an individual', co((b) => ((b.customer as any).vatNumber = 'FR40303265045')), ['body.customer.vatNumber']),
    c('customer.registrationNumber for an individual', co((b) => ((b.customer as any).registrationNumber = '732829320')), ['body.customer.registrationNumber']),
    c('customer.registrationNumber is blank', co((b) => (((b.customer as any).type = 'business'), ((b.customer as any).registrationNumber = ' '))), ['body.customer.registrationNumber']),
    // lines
    c('lines missing', co((b) => delete (b as any).lines), ['body.lines']),
    c('lines is empty', co((b) => (b.lines = [])), ['body.lines']),
    c('lines has 21 entries', co((b) => (b.lines = Array.from({ length: 21 }, () => ({ offerId: DEMO.offers.acmeMail.id })))), ['body.lines']),
    c('lines is an object', co((b) => (b.lines = { offerId: DEMO.offers.acmeMail.id } as any)), ['body.lines']),
    c('lines is a string', co((b) => (b.lines = DEMO.offers.acmeMail.id as any)), ['body.lines']),
    c('lines.0 is null', co((b) => (b.lines = [null as any])), ['body.lines.0']),
    c('lines.0.offerId missing', co((b) => (b.lines = [{} as any])), ['body.lines.0.offerId']),
    c('lines.1.offerId is a number', co((b) => (b.lines[1] = { offerId: 12 as any })), ['body.lines.1.offerId']),
    c('lines.0.offerId is empty', co((b) => (b.lines[0] = { offerId: '' })), ['body.lines.0.offerId']),
    c('lines.0.offerId is too long', co((b) => (b.lines[0] = { offerId: long(101) })), ['body.lines.0.offerId']),
    c('lines.0 has an unknown field', co((b) => ((b.lines[0] as any).coupon = 'FREE')), ['body.lines.0.coupon']),
    // POL-6, quantities: the period is one of the four, the quantity a whole 1..MAX_QUANTITY.
    c('lines.0.billingPeriod is not a period', co((b) => ((b.lines[0] as any).billingPeriod = 'weekly')), ['body.lines.0.billingPeriod']),
    c('lines.1.quantity is 0', co((b) => ((b.lines[1] as any).quantity = 0)), ['body.lines.1.quantity']),
    c('lines.0.quantity is not whole', co((b) => ((b.lines[0] as any).quantity = 1.5)), ['body.lines.0.quantity']),
    c('lines.0.quantity is a string', co((b) => ((b.lines[0] as any).quantity = '3')), ['body.lines.0.quantity']),
    // acceptedTerms
    c('acceptedTerms missing', co((b) => delete (b as any).acceptedTerms), ['body.acceptedTerms']),
    c('acceptedTerms is null', co((b) => (b.acceptedTerms = null as any)), ['body.acceptedTerms']),
    c('acceptedTerms is an object', co((b) => (b.acceptedTerms = b.acceptedTerms[0] as any)), ['body.acceptedTerms']),
    c('acceptedTerms.0.version is a number', co((b) => (b.acceptedTerms[0].version = 3 as any)), ['body.acceptedTerms.0.version']),
    c('acceptedTerms.1.sellerId is too long', co((b) => (b.acceptedTerms[1].sellerId = long(101))), ['body.acceptedTerms.1.sellerId']),
    c('acceptedTerms.0 has an unknown field', co((b) => ((b.acceptedTerms[0] as any).acceptedAt = '2026-01-01')), ['body.acceptedTerms.0.acceptedAt']),
    // card
    c('card missing', co((b) => delete (b as any).card), ['body.card']),
    c('card is an array', co((b) => (b.card = [b.card] as any)), ['body.card']),
    c('card.expMonth is a string', co((b) => (b.card.expMonth = '12' as any)), ['body.card.expMonth']),
    c('card.expMonth is 13', co((b) => (b.card.expMonth = 13)), ['body.card.expMonth']),
    c('card.expMonth is 0', co((b) => (b.card.expMonth = 0)), ['body.card.expMonth']),
    c('card.expMonth is 1.5', co((b) => (b.card.expMonth = 1.5)), ['body.card.expMonth']),
    c('card.expYear is a string', co((b) => (b.card.expYear = '2030' as any)), ['body.card.expYear']),
    c('card.expYear is 1999', co((b) => (b.card.expYear = 1999)), ['body.card.expYear']),
    c('card.number is a number', co((b) => (b.card.number = 4242424242424242 as any)), ['body.card.number']),
    c('card.number has letters', co((b) => (b.card.number = '4242abcd4242abcd')), ['body.card.number']),
    c('card.number is too long', co((b) => (b.card.number = '4'.repeat(24))), ['body.card.number']),
    c('card.cvc is a number', co((b) => (b.card.cvc = 123 as any)), ['body.card.cvc']),
    c('card.cvc has 2 digits', co((b) => (b.card.cvc = '12')), ['body.card.cvc']),
    c('card has an unknown field', co((b) => ((b.card as any).holder = 'Test Buyer')), ['body.card.holder']),
    // headers, and several faults at once
    c('Idempotency-Key missing', co(() => {}), ['headers.idempotency-key'], {}),
    c('Idempotency-Key blank', co(() => {}), ['headers.idempotency-key'], { 'idempotency-key': '        ' }),
    c('Idempotency-Key shorter than 8', co(() => {}), ['headers.idempotency-key'], { 'idempotency-key': 'short' }),
    c('Idempotency-Key longer than 200', co(() => {}), ['headers.idempotency-key'], { 'idempotency-key': long(201) }),
    c('Idempotency-Key missing and a body fault, each named', co((b) => (b.card.cvc = '1')), ['headers.idempotency-key', 'body.card.cvc'], {}),
    c(
      'several faults at once, each named',
      co((b) => {
        b.customer.email = 'nope';
        b.card.expMonth = '12' as any;
        b.card.cvc = 12 as any;
      }),
      ['body.customer.email', 'body.card.expMonth', 'body.card.cvc', 'headers.idempotency-key'],
      { 'idempotency-key': 'short' },
    ),
  ];
};

/** accept, refuse, cancel, extend: one body field each, the ids of the real order's lines. */
function decision(command: string, key: string, line: string, field: string, valid: unknown, wrong: [string, unknown][]): Case[] {
  const route = `POST /orders/{orderId}/lines/{lineId}/${command}`;
  const path = `/orders/{ORDER}/lines/${line}/${command}`;
  const c = (name: string, rest: Partial<Case> & Pick<Case, 'status'>): Case => ({ route, name, method: 'POST', path, key, ...rest });
  return [
    ...postBodyCases(route, path, key, { [field]: valid }, [field]),
    ...wrong.map(([name, value]) => c(`${field} ${name}`, { body: { [field]: value }, status: 400, fields: [`body.${field}`] })),
    c('orderId is not an id', { path: `/orders/not-an-id/lines/${line}/${command}`, body: { [field]: valid }, status: 400, fields: ['params.orderId'] }),
    c('lineId is %00', { path: `/orders/{ORDER}/lines/%00/${command}`, body: { [field]: valid }, status: 400, fields: ['params.lineId'] }),
    c('both ids are invalid', { path: `/orders/ord_/lines/lin_${long(81)}/${command}`, body: { [field]: valid }, status: 400, fields: ['params.orderId', 'params.lineId'] }),
    c('the line does not exist', { path: `/orders/{ORDER}/lines/lin_does-not-exist/${command}`, body: { [field]: valid }, status: 404 }),
    c('the line belongs to another order', { path: `/orders/ord_another-order/lines/${line}/${command}`, body: { [field]: valid }, status: 404 }),
  ];
}

const textFaults = (max: number): [string, unknown][] => [
  ['is a number', 5],
  ['is null', null],
  ['is an array', ['x']],
  ['is an object', { text: 'x' }],
  ['is empty', ''],
  ['is blank', '   '],
  [`is longer than ${max}`, long(max + 1)],
];

/** The subscriber's own key: every case below passes X-6, so only the input is at fault. */
const SUB_KEY = '{SUB_KEY}';
const VALID_CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

/** Path ids that are not subscription ids (`lin_…`), each → 400 params.subscriptionId. */
const BAD_SUBSCRIPTION_IDS: [string, string][] = [
  ['not-an-id', 'subscriptionId is not an id'],
  ['lin_', 'subscriptionId has an empty suffix'],
  [`lin_${long(81)}`, 'subscriptionId is too long'],
  ['lin_a%20b', 'subscriptionId has a space'],
  ['lin_a%2Fb', 'subscriptionId has an encoded slash'],
  ['lin_%00', 'subscriptionId has a NUL byte'],
  ['{SUB_ORDER}', 'subscriptionId is an order id'],
  ['%E0%A4%A', 'subscriptionId is not valid percent-encoding'],
];

/**
 * A command on the running subscription: wrong bodies and path ids must leave it as it is (checked
 * after the table); the same valid body on the ended one is refused by the workflow (409), which
 * shows that the key and the body get through.
 */
function subscriptionCommand(command: string, valid: Record<string, unknown>, required: string[], wrong: [string, unknown, string[]][]): Case[] {
  const route = `POST /subscriptions/{subscriptionId}/${command}`;
  const path = `/subscriptions/{SUB}/${command}`;
  const c = (name: string, rest: Partial<Case> & Pick<Case, 'status'>): Case => ({ route, name, method: 'POST', path, key: SUB_KEY, ...rest });
  return [
    ...postBodyCases(route, path, SUB_KEY, valid, required),
    ...wrong.map(([name, body, fields]) => c(name, { body, status: 400, fields })),
    ...BAD_SUBSCRIPTION_IDS.map(([id, name]) => c(name, { path: `/subscriptions/${id}/${command}`, body: valid, status: 400, fields: ['params.subscriptionId'] })),
    c('subscriptionId and body both wrong, each named', { path: `/subscriptions/not-an-id/${command}`, body: { ...valid, extra: 1 }, status: 400, fields: ['params.subscriptionId', 'body.extra'] }),
    c('the subscription does not exist', { path: `/subscriptions/lin_does-not-exist/${command}`, body: valid, status: 404 }),
    c('a valid body on the ended subscription (control: refused by the workflow)', { path: `/subscriptions/{ENDED}/${command}`, body: valid, status: 409 }),
  ];
}

/** `card` with one part changed: only that part is wrong. */
const withCard = (change: Record<string, unknown>, drop?: string) => {
  const card: Record<string, unknown> = { ...VALID_CARD, ...change };
  if (drop) delete card[drop];
  return { card };
};

/** A body `{ card }` wrong in one or several parts (POST …/card, POST /tickets/{id}/pay). */
const CARD_FAULTS: [string, unknown, string[]][] = [
  ['card is null', { card: null }, ['body.card']],
  ['card is an array', { card: [VALID_CARD] }, ['body.card']],
  ['card is a string', { card: VALID_CARD.number }, ['body.card']],
  ['card is empty', { card: {} }, ['body.card.number', 'body.card.expMonth', 'body.card.expYear', 'body.card.cvc']],
  ['card.number missing', withCard({}, 'number'), ['body.card.number']],
  ['card.number is a number', withCard({ number: 4242424242424242 }), ['body.card.number']],
  ['card.number has letters', withCard({ number: '4242abcd4242abcd' }), ['body.card.number']],
  ['card.number is too short', withCard({ number: '4242' }), ['body.card.number']],
  ['card.number is too long', withCard({ number: '4'.repeat(24) }), ['body.card.number']],
  ['card.expMonth is a string', withCard({ expMonth: '12' }), ['body.card.expMonth']],
  ['card.expMonth is 13', withCard({ expMonth: 13 }), ['body.card.expMonth']],
  ['card.expMonth is 0', withCard({ expMonth: 0 }), ['body.card.expMonth']],
  ['card.expMonth is 1.5', withCard({ expMonth: 1.5 }), ['body.card.expMonth']],
  ['card.expYear is a string', withCard({ expYear: '2030' }), ['body.card.expYear']],
  ['card.expYear is 1999', withCard({ expYear: 1999 }), ['body.card.expYear']],
  ['card.expYear is 2101', withCard({ expYear: 2101 }), ['body.card.expYear']],
  ['card.cvc is a number', withCard({ cvc: 123 }), ['body.card.cvc']],
  ['card.cvc has 2 digits', withCard({ cvc: '12' }), ['body.card.cvc']],
  ['card.cvc has 5 digits', withCard({ cvc: '12345' }), ['body.card.cvc']],
  ['card has an unknown field', withCard({ holder: 'Test Buyer' }), ['body.card.holder']],
  ['several faults at once, each named', withCard({ number: 'x', expMonth: '12', cvc: 12 }), ['body.card.number', 'body.card.expMonth', 'body.card.cvc']],
];

const subscriptionCases = (): Case[] => [
  // GET /subscriptions/{subscriptionId}
  ...bodyCases('GET /subscriptions/{subscriptionId}', 'GET', '/subscriptions/{SUB}', SUB_KEY),
  ...BAD_SUBSCRIPTION_IDS.map(([id, name]): Case => ({
    route: 'GET /subscriptions/{subscriptionId}',
    name,
    method: 'GET',
    path: `/subscriptions/${id}`,
    key: SUB_KEY,
    status: 400,
    fields: ['params.subscriptionId'],
  })),
  { route: 'GET /subscriptions/{subscriptionId}', name: 'the subscription does not exist', method: 'GET', path: '/subscriptions/lin_does-not-exist', key: SUB_KEY, status: 404 },

  // The seven commands.
  ...subscriptionCommand('renewal-mode', { mode: 'manual' }, ['mode'], [
    ...(
      [
        ['is a number', 1],
        ['is null', null],
        ['is a boolean', true],
        ['is an array', ['manual']],
        ['is an object', { mode: 'manual' }],
        ['is empty', ''],
        ['in the wrong case', 'MANUAL'],
        ['is not an enum value', 'monthly'],
        ['is too long', long(300)],
      ] as const
    ).map(([name, mode]): [string, unknown, string[]] => [`mode ${name}`, { mode }, ['body.mode']]),
  ]),
  ...subscriptionCommand('terminate', {}, [], [['a field that looks plausible', { effectiveAt: '2030-01-01' }, ['body.effectiveAt']]]),
  ...subscriptionCommand('withdraw-termination', {}, [], [['a field that looks plausible', { reason: 'changed my mind' }, ['body.reason']]]),
  ...subscriptionCommand('pay-next-period', {}, [], [['a field that looks plausible', { amountCents: 100 }, ['body.amountCents']]]),
  ...subscriptionCommand('quantity', { quantity: 2 }, ['quantity'], [
    ['quantity is 0', { quantity: 0 }, ['body.quantity']],
    ['quantity is 1.5', { quantity: 1.5 }, ['body.quantity']],
    ['quantity is a string', { quantity: '2' }, ['body.quantity']],
    ['quantity is over the house bound', { quantity: 10_001 }, ['body.quantity']],
  ]),
  ...subscriptionCommand('card', { card: VALID_CARD }, ['card'], CARD_FAULTS),
  // A well-formed number that is not a sandbox test card: the gateway refuses it before the workflow.
  ...[
    ['an unknown test card', '4111111111111111'],
    ['a 15-digit card number', '424242424242424'],
  ].map(([name, number]): Case => ({
    route: 'POST /subscriptions/{subscriptionId}/card',
    name,
    method: 'POST',
    path: '/subscriptions/{SUB}/card',
    key: SUB_KEY,
    body: withCard({ number }),
    status: 422,
    fields: ['body.card.number'],
  })),
  ...subscriptionCommand('deletion', {}, [], [['a field that looks plausible', { confirm: true }, ['body.confirm']]]),
  ...subscriptionCommand('deletion/confirm', { code: 'ABCD1234' }, ['code'], [
    ...(
      [
        ['is a number', 1234],
        ['is null', null],
        ['is an array', ['ABCD1234']],
        ['is an object', { code: 'ABCD1234' }],
        ['is empty', ''],
        ['is blank', '      '],
        ['is 3 characters', 'ABC'],
        ['is longer than 20', long(21)],
      ] as const
    ).map(([name, code]): [string, unknown, string[]] => [`code ${name}`, { code }, ['body.code']]),
  ]),

  // POST /orders/{orderId}/withdraw: sent to the running subscription's order.
  ...postBodyCases('POST /orders/{orderId}/withdraw', '/orders/{SUB_ORDER}/withdraw', SUB_KEY, {}, []),
  ...[
    ['not-an-id', 'orderId is not an id'],
    ['ord_', 'orderId has an empty suffix'],
    [`ord_${long(81)}`, 'orderId is too long'],
    ['ord_a%20b', 'orderId has a space'],
    ['{SUB}', 'orderId is a subscription id'],
    ['%E0%A4%A', 'orderId is not valid percent-encoding'],
  ].map(([id, name]): Case => ({ route: 'POST /orders/{orderId}/withdraw', name, method: 'POST', path: `/orders/${id}/withdraw`, key: SUB_KEY, body: {}, status: 400, fields: ['params.orderId'] })),
  { route: 'POST /orders/{orderId}/withdraw', name: 'a reason is not accepted', method: 'POST', path: '/orders/{SUB_ORDER}/withdraw', key: SUB_KEY, body: { reason: 'changed my mind' }, status: 400, fields: ['body.reason'] },
  { route: 'POST /orders/{orderId}/withdraw', name: 'orderId and body both wrong, each named', method: 'POST', path: '/orders/not-an-id/withdraw', key: SUB_KEY, body: { extra: 1 }, status: 400, fields: ['params.orderId', 'body.extra'] },
  { route: 'POST /orders/{orderId}/withdraw', name: 'the order does not exist', method: 'POST', path: '/orders/ord_does-not-exist/withdraw', key: SUB_KEY, body: {}, status: 404 },
  // SUB-11 refunds a subscription ended by deletion too (200), so the control is a never-paid order.
  { route: 'POST /orders/{orderId}/withdraw', name: 'a never-paid order of the caller (control: nothing to withdraw)', method: 'POST', path: '/orders/{UNPAID_ORDER}/withdraw', key: SUB_KEY, body: {}, status: 409 },

  // GET /customers/{customerId}/invoices
  ...bodyCases('GET /customers/{customerId}/invoices', 'GET', '/customers/{SUB_CUSTOMER}/invoices', SUB_KEY),
  ...[
    ['not-an-id', 'customerId is not an id'],
    ['{SUB_ORDER}', 'customerId is an order id'],
    ['cus_', 'customerId has an empty suffix'],
    [`cus_${long(81)}`, 'customerId is too long'],
    ['cus_%00', 'customerId has a NUL byte'],
    ['%E0%A4%A', 'customerId is not valid percent-encoding'],
  ].map(([id, name]): Case => ({ route: 'GET /customers/{customerId}/invoices', name, method: 'GET', path: `/customers/${id}/invoices`, key: SUB_KEY, status: 400, fields: ['params.customerId'] })),

  // GET /invoices/{invoiceId}/xml (the pdf's cases below hold for both)
  ...bodyCases('GET /invoices/{invoiceId}/xml', 'GET', '/invoices/{INVOICE}/xml', SUB_KEY),
  { route: 'GET /invoices/{invoiceId}/xml', name: 'invoiceId is longer than 300', method: 'GET', path: `/invoices/${long(301)}/xml`, key: SUB_KEY, status: 400, fields: ['params.invoiceId'] },
  { route: 'GET /invoices/{invoiceId}/xml', name: 'the invoice does not exist', method: 'GET', path: '/invoices/inv_does-not-exist/xml', key: SUB_KEY, status: 404 },
  // GET /invoices/{invoiceId}/pdf
  ...bodyCases('GET /invoices/{invoiceId}/pdf', 'GET', '/invoices/{INVOICE}/pdf', SUB_KEY),
  { route: 'GET /invoices/{invoiceId}/pdf', name: 'invoiceId is longer than 300', method: 'GET', path: `/invoices/${long(301)}/pdf`, key: SUB_KEY, status: 400, fields: ['params.invoiceId'] },
  { route: 'GET /invoices/{invoiceId}/pdf', name: 'invoiceId is not valid percent-encoding', method: 'GET', path: '/invoices/%E0%A4%A/pdf', key: SUB_KEY, status: 400, fields: ['params.invoiceId'] },
  { route: 'GET /invoices/{invoiceId}/pdf', name: 'the invoice does not exist', method: 'GET', path: '/invoices/inv_does-not-exist/pdf', key: SUB_KEY, status: 404 },
  { route: 'GET /invoices/{invoiceId}/pdf', name: 'invoiceId is a NUL byte', method: 'GET', path: '/invoices/%00/pdf', key: SUB_KEY, status: 400, fields: ['params.invoiceId'] },
];

// --- support tickets (DIA-1..DIA-8, POL-5) ----------------------------------------------------

/** The key of the ticket fixtures' customer: it passes X-6 on their service and tickets. */
const TICKET_KEY = '{TICKET_KEY}';
/** A well-formed ticket id that no ticket has. */
const MISSING_TICKET = `tkt_${'0'.repeat(24)}`;

/** Path ids that are not ticket ids (`tkt_` and 24 lower-case hex digits), each → 400 params.ticketId. */
const BAD_TICKET_IDS: [string, string][] = [
  ['not-an-id', 'ticketId is not an id'],
  ['tkt_', 'ticketId has an empty suffix'],
  [`tkt_${'a'.repeat(23)}`, 'ticketId is one digit short'],
  [`tkt_${'a'.repeat(25)}`, 'ticketId is one digit long'],
  [`tkt_${'A'.repeat(24)}`, 'ticketId in upper case'],
  [`tkt_${'g'.repeat(24)}`, 'ticketId is not hexadecimal'],
  [`tkt_${'a'.repeat(1000)}`, 'ticketId is too long'],
  [`tkt_${'a'.repeat(12)}%20${'a'.repeat(11)}`, 'ticketId has a space'],
  [`tkt_${'a'.repeat(12)}%2F${'a'.repeat(11)}`, 'ticketId has an encoded slash'],
  ['tkt_%00', 'ticketId has a NUL byte'],
  ['{TICKET_SUB}', 'ticketId is a subscription id'],
  ['%E0%A4%A', 'ticketId is not valid percent-encoding'],
];

/** `text` faults of a field, as bodies `{ ...valid, [field]: value }`, plus a NUL character. */
function textFieldFaults(field: string, valid: Record<string, unknown>, max: number): [string, unknown, string[]][] {
  return [...textFaults(max), ['has a NUL character', 'a\u0000b']].map(([name, value]): [string, unknown, string[]] => [`${field} ${name}`, { ...valid, [field]: value }, [`body.${field}`]]);
}

/**
 * A command on a ticket (api/routes/tickets.ts), each sent with the key of one who may give it:
 * wrong bodies and path ids leave the ticket as it is (checked after the table); the same valid
 * body on the closed ticket is refused from its row (409), which shows the key and the body get
 * through. No valid body is ever sent to a live ticket.
 */
function ticketCommandCases(command: string, key: string, ticket: string, valid: Record<string, unknown>, required: string[], wrong: [string, unknown, string[]][]): Case[] {
  const route = `POST /tickets/{ticketId}/${command}`;
  const path = `/tickets/${ticket}/${command}`;
  const c = (name: string, rest: Partial<Case> & Pick<Case, 'status'>): Case => ({ route, name, method: 'POST', path, key, ...rest });
  return [
    ...postBodyCases(route, path, key, valid, required),
    ...wrong.map(([name, body, fields]) => c(name, { body, status: 400, fields })),
    ...BAD_TICKET_IDS.map(([id, name]) => c(name, { path: `/tickets/${id}/${command}`, body: valid, status: 400, fields: ['params.ticketId'] })),
    c('ticketId and body both wrong, each named', { path: `/tickets/not-an-id/${command}`, body: { ...valid, extra: 1 }, status: 400, fields: ['params.ticketId', 'body.extra'] }),
    c('the ticket does not exist', { path: `/tickets/${MISSING_TICKET}/${command}`, body: valid, status: 404 }),
    c('a valid body on the closed ticket (control: refused from its row)', { path: `/tickets/{CLOSED}/${command}`, body: valid, status: 409 }),
  ];
}

function ticketCases(): Case[] {
  const open = { requestId: 'x5-ticket-request-0001', subscriptionId: '{TICKET_SUB}', contactId: '{CONTACT}', kind: 'incident', subject: 'Mail is down', message: 'No mail since this morning.' };
  const opening = (name: string, change: Record<string, unknown>, status: number, fields?: string[]): Case => ({
    route: 'POST /tickets',
    name,
    method: 'POST',
    path: '/tickets',
    key: TICKET_KEY,
    body: { ...open, ...change },
    status,
    ...(fields ? { fields } : {}),
  });
  const field = (f: string, faults: [string, unknown][]) => faults.map(([name, value]) => opening(`${f} ${name}`, { [f]: value }, 400, [`body.${f}`]));
  const without = (f: string) => {
    const body: Record<string, unknown> = { ...open };
    delete body[f];
    return { route: 'POST /tickets', name: `${f} missing`, method: 'POST' as const, path: '/tickets', key: TICKET_KEY, body, status: 400, fields: [`body.${f}`] };
  };
  const DIAGNOSIS_QUOTE = { amountCents: 15_000, description: 'Replace the mail relay' };
  return [
    // POST /tickets
    ...postBodyCases('POST /tickets', '/tickets', TICKET_KEY, open, Object.keys(open)),
    ...Object.keys(open).map(without),
    ...field('requestId', [
      ['is a number', 12345678],
      ['is null', null],
      ['is 7 characters', 'x5-1234'],
      ['is longer than 100', long(101)],
      ['has a space', 'x5 request 0001'],
      ['has a slash', 'x5/request/0001'],
    ]),
    ...field('subscriptionId', [
      ['is a number', 1],
      ['is not an id', 'not-an-id'],
      ['has an empty suffix', 'lin_'],
      ['is too long', `lin_${long(81)}`],
      ['is an order id', 'ord_x5-order'],
      ['is an array', ['{TICKET_SUB}']],
    ]),
    ...field('contactId', [
      ['is a number', 1],
      ['is not an id', 'not-an-id'],
      ['has an empty suffix', 'con_'],
      ['is too long', `con_${long(81)}`],
      ['has an underscore', 'con_a_b'],
      ['is null', null],
    ]),
    ...field('kind', [
      ['is not an enum value', 'question'],
      ['in the wrong case', 'INCIDENT'],
      ['is null', null],
      ['is a number', 1],
      ['is an array', ['incident']],
    ]),
    ...textFieldFaults('subject', open, 200).map(([name, body, fields]) => opening(name, body as Record<string, unknown>, 400, fields)),
    ...textFieldFaults('message', open, 10_000).map(([name, body, fields]) => opening(name, body as Record<string, unknown>, 400, fields)),
    opening('several faults at once, each named', { requestId: 'short', kind: 'bug', subject: '', extra: true }, 400, ['body.requestId', 'body.kind', 'body.subject', 'body.extra']),
    // Well-formed, refused by the opening's checks: nothing is written (POL-5).
    opening('a well-formed contact that is not named on the service', { contactId: 'con_not-named' }, 422, ['body.contactId']),
    opening('the subscription does not exist', { subscriptionId: 'lin_does-not-exist' }, 404),

    // GET /tickets/{ticketId}
    ...bodyCases('GET /tickets/{ticketId}', 'GET', '/tickets/{CONSENTING}', TICKET_KEY),
    ...BAD_TICKET_IDS.map(([id, name]): Case => ({ route: 'GET /tickets/{ticketId}', name, method: 'GET', path: `/tickets/${id}`, key: TICKET_KEY, status: 400, fields: ['params.ticketId'] })),
    { route: 'GET /tickets/{ticketId}', name: 'an unknown query parameter', method: 'GET', path: '/tickets/{CONSENTING}?fields=all', key: TICKET_KEY, status: 400, fields: ['query.fields'] },
    { route: 'GET /tickets/{ticketId}', name: 'ticketId and the query both wrong, each named', method: 'GET', path: '/tickets/not-an-id?fields=all', key: TICKET_KEY, status: 400, fields: ['params.ticketId', 'query.fields'] },
    { route: 'GET /tickets/{ticketId}', name: 'the ticket does not exist', method: 'GET', path: `/tickets/${MISSING_TICKET}`, key: DEMO_KEYS.support, status: 404 },

    // GET /tickets/{ticketId}/messages: its list cases are with the other lists.
    ...BAD_TICKET_IDS.map(([id, name]): Case => ({ route: 'GET /tickets/{ticketId}/messages', name, method: 'GET', path: `/tickets/${id}/messages`, key: TICKET_KEY, status: 400, fields: ['params.ticketId'] })),
    { route: 'GET /tickets/{ticketId}/messages', name: 'ticketId and limit both wrong, each named', method: 'GET', path: '/tickets/not-an-id/messages?limit=0', key: TICKET_KEY, status: 400, fields: ['params.ticketId', 'query.limit'] },
    { route: 'GET /tickets/{ticketId}/messages', name: 'the ticket does not exist', method: 'GET', path: `/tickets/${MISSING_TICKET}/messages`, key: DEMO_KEYS.support, status: 404 },

    // The eight commands.
    ...ticketCommandCases('consent', TICKET_KEY, '{CONSENTING}', { acceptedPriceCents: 2000 }, ['acceptedPriceCents'], [
      ...(
        [
          ['is a string', '2000'],
          ['is null', null],
          ['is a boolean', true],
          ['is an array', [2000]],
          ['is negative', -1],
          ['is not whole', 19.99],
          ['is over 10,000,000', 10_000_001],
        ] as const
      ).map(([name, value]): [string, unknown, string[]] => [`acceptedPriceCents ${name}`, { acceptedPriceCents: value }, ['body.acceptedPriceCents']]),
    ]),
    {
      route: 'POST /tickets/{ticketId}/consent',
      name: 'acceptedPriceCents overflows to Infinity',
      method: 'POST',
      path: '/tickets/{CONSENTING}/consent',
      key: TICKET_KEY,
      rawBody: '{"acceptedPriceCents":1e400}',
      status: 400,
      fields: ['body.acceptedPriceCents'],
    },
    ...ticketCommandCases('messages', TICKET_KEY, '{CONSENTING}', { text: 'Any news?' }, ['text'], [
      ...textFieldFaults('text', { text: 'Any news?' }, 10_000),
      ['awaitCustomer is a string', { text: 'Any news?', awaitCustomer: 'yes' }, ['body.awaitCustomer']],
      // Only support staff make the ticket wait for the customer: refused before the message is written.
      ['awaitCustomer sent by the customer', { text: 'Any news?', awaitCustomer: false }, ['body.awaitCustomer']],
    ]),
    { route: 'POST /tickets/{ticketId}/messages', name: 'awaitCustomer is a number, from support staff', method: 'POST', path: '/tickets/{CONSENTING}/messages', key: DEMO_KEYS.support, body: { text: 'Please check', awaitCustomer: 1 }, status: 400, fields: ['body.awaitCustomer'] },
    { route: 'POST /tickets/{ticketId}/messages', name: 'text is too long, from support staff', method: 'POST', path: '/tickets/{CONSENTING}/messages', key: DEMO_KEYS.support, body: { text: long(10_001), awaitCustomer: true }, status: 400, fields: ['body.text'] },
    ...ticketCommandCases('diagnosis', DEMO_KEYS.support, '{CONSENTING}', { outcome: 'fixed' }, ['outcome'], [
      ...(
        [
          ['is not an enum value', 'solved'],
          ['in the wrong case', 'FIXED'],
          ['is null', null],
          ['is a number', 2],
          ['is an array', ['fixed']],
          ['is too long', long(300)],
        ] as const
      ).map(([name, outcome]): [string, unknown, string[]] => [`outcome ${name}`, { outcome }, ['body.outcome']]),
      ['outcome quote without a quote', { outcome: 'quote' }, ['body.quote']],
      ['a quote with outcome fixed', { outcome: 'fixed', quote: DIAGNOSIS_QUOTE }, ['body.quote']],
      ['quote is a string', { outcome: 'quote', quote: '150 EUR' }, ['body.quote']],
      ['quote is null', { outcome: 'quote', quote: null }, ['body.quote']],
      ['quote is empty', { outcome: 'quote', quote: {} }, ['body.quote.amountCents', 'body.quote.description']],
      ['quote.amountCents is 0', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, amountCents: 0 } }, ['body.quote.amountCents']],
      ['quote.amountCents is a string', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, amountCents: '15000' } }, ['body.quote.amountCents']],
      ['quote.amountCents is not whole', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, amountCents: 150.5 } }, ['body.quote.amountCents']],
      ['quote.amountCents is over 100,000,000', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, amountCents: 100_000_001 } }, ['body.quote.amountCents']],
      ['quote.description is blank', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, description: '   ' } }, ['body.quote.description']],
      ['quote.description is longer than 2000', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, description: long(2001) } }, ['body.quote.description']],
      ['quote.description has a NUL character', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, description: 'a\u0000b' } }, ['body.quote.description']],
      ['quote has an unknown field', { outcome: 'quote', quote: { ...DIAGNOSIS_QUOTE, currency: 'EUR' } }, ['body.quote.currency']],
    ]),
    ...ticketCommandCases('quote', TICKET_KEY, '{CONSENTING}', { accept: true }, ['accept'], [
      ...(
        [
          ['is a string', 'true'],
          ['is a word', 'yes'],
          ['is a number', 1],
          ['is null', null],
          ['is an array', [true]],
        ] as const
      ).map(([name, accept]): [string, unknown, string[]] => [`accept ${name}`, { accept }, ['body.accept']]),
    ]),
    ...ticketCommandCases('work-done', DEMO_KEYS.support, '{CONSENTING}', {}, [], [['a field that looks plausible', { note: 'relay replaced' }, ['body.note']]]),
    ...ticketCommandCases('pay', TICKET_KEY, '{DUE}', { card: VALID_CARD }, ['card'], CARD_FAULTS),
    // A well-formed number that is not a sandbox test card: the gateway refuses it, no card is saved.
    { route: 'POST /tickets/{ticketId}/pay', name: 'an unknown test card', method: 'POST', path: '/tickets/{DUE}/pay', key: TICKET_KEY, body: withCard({ number: '4111111111111111' }), status: 422, fields: ['body.card.number'] },
    ...ticketCommandCases('contest', TICKET_KEY, '{DUE}', { reason: 'I never asked for this' }, ['reason'], textFieldFaults('reason', {}, 2000)),
    ...ticketCommandCases('close', TICKET_KEY, '{CONSENTING}', { reason: 'Solved on my own' }, ['reason'], textFieldFaults('reason', {}, 2000)),
    { route: 'POST /tickets/{ticketId}/close', name: 'reason is too long, from support staff', method: 'POST', path: '/tickets/{CONSENTING}/close', key: DEMO_KEYS.support, body: { reason: long(2001) }, status: 400, fields: ['body.reason'] },
  ];
}

/** A customer's support (api/routes/support.ts): the service's tier and contacts, the bar. */
function supportCases(): Case[] {
  const contact = { name: 'Second Contact', email: 'x5-second-contact@example.test' };
  const contactsRoute = 'POST /subscriptions/{subscriptionId}/support-contacts';
  const contactsPath = '/subscriptions/{TICKET_SUB}/support-contacts';
  const removeRoute = 'POST /subscriptions/{subscriptionId}/support-contacts/{contactId}/remove';
  // No contact has this id: no case can remove the service's named contact.
  const removePath = '/subscriptions/{TICKET_SUB}/support-contacts/con_does-not-exist/remove';
  const named = (name: string, body: unknown, fields: string[]): Case => ({ route: contactsRoute, name, method: 'POST', path: contactsPath, key: TICKET_KEY, body, status: 400, fields });
  return [
    // GET /subscriptions/{subscriptionId}/support
    ...bodyCases('GET /subscriptions/{subscriptionId}/support', 'GET', '/subscriptions/{TICKET_SUB}/support', TICKET_KEY),
    ...BAD_SUBSCRIPTION_IDS.map(([id, name]): Case => ({ route: 'GET /subscriptions/{subscriptionId}/support', name, method: 'GET', path: `/subscriptions/${id}/support`, key: TICKET_KEY, status: 400, fields: ['params.subscriptionId'] })),
    { route: 'GET /subscriptions/{subscriptionId}/support', name: 'an unknown query parameter', method: 'GET', path: '/subscriptions/{TICKET_SUB}/support?year=2026', key: TICKET_KEY, status: 400, fields: ['query.year'] },
    { route: 'GET /subscriptions/{subscriptionId}/support', name: 'the subscription does not exist', method: 'GET', path: '/subscriptions/lin_does-not-exist/support', key: TICKET_KEY, status: 404 },

    // POST /subscriptions/{subscriptionId}/support-contacts
    ...postBodyCases(contactsRoute, contactsPath, TICKET_KEY, contact, ['name', 'email']),
    named('name missing', { email: contact.email }, ['body.name']),
    named('email missing', { name: contact.name }, ['body.email']),
    ...textFaults(200).map(([name, value]) => named(`name ${name}`, { ...contact, name: value }, ['body.name'])),
    named('name has a NUL character', { ...contact, name: 'Jane\u0000Doe' }, ['body.name']),
    ...(
      [
        ['is a number', 42],
        ['is null', null],
        ['is not an e-mail', 'not-an-email'],
        ['is too long', `${long(250)}@example.test`],
        ['is an array', [contact.email]],
      ] as const
    ).map(([name, email]) => named(`email ${name}`, { ...contact, email }, ['body.email'])),
    named('several faults at once, each named', { name: '', email: 'nope', phone: '+33 1 23 45 67 89' }, ['body.name', 'body.email', 'body.phone']),
    ...BAD_SUBSCRIPTION_IDS.map(([id, name]): Case => ({ route: contactsRoute, name, method: 'POST', path: `/subscriptions/${id}/support-contacts`, key: TICKET_KEY, body: contact, status: 400, fields: ['params.subscriptionId'] })),
    { route: contactsRoute, name: 'subscriptionId and body both wrong, each named', method: 'POST', path: '/subscriptions/not-an-id/support-contacts', key: TICKET_KEY, body: { ...contact, extra: 1 }, status: 400, fields: ['params.subscriptionId', 'body.extra'] },
    { route: contactsRoute, name: 'the subscription does not exist', method: 'POST', path: '/subscriptions/lin_does-not-exist/support-contacts', key: TICKET_KEY, body: contact, status: 404 },
    // The basic tier's one contact is named: a valid body gets through and is refused (POL-5), nothing written.
    { route: contactsRoute, name: 'a valid contact over the basic tier\u2019s one (control: refused by POL-5)', method: 'POST', path: contactsPath, key: TICKET_KEY, body: contact, status: 422 },

    // POST /subscriptions/{subscriptionId}/support-contacts/{contactId}/remove
    ...postBodyCases(removeRoute, removePath, TICKET_KEY, {}, []),
    { route: removeRoute, name: 'a field that looks plausible', method: 'POST', path: removePath, key: TICKET_KEY, body: { contactId: '{CONTACT}' }, status: 400, fields: ['body.contactId'] },
    ...(
      [
        ['not-an-id', 'contactId is not an id'],
        ['con_', 'contactId has an empty suffix'],
        [`con_${long(81)}`, 'contactId is too long'],
        ['con_a_b', 'contactId has an underscore'],
        ['con_a%20b', 'contactId has a space'],
        ['con_%00', 'contactId has a NUL byte'],
        ['{TICKET_SUB}', 'contactId is a subscription id'],
        ['%E0%A4%A', 'contactId is not valid percent-encoding'],
      ] as const
    ).map(([id, name]): Case => ({ route: removeRoute, name, method: 'POST', path: `/subscriptions/{TICKET_SUB}/support-contacts/${id}/remove`, key: TICKET_KEY, body: {}, status: 400, fields: ['params.contactId'] })),
    ...BAD_SUBSCRIPTION_IDS.map(([id, name]): Case => ({ route: removeRoute, name, method: 'POST', path: `/subscriptions/${id}/support-contacts/{CONTACT}/remove`, key: TICKET_KEY, body: {}, status: 400, fields: ['params.subscriptionId'] })),
    { route: removeRoute, name: 'both ids and the body wrong, each named', method: 'POST', path: '/subscriptions/not-an-id/support-contacts/nope/remove', key: TICKET_KEY, body: { extra: 1 }, status: 400, fields: ['params.subscriptionId', 'params.contactId', 'body.extra'] },
    { route: removeRoute, name: 'the contact does not exist', method: 'POST', path: removePath, key: TICKET_KEY, body: {}, status: 404 },
    // The named contact, through another service of its owner's: not that service's, not removed.
    { route: removeRoute, name: 'a contact of another subscription', method: 'POST', path: '/subscriptions/{SUB}/support-contacts/{CONTACT}/remove', key: SUB_KEY, body: {}, status: 404 },

    // GET /me/support
    ...bodyCases('GET /me/support', 'GET', '/me/support', TICKET_KEY),
    { route: 'GET /me/support', name: 'an unknown query parameter', method: 'GET', path: '/me/support?customerId={SUB_CUSTOMER}', key: TICKET_KEY, status: 400, fields: ['query.customerId'] },

    // GET /customers/{customerId}/support
    ...bodyCases('GET /customers/{customerId}/support', 'GET', '/customers/{TICKET_CUSTOMER}/support', DEMO_KEYS.support),
    ...[
      ['not-an-id', 'customerId is not an id'],
      ['{SUB_ORDER}', 'customerId is an order id'],
      ['cus_', 'customerId has an empty suffix'],
      [`cus_${long(81)}`, 'customerId is too long'],
      ['cus_a%20b', 'customerId has a space'],
      ['cus_%00', 'customerId has a NUL byte'],
      ['%E0%A4%A', 'customerId is not valid percent-encoding'],
    ].map(([id, name]): Case => ({ route: 'GET /customers/{customerId}/support', name, method: 'GET', path: `/customers/${id}/support`, key: DEMO_KEYS.support, status: 400, fields: ['params.customerId'] })),
    { route: 'GET /customers/{customerId}/support', name: 'an unknown query parameter', method: 'GET', path: '/customers/{TICKET_CUSTOMER}/support?cause=contested', key: DEMO_KEYS.support, status: 400, fields: ['query.cause'] },
    { route: 'GET /customers/{customerId}/support', name: 'the customer does not exist', method: 'GET', path: '/customers/cus_does-not-exist/support', key: DEMO_KEYS.support, status: 404 },

    // The ticket lists' filters (their limit and cursor cases are with the other lists).
    ...(
      [
        ['GET /me/tickets', '/me/tickets', TICKET_KEY],
        ['GET /ops/tickets', '/ops/tickets', DEMO_KEYS.support],
        ['GET /seller/tickets', '/seller/tickets', DEMO_KEYS.sellerAcme],
      ] as const
    ).flatMap(([route, path, key]): Case[] => [
      ...[
        ['status=AWAITING_PAYMENT', 'status in the wrong case'],
        ['status=', 'status is empty'],
        ['status=opening', 'status is a row state that is no filter'],
        ['status=paid&status=closed', 'status given twice'],
        [`status=${long(300)}`, 'status is too long'],
      ].map(([query, name]): Case => ({ route, name, method: 'GET', path: `${path}?${query}`, key, status: 400, fields: ['query.status'] })),
    ]),
    ...(
      [
        ['GET /me/tickets', '/me/tickets', TICKET_KEY],
        ['GET /ops/tickets', '/ops/tickets', DEMO_KEYS.support],
      ] as const
    ).flatMap(([route, path, key]): Case[] => [
      { route, name: 'kind is not one of its values', method: 'GET', path: `${path}?kind=question`, key, status: 400, fields: ['query.kind'] },
      { route, name: 'kind given twice', method: 'GET', path: `${path}?kind=incident&kind=support`, key, status: 400, fields: ['query.kind'] },
      { route, name: 'status and kind both wrong, each named', method: 'GET', path: `${path}?status=open&kind=bug`, key, status: 400, fields: ['query.status', 'query.kind'] },
    ]),
    // A seller lists support tickets only (X-6): kind is no parameter of its list.
    { route: 'GET /seller/tickets', name: 'kind is not a parameter of the seller\u2019s list', method: 'GET', path: '/seller/tickets?kind=support', key: DEMO_KEYS.sellerAcme, status: 400, fields: ['query.kind'] },
  ];
}

// --- seller cases (MED-1..MED-7) ----------------------------------------------------------------

/** The key of the case fixtures' seller (suspended by its closure case: it still acts in its cases). */
const CASE_KEY = '{CASE_KEY}';
/** A well-formed case id that no case has. */
const MISSING_CASE = 'case_00000000-0000-4000-8000-000000000000';

/** Path ids that are not case ids (`case_` and a 36-character UUID), each → 400 params.caseId. */
const BAD_CASE_IDS: [string, string][] = [
  ['not-an-id', 'caseId is not an id'],
  ['case_', 'caseId has an empty suffix'],
  [`case_${'a'.repeat(35)}`, 'caseId is one character short'],
  [`case_${'a'.repeat(37)}`, 'caseId is one character long'],
  ['case_AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA', 'caseId in upper case'],
  [`case_${'g'.repeat(36)}`, 'caseId is not hexadecimal'],
  [`case_${'a'.repeat(1000)}`, 'caseId is too long'],
  [`case_${'a'.repeat(18)}%20${'a'.repeat(17)}`, 'caseId has a space'],
  [`case_${'a'.repeat(18)}%2F${'a'.repeat(17)}`, 'caseId has an encoded slash'],
  ['case_%00', 'caseId has a NUL byte'],
  ['{CASE_SELLER}', 'caseId is a seller id'],
  ['%E0%A4%A', 'caseId is not valid percent-encoding'],
];

/**
 * A command on a case (api/routes/seller-cases.ts), each sent with the key of one who may give it:
 * wrong bodies and path ids leave the case as it is (checked after the table); the same valid body
 * on the withdrawn complaint is refused from its row (409), which shows the key and the body get
 * through. No valid body is sent to a live case unless its state refuses it.
 */
function caseCommandCases(command: string, key: string, sellerCase: string, valid: Record<string, unknown>, required: string[], wrong: [string, unknown, string[]][]): Case[] {
  const route = `POST /cases/{caseId}/${command}`;
  const path = `/cases/${sellerCase}/${command}`;
  const c = (name: string, rest: Partial<Case> & Pick<Case, 'status'>): Case => ({ route, name, method: 'POST', path, key, ...rest });
  return [
    ...postBodyCases(route, path, key, valid, required),
    ...wrong.map(([name, body, fields]) => c(name, { body, status: 400, fields })),
    ...BAD_CASE_IDS.map(([id, name]) => c(name, { path: `/cases/${id}/${command}`, body: valid, status: 400, fields: ['params.caseId'] })),
    c('caseId and body both wrong, each named', { path: `/cases/not-an-id/${command}`, body: { ...valid, extra: 1 }, status: 400, fields: ['params.caseId', 'body.extra'] }),
    c('the case does not exist', { path: `/cases/${MISSING_CASE}/${command}`, body: valid, status: 404 }),
    c('a valid body on the withdrawn case (control: refused from its row)', { path: `/cases/{ENDED_CASE}/${command}`, body: valid, status: 409 }),
  ];
}

/** Faults of an ISO 8601 instant with its offset, as bodies `{ ...valid, [field]: value }`. */
function instantFaults(field: string, valid: Record<string, unknown>): [string, unknown, string[]][] {
  return (
    [
      ['is a number', 1_900_000_000_000],
      ['is null', null],
      ['is a word', 'tomorrow'],
      ['is empty', ''],
      ['is a date without a time', '2030-01-10'],
      ['has no offset', '2030-01-10T10:00:00'],
      ['is in month 13', '2030-13-10T10:00:00Z'],
      ['is on 30 February', '2030-02-30T10:00:00Z'],
      ['is at hour 25', '2030-01-10T25:00:00Z'],
      ['is in a human format', '10/01/2030 10:00'],
      ['is an array', ['2030-01-10T10:00:00Z']],
      ['is too long', `2030-01-10T10:00:00${'0'.repeat(300)}Z`],
    ] as const
  ).map(([name, value]): [string, unknown, string[]] => [`${field} ${name}`, { ...valid, [field]: value }, [`body.${field}`]]);
}

function sellerCaseCases(): Case[] {
  const closure = { reasons: 'Repeated customer complaints', letterReference: 'LR-X5-0002' };
  const openRoute = 'POST /ops/sellers/{sellerId}/cases';
  const openPath = '/ops/sellers/{CASE_SELLER}/cases';
  const opening = (name: string, body: unknown, status: number, fields?: string[]): Case => ({ route: openRoute, name, method: 'POST', path: openPath, key: DEMO_KEYS.ops, body, status, ...(fields ? { fields } : {}) });
  const request = { kind: 'complaint', text: 'Payouts arrive late' };
  const filing = (name: string, body: unknown, status: number, fields?: string[]): Case => ({ route: 'POST /seller/cases', name, method: 'POST', path: '/seller/cases', key: CASE_KEY, body, status, ...(fields ? { fields } : {}) });
  const meeting = { at: '2099-01-10T10:00:00+01:00', place: 'Visio: https://meet.example.test/x5' };
  return [
    // POST /ops/sellers/{sellerId}/cases (MED-1): always on the fixtures' seller, never a demo seller.
    ...postBodyCases(openRoute, openPath, DEMO_KEYS.ops, closure, ['reasons', 'letterReference']),
    opening('reasons missing', { letterReference: closure.letterReference }, 400, ['body.reasons']),
    opening('letterReference missing', { reasons: closure.reasons }, 400, ['body.letterReference']),
    ...textFieldFaults('reasons', closure, 10_000).map(([name, body, fields]) => opening(name, body, 400, fields)),
    ...textFieldFaults('letterReference', closure, 100).map(([name, body, fields]) => opening(name, body, 400, fields)),
    opening('several faults at once, each named', { reasons: '', letterReference: 7, kind: 'closure' }, 400, ['body.reasons', 'body.letterReference', 'body.kind']),
    ...(
      [
        ['not-an-id', 'sellerId is not an id'],
        ['sel_', 'sellerId has an empty suffix'],
        [`sel_${long(81)}`, 'sellerId is too long'],
        ['sel_a%20b', 'sellerId has a space'],
        ['sel_a%2Fb', 'sellerId has an encoded slash'],
        ['sel_%00', 'sellerId has a NUL byte'],
        ['{CLOSURE_CASE}', 'sellerId is a case id'],
        ['%E0%A4%A', 'sellerId is not valid percent-encoding'],
      ] as const
    ).map(([id, name]): Case => ({ route: openRoute, name, method: 'POST', path: `/ops/sellers/${id}/cases`, key: DEMO_KEYS.ops, body: closure, status: 400, fields: ['params.sellerId'] })),
    { route: openRoute, name: 'sellerId and body both wrong, each named', method: 'POST', path: '/ops/sellers/not-an-id/cases', key: DEMO_KEYS.ops, body: { ...closure, extra: 1 }, status: 400, fields: ['params.sellerId', 'body.extra'] },
    { route: openRoute, name: 'the seller does not exist', method: 'POST', path: '/ops/sellers/sel_does-not-exist/cases', key: DEMO_KEYS.ops, body: closure, status: 404 },
    // Its closure case is open: a valid body gets through and is refused, nothing written.
    opening('a valid body while a closure case is open (control: refused)', closure, 409),

    // POST /seller/cases (MED-6, MED-7)
    ...postBodyCases('POST /seller/cases', '/seller/cases', CASE_KEY, request, ['kind', 'text']),
    filing('kind missing', { text: request.text }, 400, ['body.kind']),
    filing('text missing', { kind: request.kind }, 400, ['body.text']),
    ...(
      [
        // Only ops open a closure case (MED-1).
        ['is closure', 'closure'],
        ['is not an enum value', 'refund'],
        ['in the wrong case', 'COMPLAINT'],
        ['is empty', ''],
        ['is null', null],
        ['is a number', 1],
        ['is an array', ['complaint']],
        ['is too long', long(300)],
      ] as const
    ).map(([name, kind]) => filing(`kind ${name}`, { ...request, kind }, 400, ['body.kind'])),
    ...textFieldFaults('text', request, 10_000).map(([name, body, fields]) => filing(name, body, 400, fields)),
    filing('several faults at once, each named', { kind: 'closure', text: '   ', sellerId: '{CASE_SELLER}' }, 400, ['body.kind', 'body.text', 'body.sellerId']),
    // A complaint and a closure request are open: valid bodies get through and are refused, nothing written.
    filing('a valid complaint while one is open (control: refused)', request, 409),
    filing('a valid closure request while one is open (control: refused)', { kind: 'closure_request', text: 'We stop selling here' }, 409),

    // GET /cases/{caseId}
    ...bodyCases('GET /cases/{caseId}', 'GET', '/cases/{CLOSURE_CASE}', CASE_KEY),
    ...BAD_CASE_IDS.map(([id, name]): Case => ({ route: 'GET /cases/{caseId}', name, method: 'GET', path: `/cases/${id}`, key: CASE_KEY, status: 400, fields: ['params.caseId'] })),
    { route: 'GET /cases/{caseId}', name: 'an unknown query parameter', method: 'GET', path: '/cases/{CLOSURE_CASE}?fields=all', key: CASE_KEY, status: 400, fields: ['query.fields'] },
    { route: 'GET /cases/{caseId}', name: 'caseId and the query both wrong, each named', method: 'GET', path: '/cases/not-an-id?fields=all', key: CASE_KEY, status: 400, fields: ['params.caseId', 'query.fields'] },
    { route: 'GET /cases/{caseId}', name: 'the case does not exist', method: 'GET', path: `/cases/${MISSING_CASE}`, key: DEMO_KEYS.ops, status: 404 },

    // GET /ops/cases, GET /seller/cases: their filters (limit and cursor are with the other lists).
    ...[
      ['status=AWAITING_CONTEST', 'status in the wrong case'],
      ['status=', 'status is empty'],
      ['status=closed', 'status is a seller status, not a case status'],
      ['status=resolved&status=lapsed', 'status given twice'],
      [`status=${long(300)}`, 'status is too long'],
    ].map(([query, name]): Case => ({ route: 'GET /ops/cases', name, method: 'GET', path: `/ops/cases?${query}`, key: DEMO_KEYS.ops, status: 400, fields: ['query.status'] })),
    ...[
      ['kind=refund', 'kind is not one of its values'],
      ['kind=Closure', 'kind in the wrong case'],
      ['kind=closure&kind=complaint', 'kind given twice'],
    ].map(([query, name]): Case => ({ route: 'GET /ops/cases', name, method: 'GET', path: `/ops/cases?${query}`, key: DEMO_KEYS.ops, status: 400, fields: ['query.kind'] })),
    { route: 'GET /ops/cases', name: 'status and kind both wrong, each named', method: 'GET', path: '/ops/cases?status=open&kind=bug', key: DEMO_KEYS.ops, status: 400, fields: ['query.status', 'query.kind'] },
    { route: 'GET /ops/cases', name: 'sellerId is not a parameter', method: 'GET', path: '/ops/cases?sellerId={CASE_SELLER}', key: DEMO_KEYS.ops, status: 400, fields: ['query.sellerId'] },
    // A seller's own list has no filter (X-6: its cases, all of them).
    ...['status=awaiting_contest', 'kind=closure', 'sellerId={CASE_SELLER}'].map((query): Case => ({
      route: 'GET /seller/cases',
      name: `${query.split('=')[0]} is not a parameter of the seller\u2019s list`,
      method: 'GET',
      path: `/seller/cases?${query}`,
      key: CASE_KEY,
      status: 400,
      fields: [`query.${query.split('=')[0]}`],
    })),

    // The six commands.
    ...caseCommandCases('contest', CASE_KEY, '{CLOSURE_CASE}', { text: 'The complaints were about a partner.' }, ['text'], [
      ...textFieldFaults('text', {}, 10_000),
      ['a field that looks plausible', { text: 'x', attachments: ['letter.pdf'] }, ['body.attachments']],
    ]),
    ...caseCommandCases('meeting', DEMO_KEYS.ops, '{COMPLAINT_CASE}', meeting, ['at', 'place'], [
      ['at missing', { place: meeting.place }, ['body.at']],
      ['place missing', { at: meeting.at }, ['body.place']],
      ...instantFaults('at', meeting),
      ...textFieldFaults('place', meeting, 500),
      ['several faults at once, each named', { at: 'soon', place: '', confirmBy: meeting.at }, ['body.at', 'body.place', 'body.confirmBy']],
    ]),
    // Well-formed, refused by the workflow's validator (its time): nothing is written.
    { route: 'POST /cases/{caseId}/meeting', name: 'at in the past (refused by the workflow)', method: 'POST', path: '/cases/{COMPLAINT_CASE}/meeting', key: DEMO_KEYS.ops, body: { ...meeting, at: '2020-01-10T10:00:00+01:00' }, status: 422 },
    ...caseCommandCases('meeting/confirm', CASE_KEY, '{REQUEST_CASE}', {}, [], [['a field that looks plausible', { confirmed: true }, ['body.confirmed']]]),
    ...caseCommandCases('meeting/record', DEMO_KEYS.ops, '{COMPLAINT_CASE}', { held: false }, ['held'], [
      ...(
        [
          ['is a string', 'false'],
          ['is a word', 'no'],
          ['is a number', 0],
          ['is null', null],
          ['is an array', [true]],
        ] as const
      ).map(([name, held]): [string, unknown, string[]] => [`held ${name}`, { held }, ['body.held']]),
      ['held true without endedAt', { held: true }, ['body.endedAt']],
      ['held true without endedAt, with notes', { held: true, notes: 'Agreed: payouts weekly' }, ['body.endedAt']],
      ['endedAt without held', { endedAt: '2030-01-10T11:00:00Z' }, ['body.held']],
      ...instantFaults('endedAt', { held: true }),
      ...textFieldFaults('notes', { held: true, endedAt: '2030-01-10T11:00:00Z' }, 10_000),
      ['several faults at once, each named', { held: 'yes', endedAt: 'later', notes: '', absent: true }, ['body.held', 'body.endedAt', 'body.notes', 'body.absent']],
    ]),
    // Well-formed on the complaint awaiting its meeting: refused by the workflow (nothing to record), nothing written.
    { route: 'POST /cases/{caseId}/meeting/record', name: 'a valid body before any meeting (control: refused by the workflow)', method: 'POST', path: '/cases/{COMPLAINT_CASE}/meeting/record', key: DEMO_KEYS.ops, body: { held: false }, status: 409 },
    ...caseCommandCases('changes-confirmed', DEMO_KEYS.ops, '{CLOSURE_CASE}', {}, [], [['a field that looks plausible', { note: 'terms updated' }, ['body.note']]]),
    ...caseCommandCases('withdraw', DEMO_KEYS.ops, '{REQUEST_CASE}', { reason: 'opened by mistake' }, ['reason'], [
      ...textFieldFaults('reason', {}, 2000),
      ['a field that looks plausible', { reason: 'x', reinstate: true }, ['body.reinstate']],
    ]),
  ];
}

// --- seller onboarding (KYC-1) -------------------------------------------------------------------

/** The fixture application's token (`sa1.…`): the applicant's own, so only the input is at fault. */
const APP_KEY = '{APP_KEY}';

/**
 * The onboarding routes (api/routes/seller-applications.ts). The upload route is multipart; this
 * JSON table sends it its fields as JSON (the parser passes non-multipart bodies through), so the
 * fields and the missing file are named here; wrong content (415) and size (413) are in
 * test/seller-applications.test.ts, which sends real files.
 */
function sellerApplicationCases(): Case[] {
  const valid = applicationBody();
  const applyRoute = 'POST /seller-applications';
  const applying = (name: string, body: unknown, fields: string[]): Case => ({ route: applyRoute, name, method: 'POST', path: '/seller-applications', body, status: 400, fields });
  const docRoute = 'POST /seller-applications/{applicationId}/documents';
  const docPath = '/seller-applications/{APPLICATION}/documents';
  const doc = (name: string, body: unknown, status: number, fields?: string[]): Case => ({ route: docRoute, name, method: 'POST', path: docPath, key: APP_KEY, body, status, ...(fields ? { fields } : {}) });
  const badIds = [
    ['not-an-id', 'applicationId is not an id'],
    ['sapp_123', 'applicationId has a short suffix'],
    ['case_00000000-0000-0000-0000-000000000000', 'applicationId is a case id'],
    ['%E0%A4%A', 'applicationId is not valid percent-encoding'],
  ];
  const decision = (command: string, valid: Record<string, unknown>, required: string[], wrong: [string, unknown, string[]][]): Case[] => {
    const route = `POST /seller-applications/{applicationId}/${command}`;
    const path = `/seller-applications/{APPLICATION}/${command}`;
    return [
      ...postBodyCases(route, path, DEMO_KEYS.ops, valid, required),
      ...wrong.map(([name, body, fields]): Case => ({ route, name, method: 'POST', path, key: DEMO_KEYS.ops, body, status: 400, fields })),
      ...badIds.map(([id, name]): Case => ({ route, name, method: 'POST', path: `/seller-applications/${id}/${command}`, key: DEMO_KEYS.ops, body: valid, status: 400, fields: ['params.applicationId'] })),
      { route, name: 'the application does not exist', method: 'POST', path: `/seller-applications/sapp_00000000-0000-0000-0000-000000000000/${command}`, key: DEMO_KEYS.ops, body: valid, status: 404 },
      { route, name: 'a valid body on an incomplete application (refused from its row)', method: 'POST', path, key: DEMO_KEYS.ops, body: valid, status: 409 },
    ];
  };
  return [
    ...postBodyCases(applyRoute, '/seller-applications', undefined, valid, ['companyName', 'registrationNumber', 'address', 'contact', 'legalRepresentatives', 'beneficialOwners', 'billingMandate']),
    applying('billingMandate is an earlier version', { ...valid, billingMandate: { version: 'billing-mandate-2025-01' } }, ['body.billingMandate.version']),
    applying('billingMandate has an unknown field', { ...valid, billingMandate: { ...(valid.billingMandate as object), signedBy: 'me' } }, ['body.billingMandate.signedBy']),
    applying('vatNumber is not a VAT number', { ...valid, vatNumber: 'FR 123' }, ['body.vatNumber']),
    ...textFieldFaults('companyName', valid, 200).map(([name, body, fields]) => applying(name, body, fields)),
    applying('contact.email is not an address', { ...valid, contact: { ...valid.contact, email: 'nobody' } }, ['body.contact.email']),
    applying('contact has an unknown field', { ...valid, contact: { ...valid.contact, fax: '01' } }, ['body.contact.fax']),
    applying('no legal representative', { ...valid, legalRepresentatives: [] }, ['body.legalRepresentatives']),
    applying('a representative without a name', { ...valid, legalRepresentatives: [{ name: ' ' }] }, ['body.legalRepresentatives.0.name']),
    applying('eleven beneficial owners', { ...valid, beneficialOwners: Array.from({ length: 11 }, (_, i) => ({ name: `Owner ${i}` })) }, ['body.beneficialOwners']),
    applying('several faults at once, each named', { ...valid, companyName: '', registrationNumber: 5, beneficialOwners: null }, ['body.companyName', 'body.registrationNumber', 'body.beneficialOwners']),

    ...postBodyCases(docRoute, docPath, APP_KEY, { kind: 'statutes' }, ['kind']),
    doc('no file (fields sent as JSON)', { kind: 'statutes' }, 400, ['body.file']),
    doc('kind is not a document kind', { kind: 'passport' }, 400, ['body.kind']),
    doc('representative_id without its person', { kind: 'representative_id' }, 400, ['body.person']),
    doc('person 0', { kind: 'beneficial_owner_id', person: '0' }, 400, ['body.person']),
    doc('person is a word', { kind: 'representative_id', person: 'first' }, 400, ['body.person']),
    doc('person on a kind without one', { kind: 'statutes', person: '1' }, 400, ['body.person']),
    doc('registration_extract without issuedOn', { kind: 'registration_extract' }, 400, ['body.issuedOn']),
    doc('issuedOn is not a date', { kind: 'registration_extract', issuedOn: '31/12/2026' }, 400, ['body.issuedOn']),
    doc('bank_details without accountHolder', { kind: 'bank_details' }, 400, ['body.accountHolder']),
    ...textFieldFaults('accountHolder', { kind: 'bank_details' }, 200).map(([name, body, fields]) => doc(name, body, 400, fields)),
    ...badIds.map(([id, name]): Case => ({ route: docRoute, name, method: 'POST', path: `/seller-applications/${id}/documents`, key: APP_KEY, body: { kind: 'statutes' }, status: 400, fields: ['params.applicationId'] })),

    ...bodyCases('GET /seller-applications/{applicationId}', 'GET', '/seller-applications/{APPLICATION}', APP_KEY),
    ...badIds.map(([id, name]): Case => ({ route: 'GET /seller-applications/{applicationId}', name, method: 'GET', path: `/seller-applications/${id}`, key: DEMO_KEYS.ops, status: 400, fields: ['params.applicationId'] })),
    { route: 'GET /seller-applications/{applicationId}', name: 'an unknown query parameter', method: 'GET', path: '/seller-applications/{APPLICATION}?fields=all', key: APP_KEY, status: 400, fields: ['query.fields'] },
    { route: 'GET /seller-applications/{applicationId}', name: 'the application does not exist', method: 'GET', path: '/seller-applications/sapp_00000000-0000-0000-0000-000000000000', key: DEMO_KEYS.ops, status: 404 },

    ...[
      ['status=Submitted', 'status in the wrong case'],
      ['status=', 'status is empty'],
      ['status=awaiting_contest', 'status is a case status'],
      ['status=approved&status=rejected', 'status given twice'],
      ['companyName=Acme', 'companyName is not a parameter'],
    ].map(([query, name]): Case => ({ route: 'GET /ops/seller-applications', name, method: 'GET', path: `/ops/seller-applications?${query}`, key: DEMO_KEYS.ops, status: 400, fields: [`query.${query.split('=')[0]}`] })),

    ...decision('approve', {}, [], [['a field that looks plausible', { sellerId: 'sel_mine' }, ['body.sellerId']]]),
    ...decision('reject', { reason: 'Registration number unknown' }, ['reason'], [
      ...textFieldFaults('reason', {}, 2000),
      ['a field that looks plausible', { reason: 'x', notify: false }, ['body.notify']],
    ]),
  ];
}

// Offers and terms (README "Offers and terms"): every case is refused before a write (a malformed
// request, or a well-formed one refused by state: a stale version, a used terms label, an unknown product).
const OFFER_KEY = { 'idempotency-key': 'x5-invalid-offer-0001' };
function sellerOfferCases(): Case[] {
  const acme = DEMO_KEYS.sellerAcme;
  const offer = { name: 'X-5 offer', description: 'd', priceCents: 1000, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, supportTier: 'basic' };
  const required = ['name', 'priceCents', 'vatRateBp', 'billingPeriod'];
  const fieldFaults: [string, Record<string, unknown>, string[]][] = [
    ['priceCents is 0', { priceCents: 0 }, ['body.priceCents']],
    ['priceCents is negative', { priceCents: -100 }, ['body.priceCents']],
    ['priceCents is not whole', { priceCents: 10.5 }, ['body.priceCents']],
    ['priceCents is a string', { priceCents: '1000' }, ['body.priceCents']],
    ['priceCents is over the bound', { priceCents: 100_000_001 }, ['body.priceCents']],
    ['currency in lower case', { currency: 'eur' }, ['body.currency']],
    ['currency is not a code', { currency: 'EURO' }, ['body.currency']],
    ['currency not handled', { currency: 'JPY' }, ['body.currency']],
    ['vatRateBp over 25 %', { vatRateBp: 2501 }, ['body.vatRateBp']],
    ['vatRateBp negative', { vatRateBp: -1 }, ['body.vatRateBp']],
    ['vatRateBp is a percentage with decimals', { vatRateBp: 20.5 }, ['body.vatRateBp']],
    ['billingPeriod not a period', { billingPeriod: 'weekly' }, ['body.billingPeriod']],
    ['commitmentMonths over 36', { commitmentMonths: 37 }, ['body.commitmentMonths']],
    ['commitmentMonths negative', { commitmentMonths: -1 }, ['body.commitmentMonths']],
    ['supportTier not a tier', { supportTier: 'gold' }, ['body.supportTier']],
    ['name empty', { name: '' }, ['body.name']],
    ['name blank', { name: '   ' }, ['body.name']],
    ['name too long', { name: long(121) }, ['body.name']],
    ['description too long', { description: long(5001) }, ['body.description']],
    ['several faults at once, each named', { priceCents: 0, currency: 'x', billingPeriod: 'daily' }, ['body.priceCents', 'body.currency', 'body.billingPeriod']],
    // Commercial policies (POL-1, POL-3, POL-4, POL-6).
    ['trialDays over 90 (POL-1)', { trialDays: 91 }, ['body.trialDays']],
    ['trialDays negative', { trialDays: -1 }, ['body.trialDays']],
    ['trialDays is a string', { trialDays: '30' }, ['body.trialDays']],
    ['billingPeriod biennial (POL-6: only as a restriction of an annual offer)', { billingPeriod: 'biennial' }, ['body.billingPeriod']],
    ['allowedPeriods is a string', { billingPeriod: 'annual', allowedPeriods: 'annual' }, ['body.allowedPeriods']],
    ['allowedPeriods lists monthly (POL-6)', { billingPeriod: 'annual', allowedPeriods: ['annual', 'monthly'] }, ['body.allowedPeriods.1']],
    ['allowedPeriods lists a period twice', { billingPeriod: 'annual', allowedPeriods: ['annual', 'annual'] }, ['body.allowedPeriods']],
    ['discountEligible is a string (POL-3)', { discountEligible: 'yes' }, ['body.discountEligible']],
    ['productKind not a kind (POL-4)', { productKind: 'hardware' }, ['body.productKind']],
  ];
  const create = 'POST /seller/offers';
  const versions = 'POST /seller/offers/{productId}/versions';
  const versionsPath = `/seller/offers/${DEMO.offers.acmeMail.id}/versions`;
  const edit = { ...offer, baseVersion: 1 };
  const unpublish = 'POST /seller/offers/{productId}/unpublish';
  const terms = 'POST /seller/terms';
  const current = 'GET /sellers/{sellerId}/terms/current';
  const badIds: [string, string][] = [
    ['a%20b', 'has a space'],
    [long(101), 'is too long'],
    ['a.b', 'has a dot'],
  ];
  return [
    ...postBodyCases(create, '/seller/offers', acme, offer, required, OFFER_KEY),
    ...fieldFaults.map(([name, change, fields]): Case => ({ route: create, name, method: 'POST', path: '/seller/offers', key: acme, headers: OFFER_KEY, body: { ...offer, ...change }, status: 400, fields })),
    { route: create, name: 'Idempotency-Key missing', method: 'POST', path: '/seller/offers', key: acme, body: offer, status: 400, fields: ['headers.idempotency-key'] },
    { route: create, name: 'Idempotency-Key missing and a body fault, each named', method: 'POST', path: '/seller/offers', key: acme, body: { ...offer, priceCents: 0 }, status: 400, fields: ['headers.idempotency-key', 'body.priceCents'] },
    { route: create, name: 'POL-6: a restriction on a monthly offer (refused by the house rule)', method: 'POST', path: '/seller/offers', key: acme, headers: OFFER_KEY, body: { ...offer, allowedPeriods: ['annual'] }, status: 422, fields: ['body.allowedPeriods'] },

    // An edit states the whole offer: every field is required (none falls back to a default).
    ...postBodyCases(versions, versionsPath, acme, edit, ['name', 'description', 'priceCents', 'currency', 'vatRateBp', 'billingPeriod', 'commitmentMonths', 'supportTier', 'baseVersion']),
    ...fieldFaults.map(([name, change, fields]): Case => ({ route: versions, name, method: 'POST', path: versionsPath, key: acme, body: { ...edit, ...change }, status: 400, fields })),
    { route: versions, name: 'baseVersion is 0', method: 'POST', path: versionsPath, key: acme, body: { ...edit, baseVersion: 0 }, status: 400, fields: ['body.baseVersion'] },
    { route: versions, name: 'baseVersion is a string', method: 'POST', path: versionsPath, key: acme, body: { ...edit, baseVersion: '1' }, status: 400, fields: ['body.baseVersion'] },
    { route: versions, name: 'baseVersion is not the latest (refused by state)', method: 'POST', path: versionsPath, key: acme, body: { ...edit, baseVersion: 7 }, status: 409, fields: ['body.baseVersion'] },
    { route: versions, name: 'the product does not exist', method: 'POST', path: '/seller/offers/prd_missing/versions', key: acme, body: edit, status: 404 },
    { route: versions, name: 'POL-6: a restriction on a monthly offer (refused by the house rule)', method: 'POST', path: versionsPath, key: acme, body: { ...edit, allowedPeriods: ['annual', 'triennial'] }, status: 422, fields: ['body.allowedPeriods'] },
    ...badIds.map(([id, name]): Case => ({ route: versions, name: `productId ${name}`, method: 'POST', path: `/seller/offers/${id}/versions`, key: acme, body: edit, status: 400, fields: ['params.productId'] })),
    { route: versions, name: 'productId and the body both wrong, each named', method: 'POST', path: '/seller/offers/a%20b/versions', key: acme, body: { ...edit, priceCents: -1 }, status: 400, fields: ['params.productId', 'body.priceCents'] },

    ...postBodyCases(unpublish, '/seller/offers/prd_missing/unpublish', acme, {}, []),
    { route: unpublish, name: 'the product does not exist', method: 'POST', path: '/seller/offers/prd_missing/unpublish', key: acme, body: {}, status: 404 },
    ...badIds.map(([id, name]): Case => ({ route: unpublish, name: `productId ${name}`, method: 'POST', path: `/seller/offers/${id}/unpublish`, key: acme, body: {}, status: 400, fields: ['params.productId'] })),

    ...postBodyCases(terms, '/seller/terms', acme, { version: 'x5-terms', text: 'Terms.' }, ['version', 'text']),
    ...(
      [
        ['version empty', { version: '' }, ['body.version']],
        ['version starts with a dash', { version: '-v2' }, ['body.version']],
        ['version has a space', { version: 'v 2' }, ['body.version']],
        ['version too long', { version: long(51) }, ['body.version']],
        ['version is a number', { version: 2 }, ['body.version']],
        ['text empty', { text: '' }, ['body.text']],
        ['text blank', { text: '   ' }, ['body.text']],
        ['version and text both wrong, each named', { version: '', text: '' }, ['body.version', 'body.text']],
      ] as [string, Record<string, unknown>, string[]][]
    ).map(([name, change, fields]): Case => ({ route: terms, name, method: 'POST', path: '/seller/terms', key: acme, body: { version: 'x5-terms', text: 'Terms.', ...change }, status: 400, fields })),
    { route: terms, name: 'the version label is used with another text (refused by state)', method: 'POST', path: '/seller/terms', key: acme, body: { version: DEMO.sellers.acme.terms, text: 'Other text' }, status: 409, fields: ['body.version'] },

    ...bodyCases(current, 'GET', `/sellers/${DEMO.sellers.acme.id}/terms/current`, undefined),
    ...badIds.map(([id, name]): Case => ({ route: current, name: `sellerId ${name}`, method: 'GET', path: `/sellers/${id}/terms/current`, status: 400, fields: ['params.sellerId'] })),
    { route: current, name: 'an unknown query parameter', method: 'GET', path: `/sellers/${DEMO.sellers.acme.id}/terms/current?version=1`, status: 400, fields: ['query.version'] },
    { route: current, name: 'the seller does not exist', method: 'GET', path: '/sellers/sel_missing/terms/current', status: 404 },
    { route: current, name: 'the seller is not approved (KYC-1)', method: 'GET', path: `/sellers/${DEMO.sellers.initech.id}/terms/current`, status: 404 },
  ];
}

// POL-3: ops record a verification on the real order's customer; every case is refused before a write.
function customerVerificationCases(): Case[] {
  const route = 'POST /staff/customers/{customerId}/verifications';
  const path = '/staff/customers/{CUSTOMER}/verifications';
  const list = 'GET /staff/customers/{customerId}/verifications';
  const valid = { kind: 'education', evidenceRef: 'UAI 0751234A', expiresAt: '2099-09-01T00:00:00Z' };
  const c = (name: string, body: Record<string, unknown>, fields: string[]): Case => ({ route, name, method: 'POST', path, key: DEMO_KEYS.ops, body: { ...valid, ...body }, status: 400, fields });
  const badIds: [string, string][] = [
    ['not-an-id', 'customerId is not an id'],
    ['{ORDER}', 'customerId is an order id'],
    [`cus_${long(81)}`, 'customerId is too long'],
    ['cus_%00', 'customerId has a NUL byte'],
  ];
  return [
    ...postBodyCases(route, path, DEMO_KEYS.ops, valid, ['kind', 'evidenceRef', 'expiresAt']),
    c('kind is not a kind', { kind: 'church' }, ['body.kind']),
    c('kind is null', { kind: null }, ['body.kind']),
    ...textFaults(200).map(([name, value]) => c(`evidenceRef ${name}`, { evidenceRef: value }, ['body.evidenceRef'])),
    c('expiresAt is not a date-time', { expiresAt: 'next year' }, ['body.expiresAt']),
    c('expiresAt is a date without a time', { expiresAt: '2099-09-01' }, ['body.expiresAt']),
    c('expiresAt is a number', { expiresAt: 4_070_908_800_000 }, ['body.expiresAt']),
    c('expiresAt is in the past', { expiresAt: '2020-01-01T00:00:00Z' }, ['body.expiresAt']),
    c('several faults at once, each named', { kind: 'x', evidenceRef: '', expiresAt: 'x' }, ['body.kind', 'body.evidenceRef', 'body.expiresAt']),
    { route, name: 'the customer does not exist', method: 'POST', path: '/staff/customers/cus_does-not-exist/verifications', key: DEMO_KEYS.ops, body: valid, status: 404 },
    ...badIds.map(([id, name]): Case => ({ route, name, method: 'POST', path: `/staff/customers/${id}/verifications`, key: DEMO_KEYS.ops, body: valid, status: 400, fields: ['params.customerId'] })),
    { route, name: 'customerId and body both wrong, each named', method: 'POST', path: '/staff/customers/not-an-id/verifications', key: DEMO_KEYS.ops, body: { ...valid, kind: 'x' }, status: 400, fields: ['params.customerId', 'body.kind'] },
    ...badIds.map(([id, name]): Case => ({ route: list, name, method: 'GET', path: `/staff/customers/${id}/verifications`, key: DEMO_KEYS.support, status: 400, fields: ['params.customerId'] })),
    { route: list, name: 'the customer does not exist', method: 'GET', path: '/staff/customers/cus_does-not-exist/verifications', key: DEMO_KEYS.support, status: 404 },
  ];
}

// POL-4: a seller's refund of a payment of its subscription ({SUB} is Acme's). Every case is
// refused before a write: a malformed request, no such subscription of the caller (404), or a
// payment of a valid form that is not the subscription's (refused by state, 422).
const REFUND_KEY = { 'idempotency-key': 'x5-invalid-refund-0001' };
function sellerRefundCases(): Case[] {
  const route = 'POST /seller/subscriptions/{subscriptionId}/refunds';
  const path = '/seller/subscriptions/{SUB}/refunds';
  const acme = DEMO_KEYS.sellerAcme;
  const valid = { paymentId: 'order:ord_x5-none:checkout', amountCents: 100, reason: 'Goodwill' };
  const c = (name: string, change: Record<string, unknown>, fields: string[], status = 400): Case => ({ route, name, method: 'POST', path, key: acme, headers: REFUND_KEY, body: { ...valid, ...change }, status, fields });
  const list = 'GET /seller/subscriptions/{subscriptionId}/refunds';
  return [
    ...postBodyCases(route, path, acme, valid, ['paymentId', 'amountCents', 'reason'], REFUND_KEY),
    c('amountCents is 0', { amountCents: 0 }, ['body.amountCents']),
    c('amountCents is negative', { amountCents: -100 }, ['body.amountCents']),
    c('amountCents is not whole', { amountCents: 10.5 }, ['body.amountCents']),
    c('amountCents is a string', { amountCents: '100' }, ['body.amountCents']),
    c('amountCents is null', { amountCents: null }, ['body.amountCents']),
    c('amountCents is over an int4', { amountCents: 2_147_483_648 }, ['body.amountCents']),
    c('paymentId is not a payment id', { paymentId: 'pay_1' }, ['body.paymentId']),
    c('paymentId is empty', { paymentId: '' }, ['body.paymentId']),
    c('paymentId is a number', { paymentId: 42 }, ['body.paymentId']),
    c('paymentId has a tail', { paymentId: 'order:ord_x:checkout:more' }, ['body.paymentId']),
    c('paymentId is period 0', { paymentId: 'sub:lin_x_1:period:0' }, ['body.paymentId']),
    c('reason is empty', { reason: '' }, ['body.reason']),
    c('reason is blank', { reason: '   ' }, ['body.reason']),
    c('reason is too long', { reason: long(501) }, ['body.reason']),
    c('several faults at once, each named', { paymentId: 'x', amountCents: 0, reason: '' }, ['body.paymentId', 'body.amountCents', 'body.reason']),
    { route, name: 'Idempotency-Key missing', method: 'POST', path, key: acme, body: valid, status: 400, fields: ['headers.idempotency-key'] },
    { route, name: 'Idempotency-Key too short', method: 'POST', path, key: acme, headers: { 'idempotency-key': 'short' }, body: valid, status: 400, fields: ['headers.idempotency-key'] },
    ...['a%20b', 'ord_x', `lin_${long(81)}`].map((id): Case => ({ route, name: `subscriptionId ${id.slice(0, 12)}… is not a lin_ id`, method: 'POST', path: `/seller/subscriptions/${id}/refunds`, key: acme, headers: REFUND_KEY, body: valid, status: 400, fields: ['params.subscriptionId'] })),
    { route, name: 'the subscription does not exist', method: 'POST', path: '/seller/subscriptions/lin_does-not-exist/refunds', key: acme, headers: REFUND_KEY, body: valid, status: 404 },
    { route, name: "another seller's subscription", method: 'POST', path, key: DEMO_KEYS.sellerGlobex, headers: REFUND_KEY, body: valid, status: 404 },
    c('a payment that is not the subscription\'s (refused by state)', {}, ['body.paymentId'], 422),

    ...bodyCases(list, 'GET', '/seller/subscriptions/{SUB}/refunds', acme),
    { route: list, name: 'subscriptionId is not a lin_ id', method: 'GET', path: '/seller/subscriptions/a%20b/refunds', key: acme, status: 400, fields: ['params.subscriptionId'] },
    { route: list, name: 'limit is 0', method: 'GET', path: '/seller/subscriptions/{SUB}/refunds?limit=0', key: acme, status: 400, fields: ['query.limit'] },
    { route: list, name: 'an unknown query parameter', method: 'GET', path: '/seller/subscriptions/{SUB}/refunds?status=refunded', key: acme, status: 400, fields: ['query.status'] },
    { route: list, name: 'the subscription does not exist', method: 'GET', path: '/seller/subscriptions/lin_does-not-exist/refunds', key: DEMO_KEYS.finance, status: 404 },
  ];
}

// ACC-3: the closure's request and confirmation, as the demo customer: malformed input is 400
// naming the field; a well-formed code with no closure asked for is refused by state (409).
function accountClosureCases(): Case[] {
  const key = DEMO_KEYS.customer;
  const ask = 'POST /account/closure';
  const confirm = 'POST /account/closure/confirm';
  const c = (name: string, code: unknown): Case => ({ route: confirm, name, method: 'POST', path: '/account/closure/confirm', key, body: { code }, status: 400, fields: ['body.code'] });
  return [
    ...postBodyCases(ask, '/account/closure', key, {}, []),
    ...postBodyCases(confirm, '/account/closure/confirm', key, { code: 'ABCD2345' }, ['code']),
    c('code is too short', 'ABC234'),
    c('code is too long', 'ABCD23456'),
    c('code has a symbol', 'ABCD-234'),
    c('code is a number', 12345678),
    c('code is empty', ''),
    { route: confirm, name: 'no closure was asked for (refused by state)', method: 'POST', path: '/account/closure/confirm', key, body: { code: 'ABCD2345' }, status: 409 },
  ];
}

// PRT-1, PRT-2, PRT-5, PRT-7: partner applications (the demo customer, an individual), the
// staff decisions (ops) and partnerships (none exists: a well-formed id is 404). Every case is
// refused before a write.
function partnershipCases(): Case[] {
  const key: string = DEMO_KEYS.customer;
  const ops: string = DEMO_KEYS.ops;
  const none = `psh_${'0'.repeat(24)}`;
  const noPartner = `prt_${'0'.repeat(24)}`;
  const app = { companyName: 'X-5 SAS', registrationNumber: 'RCS X5', website: 'https://x5.example.test', legalRepresentatives: [{ name: 'X-5 Rep', email: 'x5-rep@example.test' }] };
  const inviteCustomer = { customerEmail: 'x5-customer@example.test', representativeEmail: 'x5-rep@example.test', access: 'complete' };
  const invitePartner = { partnerId: noPartner, access: 'complete' };
  const c = (route: string, path: string, name: string, body: unknown, fields: string[], k = key, status = 400): Case => ({ route, name, method: 'POST', path, key: k, body, status, fields });
  const cmd = (command: string) => [`POST /partnerships/{partnershipId}/${command}`, `/partnerships/${none}/${command}`] as const;
  const [accept, acceptPath] = cmd('accept');
  const [change, changePath] = cmd('change');
  const [code, codePath] = cmd('end/code');
  return [
    ...postBodyCases('POST /partner/application', '/partner/application', key, app, ['companyName', 'registrationNumber', 'website', 'legalRepresentatives']),
    c('POST /partner/application', '/partner/application', 'website is not a URL', { ...app, website: 'x5.example' }, ['body.website']),
    c('POST /partner/application', '/partner/application', 'no legal representative', { ...app, legalRepresentatives: [] }, ['body.legalRepresentatives']),
    c('POST /partner/application', '/partner/application', "a representative's e-mail is not one", { ...app, legalRepresentatives: [{ name: 'A', email: 'a' }] }, ['body.legalRepresentatives.0.email']),
    ...bodyCases('GET /partner/application', 'GET', '/partner/application', key),
    ...bodyCases('GET /staff/partners', 'GET', '/staff/partners', ops),
    { route: 'GET /staff/partners', name: 'status is not a status', method: 'GET', path: '/staff/partners?status=active', key: ops, status: 400, fields: ['query.status'] },
    { route: 'GET /staff/partners', name: 'limit is 0', method: 'GET', path: '/staff/partners?limit=0', key: ops, status: 400, fields: ['query.limit'] },
    ...postBodyCases('POST /staff/partners/{partnerId}/approve', `/staff/partners/${noPartner}/approve`, ops, {}, []),
    c('POST /staff/partners/{partnerId}/approve', '/staff/partners/x5/approve', 'partnerId is not a prt_ id', {}, ['params.partnerId'], ops),
    { route: 'POST /staff/partners/{partnerId}/approve', name: 'the partner does not exist', method: 'POST', path: `/staff/partners/${noPartner}/approve`, key: ops, body: {}, status: 404 },
    ...postBodyCases('POST /staff/partners/{partnerId}/refuse', `/staff/partners/${noPartner}/refuse`, ops, { reason: 'X-5' }, ['reason']),
    c('POST /staff/partners/{partnerId}/refuse', `/staff/partners/${noPartner}/refuse`, 'reason is blank', { reason: '  ' }, ['body.reason'], ops),

    ...postBodyCases('POST /partner/partnerships', '/partner/partnerships', key, inviteCustomer, ['representativeEmail', 'access']),
    c('POST /partner/partnerships', '/partner/partnerships', 'the customer by e-mail and by id at once', { ...inviteCustomer, customerId: 'cus_x5' }, ['body.customerEmail']),
    c('POST /partner/partnerships', '/partner/partnerships', 'customerId is not a cus_ id', { representativeEmail: 'x5-rep@example.test', access: 'complete', customerId: 'x5' }, ['body.customerId']),
    c('POST /partner/partnerships', '/partner/partnerships', 'limited access without products', { ...inviteCustomer, access: 'limited' }, ['body.productIds']),
    c('POST /partner/partnerships', '/partner/partnerships', 'complete access with products', { ...inviteCustomer, productIds: ['off_x5'] }, ['body.productIds']),
    c('POST /partner/partnerships', '/partner/partnerships', 'access is not an access type', { ...inviteCustomer, access: 'total' }, ['body.access']),
    { route: 'POST /partner/partnerships', name: 'well-formed, from an account that is no partner', method: 'POST', path: '/partner/partnerships', key, body: inviteCustomer, status: 403 },
    ...postBodyCases('POST /partnerships', '/partnerships', key, invitePartner, ['partnerId', 'access']),
    c('POST /partnerships', '/partnerships', 'partnerId is not a prt_ id', { ...invitePartner, partnerId: 'x5' }, ['body.partnerId']),
    c('POST /partnerships', '/partnerships', 'limited access without products', { ...invitePartner, access: 'limited' }, ['body.productIds']),
    c('POST /partnerships', '/partnerships', 'the partner does not exist (refused naming it)', invitePartner, ['body.partnerId'], key, 422),
    ...(['GET /partnerships', 'GET /partner/partnerships'] as const).flatMap((route): Case[] => [
      ...bodyCases(route, 'GET', route.slice(4), key),
      { route, name: 'status is not a status', method: 'GET', path: `${route.slice(4)}?status=open`, key, status: 400, fields: ['query.status'] },
      { route, name: 'limit is 0', method: 'GET', path: `${route.slice(4)}?limit=0`, key, status: 400, fields: ['query.limit'] },
    ]),
    ...bodyCases('GET /partnerships/{partnershipId}', 'GET', `/partnerships/${none}`, key),
    { route: 'GET /partnerships/{partnershipId}', name: 'partnershipId is not a psh_ id', method: 'GET', path: '/partnerships/x5', key, status: 400, fields: ['params.partnershipId'] },
    { route: 'GET /partnerships/{partnershipId}', name: 'the partnership does not exist', method: 'GET', path: `/partnerships/${none}`, key, status: 404 },
    ...(['accept', 'refuse', 'resend', 'withdraw', 'end', 'end/confirm'] as const).flatMap((command): Case[] => {
      const [route, path] = cmd(command);
      return [
        ...postBodyCases(route, path, key, {}, []),
        c(route, `/partnerships/x5/${command}`, 'partnershipId is not a psh_ id', {}, ['params.partnershipId']),
        { route, name: 'the partnership does not exist', method: 'POST', path, key, body: {}, status: 404 },
      ];
    }),
    c(accept, acceptPath, 'products without an access type', { productIds: ['off_x5'] }, ['body.access']),
    c(accept, acceptPath, 'limited access without products', { access: 'limited' }, ['body.productIds']),
    ...postBodyCases(change, changePath, key, { payer: 'customer' }, []),
    c(change, changePath, 'nothing to change given', {}, ['body']),
    c(change, changePath, 'payer is not a payer', { payer: 'seller' }, ['body.payer']),
    { route: change, name: 'the partnership does not exist', method: 'POST', path: changePath, key, body: { payer: 'customer' }, status: 404 },
    ...postBodyCases(code, codePath, key, { code: 'ABCDEFGH' }, ['code']),
    c(code, codePath, 'code is too short', { code: 'ABC' }, ['body.code']),
    c(code, codePath, 'code has a symbol', { code: 'ABCD-EFG' }, ['body.code']),
    { route: code, name: 'the partnership does not exist', method: 'POST', path: codePath, key, body: { code: 'ABCDEFGH' }, status: 404 },
  ];
}

// PRT-4, PRT-5: a partner acting for its customers, sent with a customer key that is no partner's:
// its input is checked before the partner is (403), so every case is refused before a read.
function partnerCustomerCases(): Case[] {
  const key = DEMO_KEYS.customer;
  const base = '/partner/customers/cus_x5-none';
  const sub = `${base}/subscriptions/lin_x5-none_1`;
  const orderKey = { 'idempotency-key': 'x5-invalid-partner-order-0001' };
  const validOrder = { lines: [{ offerId: DEMO.offers.acmeMail.id }], acceptedTerms: [], cardId: 'card_x5' };
  const route = (method: string, path: string) => `${method} /partner/customers${path}`;
  const subs = route('GET', '/{customerId}/subscriptions');
  const mode = route('POST', '/{customerId}/subscriptions/{subscriptionId}/renewal-mode');
  const contacts = route('POST', '/{customerId}/subscriptions/{subscriptionId}/support-contacts');
  const orders = route('POST', '/{customerId}/orders');
  return [
    ...bodyCases('GET /partner/customers', 'GET', '/partner/customers', key),
    { route: 'GET /partner/customers', name: 'limit is 0', method: 'GET', path: '/partner/customers?limit=0', key, status: 400, fields: ['query.limit'] },
    { route: 'GET /partner/customers', name: 'an unknown query parameter', method: 'GET', path: '/partner/customers?status=active', key, status: 400, fields: ['query.status'] },
    ...bodyCases(subs, 'GET', `${base}/subscriptions`, key),
    { route: subs, name: 'customerId is not a cus_ id', method: 'GET', path: '/partner/customers/x5/subscriptions', key, status: 400, fields: ['params.customerId'] },
    { route: subs, name: 'a cursor that is none of this API', method: 'GET', path: `${base}/subscriptions?cursor=abc`, key, status: 400, fields: ['query.cursor'] },
    ...postBodyCases(mode, `${sub}/renewal-mode`, key, { mode: 'manual' }, ['mode']),
    { route: mode, name: 'mode is not a mode', method: 'POST', path: `${sub}/renewal-mode`, key, body: { mode: 'weekly' }, status: 400, fields: ['body.mode'] },
    { route: mode, name: 'subscriptionId is not a lin_ id', method: 'POST', path: `${base}/subscriptions/ord_x/renewal-mode`, key, body: { mode: 'manual' }, status: 400, fields: ['params.subscriptionId'] },
    ...postBodyCases(route('POST', '/{customerId}/subscriptions/{subscriptionId}/pay-next-period'), `${sub}/pay-next-period`, key, {}, []),
    ...postBodyCases(contacts, `${sub}/support-contacts`, key, { name: 'Ada', email: 'ada@example.test' }, ['name', 'email']),
    { route: contacts, name: 'email is not an e-mail', method: 'POST', path: `${sub}/support-contacts`, key, body: { name: 'Ada', email: 'ada' }, status: 400, fields: ['body.email'] },
    { route: contacts, name: 'name is blank', method: 'POST', path: `${sub}/support-contacts`, key, body: { name: '  ', email: 'ada@example.test' }, status: 400, fields: ['body.name'] },
    ...postBodyCases(orders, `${base}/orders`, key, validOrder, ['lines', 'acceptedTerms', 'cardId'], orderKey),
    { route: orders, name: 'cardId is not a card id', method: 'POST', path: `${base}/orders`, key, headers: orderKey, body: { ...validOrder, cardId: '4242424242424242' }, status: 400, fields: ['body.cardId'] },
    { route: orders, name: 'no lines', method: 'POST', path: `${base}/orders`, key, headers: orderKey, body: { ...validOrder, lines: [] }, status: 400, fields: ['body.lines'] },
    { route: orders, name: 'a line with a card typed in', method: 'POST', path: `${base}/orders`, key, headers: orderKey, body: { ...validOrder, card: { number: '4242424242424242' } }, status: 400, fields: ['body.card'] },
    { route: orders, name: 'Idempotency-Key missing', method: 'POST', path: `${base}/orders`, key, body: validOrder, status: 400, fields: ['headers.idempotency-key'] },
    ...bodyCases('GET /partner/invoices', 'GET', '/partner/invoices', key),
    { route: 'GET /partner/invoices', name: 'kind is not a document kind', method: 'GET', path: '/partner/invoices?kind=receipt', key, status: 400, fields: ['query.kind'] },
  ];
}

// TND-1: calls for tenders. Every case is refused before a write: a malformed request (400), a
// call that does not exist (404), or a link altered or expired (404, 410). The partner routes are
// sent with a customer key that is no partner's: its input is checked before the partner is (403).
function tenderCases(): Case[] {
  const none = `tnd_${'0'.repeat(32)}`;
  const customer = DEMO_KEYS.customer;
  const valid = { category: 'web_hosting', title: 'X-5 call', excerpt: 'Excerpt', description: 'Brief', contact: { name: 'X-5 Visitor', email: 'x5-visitor@example.test' } };
  const post = 'POST /tenders';
  const c = (route: string, path: string, key: string | undefined, base: Record<string, unknown>) => (name: string, change: Record<string, unknown>, fields: string[], status = 400): Case => ({ route, name, method: 'POST', path, key, body: { ...base, ...change }, status, fields });
  const p = c(post, '/tenders', undefined, valid);
  const badIds: [string, string][] = [['not-an-id', 'tenderId is not an id'], ['tnd_abc', 'tenderId is too short'], [`tnd_${'A'.repeat(32)}`, 'tenderId in upper case'], [`tnd_${'0'.repeat(33)}`, 'tenderId is too long'], ['tnd_%00', 'tenderId has a NUL byte']];
  const idCases = (route: string, method: Case['method'], path: (id: string) => string, key: string, body?: unknown) =>
    badIds.map(([id, name]): Case => ({ route, name, method, path: path(id), key, body, status: 400, fields: ['params.tenderId'] }));
  const verify = 'POST /tenders/{tenderId}/verify';
  const withdraw = 'POST /tenders/{tenderId}/withdraw';
  const getOne = 'GET /tenders/{tenderId}';
  const categories = 'POST /partner/tender-categories';
  const list = 'GET /partner/tenders';
  const read = 'POST /partner/tenders/{tenderId}/read';
  const proposals = 'POST /partner/tenders/{tenderId}/proposals';
  const proposal = c(proposals, `/partner/tenders/${none}/proposals`, customer, { message: 'We can do it' });
  const cat = c(categories, '/partner/tender-categories', customer, {});
  const linkGet = 'GET /links/tender-withdrawal/{token}';
  const linkPost = 'POST /links/tender-withdrawal/{token}';
  const token = signLink('tender-withdrawal', none, new Date(Date.now() + 3_600_000));
  const expired = signLink('tender-withdrawal', none, new Date(Date.now() - 60_000));
  const altered = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
  const linkFaults = (route: string, method: Case['method'], body?: unknown): Case[] => [
    { route, name: 'token is not a link token', method, path: '/links/tender-withdrawal/not-a-token', body, status: 400, fields: ['params.token'] },
    { route, name: 'an altered signature', method, path: `/links/tender-withdrawal/${altered}`, body, status: 404, fields: ['params.token'] },
    { route, name: 'a link of another purpose', method, path: `/links/tender-withdrawal/${signLink('withdrawal', none, new Date(Date.now() + 3_600_000))}`, body, status: 404, fields: ['params.token'] },
    { route, name: 'an expired link', method, path: `/links/tender-withdrawal/${expired}`, body, status: 410, fields: ['params.token'] },
  ];
  return [
    ...postBodyCases(post, '/tenders', undefined, valid, ['category', 'title', 'excerpt', 'description']),
    p('category is not a category', { category: 'plumbing' }, ['body.category']),
    ...textFieldFaults('title', valid, 200).map(([name, body, fields]): Case => ({ route: post, name, method: 'POST', path: '/tenders', body, status: 400, fields })),
    p('excerpt is too long', { excerpt: long(1001) }, ['body.excerpt']),
    p('description is too long', { description: long(10_001) }, ['body.description']),
    p('contact.email is not an e-mail', { contact: { name: 'V', email: 'nope' } }, ['body.contact.email']),
    p('contact.phone has letters', { contact: { name: 'V', email: 'v@example.test', phone: 'call me' } }, ['body.contact.phone']),
    p('contact has an unknown field', { contact: { name: 'V', email: 'v@example.test', company: 'X' } }, ['body.contact.company']),
    p('contact is a string', { contact: 'v@example.test' }, ['body.contact']),
    p('a visitor without a contact', { contact: undefined }, ['body.contact.name', 'body.contact.email']),
    p('a visitor without a contact e-mail', { contact: { name: 'V' } }, ['body.contact.email']),
    p('the excerpt holds the contact e-mail (refused by the rule)', { excerpt: 'Mail X5-VISITOR@example.test' }, ['body.excerpt'], 422),

    ...postBodyCases(verify, `/tenders/${none}/verify`, undefined, { code: 'ABCDEFGH' }, ['code']),
    c(verify, `/tenders/${none}/verify`, undefined, {})('code is 3 characters', { code: 'ABC' }, ['body.code']),
    c(verify, `/tenders/${none}/verify`, undefined, {})('code is a number', { code: 12345678 }, ['body.code']),
    ...idCases(verify, 'POST', (id) => `/tenders/${id}/verify`, customer, { code: 'ABCDEFGH' }),
    { route: verify, name: 'the call does not exist', method: 'POST', path: `/tenders/${none}/verify`, body: { code: 'ABCDEFGH' }, status: 404 },

    ...bodyCases(getOne, 'GET', `/tenders/${none}`, customer),
    ...idCases(getOne, 'GET', (id) => `/tenders/${id}`, customer),
    { route: getOne, name: 'an unknown query parameter', method: 'GET', path: `/tenders/${none}?full=1`, key: customer, status: 400, fields: ['query.full'] },
    { route: getOne, name: 'the call does not exist', method: 'GET', path: `/tenders/${none}`, key: customer, status: 404 },

    ...postBodyCases(withdraw, `/tenders/${none}/withdraw`, customer, {}, []),
    ...idCases(withdraw, 'POST', (id) => `/tenders/${id}/withdraw`, customer, {}),
    { route: withdraw, name: 'the call does not exist', method: 'POST', path: `/tenders/${none}/withdraw`, key: customer, body: {}, status: 404 },

    ...postBodyCases(categories, '/partner/tender-categories', customer, { categories: ['email'] }, ['categories']),
    cat('categories is a string', { categories: 'email' }, ['body.categories']),
    cat('a category that is none', { categories: ['email', 'plumbing'] }, ['body.categories.1']),
    cat('a category twice', { categories: ['email', 'email'] }, ['body.categories']),

    ...bodyCases(list, 'GET', '/partner/tenders', customer),
    { route: list, name: 'limit is 0', method: 'GET', path: '/partner/tenders?limit=0', key: customer, status: 400, fields: ['query.limit'] },
    { route: list, name: 'category is not a category', method: 'GET', path: '/partner/tenders?category=plumbing', key: customer, status: 400, fields: ['query.category'] },
    { route: list, name: 'an unknown query parameter', method: 'GET', path: '/partner/tenders?status=open', key: customer, status: 400, fields: ['query.status'] },
    { route: list, name: 'a cursor that is none of this API', method: 'GET', path: '/partner/tenders?cursor=abc', key: customer, status: 400, fields: ['query.cursor'] },

    ...postBodyCases(read, `/partner/tenders/${none}/read`, customer, {}, []),
    ...idCases(read, 'POST', (id) => `/partner/tenders/${id}/read`, customer, {}),

    ...postBodyCases(proposals, `/partner/tenders/${none}/proposals`, customer, { message: 'We can do it' }, ['message']),
    ...textFaults(5000).map(([name, value]) => proposal(`message ${name}`, { message: value }, ['body.message'])),
    proposal('priceCents is 0', { priceCents: 0, currency: 'EUR' }, ['body.priceCents']),
    proposal('priceCents is a string', { priceCents: '100', currency: 'EUR' }, ['body.priceCents']),
    proposal('priceCents is not whole', { priceCents: 10.5, currency: 'EUR' }, ['body.priceCents']),
    proposal('priceCents without currency', { priceCents: 100 }, ['body.currency']),
    proposal('currency without priceCents', { currency: 'EUR' }, ['body.priceCents']),
    proposal('currency not handled', { priceCents: 100, currency: 'JPY' }, ['body.currency']),
    ...idCases(proposals, 'POST', (id) => `/partner/tenders/${id}/proposals`, customer, { message: 'We can do it' }),

    ...bodyCases(linkGet, 'GET', `/links/tender-withdrawal/${token}`, undefined),
    ...linkFaults(linkGet, 'GET'),
    ...postBodyCases(linkPost, `/links/tender-withdrawal/${token}`, undefined, {}, []),
    ...linkFaults(linkPost, 'POST', {}),
  ];
}

const CASES: Case[] = [
  ...checkout(),
  ...subscriptionCases(),
  ...ticketCases(),
  ...supportCases(),
  ...sellerCaseCases(),
  ...sellerApplicationCases(),
  ...sellerOfferCases(),
  ...customerVerificationCases(),

  // GET /orders/{orderId}
  ...bodyCases('GET /orders/{orderId}', 'GET', '/orders/{ORDER}', DEMO_KEYS.admin),
  ...[
    ['not-an-id', 'orderId is not an id'],
    ['ord_', 'orderId has an empty suffix'],
    [`ord_${long(81)}`, 'orderId is too long'],
    ['ord_a%20b', 'orderId has a space'],
    ['ord_a%2Fb', 'orderId has an encoded slash'],
    ['%E0%A4%A', 'orderId is not valid percent-encoding'],
  ].map(([id, name]): Case => ({ route: 'GET /orders/{orderId}', name, method: 'GET', path: `/orders/${id}`, key: DEMO_KEYS.admin, status: 400, fields: ['params.orderId'] })),
  { route: 'GET /orders/{orderId}', name: 'the order does not exist', method: 'GET', path: '/orders/ord_does-not-exist', key: DEMO_KEYS.admin, status: 404 },

  // GET /orders/{orderId}/lines/{lineId}
  ...bodyCases('GET /orders/{orderId}/lines/{lineId}', 'GET', '/orders/{ORDER}/lines/{ACME_LINE}', DEMO_KEYS.admin),
  ...(
    [
      ['/orders/ord_x/lines/%00', 'lineId is %00', ['params.lineId']],
      ['/orders/not-an-id/lines/{ACME_LINE}', 'orderId is not an id', ['params.orderId']],
      ['/orders/not-an-id/lines/nope', 'both ids are invalid', ['params.orderId', 'params.lineId']],
      ['/orders/{ORDER}/lines/{ORDER}', 'lineId is an order id', ['params.lineId']],
      [`/orders/{ORDER}/lines/lin_${long(81)}`, 'lineId is too long', ['params.lineId']],
    ] as const
  ).map(([path, name, fields]): Case => ({ route: 'GET /orders/{orderId}/lines/{lineId}', name, method: 'GET', path, key: DEMO_KEYS.admin, status: 400, fields: [...fields] })),
  { route: 'GET /orders/{orderId}/lines/{lineId}', name: 'the line does not exist', method: 'GET', path: '/orders/{ORDER}/lines/lin_does-not-exist', key: DEMO_KEYS.admin, status: 404 },
  { route: 'GET /orders/{orderId}/lines/{lineId}', name: 'the line belongs to another order', method: 'GET', path: '/orders/ord_another-order/lines/{ACME_LINE}', key: DEMO_KEYS.admin, status: 404 },

  // The four commands on a line.
  ...decision('accept', DEMO_KEYS.sellerAcme, '{ACME_LINE}', 'accessInstructions', 'Sign in at https://mail.acme.test', textFaults(5000)),
  ...decision('refuse', DEMO_KEYS.sellerGlobex, '{GLOBEX_LINE}', 'reason', 'Region not served', textFaults(2000)),
  ...decision('cancel', DEMO_KEYS.ops, '{ACME_LINE}', 'reason', 'Seller unreachable', textFaults(2000)),
  ...decision('extend', DEMO_KEYS.ops, '{ACME_LINE}', 'hours', 24, [
    ['is a string', '24'],
    ['is a word', 'twenty-four'],
    ['is null', null],
    ['is an array', [24]],
    ['is 0', 0],
    ['is negative', -1],
    [`is over ${MAX_EXTENSION_HOURS}`, MAX_EXTENSION_HOURS + 1],
    ['is not an integer', 1.5],
  ]),
  {
    route: 'POST /orders/{orderId}/lines/{lineId}/extend',
    name: 'hours overflows to Infinity',
    method: 'POST',
    path: '/orders/{ORDER}/lines/{ACME_LINE}/extend',
    key: DEMO_KEYS.ops,
    rawBody: '{"hours":1e400}',
    status: 400,
    fields: ['body.hours'],
  },

  // GET /ops/lines, GET /seller/lines: the status filter is an enum.
  ...(
    [
      ['GET /ops/lines', '/ops/lines', DEMO_KEYS.ops],
      ['GET /seller/lines', '/seller/lines', DEMO_KEYS.sellerAcme],
    ] as const
  ).flatMap(([route, path, key]): Case[] => [
    ...bodyCases(route, 'GET', path, key),
    ...[
      ['status=bogus', 'status is not an enum value'],
      ['status=OVERDUE', 'status in the wrong case'],
      ['status=', 'status is empty'],
      ['status=overdue&status=active', 'status given twice'],
      [`status=${long(300)}`, 'status is too long'],
    ].map(([query, name]): Case => ({ route, name, method: 'GET', path: `${path}?${query}`, key, status: 400, fields: ['query.status'] })),
  ]),

  // PYO-1: a seller's bank account.
  ...bodyCases('GET /seller/payout-account', 'GET', '/seller/payout-account', DEMO_KEYS.sellerAcme),
  ...postBodyCases('POST /seller/payout-account', '/seller/payout-account', DEMO_KEYS.sellerAcme, { iban: TEST_IBANS.paid, holder: DEMO.sellers.acme.legalName }, ['iban', 'holder']),
  ...(
    [
      [TEST_IBANS.paid.replace(/^FR76/, 'FR77'), 'the IBAN fails its checksum'],
      ['FR76300060000112345678901', 'the IBAN is too short for its country'],
      ['XX7630006000011234567890189', 'the IBAN is of no country'],
      ['', 'the IBAN is empty'],
      [long(65), 'the IBAN is too long'],
      [7630006000, 'the IBAN is a number'],
    ] as const
  ).map(([iban, name]): Case => ({ route: 'POST /seller/payout-account', name, method: 'POST', path: '/seller/payout-account', key: DEMO_KEYS.sellerAcme, body: { iban, holder: DEMO.sellers.acme.legalName }, status: 400, fields: ['body.iban'] })),
  { route: 'POST /seller/payout-account', name: 'the holder is empty', method: 'POST', path: '/seller/payout-account', key: DEMO_KEYS.sellerAcme, body: { iban: TEST_IBANS.paid, holder: '  ' }, status: 400, fields: ['body.holder'] },
  { route: 'POST /seller/payout-account', name: "the holder is not the seller's legal name", method: 'POST', path: '/seller/payout-account', key: DEMO_KEYS.sellerAcme, body: { iban: TEST_IBANS.paid, holder: 'Globex SARL' }, status: 422, fields: ['body.holder'] },
  ...sellerRefundCases(),
  ...tenderCases(),
  ...partnerCustomerCases(),
  ...accountClosureCases(),
  ...partnershipCases(),

  // PYO-2: payouts, balances, statements and the ledger export.
  ...bodyCases('GET /seller/balance', 'GET', '/seller/balance', DEMO_KEYS.sellerAcme),
  { route: 'GET /seller/balance', name: 'a query parameter it does not take', method: 'GET', path: '/seller/balance?currency=EUR', key: DEMO_KEYS.sellerAcme, status: 400, fields: ['query.currency'] },
  { route: 'GET /finance/payouts', name: 'sellerId is not a seller id', method: 'GET', path: '/finance/payouts?sellerId=acme', key: DEMO_KEYS.finance, status: 400, fields: ['query.sellerId'] },
  ...bodyCases('GET /finance/sellers/{sellerId}/balance', 'GET', `/finance/sellers/${DEMO.sellers.acme.id}/balance`, DEMO_KEYS.finance),
  { route: 'GET /finance/sellers/{sellerId}/balance', name: 'sellerId is not a seller id', method: 'GET', path: '/finance/sellers/acme/balance', key: DEMO_KEYS.finance, status: 400, fields: ['params.sellerId'] },
  { route: 'GET /finance/sellers/{sellerId}/balance', name: 'the seller does not exist', method: 'GET', path: '/finance/sellers/sel_does-not-exist/balance', key: DEMO_KEYS.finance, status: 404 },
  ...(['', '/statement.pdf', '/statement.csv'] as const).flatMap((tail): Case[] => {
    const route = `GET /payouts/{payoutId}${tail}`;
    return [
      ...bodyCases(route, 'GET', `/payouts/${encodeURIComponent(`payout:${DEMO.sellers.acme.id}:EUR:2099-01-15`)}${tail}`, DEMO_KEYS.finance),
      { route, name: 'payoutId is not a payout id', method: 'GET', path: `/payouts/pay_1${tail}`, key: DEMO_KEYS.finance, status: 400, fields: ['params.payoutId'] },
      { route, name: 'payoutId has no date', method: 'GET', path: `/payouts/${encodeURIComponent(`payout:${DEMO.sellers.acme.id}:EUR:soon`)}${tail}`, key: DEMO_KEYS.finance, status: 400, fields: ['params.payoutId'] },
      { route, name: 'the payout does not exist', method: 'GET', path: `/payouts/${encodeURIComponent(`payout:${DEMO.sellers.acme.id}:EUR:2000-01-15`)}${tail}`, key: DEMO_KEYS.finance, status: 404 },
    ];
  }),
  ...(() => {
    const route = 'GET /finance/ledger.csv';
    const at = (query: string): Pick<Case, 'route' | 'method' | 'path' | 'key'> => ({ route, method: 'GET', path: `/finance/ledger.csv${query}`, key: DEMO_KEYS.finance });
    return [
      ...bodyCases(route, 'GET', '/finance/ledger.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', DEMO_KEYS.finance),
      { ...at(''), name: 'no range', status: 400, fields: ['query.from', 'query.to'] },
      { ...at('?from=2026-01-01&to=2026-02-01T00:00:00Z'), name: 'from is a date, not a date-time', status: 400, fields: ['query.from'] },
      { ...at('?from=2026-01-01T00:00:00Z&to=tomorrow'), name: 'to is not a date-time', status: 400, fields: ['query.to'] },
      { ...at('?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), name: 'to is before from', status: 400, fields: ['query.to'] },
      { ...at('?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'), name: 'an empty range', status: 400, fields: ['query.to'] },
      { ...at('?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&format=json'), name: 'an unknown query parameter', status: 400, fields: ['query.format'] },
    ] as Case[];
  })(),
  ...(() => {
    const route = 'GET /finance/documents.zip';
    const at = (query: string): Pick<Case, 'route' | 'method' | 'path' | 'key'> => ({ route, method: 'GET', path: `/finance/documents.zip${query}`, key: DEMO_KEYS.finance });
    return [
      ...bodyCases(route, 'GET', '/finance/documents.zip?from=2026-01-01&to=2026-01-31', DEMO_KEYS.finance),
      { ...at(''), name: 'no range', status: 400, fields: ['query.from', 'query.to'] },
      { ...at('?from=2026-01-01T00:00:00Z&to=2026-01-31'), name: 'from is a date-time, not a date', status: 400, fields: ['query.from'] },
      { ...at('?from=2026-01-01&to=2026-02-30'), name: 'to is not a calendar date', status: 400, fields: ['query.to'] },
      { ...at('?from=2026-02-01&to=2026-01-01'), name: 'to is before from', status: 400, fields: ['query.to'] },
      { ...at('?from=2026-01-01&to=2027-06-01'), name: 'more than a year', status: 400, fields: ['query.to'] },
      { ...at(`?from=2026-01-01&to=2026-01-31&sellerId=${long(101)}`), name: 'sellerId is longer than 100', status: 400, fields: ['query.sellerId'] },
      { ...at('?from=2026-01-01&to=2026-01-31&format=tar'), name: 'an unknown query parameter', status: 400, fields: ['query.format'] },
    ] as Case[];
  })(),

  // The list routes (api/pagination.ts): `limit` 1 to 100, an opaque `cursor`, filters from a
  // set of values, no other query parameter.
  ...(
    [
      ['GET /me/orders', '/me/orders', SUB_KEY, 'status', true],
      ['GET /me/subscriptions', '/me/subscriptions', SUB_KEY, 'status', true],
      ['GET /me/payments', '/me/payments', SUB_KEY, 'kind', true],
      ['GET /seller/subscriptions', '/seller/subscriptions', DEMO_KEYS.sellerAcme, 'status', true],
      ['GET /seller/documents', '/seller/documents', DEMO_KEYS.sellerAcme, 'kind', true],
      ['GET /customers', '/customers?email=x5-subscriber@example.test', DEMO_KEYS.support, undefined, true],
      ['GET /customers/{customerId}/invoices', '/customers/{SUB_CUSTOMER}/invoices', SUB_KEY, 'kind', false],
      ['GET /ops/lines', '/ops/lines', DEMO_KEYS.ops, 'status', false],
      ['GET /seller/lines', '/seller/lines', DEMO_KEYS.sellerAcme, 'status', false],
      ['GET /me/tickets', '/me/tickets', TICKET_KEY, 'status', true],
      ['GET /ops/tickets', '/ops/tickets', DEMO_KEYS.support, 'status', true],
      ['GET /seller/tickets', '/seller/tickets', DEMO_KEYS.sellerAcme, 'status', true],
      ['GET /tickets/{ticketId}/messages', '/tickets/{CONSENTING}/messages', TICKET_KEY, undefined, true],
      ['GET /ops/cases', '/ops/cases', DEMO_KEYS.ops, 'status', true],
      ['GET /seller/cases', '/seller/cases', CASE_KEY, undefined, true],
      ['GET /seller/offers', '/seller/offers', DEMO_KEYS.sellerAcme, undefined, true],
      ['GET /staff/customers/{customerId}/verifications', '/staff/customers/{CUSTOMER}/verifications', DEMO_KEYS.support, undefined, true],
      ['GET /account/verifications', '/account/verifications', SUB_KEY, undefined, true],
      ['GET /seller/terms', '/seller/terms', DEMO_KEYS.sellerAcme, undefined, true],
      ['GET /offers', '/offers', undefined, undefined, false],
      ['GET /seller/payouts', '/seller/payouts', DEMO_KEYS.sellerAcme, 'status', true],
      ['GET /finance/payouts', '/finance/payouts', DEMO_KEYS.finance, 'status', true],
    ] as const
  ).flatMap(([route, path, key, filter, isNew]): Case[] => {
    const q = (query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;
    return [
      ...(isNew ? bodyCases(route, 'GET', path, key) : []),
      ...[
        ['limit=101', 'limit is over 100'],
        ['limit=0', 'limit is 0'],
        ['limit=-1', 'limit is negative'],
        ['limit=ten', 'limit is not a number'],
        ['limit=2.5', 'limit is not whole'],
        ['limit=', 'limit is empty'],
        ['limit=1&limit=2', 'limit given twice'],
      ].map(([query, name]): Case => ({ route, name, method: 'GET', path: q(query), key, status: 400, fields: ['query.limit'] })),
      ...[
        ['cursor=nope', 'cursor is not one'],
        [`cursor=${Buffer.from('{"l":"x","k":"2026-01-01T00:00:00.000Z","id":"a"}').toString('base64url')}`, "cursor is another list's"],
        [`cursor=${long(1001)}`, 'cursor is too long'],
      ].map(([query, name]): Case => ({ route, name, method: 'GET', path: q(query), key, status: 400, fields: ['query.cursor'] })),
      { route, name: 'an unknown query parameter', method: 'GET', path: q('offset=10'), key, status: 400, fields: ['query.offset'] },
      { route, name: 'limit and cursor both wrong, each named', method: 'GET', path: q('limit=500&cursor=%25'), key, status: 400, fields: ['query.limit', 'query.cursor'] },
      ...(filter ? [{ route, name: `${filter} is not one of its values`, method: 'GET' as const, path: q(`${filter}=bogus`), key, status: 400, fields: [`query.${filter}`] }] : []),
    ];
  }),
  { route: 'GET /customers', name: 'email is missing', method: 'GET', path: '/customers', key: DEMO_KEYS.support, status: 400, fields: ['query.email'] },
  { route: 'GET /customers', name: 'email is longer than 254', method: 'GET', path: `/customers?email=${long(255)}`, key: DEMO_KEYS.support, status: 400, fields: ['query.email'] },
  { route: 'GET /customers', name: 'email given twice', method: 'GET', path: '/customers?email=a@b.test&email=c@d.test', key: DEMO_KEYS.support, status: 400, fields: ['query.email'] },
  // GET /orders/by-number/{number}
  ...bodyCases('GET /orders/by-number/{number}', 'GET', '/orders/by-number/O-2026-000001', DEMO_KEYS.ops),
  ...[
    ['2026-000001', 'number without its prefix'],
    ['O-26-000001', 'number with a short year'],
    ['O-2026-1', 'number with a short sequence'],
    [`O-2026-${'1'.repeat(13)}`, 'number with a long sequence'],
    ['{ORDER}', 'number is an order id'],
    ['%E0%A4%A', 'number is not valid percent-encoding'],
  ].map(([number, name]): Case => ({ route: 'GET /orders/by-number/{number}', name, method: 'GET', path: `/orders/by-number/${number}`, key: DEMO_KEYS.ops, status: 400, fields: ['params.number'] })),
  { route: 'GET /orders/by-number/{number}', name: 'no order has the number', method: 'GET', path: '/orders/by-number/O-2099-999999', key: DEMO_KEYS.ops, status: 404 },

  // GET /customers/{customerId}/emails
  ...bodyCases('GET /customers/{customerId}/emails', 'GET', '/customers/{CUSTOMER}/emails', DEMO_KEYS.support),
  ...[
    ['not-an-id', 'customerId is not an id'],
    ['{ORDER}', 'customerId is an order id'],
    [`cus_${long(81)}`, 'customerId is too long'],
    ['cus_%00', 'customerId has a NUL byte'],
  ].map(([id, name]): Case => ({
    route: 'GET /customers/{customerId}/emails',
    name,
    method: 'GET',
    path: `/customers/${id}/emails`,
    key: DEMO_KEYS.support,
    status: 400,
    fields: ['params.customerId'],
  })),

  // GET /mailbox
  ...bodyCases('GET /mailbox', 'GET', '/mailbox', DEMO_KEYS.support),
  { route: 'GET /mailbox', name: 'to is too long', method: 'GET', path: `/mailbox?to=${long(255)}`, key: DEMO_KEYS.support, status: 400, fields: ['query.to'] },
  { route: 'GET /mailbox', name: 'to given twice', method: 'GET', path: '/mailbox?to=a&to=b', key: DEMO_KEYS.support, status: 400, fields: ['query.to'] },

  // GET /offers: public, no input but a body.
  ...bodyCases('GET /offers', 'GET', '/offers', undefined),

  ...accountCases(),
  ...linkCases(),

  // GET /updates/{workflowId}/{updateId}: where a command's outcome appears.
  ...bodyCases('GET /updates/{workflowId}/{updateId}', 'GET', '/updates/OrderLine%3A{ACME_LINE}/no-such-update', DEMO_KEYS.admin),
  ...(
    [
      ['/updates/nope/u1', 'workflowId is not a workflow id', ['params.workflowId']],
      ['/updates/Order%3A{ORDER}/u1', 'workflowId is an order workflow', ['params.workflowId']],
      ['/updates/OrderLine%3Alin_/u1', 'workflowId has an empty line id', ['params.workflowId']],
      [`/updates/OrderLine%3Alin_${long(81)}/u1`, 'workflowId is too long', ['params.workflowId']],
      ['/updates/OrderLine%3A{ACME_LINE}/a%20b', 'updateId has a space', ['params.updateId']],
      [`/updates/OrderLine%3A{ACME_LINE}/${long(101)}`, 'updateId is too long', ['params.updateId']],
      ['/updates/OrderLine%3A{ACME_LINE}/%E0%A4%A', 'updateId is not valid percent-encoding', ['params.updateId']],
      ['/updates/nope/a%20b', 'both ids are invalid', ['params.workflowId', 'params.updateId']],
    ] as const
  ).map(([path, name, fields]): Case => ({ route: 'GET /updates/{workflowId}/{updateId}', name, method: 'GET', path, key: DEMO_KEYS.admin, status: 400, fields: [...fields] })),
  { route: 'GET /updates/{workflowId}/{updateId}', name: 'the line does not exist', method: 'GET', path: '/updates/OrderLine%3Alin_does-not-exist/u1', key: DEMO_KEYS.admin, status: 404 },
  ...(
    [
      ['/updates/SellerCase%3Acase_/u1', 'workflowId has an empty case id'],
      [`/updates/SellerCase%3Acase_${'a'.repeat(35)}/u1`, 'workflowId has a case id one character short'],
      ['/updates/SellerCase%3A{CASE_SELLER}/u1', 'workflowId names a seller, not a case'],
    ] as const
  ).map(([path, name]): Case => ({ route: 'GET /updates/{workflowId}/{updateId}', name, method: 'GET', path, key: DEMO_KEYS.ops, status: 400, fields: ['params.workflowId'] })),
  { route: 'GET /updates/{workflowId}/{updateId}', name: 'the case does not exist', method: 'GET', path: `/updates/SellerCase%3A${MISSING_CASE}/u1`, key: DEMO_KEYS.ops, status: 404 },
  { route: 'GET /updates/{workflowId}/{updateId}', name: 'no such command on a case', method: 'GET', path: '/updates/SellerCase%3A{CLOSURE_CASE}/no-such-update', key: DEMO_KEYS.ops, status: 404 },

  // Routes that do not exist.
  { route: UNKNOWN, name: 'GET /nope', method: 'GET', path: '/nope', status: 404 },
  { route: UNKNOWN, name: 'GET /orders without an id', method: 'GET', path: '/orders', key: DEMO_KEYS.admin, status: 404 },
  { route: UNKNOWN, name: 'POST /nope with a valid body', method: 'POST', path: '/nope', body: { a: 1 }, status: 404 },
  // A path that exists with other methods: 405 (with Allow, test/api-contract.test.ts).
  { route: UNKNOWN, name: 'PUT /checkout', method: 'PUT', path: '/checkout', body: checkoutBody(), status: 405 },
  { route: UNKNOWN, name: 'DELETE /orders/{orderId}', method: 'DELETE', path: '/orders/{ORDER}', key: DEMO_KEYS.admin, status: 405 },
  { route: UNKNOWN, name: 'POST /nope with malformed JSON', method: 'POST', path: '/nope', rawBody: '{"a":', status: 400, fields: ['body'] },
  { route: UNKNOWN, name: 'POST /nope with a body over 100kb', method: 'POST', path: '/nope', rawBody: OVERSIZED, status: 413, fields: ['body'] },
];

/** X-8: signing in, and the caller's keys (a key of the real order's customer, never rotated: no case is valid). */
function accountCases(): Case[] {
  const ACCOUNT_KEY = '{ACCOUNT_KEY}';
  const token = 'A'.repeat(43);
  const signIn: Case[] = [
    ...postBodyCases('POST /auth/sign-in', '/auth/sign-in', undefined, { email: 'x5-someone@example.test' }, ['email']),
    ...(
      [
        ['is a number', 42],
        ['is null', null],
        ['is not an e-mail', 'not-an-email'],
        ['is too long', `${long(250)}@example.test`],
        ['is an array', ['x5-someone@example.test']],
      ] as const
    ).map(([name, email]): Case => ({ route: 'POST /auth/sign-in', name: `email ${name}`, method: 'POST', path: '/auth/sign-in', body: { email }, status: 400, fields: ['body.email'] })),
  ];
  const page: Case[] = [
    ...bodyCases('GET /auth/sign-in', 'GET', `/auth/sign-in?token=${token}`, undefined),
    ...(
      [
        ['', 'token missing', ['query.token']],
        [`token=${'A'.repeat(42)}`, 'token is 42 characters', ['query.token']],
        [`token=${'A'.repeat(44)}`, 'token is 44 characters', ['query.token']],
        [`token=${'A'.repeat(42)}%2B`, 'token has a character outside base64url', ['query.token']],
        [`token=${token}&token=${token}`, 'token given twice', ['query.token']],
        [`token=${token}&next=%2Fadmin`, 'an unknown parameter', ['query.next']],
      ] as const
    ).map(([query, name, fields]): Case => ({ route: 'GET /auth/sign-in', name, method: 'GET', path: `/auth/sign-in${query ? `?${query}` : ''}`, status: 400, fields: [...fields] })),
  ];
  const exchange: Case[] = [
    ...postBodyCases('POST /auth/sign-in/exchange', '/auth/sign-in/exchange', undefined, { token }, ['token']),
    ...(
      [
        ['is a number', 42],
        ['is null', null],
        ['is 42 characters', 'A'.repeat(42)],
        ['is 44 characters', 'A'.repeat(44)],
        ['has a character outside base64url', `${'A'.repeat(42)}=`],
      ] as const
    ).map(([name, value]): Case => ({ route: 'POST /auth/sign-in/exchange', name: `token ${name}`, method: 'POST', path: '/auth/sign-in/exchange', body: { token: value }, status: 400, fields: ['body.token'] })),
    // Well formed, but carried by no link: refused without telling more, naming the token.
    { route: 'POST /auth/sign-in/exchange', name: 'a token no link carries', method: 'POST', path: '/auth/sign-in/exchange', body: { token }, status: 401, fields: ['body.token'] },
  ];
  const keys: Case[] = [
    ...bodyCases('GET /me/keys', 'GET', '/me/keys', ACCOUNT_KEY),
    ...postBodyCases('POST /me/keys/{keyId}/revoke', '/me/keys/key_doesnotexist/revoke', ACCOUNT_KEY, {}, []),
    ...(
      [
        ['not-a-key', 'keyId is not a key id'],
        ['key_', 'keyId has an empty suffix'],
        [`key_${long(65)}`, 'keyId is too long'],
        ['key_a-b', 'keyId has a hyphen'],
        ['key_%00', 'keyId has a NUL byte'],
        ['%E0%A4%A', 'keyId is not valid percent-encoding'],
      ] as const
    ).map(([id, name]): Case => ({ route: 'POST /me/keys/{keyId}/revoke', name, method: 'POST', path: `/me/keys/${id}/revoke`, key: ACCOUNT_KEY, body: {}, status: 400, fields: ['params.keyId'] })),
    { route: 'POST /me/keys/{keyId}/revoke', name: 'keyId and body both wrong, each named', method: 'POST', path: '/me/keys/nope/revoke', key: ACCOUNT_KEY, body: { extra: 1 }, status: 400, fields: ['params.keyId', 'body.extra'] },
    { route: 'POST /me/keys/{keyId}/revoke', name: 'the key does not exist', method: 'POST', path: '/me/keys/key_doesnotexist/revoke', key: ACCOUNT_KEY, body: {}, status: 404 },
    ...postBodyCases('POST /me/keys/rotate', '/me/keys/rotate', ACCOUNT_KEY, {}, []),
    { route: 'POST /me/keys/rotate', name: 'a field that looks plausible', method: 'POST', path: '/me/keys/rotate', key: ACCOUNT_KEY, body: { expiresAt: '2030-01-01' }, status: 400, fields: ['body.expiresAt'] },
  ];
  return [...signIn, ...page, ...exchange, ...keys];
}

/**
 * The signed links of e-mails (api/routes/links.ts), opened without a key: {LINK:<purpose>:<what>}
 * is a valid link, {EXPIRED:<purpose>:<what>} one past its expiry, {ALTERED:<purpose>:<what>} one
 * with a changed signature; <what> names a fixture (SUB, ENDED, SUB_ORDER, UNPAID_ORDER, INVOICE,
 * and the tickets DUE, CONSENTING). Every case on the running subscription, its order or the ticket
 * awaiting payment is refused: the control on the ended subscription, the unpaid order or the
 * ticket with nothing to pay (409) shows the link and the body got through.
 */
function linkCases(): Case[] {
  const purposes: [LinkPurpose, string, string][] = [
    ['document', 'INVOICE', 'INVOICE'],
    ['card-update', 'SUB', 'ENDED'],
    ['manual-payment', 'SUB', 'ENDED'],
    ['deletion-confirmation', 'SUB', 'ENDED'],
    ['withdrawal', 'SUB_ORDER', 'UNPAID_ORDER'],
    // DIA-4: the invoice of the ticket awaiting payment; the control, a ticket with nothing to pay.
    ['support-payment', 'DUE', 'CONSENTING'],
  ];
  const badTokens: [string, string][] = [
    ['not-a-token', 'token is not a link token'],
    ['a.1.abc', 'token has a short signature'],
    [`${'a'.repeat(401)}.1.${'0'.repeat(64)}`, 'token is too long'],
    [`a%20b.1.${'0'.repeat(64)}`, 'token has a space'],
    ['%00', 'token is a NUL byte'],
    ['%E0%A4%A', 'token is not valid percent-encoding'],
  ];
  const forms: Partial<Record<LinkPurpose, { valid: Record<string, unknown>; required: string[]; wrong: [string, unknown, string[]][] }>> = {
    'card-update': {
      valid: { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '123' },
      required: ['number', 'expMonth', 'expYear', 'cvc'],
      wrong: [
        ['number has letters', { number: '4242abcd4242abcd', expMonth: '12', expYear: '2030', cvc: '123' }, ['body.number']],
        ['expMonth is 13', { number: '4242424242424242', expMonth: '13', expYear: '2030', cvc: '123' }, ['body.expMonth']],
        ['expMonth is a JSON number', { number: '4242424242424242', expMonth: 12, expYear: '2030', cvc: '123' }, ['body.expMonth']],
        ['expYear is 1999', { number: '4242424242424242', expMonth: '12', expYear: '1999', cvc: '123' }, ['body.expYear']],
        ['cvc has 2 digits', { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '12' }, ['body.cvc']],
      ],
    },
    'manual-payment': { valid: {}, required: [], wrong: [['a field that looks plausible', { amountCents: 100 }, ['body.amountCents']]] },
    'deletion-confirmation': {
      valid: { code: 'ABCD1234' },
      required: ['code'],
      wrong: [
        ['code is 3 characters', { code: 'ABC' }, ['body.code']],
        ['code is a number', { code: 12345678 }, ['body.code']],
        ['code is an array', { code: ['ABCD1234'] }, ['body.code']],
      ],
    },
    withdrawal: { valid: {}, required: [], wrong: [['a reason is not accepted', { reason: 'changed my mind' }, ['body.reason']]] },
    'support-payment': {
      valid: { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '123' },
      required: ['number', 'expMonth', 'expYear', 'cvc'],
      wrong: [
        ['number has letters', { number: '4242abcd4242abcd', expMonth: '12', expYear: '2030', cvc: '123' }, ['body.number']],
        ['number is too long', { number: '4'.repeat(24), expMonth: '12', expYear: '2030', cvc: '123' }, ['body.number']],
        ['number is a JSON number', { number: 4242424242424242, expMonth: '12', expYear: '2030', cvc: '123' }, ['body.number']],
        ['expMonth is 0', { number: '4242424242424242', expMonth: '0', expYear: '2030', cvc: '123' }, ['body.expMonth']],
        ['expMonth is 13', { number: '4242424242424242', expMonth: '13', expYear: '2030', cvc: '123' }, ['body.expMonth']],
        ['expYear is 2101', { number: '4242424242424242', expMonth: '12', expYear: '2101', cvc: '123' }, ['body.expYear']],
        ['expYear is a JSON number', { number: '4242424242424242', expMonth: '12', expYear: 2030, cvc: '123' }, ['body.expYear']],
        ['cvc has 5 digits', { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '12345' }, ['body.cvc']],
        ['the card nested as the API takes it', { card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } }, ['body.number', 'body.expMonth', 'body.expYear', 'body.cvc', 'body.card']],
        ['several faults at once, each named', { number: 'x', expMonth: '12', expYear: '99', cvc: '1' }, ['body.number', 'body.expYear', 'body.cvc']],
      ],
    },
  };
  return purposes.flatMap(([purpose, what, control]): Case[] => {
    const get = `GET /links/${purpose}/{token}`;
    const path = `/links/${purpose}/{LINK:${purpose}:${what}}`;
    const cases: Case[] = [
      ...bodyCases(get, 'GET', path, undefined),
      ...badTokens.map(([token, name]): Case => ({ route: get, name, method: 'GET', path: `/links/${purpose}/${token}`, status: 400, fields: ['params.token'] })),
      { route: get, name: 'an unknown query parameter', method: 'GET', path: `${path}?next=%2Fadmin`, status: 400, fields: ['query.next'] },
      { route: get, name: 'an altered signature', method: 'GET', path: `/links/${purpose}/{ALTERED:${purpose}:${what}}`, status: 404, fields: ['params.token'] },
      { route: get, name: 'a link of another purpose', method: 'GET', path: `/links/${purpose}/{LINK:${purpose === 'document' ? 'withdrawal' : 'document'}:${what}}`, status: 404, fields: ['params.token'] },
      { route: get, name: 'an expired link', method: 'GET', path: `/links/${purpose}/{EXPIRED:${purpose}:${what}}`, status: 410, fields: ['params.token'] },
    ];
    const form = forms[purpose];
    if (!form) return cases;
    const post = `POST /links/${purpose}/{token}`;
    const c = (name: string, rest: Partial<Case> & Pick<Case, 'status'>): Case => ({ route: post, name, method: 'POST', path, ...rest });
    return [
      ...cases,
      ...postBodyCases(post, path, undefined, form.valid, form.required),
      ...form.wrong.map(([name, body, fields]) => c(name, { body, status: 400, fields })),
      ...badTokens.slice(0, 2).map(([token, name]) => c(name, { path: `/links/${purpose}/${token}`, body: form.valid, status: 400, fields: ['params.token'] })),
      c('an altered signature', { path: `/links/${purpose}/{ALTERED:${purpose}:${what}}`, body: form.valid, status: 404, fields: ['params.token'] }),
      c('an expired link', { path: `/links/${purpose}/{EXPIRED:${purpose}:${what}}`, body: form.valid, status: 410, fields: ['params.token'] }),
      c('a repeated form field', {
        rawBody: Object.entries(form.valid).map(([k, v]) => `${k}=${v}&${k}=${v}`).join('&') || 'extra=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 400,
        fields: Object.keys(form.valid).length > 0 ? Object.keys(form.valid).map((k) => `body.${k}`) : ['body.extra'],
      }),
      c('a valid form on the ended subscription or the unpaid order (control: refused after the link)', {
        path: `/links/${purpose}/{LINK:${purpose}:${control}}`,
        rawBody: new URLSearchParams(form.valid as Record<string, string>).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 409,
      }),
      // A well-formed number that is not a sandbox test card, on the ticket awaiting payment: the gateway refuses it, nothing is saved.
      ...(purpose === 'support-payment' ? [c('an unknown test card', { body: { ...form.valid, number: '4111111111111111' }, status: 422, fields: ['body.number'] })] : []),
    ];
  });
}

/** The subject a link of the table names (see linkCases). */
function linkSubject(purpose: string, what: string): string {
  const subjects: Record<string, string> = { SUB: sub.running, ENDED: sub.ended, SUB_ORDER: sub.runningOrder, UNPAID_ORDER: sub.unpaidOrder, INVOICE: sub.invoice, DUE: tk.due, CONSENTING: tk.consenting };
  const id = subjects[what];
  return purpose === 'deletion-confirmation' ? deletionLinkSubject(id, 1) : id;
}

function resolvePath(path: string): string {
  return path
    .replace(/\{(LINK|EXPIRED|ALTERED):([a-z-]+):([A-Z_]+)\}/g, (_m, kind: string, purpose: LinkPurpose, what: string) => {
      const token = signLink(purpose, linkSubject(purpose, what), new Date(Date.now() + (kind === 'EXPIRED' ? -60_000 : 3_600_000)));
      return kind === 'ALTERED' ? `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}` : token;
    })
    .replaceAll('{ORDER}', order.orderId)
    .replaceAll('{ACME_LINE}', acmeLine)
    .replaceAll('{GLOBEX_LINE}', globexLine)
    .replaceAll('{CUSTOMER}', order.customerId)
    .replaceAll('{SUB_ORDER}', sub.runningOrder)
    .replaceAll('{ENDED_ORDER}', sub.endedOrder)
    .replaceAll('{UNPAID_ORDER}', sub.unpaidOrder)
    .replaceAll('{SUB_CUSTOMER}', sub.customerId)
    .replaceAll('{SUB}', sub.running)
    .replaceAll('{ENDED}', sub.ended)
    .replaceAll('{INVOICE}', encodeURIComponent(sub.invoice))
    .replaceAll('{TICKET_CUSTOMER}', tk.service.customerId)
    .replaceAll('{CONSENTING}', tk.consenting)
    .replaceAll('{DUE}', tk.due)
    .replaceAll('{CLOSED}', tk.closed)
    .replaceAll('{TICKET_SUB}', tk.service.lineId)
    .replaceAll('{CONTACT}', tk.service.contactId)
    .replaceAll('{CASE_SELLER}', cs.seller.sellerId)
    .replaceAll('{CLOSURE_CASE}', cs.closure)
    .replaceAll('{REQUEST_CASE}', cs.request)
    .replaceAll('{COMPLAINT_CASE}', cs.complaint)
    .replaceAll('{ENDED_CASE}', cs.ended)
    .replaceAll('{APPLICATION}', app.applicationId);
}

/** The ids a body names ({TICKET_SUB}, {CONTACT}): only the part under test is wrong. */
function resolveBody(body: unknown): unknown {
  if (body === undefined) return undefined;
  const text = JSON.stringify(body);
  if (!text.includes('{TICKET_SUB}') && !text.includes('{CONTACT}')) return body;
  return JSON.parse(text.replaceAll('{TICKET_SUB}', tk.service.lineId).replaceAll('{CONTACT}', tk.service.contactId));
}

/** fetch refuses a body on GET, so those go through node:http. */
function rawRequest(baseUrl: string, method: string, path: string, opts: { key?: string; rawBody: string; headers?: Record<string, string> }): Promise<HttpResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(opts.headers ?? {}), 'content-length': String(Buffer.byteLength(opts.rawBody)) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body, headers: new Headers(Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]]))) });
      });
    });
    req.on('error', reject);
    req.end(opts.rawBody);
  });
}

function send(c: Case): Promise<HttpResponse> {
  const path = resolvePath(c.path);
  const key = c.key === SUB_KEY ? sub.key : c.key === '{ACCOUNT_KEY}' ? accountKey : c.key === TICKET_KEY ? tk.service.customerKey : c.key === CASE_KEY ? cs.seller.key : c.key === APP_KEY ? app.token : c.key;
  if ((c.method === 'GET' || c.method === 'DELETE') && c.rawBody !== undefined) {
    return rawRequest(sys.apiUrl, c.method, path, { key, rawBody: c.rawBody, headers: c.headers });
  }
  return http(sys.apiUrl, c.method, path, { key, body: resolveBody(c.body), rawBody: c.rawBody, headers: c.headers });
}

function expectProblem(res: HttpResponse, status: number): void {
  const shown = JSON.stringify(res.body);
  expect(res.status, shown).toBe(status);
  expect(res.status, shown).toBeGreaterThanOrEqual(400);
  expect(res.status, shown).toBeLessThan(500);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: res.status });
  expect(res.body.type.length).toBeGreaterThan(0);
  expect(res.body.title.length).toBeGreaterThan(0);
}

function expectFields(res: HttpResponse, fields: string[]): void {
  expect(Array.isArray(res.body.errors), JSON.stringify(res.body)).toBe(true);
  for (const e of res.body.errors) {
    expect(e).toMatchObject({ field: expect.any(String), message: expect.any(String) });
  }
  const named = [...new Set<string>(res.body.errors.map((e: { field: string }) => e.field))].sort();
  expect(named, JSON.stringify(res.body.errors)).toEqual([...new Set(fields)].sort());
}

// --- the tests ---------------------------------------------------------------------------------

describe('X-5: bad input on every route', () => {
  it.each(CASES.map((c) => [`${c.route}, ${c.name} → ${c.status}`, c] as const))('X-5: %s', async (_title, c) => {
    const res = await send(c);
    expectProblem(res, c.status);
    if (c.fields) expectFields(res, c.fields);
  });

  it('X-5: the refused commands decided nothing: the real order\'s lines still await validation', async () => {
    const lines = await sys.db.orderLine.findMany({ where: { orderId: order.orderId } });
    expect(lines.map((l) => l.status)).toEqual(['awaiting_validation', 'awaiting_validation']);
    expect(await sys.db.refund.count({ where: { lineId: { in: [acmeLine, globexLine] } } })).toBe(0);
    const decisions = await sys.db.auditLog.count({ where: { entityId: { in: [acmeLine, globexLine] }, action: { in: ['line.accepted', 'line.refused', 'line.cancelled', 'line.validation_extended'] } } });
    expect(decisions).toBe(0);
    for (const lineId of [acmeLine, globexLine]) {
      const res = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}/lines/${lineId}`, { key: DEMO_KEYS.admin });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'awaiting_validation', extensions: [] });
    }
  });

  it('X-5, X-8: the refused key commands changed no key: the key they were sent with still works, and nothing was revoked or issued', async () => {
    const res = await http(sys.apiUrl, 'GET', '/me/keys', { key: accountKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.every((k: { revokedAt: string | null }) => k.revokedAt === null)).toBe(true);
    expect(res.body.filter((k: { current: boolean }) => k.current)).toHaveLength(1);
  });

  it('X-5: the refused subscription commands wrote nothing: the running subscription\'s state and its Payment, Invoice, Email rows are unchanged', async () => {
    expect(await subSnapshot()).toEqual(subBefore);
    expect(subBefore.state).toMatchObject({ status: 'active' });
  });

  it('X-5, DIA-8: the refused ticket and support requests wrote nothing: the tickets\' states and rows, their messages, payments, cards, contacts, invoices and e-mails are unchanged', async () => {
    expect(await ticketSnapshot(env.client, sys, tk)).toEqual(ticketsBefore);
    expect(ticketsBefore.states.map((t) => t.status)).toEqual(['awaiting_consent', 'awaiting_payment', 'closed']);
    // The ticket awaiting payment was never charged, not even declined (DIA-4), and the basic tier's one contact is still named (POL-5).
    expect(ticketsBefore.states[1]).toMatchObject({ payment: null, paymentAttempts: [], contest: null });
    expect(ticketsBefore.contacts).toMatchObject([{ id: tk.service.contactId, removedAt: null }]);
    expect(ticketsBefore.bars).toBe(0);
  });

  it('X-5, MED-1, MED-6, MED-7: the refused seller-case requests wrote nothing: the cases\' states, timelines, messages and rows, the sellers, their offers and e-mails are unchanged', async () => {
    expect(await caseSnapshot(sys, cs)).toEqual(casesBefore);
    const views = casesBefore.views as { caseId: string; kind: string; status: string; meeting: unknown; contest: unknown }[];
    expect(views.map((v) => [v.kind, v.status])).toEqual([
      ['closure', 'awaiting_contest'],
      ['closure_request', 'awaiting_meeting'],
      ['complaint', 'awaiting_meeting'],
      ['complaint', 'withdrawn'],
    ]);
    // No meeting was scheduled, no contest written; the fixtures' seller is suspended by its closure case (MED-1), the demo sellers have no case.
    expect(views.slice(0, 3).every((v) => v.meeting === null && v.contest === null)).toBe(true);
    expect(casesBefore.sellers).toContainEqual(expect.objectContaining({ id: cs.seller.sellerId, status: 'suspended' }));
    expect(casesBefore.demoSellerCases).toBe(0);
  });

  it('X-5, KYC-1: the refused onboarding requests wrote nothing: the fixture application has no document and is still incomplete', async () => {
    const row = await sys.db.sellerApplication.findUniqueOrThrow({ where: { id: app.applicationId } });
    expect(row.status).toBe('incomplete');
    expect(await sys.db.sellerDocument.count({ where: { applicationId: app.applicationId } })).toBe(0);
  });

  it('X-5: /openapi.json is OpenAPI 3.1, documents every route this table covers, and every documented route is in the table', async () => {
    const res = await http(sys.apiUrl, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    const documented: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, any> }>>(res.body.paths)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const operation = item[method];
        if (!operation) continue;
        documented.push(`${method.toUpperCase()} ${path}`);
        // Every operation documents its errors as problem+json.
        expect(operation.responses.default.content['application/problem+json'], `${method} ${path}`).toBeDefined();
      }
    }
    const covered = [...new Set(CASES.map((c) => c.route).filter((r) => r !== UNKNOWN))];
    expect(documented).toEqual(expect.arrayContaining(covered));
    // A route added to the API without its rows in this table fails here.
    expect(documented.filter((r) => !covered.includes(r)), 'documented routes missing from the X-5 table').toEqual([]);
  });
});

describe('X-5: refused checkouts write nothing', () => {
  const terms = {
    acme: { sellerId: DEMO.sellers.acme.id, version: DEMO.sellers.acme.terms },
    globex: { sellerId: DEMO.sellers.globex.id, version: DEMO.sellers.globex.terms },
    initech: { sellerId: DEMO.sellers.initech.id, version: DEMO.sellers.initech.terms },
  };
  let n = 0;
  /** A fresh e-mail and a fresh Idempotency-Key each time: a new customer and a record would show. */
  const attempt = (body: unknown) => {
    n += 1;
    return http(sys.apiUrl, 'POST', '/checkout', { body, headers: { 'idempotency-key': `x5-refused-checkout-${n}` } });
  };
  const emails: string[] = [];
  const fresh = (opts: Parameters<typeof checkoutBody>[0]) => {
    const email = `x5-refused-${emails.length + 1}@example.test`;
    emails.push(email);
    return checkoutBody({ ...opts, email });
  };

  it.each([
    { name: 'no terms accepted', offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id], accepted: [], missing: [DEMO.sellers.acme.id, DEMO.sellers.globex.id] },
    { name: "only Acme's terms accepted", offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id], accepted: [terms.acme], missing: [DEMO.sellers.globex.id] },
    { name: "an old version of Acme's terms", offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id], accepted: [{ ...terms.acme, version: 'acme-2020-01' }, terms.globex], missing: [DEMO.sellers.acme.id] },
    { name: 'terms of a seller not in the order', offers: [DEMO.offers.acmeCrm.id], accepted: [terms.globex], missing: [DEMO.sellers.acme.id] },
  ].map((row) => [row.name, row] as const))('X-5, ORD-3: checkout with %s is 422 naming the sellers whose terms are missing; nothing is charged', async (_name, { offers, accepted, missing }) => {
    const res = await attempt(fresh({ offers, terms: accepted }));
    expectProblem(res, 422);
    expect(res.body.sellers.map((s: { sellerId: string }) => s.sellerId).sort()).toEqual([...missing].sort());
    for (const s of res.body.sellers) expect(s.currentVersion).toBeTruthy();
    expectFields(res, ['body.acceptedTerms']);
  });

  it.each([
    { name: 'an unknown offer', offers: ['off_does_not_exist'], field: 'body.lines.0.offerId' },
    { name: 'a known offer then an unknown one', offers: [DEMO.offers.acmeMail.id, 'off_does_not_exist'], field: 'body.lines.1.offerId' },
    { name: "an offer of a pending (not approved) seller, off_initech_wiki", offers: [DEMO.offers.initechWiki.id], field: 'body.lines.0.offerId' },
    { name: 'an approved seller\'s offer then a pending seller\'s', offers: [DEMO.offers.acmeMail.id, DEMO.offers.initechWiki.id], field: 'body.lines.1.offerId' },
    { name: 'an unknown test card', card: '4111111111111111', field: 'body.card.number' },
    { name: 'a 15-digit card number', card: '424242424242424', field: 'body.card.number' },
  ].map((row) => [row.name, row] as const))('X-5: checkout with %s is 422 naming the field; nothing is charged', async (_name, { offers, card, field }) => {
    const res = await attempt(fresh({ offers, card, terms: [terms.acme, terms.globex, terms.initech] }));
    expectProblem(res, 422);
    expectFields(res, [field]);
  });

  it('X-5, ORD-3: after every refused checkout, no Order, Customer, SandboxTransaction or IdempotencyRecord row was written', async () => {
    expect(await counts()).toEqual(countsBefore);
    expect(await sys.db.customer.count({ where: { email: { in: [...emails, CHECKOUT_EMAIL] } } })).toBe(0);
    expect(await sys.db.idempotencyRecord.count({ where: { key: { contains: 'x5-refused' } } })).toBe(0);
  });
});
