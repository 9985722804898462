// Subscriptions listed from their read model (the Subscription table, SUB-13): a customer's own
// (ACC-2) and a seller's own. The live state of one is GET /subscriptions/{id}.
import type { Subscription } from '@prisma/client';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage, type CursorPosition } from '../pagination';
import type { RouteTable } from '../route';
import { z } from '../zod';

const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'terminated'] as const;

const subscriptionFields = {
  subscriptionId: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  sellerId: z.string(),
  offerId: z.string(),
  name: z.string(),
  status: z.string().openapi({ description: SUBSCRIPTION_STATUSES.join(' | ') }),
  renewalMode: z.string(),
  nextDueAt: z.string().nullable(),
  paidPeriods: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
};
/** A seller's view: no card details, which are the customer's (least privilege). */
export const sellerSubscriptionItem = z.strictObject(subscriptionFields).openapi('SellerSubscriptionListItem');
export const customerSubscriptionItem = z.strictObject({ ...subscriptionFields, cardLast4: z.string() }).openapi('SubscriptionListItem');
export const customerSubscriptionPage = pageOf(customerSubscriptionItem).openapi('SubscriptionPage');
export const sellerSubscriptionPage = pageOf(sellerSubscriptionItem).openapi('SellerSubscriptionPage');

const ORDER = 'newest first (started at, then id)';

async function subscriptionRows(deps: ApiDeps, owner: { customerId: string } | { sellerId: string }, q: { status?: string; limit: number; cursor?: CursorPosition }) {
  const rows = await deps.db.subscription.findMany({
    where: { AND: [owner, q.status ? { status: q.status } : {}, afterCursor(q.cursor, 'startedAt')] },
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  // The offer's name as ordered, from the line the subscription is (same id).
  const lines = await deps.db.orderLine.findMany({ where: { id: { in: rows.map((s) => s.id) } }, select: { id: true, name: true } });
  const names = new Map(lines.map((l) => [l.id, l.name]));
  return { rows, nameOf: (s: Subscription) => names.get(s.id) ?? s.offerId };
}

function view(s: Subscription, name: string): z.infer<typeof sellerSubscriptionItem> {
  return {
    subscriptionId: s.id,
    orderId: s.orderId,
    customerId: s.customerId,
    sellerId: s.sellerId,
    offerId: s.offerId,
    name,
    status: s.status,
    renewalMode: s.renewalMode,
    nextDueAt: s.nextDueAt?.toISOString() ?? null,
    paidPeriods: s.paidPeriods,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    endReason: s.endReason,
  };
}

const keyOf = (s: Subscription) => ({ at: s.startedAt, id: s.id });

export function registerSubscriptionListRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/me/subscriptions',
    tag: 'account',
    summary: `The calling customer's own subscriptions, ${ORDER}, filterable by status (ACC-2, X-6)`,
    allow: allow.customer,
    query: listQuery('my-subscriptions', { status: oneOf(SUBSCRIPTION_STATUSES) }),
    responses: { 200: { description: 'A page of subscriptions', schema: customerSubscriptionPage } },
    handler: async ({ principal, query }) => {
      const customerId = principal.kind === 'customer' ? principal.customerId : '';
      const { rows, nameOf } = await subscriptionRows(deps, { customerId }, query);
      return { status: 200, body: toPage('my-subscriptions', rows, query.limit, keyOf, (s) => ({ ...view(s, nameOf(s)), cardLast4: s.cardLast4 })) };
    },
  });

  routes.add({
    method: 'get',
    path: '/seller/subscriptions',
    tag: 'sellers',
    summary: `The calling seller's own subscriptions, ${ORDER}, filterable by status (X-6)`,
    allow: allow.seller,
    query: listQuery('seller-subscriptions', { status: oneOf(SUBSCRIPTION_STATUSES) }),
    responses: { 200: { description: 'A page of subscriptions', schema: sellerSubscriptionPage } },
    handler: async ({ principal, query }) => {
      const sellerId = principal.kind === 'seller' ? principal.sellerId : '';
      const { rows, nameOf } = await subscriptionRows(deps, { sellerId }, query);
      return { status: 200, body: toPage('seller-subscriptions', rows, query.limit, keyOf, (s) => view(s, nameOf(s))) };
    },
  });
}
