// Staff find a customer by e-mail address: an exact match, whatever the case. Every address is
// stored trimmed and lower-cased (api/accounts.ts normalEmail, at checkout and sign-in), so the
// address asked for is normalized the same way and looked up on the unique index; no pattern
// matching (an ILIKE would read `_` and `%` in an address as wildcards).
import { normalEmail } from '../accounts';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, pageOf, toPage } from '../pagination';
import type { RouteTable } from '../route';
import { z } from '../zod';

export const customerItem = z
  .strictObject({
    customerId: z.string(),
    email: z.string(),
    name: z.string(),
    type: z.string(),
    /** When the customer first proved control of the address (a sign-in link); null: never. */
    verifiedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('CustomerListItem');
export const customerPage = pageOf(customerItem).openapi('CustomerPage');

export function registerCustomerListRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/customers',
    tag: 'customers',
    summary: 'Staff find a customer by e-mail address (required; exact match, case-insensitive): a list of at most one, newest first (created at, then id)',
    allow: allow.staff('ops', 'support', 'finance'),
    query: listQuery('customers', { email: z.string({ error: 'required: the e-mail address to look for' }).trim().min(3).max(254) }),
    responses: { 200: { description: 'The customers with this address (none or one)', schema: customerPage } },
    handler: async ({ query }) => {
      const rows = await deps.db.customer.findMany({
        where: { AND: [{ email: normalEmail(query.email) }, afterCursor(query.cursor, 'createdAt')] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const view = (c: (typeof rows)[number]) => ({
        customerId: c.id,
        email: c.email,
        name: c.name,
        type: c.type,
        verifiedAt: c.verifiedAt?.toISOString() ?? null,
        createdAt: c.createdAt.toISOString(),
      });
      return { status: 200, body: toPage('customers', rows, query.limit, (c) => ({ at: c.createdAt, id: c.id }), view) };
    },
  });
}
