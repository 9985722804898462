// A customer's money movements (ACC-2, X-6): every charge (checkout and renewals, captured or
// declined) and every refund of its orders, one list. Two tables, so one SQL query: the union is
// sorted and cut by PostgreSQL, the same comparison as the cursor's, so pages never overlap or skip
// (a merge in JavaScript could order equal timestamps differently from the database's collation).
import { Prisma } from '@prisma/client';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { listQuery, oneOf, pageOf, toPage } from '../pagination';
import type { RouteTable } from '../route';
import { z } from '../zod';

const PAYMENT_KINDS = ['charge', 'refund'] as const;
/** A charge is captured or declined; a refund row is written once the gateway has refunded. */
const PAYMENT_STATUSES = ['captured', 'declined', 'refunded'] as const;

const chargeItem = z.strictObject({
  kind: z.literal('charge'),
  paymentId: z.string(),
  orderId: z.string(),
  /** checkout (the first period of every line of the order) | renewal (one subscription's period) */
  purpose: z.string(),
  /** Renewals: the subscription charged and its period; null for a checkout. */
  subscriptionId: z.string().nullable(),
  period: z.number().int().nullable(),
  amountCents: z.number().int(),
  currency: z.string(),
  status: z.string().openapi({ description: 'captured | declined' }),
  declineCode: z.string().nullable(),
  createdAt: z.string(),
});
const refundItem = z.strictObject({
  kind: z.literal('refund'),
  refundId: z.string(),
  /** The charge refunded. */
  paymentId: z.string(),
  orderId: z.string(),
  lineId: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  status: z.literal('refunded'),
  reason: z.string(),
  createdAt: z.string(),
});
export const paymentItem = z.discriminatedUnion('kind', [chargeItem, refundItem]).openapi('PaymentListItem');
export const paymentPage = pageOf(paymentItem).openapi('PaymentPage');

interface Row {
  kind: 'charge' | 'refund';
  id: string;
  orderId: string;
  lineId: string | null;
  purpose: string;
  period: number | null;
  amountCents: number;
  currency: string;
  status: string;
  declineCode: string | null;
  paymentId: string | null;
  reason: string | null;
  createdAt: Date | string;
}

const at = (r: Row) => new Date(r.createdAt);

function view(r: Row): z.infer<typeof paymentItem> {
  const common = { orderId: r.orderId, amountCents: r.amountCents, currency: r.currency, createdAt: at(r).toISOString() };
  if (r.kind === 'refund') {
    return { kind: 'refund', refundId: r.id, paymentId: r.paymentId ?? '', lineId: r.lineId ?? '', status: 'refunded', reason: r.reason ?? '', ...common };
  }
  return {
    kind: 'charge',
    paymentId: r.id,
    purpose: r.purpose,
    subscriptionId: r.lineId,
    period: r.period,
    status: r.status,
    declineCode: r.declineCode,
    ...common,
  };
}

export function registerPaymentListRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/me/payments',
    tag: 'account',
    summary: "The calling customer's charges and refunds with their status and amounts, newest first (created at, then id), filterable by kind and status (ACC-2, X-6)",
    allow: allow.customer,
    query: listQuery('my-payments', { kind: oneOf(PAYMENT_KINDS), status: oneOf(PAYMENT_STATUSES) }),
    responses: { 200: { description: 'A page of charges and refunds', schema: paymentPage } },
    handler: async ({ principal, query }) => {
      const customerId = principal.kind === 'customer' ? principal.customerId : '';
      const conditions = [
        query.kind ? Prisma.sql`t."kind" = ${query.kind}` : Prisma.sql`TRUE`,
        query.status ? Prisma.sql`t."status" = ${query.status}` : Prisma.sql`TRUE`,
        query.cursor ? Prisma.sql`(t."createdAt", t."id") < (${query.cursor.at.toISOString()}::timestamp(3), ${query.cursor.id})` : Prisma.sql`TRUE`,
      ];
      const rows = await deps.db.$queryRaw<Row[]>`
        SELECT * FROM (
          SELECT 'charge' AS "kind", p."id", p."orderId", p."lineId", p."kind" AS "purpose", p."period", p."amountCents", p."currency",
                 p."status", p."declineCode", NULL::text AS "paymentId", NULL::text AS "reason", p."createdAt"
          FROM "Payment" p JOIN "Order" o ON o."id" = p."orderId"
          WHERE o."customerId" = ${customerId}
          UNION ALL
          SELECT 'refund', r."id", p."orderId", r."lineId", p."kind", p."period", r."amountCents", r."currency",
                 'refunded', NULL, r."paymentId", r."reason", r."createdAt"
          FROM "Refund" r JOIN "Payment" p ON p."id" = r."paymentId" JOIN "Order" o ON o."id" = p."orderId"
          WHERE o."customerId" = ${customerId}
        ) t
        WHERE ${Prisma.join(conditions, ' AND ')}
        ORDER BY t."createdAt" DESC, t."id" DESC
        LIMIT ${query.limit + 1}`;
      return { status: 200, body: toPage('my-payments', rows, query.limit, (r) => ({ at: at(r), id: r.id }), view) };
    },
  });
}
