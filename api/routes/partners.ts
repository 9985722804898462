// PRT-1: a registered company's customer account applies to be a partner (company, registration
// number, website, legal representatives); ops approve or refuse it. An affiliate account cannot
// apply (Customer.affiliate), and no route sets that flag, so an approved partner never becomes an
// affiliate. A refused application may be made again (house rule): the same row, pending anew.
import { randomBytes } from 'node:crypto';
import type { Partner, Prisma } from '@prisma/client';
import { writeAudit } from '../../activities/audit';
import { PARTNER_STATUSES } from '../../domain/partnership';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const ops = allow.staff('ops');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const partnerParams = z.object({ partnerId: z.string().regex(/^prt_[0-9a-f]{8,64}$/, 'must be a prt_… id') });

export const partnerView = z
  .strictObject({
    partnerId: z.string(),
    customerId: z.string(),
    status: z.enum(PARTNER_STATUSES),
    companyName: z.string(),
    registrationNumber: z.string(),
    website: z.string(),
    legalRepresentatives: z.array(z.strictObject({ name: z.string(), email: z.string() })),
    appliedAt: z.string(),
    decidedAt: z.string().nullable(),
    refusalReason: z.string().nullable(),
  })
  .openapi('Partner');
const partnerPage = pageOf(partnerView).openapi('PartnerPage');

const applyBody = z.strictObject({
  companyName: text(200),
  registrationNumber: text(50),
  website: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(500),
  legalRepresentatives: z.array(z.strictObject({ name: text(200), email: z.email().max(254) })).min(1, 'at least one legal representative').max(10),
});

function viewOf(p: Partner): z.infer<typeof partnerView> {
  return {
    partnerId: p.id, customerId: p.customerId, status: p.status as (typeof PARTNER_STATUSES)[number], companyName: p.companyName, registrationNumber: p.registrationNumber, website: p.website,
    legalRepresentatives: p.legalRepresentatives as { name: string; email: string }[], appliedAt: p.appliedAt.toISOString(), decidedAt: p.decidedAt?.toISOString() ?? null, refusalReason: p.refusalReason,
  };
}

const refused = (slug: string, title: string, detail: string, field = 'customer') => Problem.unprocessable(slug, title, detail, { errors: [{ field, message: detail }] });
const customerOf = (p: Principal) => (p.kind === 'customer' ? p.customerId : '');
const audit = (tx: Prisma.TransactionClient, p: Partner, event: string, actor: string, at: Date, data: Record<string, unknown> = {}) =>
  writeAudit(tx, { key: `partner:${p.id}:${event}:${at.toISOString()}`, at: at.toISOString(), actor, action: `partner.${event}`, entityType: 'partner', entityId: p.id, data: { customerId: p.customerId, ...data } });

export function registerPartnerRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'post',
    path: '/partner/application',
    tag: 'partners',
    summary: 'Apply as a partner (PRT-1): a business account, with its registration number, website and legal representatives (who alone invite customers). Refused for an affiliate account or one that applied already',
    allow: allow.customer,
    body: applyBody,
    responses: {
      201: { description: 'The application, pending until ops decide', schema: partnerView },
      422: { description: 'PRT-1: the account is an affiliate, not a business, closed, or has applied already' },
    },
    handler: async ({ principal, body }) => {
      const customerId = customerOf(principal);
      const at = new Date();
      const partner = await deps.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" = ${customerId} FOR UPDATE`;
        const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId } });
        if (customer.closedAt) throw refused('account-closed', 'Account closed', 'this account is closed (ACC-3)');
        if (customer.affiliate) throw refused('affiliate-cannot-be-partner', 'An affiliate cannot be a partner', 'this account is an affiliate: an account cannot be both partner and affiliate (PRT-1)');
        if (customer.type !== 'business') throw refused('not-a-company', 'Not a company', 'a partner is a registered company: this account is not a business account (PRT-1)');
        const existing = await tx.partner.findUnique({ where: { customerId } });
        if (existing && existing.status !== 'refused') throw refused('already-applied', 'Already applied', `this account applied already: partner ${existing.id} is ${existing.status} (PRT-1)`);
        const data = {
          companyName: body.companyName, registrationNumber: body.registrationNumber, website: body.website, legalRepresentatives: body.legalRepresentatives,
          status: 'pending', appliedAt: at, decidedAt: null, decidedBy: null, refusalReason: null,
        };
        const p = existing
          ? await tx.partner.update({ where: { id: existing.id }, data })
          : await tx.partner.create({ data: { id: `prt_${randomBytes(12).toString('hex')}`, customerId, ...data } });
        await audit(tx, p, 'applied', actorOf(principal), at, { registrationNumber: p.registrationNumber });
        return p;
      });
      return { status: 201, body: viewOf(partner) };
    },
  });

  routes.add({
    method: 'get',
    path: '/partner/application',
    tag: 'partners',
    summary: "The caller's partner application and its status (PRT-1)",
    allow: allow.customer,
    responses: { 200: { description: 'The application', schema: partnerView }, 404: { description: 'This account has not applied' } },
    handler: async ({ principal }) => {
      const p = await deps.db.partner.findUnique({ where: { customerId: customerOf(principal) } });
      if (!p) throw Problem.notFound('this account has not applied to be a partner');
      return { status: 200, body: viewOf(p) };
    },
  });

  routes.add({
    method: 'get',
    path: '/staff/partners',
    tag: 'partners',
    summary: 'Partner applications and partners, newest application first, filterable by status (PRT-1): ops',
    allow: ops,
    query: listQuery('staff-partners', { status: oneOf(PARTNER_STATUSES) }),
    responses: { 200: { description: 'A page of partners', schema: partnerPage } },
    handler: async ({ query }) => {
      const rows = await deps.db.partner.findMany({
        where: { AND: [query.status ? { status: query.status } : {}, afterCursor(query.cursor, 'appliedAt')] },
        orderBy: [{ appliedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return { status: 200, body: toPage('staff-partners', rows, query.limit, (r) => ({ at: r.appliedAt, id: r.id }), viewOf) };
    },
  });

  const decide = (path: 'approve' | 'refuse', summary: string, body: z.ZodObject<z.ZodRawShape>) =>
    routes.add({
      method: 'post',
      path: `/staff/partners/:partnerId/${path}`,
      tag: 'partners',
      summary,
      allow: ops,
      params: partnerParams,
      body,
      responses: {
        200: { description: 'The partner after the decision', schema: partnerView },
        404: { description: 'No such partner' },
        409: { description: 'The application is decided already' },
        422: { description: 'PRT-1: the account became an affiliate meanwhile' },
      },
      handler: async ({ principal, params, body: b }) => {
        const at = new Date();
        const partner = await deps.db.$transaction(async (tx) => {
          const p = await tx.partner.findUnique({ where: { id: params.partnerId } });
          if (!p) throw Problem.notFound(`no partner ${params.partnerId}`);
          await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" = ${p.customerId} FOR UPDATE`;
          if (p.status !== 'pending') throw Problem.conflict(`partner ${p.id} is ${p.status} already`, { reason: 'AlreadyDecided' });
          const customer = await tx.customer.findUniqueOrThrow({ where: { id: p.customerId } });
          if (path === 'approve' && customer.affiliate) throw refused('affiliate-cannot-be-partner', 'An affiliate cannot be a partner', 'this account is an affiliate: an account cannot be both partner and affiliate (PRT-1)');
          const reason = path === 'refuse' ? (b as { reason: string }).reason : null;
          const decided = await tx.partner.update({ where: { id: p.id }, data: { status: path === 'approve' ? 'approved' : 'refused', decidedAt: at, decidedBy: actorOf(principal), refusalReason: reason } });
          await audit(tx, decided, path === 'approve' ? 'approved' : 'refused', actorOf(principal), at, { reason });
          return decided;
        });
        return { status: 200, body: viewOf(partner) };
      },
    });
  decide('approve', 'Approve a pending partner application (PRT-1): the account may then invite customers and act for them under a partnership', z.strictObject({}));
  decide('refuse', 'Refuse a pending partner application with a reason (PRT-1); the company may apply again', z.strictObject({ reason: text(2_000) }));
}
