// Seller cases in known states for tests that only send input to the case routes, all of one
// fresh seller (a closure case suspends its seller for the whole database: never a demo seller's):
// a closure case awaiting the contest (MED-2), a closure request and a complaint awaiting their
// meeting (MED-6, MED-7), and an ended (withdrawn) complaint whose row refuses every command. With
// each kind open, any valid opening is refused (409) too. And a snapshot of everything a case
// route could write, to show a refused request wrote nothing.
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { eventually, http } from './http';
import { freshSeller, type FreshSeller } from './sellers';
import type { TestSystem } from './system';

export interface CaseFixtures {
  seller: FreshSeller;
  /** Closure case (MED-1) awaiting the seller's contest: the seller is suspended. */
  closure: string;
  /** The seller's closure request (MED-6), awaiting its meeting. */
  request: string;
  /** The seller's complaint (MED-7), awaiting its meeting. */
  complaint: string;
  /** An earlier complaint of the seller, withdrawn by ops. */
  ended: string;
}

async function opened(res: { status: number; body: any }, what: string): Promise<string> {
  if (res.status !== 201) throw new Error(`${what} not opened: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.caseId as string;
}

/** Waits until the case's row (what the API reads first) is in `status`. */
async function rowInStatus(sys: TestSystem, caseId: string, status: string): Promise<void> {
  await eventually(async () => (await sys.db.sellerCase.findUnique({ where: { id: caseId } }))?.status === status, 20_000, `case ${caseId} row ${status}`);
}

export async function caseFixtures(sys: TestSystem): Promise<CaseFixtures> {
  const seller = await freshSeller(sys.db);
  const asSeller = (body: unknown) => http(sys.apiUrl, 'POST', '/seller/cases', { key: seller.key, body });

  const ended = await opened(await asSeller({ kind: 'complaint', text: 'An earlier complaint, withdrawn' }), 'complaint');
  const withdrawn = await http(sys.apiUrl, 'POST', `/cases/${ended}/withdraw`, { key: DEMO_KEYS.ops, body: { reason: 'settled by phone' } });
  if (withdrawn.status !== 200) throw new Error(`withdraw: ${withdrawn.status} ${JSON.stringify(withdrawn.body)}`);
  await rowInStatus(sys, ended, 'withdrawn');

  const complaint = await opened(await asSeller({ kind: 'complaint', text: 'Payouts arrive late' }), 'complaint');
  const request = await opened(await asSeller({ kind: 'closure_request', text: 'We stop selling here' }), 'closure request');
  const closure = await opened(
    await http(sys.apiUrl, 'POST', `/ops/sellers/${seller.sellerId}/cases`, { key: DEMO_KEYS.ops, body: { reasons: 'Repeated customer complaints', letterReference: 'LR-X5-0001' } }),
    'closure case',
  );
  await rowInStatus(sys, complaint, 'awaiting_meeting');
  await rowInStatus(sys, request, 'awaiting_meeting');
  await rowInStatus(sys, closure, 'awaiting_contest');
  return { seller, closure, request, complaint, ended };
}

export interface CaseSnapshot {
  /** The cases as ops read them: state, deadlines, timeline, messages. */
  views: unknown[];
  rows: unknown[];
  sellers: unknown[];
  offers: unknown[];
  cases: number;
  messages: number;
  audit: number;
  emails: number;
  demoSellerCases: number;
}

export async function caseSnapshot(sys: TestSystem, f: CaseFixtures): Promise<CaseSnapshot> {
  const db = sys.db;
  const ids = [f.closure, f.request, f.complaint, f.ended];
  const views = await Promise.all(
    ids.map(async (id) => {
      const res = await http(sys.apiUrl, 'GET', `/cases/${id}`, { key: DEMO_KEYS.ops });
      if (res.status !== 200) throw new Error(`case ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    }),
  );
  const demo = [DEMO.sellers.acme.id, DEMO.sellers.globex.id];
  return {
    views,
    rows: await db.sellerCase.findMany({ where: { sellerId: f.seller.sellerId }, orderBy: { id: 'asc' } }),
    sellers: await db.seller.findMany({ where: { id: { in: [f.seller.sellerId, ...demo] } }, orderBy: { id: 'asc' } }),
    offers: await db.offer.findMany({ where: { sellerId: { in: [f.seller.sellerId, ...demo] } }, orderBy: { id: 'asc' }, select: { id: true, published: true } }),
    cases: await db.sellerCase.count(),
    messages: await db.sellerCaseMessage.count(),
    audit: await db.auditLog.count({ where: { entityType: 'seller_case' } }),
    emails: await db.email.count({ where: { id: { startsWith: 'case:' } } }),
    demoSellerCases: await db.sellerCase.count({ where: { sellerId: { in: demo } } }),
  };
}

/** Waits for the writes that follow the fixtures' openings (e-mails, audit) to be over. */
export async function settledCaseSnapshot(sys: TestSystem, f: CaseFixtures): Promise<CaseSnapshot> {
  let last = await caseSnapshot(sys, f);
  return eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      const now = await caseSnapshot(sys, f);
      const settled = JSON.stringify(now) === JSON.stringify(last);
      last = now;
      return settled ? now : undefined;
    },
    20_000,
    'the fixtures\u2019 cases to settle',
  );
}
