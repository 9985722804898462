// A customer's support (POL-5, DIA-5): the tier of each service with its quota for the current
// subscription year and its named contacts, managed by the customer; and the bar on a customer
// who contested a support invoice, with its cause. Lists of tickets: the customer's own, all
// for support staff, a seller's support tickets on its offers.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { SUPPORT_TIERS, isSupportTier, subscriptionYear } from '../../domain/support';
import { businessTimeZone } from '../../domain/time-format';
import { supportConfig } from '../../infra/config';
import { allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage, type CursorPosition } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { listItemOf, ticketListItem } from '../ticket-view';
import { supportBarOf } from '../ticket-opening';
import { z } from '../zod';

const subscriptionParams = z.object({ subscriptionId: z.string().regex(/^lin_[A-Za-z0-9_-]{1,80}$/, 'must be a lin_… id') });
const contactView = z.strictObject({ contactId: z.string(), name: z.string(), email: z.string(), createdAt: z.string() }).openapi('SupportContact');
const barView = z
  .strictObject({
    cause: z.enum(['contested', 'unpaid']),
    rule: z.string(),
    at: z.string(),
    ticketId: z.string(),
    invoiceId: z.string(),
    invoiceNumber: z.string(),
    creditNoteId: z.string(),
    creditNoteNumber: z.string(),
  })
  .openapi('SupportBar');
const customerSupport = z.strictObject({ customerId: z.string(), barred: z.boolean(), bar: barView.nullable() }).openapi('CustomerSupport');
const serviceSupport = z
  .strictObject({
    subscriptionId: z.string(),
    tier: z.enum(SUPPORT_TIERS),
    hours: z.enum(['business_hours', 'always']),
    firstResponseHours: z.number(),
    contactsAllowed: z.number().int(),
    contacts: z.array(contactView),
    quota: z.strictObject({ limit: z.number().int().nullable(), used: z.number().int(), remaining: z.number().int().nullable(), yearFrom: z.string(), yearUntil: z.string() }),
    barred: z.boolean(),
    bar: barView.nullable(),
  })
  .openapi('ServiceSupport');
const TICKET_STATUSES = ['awaiting_consent', 'diagnosing', 'quote_pending', 'work_in_progress', 'awaiting_payment', 'awaiting_support', 'awaiting_customer', 'paid', 'contested', 'closed'] as const;
const ticketFilters = { status: oneOf(TICKET_STATUSES), kind: oneOf(['incident', 'support'] as const) };
const ticketPage = pageOf(ticketListItem).openapi('TicketPage');

export function registerSupportRoutes(routes: RouteTable, deps: ApiDeps): void {
  /** The subscription, if the caller may see its support: its customer (to manage it) or support and ops staff. */
  async function subscriptionOf(id: string, principal: Principal, manage: boolean) {
    const sub = await deps.db.subscription.findUnique({ where: { id } });
    if (!sub) throw Problem.notFound(`no subscription ${id}`);
    const owner = principal.kind === 'customer' && principal.customerId === sub.customerId;
    if (!owner && (manage || !allow.staff('support', 'ops')(principal))) throw Problem.forbidden('this subscription is not yours');
    return sub;
  }
  async function tierOf(offerId: string) {
    const offer = await deps.db.offer.findUniqueOrThrow({ where: { id: offerId }, select: { supportTier: true } });
    return supportConfig().tiers[isSupportTier(offer.supportTier) ? offer.supportTier : 'basic'];
  }
  const contacts = (subscriptionId: string) => deps.db.supportContact.findMany({ where: { subscriptionId, removedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const contactOf = (c: { id: string; name: string; email: string; createdAt: Date }) => ({ contactId: c.id, name: c.name, email: c.email, createdAt: c.createdAt.toISOString() });

  routes.add({
    method: 'get',
    path: '/subscriptions/:subscriptionId/support',
    tag: 'support',
    summary: "A service's support (POL-5): its tier, hours and first-response target, the named contacts, the quota of the current subscription year (it resets on each anniversary), and the customer's bar if any (DIA-5)",
    allow: allow.anyOf(allow.customer, allow.staff('support', 'ops')),
    params: subscriptionParams,
    responses: { 200: { description: 'The support of this service', schema: serviceSupport } },
    handler: async ({ principal, params }) => {
      const sub = await subscriptionOf(params.subscriptionId, principal, false);
      const policy = await tierOf(sub.offerId);
      const year = subscriptionYear(sub.startedAt.toISOString(), new Date().toISOString(), businessTimeZone());
      const [list, used, bar] = await Promise.all([
        contacts(sub.id),
        deps.db.ticket.count({ where: { subscriptionId: sub.id, openedAt: { gte: new Date(year.from) } } }),
        supportBarOf(deps, sub.customerId),
      ]);
      const limit = policy.ticketsPerYear;
      return {
        status: 200,
        body: {
          subscriptionId: sub.id,
          tier: policy.tier,
          hours: policy.hours,
          firstResponseHours: policy.firstResponseHours,
          contactsAllowed: policy.contacts,
          contacts: list.map(contactOf),
          quota: { limit, used, remaining: limit === null ? null : Math.max(0, limit - used), yearFrom: year.from, yearUntil: year.until },
          barred: bar !== null,
          bar,
        },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/subscriptions/:subscriptionId/support-contacts',
    tag: 'support',
    summary: "Name a support contact of this service (POL-5): only named contacts open tickets, as many as the tier allows (basic 1, standard 3, premium 5)",
    allow: allow.customer,
    params: subscriptionParams,
    body: z.object({ name: z.string().trim().min(1).max(200), email: z.email().max(254) }).strict(),
    responses: {
      201: { description: 'The contact', schema: contactView },
      403: { description: 'Not your subscription' },
      422: { description: "The tier's contacts are all named (POL-5)" },
    },
    handler: async ({ principal, params, body }) => {
      const sub = await subscriptionOf(params.subscriptionId, principal, true);
      const policy = await tierOf(sub.offerId);
      const created = await deps.db.$transaction(async (tx) => {
        // One customer's contact changes one at a time: the count stays within the tier.
        await tx.$queryRaw`SELECT "id" FROM "Customer" WHERE "id" = ${sub.customerId} FOR UPDATE`;
        const named = await tx.supportContact.count({ where: { subscriptionId: sub.id, removedAt: null } });
        if (named >= policy.contacts) {
          throw Problem.unprocessable('support-contacts', 'Support contacts all named', `the ${policy.tier} tier allows ${policy.contacts} named contact(s): remove one first (POL-5)`, {
            reason: 'ContactsExhausted',
            rule: 'POL-5',
            limit: policy.contacts,
          });
        }
        return tx.supportContact.create({ data: { id: `con_${randomUUID()}`, customerId: sub.customerId, subscriptionId: sub.id, name: body.name, email: body.email } });
      });
      return { status: 201, body: contactOf(created) };
    },
  });

  routes.add({
    method: 'post',
    path: '/subscriptions/:subscriptionId/support-contacts/:contactId/remove',
    tag: 'support',
    summary: 'Remove a named support contact (POL-5): its tickets stay, it opens no more',
    allow: allow.customer,
    params: subscriptionParams.extend({ contactId: z.string().regex(/^con_[A-Za-z0-9-]{1,80}$/, 'must be a con_… id') }),
    body: z.object({}).strict(),
    responses: { 200: { description: 'The contacts left', schema: z.strictObject({ contacts: z.array(contactView) }) } },
    handler: async ({ principal, params }) => {
      const sub = await subscriptionOf(params.subscriptionId, principal, true);
      const removed = await deps.db.supportContact.updateMany({ where: { id: params.contactId, subscriptionId: sub.id, removedAt: null }, data: { removedAt: new Date() } });
      if (removed.count === 0) throw Problem.notFound(`no named contact ${params.contactId} on this subscription`);
      return { status: 200, body: { contacts: (await contacts(sub.id)).map(contactOf) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/me/support',
    tag: 'support',
    summary: 'Whether you have support (DIA-5): a contested or unpaid support invoice bars you from all support for good, with its cause',
    allow: allow.customer,
    responses: { 200: { description: 'Your support', schema: customerSupport } },
    handler: async ({ principal }) => {
      const customerId = principal.kind === 'customer' ? principal.customerId : '';
      const bar = await supportBarOf(deps, customerId);
      return { status: 200, body: { customerId, barred: bar !== null, bar } };
    },
  });

  routes.add({
    method: 'get',
    path: '/customers/:customerId/support',
    tag: 'support',
    summary: "A customer's support bar and its cause (DIA-5), for support, ops and finance staff",
    allow: allow.staff('support', 'ops', 'finance'),
    params: z.object({ customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id') }),
    responses: { 200: { description: "The customer's support", schema: customerSupport } },
    handler: async ({ params }) => {
      const customer = await deps.db.customer.findUnique({ where: { id: params.customerId }, select: { id: true } });
      if (!customer) throw Problem.notFound(`no customer ${params.customerId}`);
      const bar = await supportBarOf(deps, customer.id);
      return { status: 200, body: { customerId: customer.id, barred: bar !== null, bar } };
    },
  });

  async function ticketPageOf(list: string, owner: Prisma.TicketWhereInput, q: { status?: string; kind?: string; limit: number; cursor?: CursorPosition }) {
    const rows = await deps.db.ticket.findMany({
      where: { AND: [owner, q.status ? { status: q.status } : {}, q.kind ? { kind: q.kind } : {}, afterCursor(q.cursor, 'openedAt')] },
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    return toPage(list, rows, q.limit, (t) => ({ at: t.openedAt, id: t.id }), listItemOf);
  }

  routes.add({
    method: 'get',
    path: '/me/tickets',
    tag: 'tickets',
    summary: 'Your tickets, newest first, filterable by status and kind (DIA-8)',
    allow: allow.customer,
    query: listQuery('my-tickets', ticketFilters),
    responses: { 200: { description: 'A page of tickets', schema: ticketPage } },
    handler: async ({ principal, query }) => ({ status: 200, body: await ticketPageOf('my-tickets', { customerId: principal.kind === 'customer' ? principal.customerId : '' }, query) }),
  });

  routes.add({
    method: 'get',
    path: '/ops/tickets',
    tag: 'tickets',
    summary: 'Every ticket, newest first, filterable by status and kind (DIA-8): the work queue of support staff',
    allow: allow.staff('support', 'ops'),
    query: listQuery('ops-tickets', ticketFilters),
    responses: { 200: { description: 'A page of tickets', schema: ticketPage } },
    handler: async ({ query }) => ({ status: 200, body: await ticketPageOf('ops-tickets', {}, query) }),
  });

  routes.add({
    method: 'get',
    path: '/seller/tickets',
    tag: 'sellers',
    summary: "The support tickets on the calling seller's offers, newest first (X-6: incidents are the marketplace's)",
    allow: allow.seller,
    query: listQuery('seller-tickets', { status: ticketFilters.status }),
    responses: { 200: { description: 'A page of tickets', schema: ticketPage } },
    handler: async ({ principal, query }) => ({
      status: 200,
      body: await ticketPageOf('seller-tickets', { sellerId: principal.kind === 'seller' ? principal.sellerId : '', kind: 'support' }, query),
    }),
  });
}
