// Order lines listed: a seller's own and, for staff, every line by any status (ORD-7: the
// overdue ones, but every other status too). Read from the OrderLine table, newest order first.
import type { Prisma } from '@prisma/client';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage, type CursorPosition } from '../pagination';
import type { RouteTable } from '../route';
import { lineView } from './orders';
import { lineTermsShape } from '../response-schemas';
import { z } from '../zod';

/** Every status an OrderLine row takes (checkout, payment, the seller's decision, its subscription's end). */
export const LINE_STATUSES = ['awaiting_payment', 'payment_failed', 'awaiting_validation', 'overdue', 'active', 'refused', 'cancelled', 'terminated'] as const;
/** A seller's lines: from the moment they are paid and with it; an unpaid order was never the seller's business. */
export const SELLER_LINE_STATUSES = ['awaiting_validation', 'overdue', 'active', 'refused', 'cancelled', 'terminated'] as const;

export const lineItem = z
  .strictObject({
    lineId: z.string(),
    orderId: z.string(),
    orderNumber: z.string(),
    /** When its order was placed: the list's sort key. */
    orderedAt: z.string(),
    offerId: z.string(),
    sellerId: z.string(),
    name: z.string(),
    status: z.string(),
    totalCents: z.number().int(),
    validationDueAt: z.string().nullable(),
    ...lineTermsShape,
  })
  .openapi('LineListItem');
export const linePage = pageOf(lineItem).openapi('LinePage');

type LineRow = Prisma.OrderLineGetPayload<{ include: { order: { select: { number: true; createdAt: true } } } }>;

function lineListItem(l: LineRow): z.infer<typeof lineItem> {
  return { ...lineView(l), orderId: l.orderId, orderNumber: l.order.number, orderedAt: l.order.createdAt.toISOString() };
}

async function linePageOf(deps: ApiDeps, list: string, where: Prisma.OrderLineWhereInput, q: { limit: number; cursor?: CursorPosition }) {
  const rows = await deps.db.orderLine.findMany({
    where: { AND: [where, afterCursor(q.cursor, 'createdAt', (c) => ({ order: c }))] },
    include: { order: { select: { number: true, createdAt: true } } },
    orderBy: [{ order: { createdAt: 'desc' } }, { id: 'desc' }],
    take: q.limit + 1,
  });
  return toPage(list, rows, q.limit, (l) => ({ at: l.order.createdAt, id: l.id }), lineListItem);
}

const ORDER = "newest first (its order's created at, then the line id)";

export function registerLineListRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/ops/lines',
    tag: 'ops',
    summary: `Every line for staff, ${ORDER}; filter by any status, e.g. status=overdue (ORD-7); without a filter, all lines`,
    allow: allow.staff('ops', 'support'),
    query: listQuery('ops-lines', { status: oneOf(LINE_STATUSES) }),
    responses: { 200: { description: 'A page of lines', schema: linePage } },
    handler: async ({ query }) => ({ status: 200, body: await linePageOf(deps, 'ops-lines', query.status ? { status: query.status } : {}, query) }),
  });

  routes.add({
    method: 'get',
    path: '/seller/lines',
    tag: 'sellers',
    summary: `The calling seller's own lines, ${ORDER}, filterable by status (X-6)`,
    allow: allow.seller,
    query: listQuery('seller-lines', { status: oneOf(SELLER_LINE_STATUSES) }),
    responses: { 200: { description: 'A page of lines', schema: linePage } },
    handler: async ({ principal, query }) => {
      const sellerId = principal.kind === 'seller' ? principal.sellerId : '';
      const status = query.status ?? { in: [...SELLER_LINE_STATUSES] };
      return { status: 200, body: await linePageOf(deps, 'seller-lines', { sellerId, status }, query) };
    },
  });
}
