// A customer's own orders (ACC-2), and an order found by its number for staff. Read from the
// Order table (the read model), never from Temporal visibility.
import type { Prisma } from '@prisma/client';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { lineTerms, lineTermsShape } from '../response-schemas';
import { z } from '../zod';

const ORDER_STATUSES = ['payment_pending', 'paid', 'payment_failed'] as const;

export const orderSummary = z
  .strictObject({
    orderId: z.string(),
    number: z.string(),
    /** Null only for a declined anonymous checkout of a new address (no account was created, X-8). */
    customerId: z.string().nullable(),
    status: z.string().openapi({ description: ORDER_STATUSES.join(' | ') }),
    createdAt: z.string(),
    paidAt: z.string().nullable(),
    currency: z.string(),
    totalExclVatCents: z.number().int(),
    totalVatCents: z.number().int(),
    totalCents: z.number().int(),
    failure: z.strictObject({ code: z.string(), message: z.string().nullable() }).nullable(),
    lines: z.array(
      z.strictObject({ lineId: z.string(), offerId: z.string(), sellerId: z.string(), name: z.string(), status: z.string(), totalCents: z.number().int(), ...lineTermsShape }),
    ),
    /** The order with its timeline (GET /orders/{orderId}). */
    href: z.string(),
  })
  .openapi('OrderSummary');

type OrderWithLines = Prisma.OrderGetPayload<{ include: { lines: true } }>;

function orderView(o: OrderWithLines): z.infer<typeof orderSummary> {
  return {
    orderId: o.id,
    number: o.number,
    customerId: o.customerId,
    status: o.status,
    createdAt: o.createdAt.toISOString(),
    paidAt: o.paidAt?.toISOString() ?? null,
    currency: o.currency,
    totalExclVatCents: o.totalExclVatCents,
    totalVatCents: o.totalVatCents,
    totalCents: o.totalCents,
    failure: o.failureCode ? { code: o.failureCode, message: o.failureMessage } : null,
    lines: o.lines.map((l) => ({ lineId: l.id, offerId: l.offerId, sellerId: l.sellerId, name: l.name, status: l.status, totalCents: l.totalCents, ...lineTerms(l) })),
    href: `/orders/${o.id}`,
  };
}

export const orderPage = pageOf(orderSummary).openapi('OrderPage');
const ordersQuery = listQuery('orders', { status: oneOf(ORDER_STATUSES) });

export function registerOrderListRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/me/orders',
    tag: 'account',
    summary: "The calling customer's own orders, newest first (created at, then id), filterable by status (ACC-2, X-6)",
    allow: allow.customer,
    query: ordersQuery,
    responses: { 200: { description: 'A page of orders', schema: orderPage } },
    handler: async ({ principal, query }) => {
      const customerId = principal.kind === 'customer' ? principal.customerId : '';
      const rows = await deps.db.order.findMany({
        where: { AND: [{ customerId }, query.status ? { status: query.status } : {}, afterCursor(query.cursor, 'createdAt')] },
        include: { lines: { orderBy: { position: 'asc' } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return { status: 200, body: toPage('orders', rows, query.limit, (o) => ({ at: o.createdAt, id: o.id }), orderView) };
    },
  });

  routes.add({
    method: 'get',
    path: '/orders/by-number/:number',
    tag: 'orders',
    summary: 'Staff find an order by its number (O-2026-000001): its summary, with the href of its full view',
    allow: allow.staff('ops', 'support', 'finance'),
    params: z.object({
      number: z
        .string()
        .regex(/^O-\d{4}-\d{6,12}$/i, 'must be an order number like O-2026-000001')
        .transform((n) => n.toUpperCase()),
    }),
    responses: { 200: { description: 'The order', schema: orderSummary }, 404: { description: 'No order has this number' } },
    handler: async ({ params }) => {
      const order = await deps.db.order.findUnique({ where: { number: params.number }, include: { lines: { orderBy: { position: 'asc' } } } });
      if (!order) throw Problem.notFound(`no order ${params.number}`);
      return { status: 200, body: orderView(order) };
    },
  });
}
