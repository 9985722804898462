// PYO-2, X-6: what sellers and finance see of the money. A seller sees its own balance (held,
// available, reserved, paid out, the next payout day and what it would pay), its payouts and their
// statements, even while suspended or closed (it is still paid what is due, MED-5). Finance sees
// every seller's, lists payouts per seller with the payments each covers (its statement), and
// exports the ledger as CSV over a date range, streamed page by page (api/ledger-export.ts).
import type { Payout, Prisma } from '@prisma/client';
import { heldLines } from '../../activities/ledger';
import { statementFile } from '../../activities/email-attachments';
import { payoutDayFor, releaseAt } from '../../domain/payout-calendar';
import type { StatementContent } from '../../domain/payout-statement';
import { businessTimeZone } from '../../domain/time-format';
import { allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { ledgerCsv } from '../ledger-export';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const PAYOUT_STATUSES = ['sending', 'paid', 'rejected', 'nothing_due', 'no_bank_details', 'stopped'] as const;
const sellerIdParam = z.string().regex(/^sel_[A-Za-z0-9_-]{1,80}$/, 'must be a sel_… id');
const payoutIdParam = z.string().regex(/^payout:sel_[A-Za-z0-9_-]{1,80}:[A-Z]{3}:\d{4}-\d{2}-\d{2}$/, 'must be a payout:<sellerId>:<currency>:<date> id');
const cents = z.number().int();

/** A seller's own key, whatever the seller's status: a suspended or closed seller is still paid (MED-5). */
const sellerAnyStatus = (p: Principal) => p.kind === 'seller';
const finance = allow.staff('finance');

const currencyBalance = z.strictObject({
  currency: z.string(),
  heldCents: cents.openapi({ description: 'Captured, net of fees and refunds, in its 21-day hold (PYO-1)' }),
  availableCents: cents.openapi({ description: 'Released and not paid or reserved; negative: a deficit the next payouts carry' }),
  reservedCents: cents.openapi({ description: 'Reserved by a payout whose bank transfer is running' }),
  paidOutCents: cents,
  nextPayout: z.strictObject({
    date: z.string(),
    cutoff: z.string().openapi({ description: 'What is released by then is paid that day' }),
    amountCents: cents.openapi({ description: 'What that day would pay as the ledger stands (refunds may still change it)' }),
    deficitCents: cents,
  }),
});
const balanceView = z.strictObject({ sellerId: z.string(), balances: z.array(currencyBalance) }).openapi('SellerBalance');

const payoutShape = {
    payoutId: z.string(),
    sellerId: z.string(),
    currency: z.string(),
    date: z.string(),
    status: z.string().openapi({ description: PAYOUT_STATUSES.join(' | ') }),
    amountCents: cents,
    releasedCents: cents,
    deficitInCents: cents,
    deficitOutCents: cents,
    failure: z.string().nullable(),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
    statementPdf: z.string(),
    statementCsv: z.string(),
};
const payoutItem = z.strictObject(payoutShape).openapi('PayoutListItem');
const payoutPage = pageOf(payoutItem).openapi('PayoutPage');

const statementRow = z.strictObject({
  at: z.string(),
  kind: z.string().openapi({ description: 'payment | fee | refund | fee_reversal | payout | payout_returned' }),
  description: z.string(),
  paymentId: z.string().nullable(),
  lineId: z.string().nullable(),
  refundId: z.string().nullable(),
  amountCents: cents,
});
const heldRow = z.strictObject({ paymentId: z.string(), lineId: z.string(), capturedAt: z.string(), netCents: cents, heldUntil: z.string(), paidOn: z.string() });
const payoutDetail = z
  .strictObject({
    ...payoutShape,
    statement: z.strictObject({
      reconciled: z.boolean().openapi({ description: 'Opening + movements equalled the ledger; if not, the payout stopped' }),
      openingCents: cents,
      movementsCents: cents,
      closingCents: cents,
      rows: z.array(statementRow),
      held: z.array(heldRow),
    }),
  })
  .openapi('Payout');

function itemView(p: Payout): z.infer<typeof payoutItem> {
  const base = `/payouts/${encodeURIComponent(p.id)}/statement`;
  return {
    payoutId: p.id,
    sellerId: p.sellerId,
    currency: p.currency,
    date: p.date,
    status: p.status,
    amountCents: Number(p.amountCents),
    releasedCents: Number(p.releasedCents),
    deficitInCents: Number(p.deficitInCents),
    deficitOutCents: Number(p.deficitOutCents),
    failure: p.failure,
    createdAt: p.createdAt.toISOString(),
    settledAt: p.settledAt?.toISOString() ?? null,
    statementPdf: `${base}.pdf`,
    statementCsv: `${base}.csv`,
  };
}

async function balanceOf(deps: ApiDeps, sellerId: string): Promise<z.infer<typeof balanceView>> {
  const zone = businessTimeZone();
  const rows = await deps.db.ledgerAccount.findMany({ where: { sellerId }, orderBy: { id: 'asc' } });
  const next = payoutDayFor(new Date().toISOString(), zone);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const balances = [];
  for (const currency of currencies) {
    const of = (kind: string) => rows.find((r) => r.currency === currency && r.kind === kind);
    const held = of('seller_held');
    const available = of('seller_available');
    const paidOut = of('seller_paid_out');
    const availableNet = available ? available.creditsPosted - available.debitsPosted - available.debitsPending : 0n;
    const releasing = (await heldLines(deps.db, sellerId, currency)).filter((l) => l.net > 0n && Date.parse(releaseAt(l.capturedAt.toISOString(), zone)) <= Date.parse(next.cutoff));
    const due = availableNet + releasing.reduce((sum, l) => sum + l.net, 0n);
    balances.push({
      currency,
      heldCents: Number(held ? held.creditsPosted - held.debitsPosted : 0n),
      availableCents: Number(availableNet),
      reservedCents: Number(available?.debitsPending ?? 0n),
      paidOutCents: Number(paidOut ? paidOut.creditsPosted - paidOut.debitsPosted : 0n),
      nextPayout: { date: next.date, cutoff: next.cutoff, amountCents: Number(due > 0n ? due : 0n), deficitCents: Number(due < 0n ? -due : 0n) },
    });
  }
  return { sellerId, balances };
}

async function payoutPageOf(deps: ApiDeps, list: string, where: Prisma.PayoutWhereInput, q: { status?: string; limit: number; cursor?: { at: Date; id: string } }) {
  const rows = await deps.db.payout.findMany({
    where: { AND: [where, q.status ? { status: q.status } : {}, afterCursor(q.cursor, 'createdAt')] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  return toPage(list, rows, q.limit, (p) => ({ at: p.createdAt, id: p.id }), itemView);
}

/** The payout, if the caller may read it: finance any, a seller its own (403 for another's). */
async function readablePayout(deps: ApiDeps, principal: Principal, payoutId: string): Promise<Payout> {
  const payout = await deps.db.payout.findUnique({ where: { id: payoutId } });
  if (!payout) throw Problem.notFound(`no payout ${payoutId}`);
  if (principal.kind === 'seller' && principal.sellerId !== payout.sellerId) throw Problem.forbidden('this payout is not yours');
  return payout;
}

const ORDER = 'newest first (created at, then id)';

export function registerPayoutRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/seller/balance',
    tag: 'payouts',
    summary: "The calling seller's balance per currency: held, available, reserved, paid out, and the next payout day with what it would pay (PYO-1, PYO-2, X-6)",
    allow: sellerAnyStatus,
    responses: { 200: { description: 'The balance', schema: balanceView } },
    handler: async ({ principal }) => ({ status: 200, body: await balanceOf(deps, principal.kind === 'seller' ? principal.sellerId : '') }),
  });

  routes.add({
    method: 'get',
    path: '/seller/payouts',
    tag: 'payouts',
    summary: `The calling seller's payouts, ${ORDER}, filterable by status (PYO-2, X-6)`,
    allow: sellerAnyStatus,
    query: listQuery('seller-payouts', { status: oneOf(PAYOUT_STATUSES) }),
    responses: { 200: { description: 'A page of payouts', schema: payoutPage } },
    handler: async ({ principal, query }) => ({ status: 200, body: await payoutPageOf(deps, 'seller-payouts', { sellerId: principal.kind === 'seller' ? principal.sellerId : '' }, query) }),
  });

  routes.add({
    method: 'get',
    path: '/finance/payouts',
    tag: 'payouts',
    summary: `Every seller's payouts, or one seller's, ${ORDER}, filterable by status (PYO-2)`,
    allow: finance,
    query: listQuery('finance-payouts', { sellerId: sellerIdParam.optional(), status: oneOf(PAYOUT_STATUSES) }),
    responses: { 200: { description: 'A page of payouts', schema: payoutPage } },
    handler: async ({ query }) => ({ status: 200, body: await payoutPageOf(deps, 'finance-payouts', query.sellerId ? { sellerId: query.sellerId } : {}, query) }),
  });

  routes.add({
    method: 'get',
    path: '/finance/sellers/:sellerId/balance',
    tag: 'payouts',
    summary: "A seller's balance per currency, as the seller sees it (PYO-2)",
    allow: finance,
    params: z.object({ sellerId: sellerIdParam }),
    responses: { 200: { description: 'The balance', schema: balanceView }, 404: { description: 'No such seller' } },
    handler: async ({ params }) => {
      if (!(await deps.db.seller.findUnique({ where: { id: params.sellerId }, select: { id: true } }))) throw Problem.notFound(`no seller ${params.sellerId}`);
      return { status: 200, body: await balanceOf(deps, params.sellerId) };
    },
  });

  routes.add({
    method: 'get',
    path: '/payouts/:payoutId',
    tag: 'payouts',
    summary: 'A payout and its statement: every payment, fee, refund and fee reversal it covers, the deficit carried in and out, what is still held (PYO-1, PYO-2): the seller its own, finance any',
    allow: allow.anyOf(sellerAnyStatus, finance),
    params: z.object({ payoutId: payoutIdParam }),
    responses: { 200: { description: 'The payout', schema: payoutDetail }, 403: { description: "Another seller's payout" }, 404: { description: 'No such payout' } },
    handler: async ({ principal, params }) => {
      const payout = await readablePayout(deps, principal, params.payoutId);
      const st = await deps.db.payoutStatement.findUniqueOrThrow({ where: { payoutId: payout.id } });
      const content = st.content as unknown as StatementContent;
      return {
        status: 200,
        body: {
          ...itemView(payout),
          statement: { reconciled: st.reconciled, openingCents: Number(st.openingCents), movementsCents: Number(st.movementsCents), closingCents: Number(st.closingCents), rows: content.rows, held: content.held },
        },
      };
    },
  });

  for (const [format, contentType] of [['pdf', 'application/pdf'], ['csv', 'text/csv']] as const) {
    routes.add({
      method: 'get',
      path: `/payouts/:payoutId/statement.${format}`,
      tag: 'payouts',
      summary: `A payout's statement as ${format.toUpperCase()}, the same bytes as the e-mail's attachment (PYO-1): the seller its own, finance any`,
      allow: allow.anyOf(sellerAnyStatus, finance),
      params: z.object({ payoutId: payoutIdParam }),
      responses: { 200: { description: `The statement (${contentType})`, contentType }, 403: { description: "Another seller's payout" }, 404: { description: 'No such payout' } },
      handler: async ({ principal, params }) => {
        const payout = await readablePayout(deps, principal, params.payoutId);
        const bytes = (await statementFile(deps.db, payout.id, format))!;
        return {
          status: 200,
          body: bytes,
          contentType: format === 'pdf' ? contentType : `${contentType}; charset=utf-8`,
          headers: { 'content-disposition': `attachment; filename="statement-${payout.date}-${payout.currency}.${format}"` },
        };
      },
    });
  }

  routes.add({
    method: 'get',
    path: '/finance/ledger.csv',
    tag: 'payouts',
    summary: 'The ledger as CSV: every transfer from `from` (inclusive) to `to` (exclusive), in order, streamed (PAY-1, PYO-2)',
    allow: finance,
    query: z.strictObject({
      from: z.iso.datetime({ error: 'must be an ISO date-time, e.g. 2027-03-01T00:00:00Z' }),
      to: z.iso.datetime({ error: 'must be an ISO date-time, e.g. 2027-04-01T00:00:00Z' }),
    }).refine((q) => Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' }),
    responses: { 200: { description: 'The transfers, one per row (text/csv)', contentType: 'text/csv' } },
    handler: async ({ query }) => ({
      status: 200,
      body: ledgerCsv(deps.db, new Date(query.from), new Date(query.to)),
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="ledger-${query.from.slice(0, 10)}-${query.to.slice(0, 10)}.csv"` },
    }),
  });
}
