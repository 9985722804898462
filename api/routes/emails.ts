// ACC-1: a customer lists every e-mail sent to it; staff list the development mailbox.
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

export function registerEmailRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/customers/:customerId/emails',
    tag: 'customers',
    summary: 'Every e-mail sent to a customer, newest first (ACC-1)',
    allow: allow.anyOf(allow.customer, allow.staff('support')),
    params: z.object({ customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id') }),
    responses: { 200: { description: 'E-mails' } },
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
          text: e.text,
          status: e.status,
          createdAt: e.createdAt.toISOString(),
          sentAt: e.sentAt?.toISOString() ?? null,
        })),
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/mailbox',
    tag: 'development',
    summary: 'Messages received by the embedded SMTP server (development setup only)',
    allow: allow.staff('support'),
    query: z.object({ to: z.string().max(254).optional() }),
    responses: { 200: { description: 'Received messages, newest first' } },
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
