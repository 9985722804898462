// ACC-1: a customer lists every e-mail sent to it; support reads them with their secrets masked
// (X-6, api/visibility.ts); staff list the development mailbox.
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { emailTextFor } from '../visibility';
import { emailView, mailboxMessage } from '../response-schemas';
import { z } from '../zod';

export function registerEmailRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/customers/:customerId/emails',
    tag: 'customers',
    summary: 'Every e-mail sent to a customer, newest first (ACC-1); staff read them with sign-in links, codes and access instructions masked',
    allow: allow.anyOf(allow.customer, allow.staff('support')),
    params: z.object({ customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id') }),
    responses: { 200: { description: 'E-mails, newest first', schema: z.array(emailView) } },
    handler: async ({ principal, params }) => {
      if (principal.kind === 'customer' && principal.customerId !== params.customerId) {
        throw Problem.forbidden('these e-mails are not yours');
      }
      const emails = await deps.db.email.findMany({
        where: { customerId: params.customerId },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      });
      return {
        status: 200,
        body: emails.map((e) => ({
          id: e.id,
          to: e.toAddress,
          subject: e.subject,
          // The customer reads its e-mails whole; staff with each secret replaced by [hidden].
          text: emailTextFor(principal, e),
          status: e.status,
          createdAt: e.createdAt.toISOString(),
          sentAt: e.sentAt?.toISOString() ?? null,
        })),
      };
    },
  });

  // A development sink, not the outbox: what the embedded SMTP server (start.sh, npm run cluster,
  // the tests) received, unmasked. It answers only when the API runs that server
  // (`mailboxEnabled`); in production mail goes to SMTP_URL and this route is 404.
  routes.add({
    method: 'get',
    path: '/mailbox',
    tag: 'development',
    summary: 'Messages received by the embedded SMTP server (development setup only)',
    allow: allow.staff('support'),
    query: z.object({ to: z.string().max(254).optional() }),
    responses: { 200: { description: 'Received messages, newest first (at most 200)', schema: z.array(mailboxMessage) } },
    handler: async ({ query }) => {
      if (!deps.mailboxEnabled) throw Problem.notFound('no embedded mailbox: mail goes to SMTP_URL');
      const messages = await deps.db.mailboxMessage.findMany({
        where: query.to ? { toAddrs: { contains: query.to } } : {},
        orderBy: { id: 'desc' },
        take: 200,
      });
      return { status: 200, body: messages.map((m) => ({ ...m, receivedAt: m.receivedAt.toISOString() })) };
    },
  });
}
