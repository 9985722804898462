// POL-3: staff record that a customer is a verified charity or education institution, until a
// date; checkout and renewals then give it 20 % off the offers their sellers mark eligible
// (activities/customer-verifications.ts). The record holds a reference to the evidence (a registry
// number, a document id), never the document. Recorded by ops, read by staff and by the
// customer itself; every record is audited.
import { randomUUID } from 'node:crypto';
import type { CustomerVerification } from '@prisma/client';
import { writeAudit } from '../../activities/audit';
import { DISCOUNT_KINDS } from '../../domain/commercial-policy';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const iso = z.string().describe('ISO 8601, UTC');
const customerParams = z.object({ customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id') });

const recordBody = z
  .object({
    kind: z.enum(DISCOUNT_KINDS, { error: `must be one of: ${DISCOUNT_KINDS.join(', ')}` }),
    evidenceRef: z.string().trim().min(1, 'must not be empty').max(200).describe('A reference to the evidence (registry number, document id), never the document'),
    expiresAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO date-time, e.g. 2027-09-01T00:00:00Z' })
      .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
      .describe('The verification counts until then (excluded)'),
  })
  .strict();

const verificationShape = {
  verificationId: z.string(),
  customerId: z.string(),
  kind: z.enum(DISCOUNT_KINDS),
  evidenceRef: z.string(),
  expiresAt: iso.describe('The verification counts until then (excluded)'),
  createdAt: iso,
};
/** What the customer reads of its own verifications: not which staff member recorded them. */
const ownVerification = z.strictObject(verificationShape).openapi('OwnCustomerVerification');
// Not ownVerification.extend(): the document would state it as allOf a closed object, which no body matches.
const verification = z.strictObject({ ...verificationShape, recordedBy: z.string().describe('The staff member (audit actor) who recorded it') }).openapi('CustomerVerification');
const verificationPage = pageOf(verification).openapi('CustomerVerificationPage');
const ownVerificationPage = pageOf(ownVerification).openapi('OwnCustomerVerificationPage');

function viewOf(v: CustomerVerification): z.infer<typeof verification> {
  return {
    verificationId: v.id,
    customerId: v.customerId,
    kind: v.kind as (typeof DISCOUNT_KINDS)[number],
    evidenceRef: v.evidenceRef,
    expiresAt: v.expiresAt.toISOString(),
    createdAt: v.createdAt.toISOString(),
    recordedBy: v.recordedBy,
  };
}

function ownViewOf(v: CustomerVerification): z.infer<typeof ownVerification> {
  const { recordedBy: _hidden, ...own } = viewOf(v);
  return own;
}

const customerOf = (p: Principal) => (p.kind === 'customer' ? p.customerId : '');

export function registerCustomerVerificationRoutes(routes: RouteTable, deps: ApiDeps): void {
  async function pageFor<T>(list: string, customerId: string, q: { limit: number; cursor?: { at: Date; id: string } }, view: (v: CustomerVerification) => T) {
    const rows = await deps.db.customerVerification.findMany({
      where: { AND: [{ customerId }, afterCursor(q.cursor, 'createdAt')] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    return toPage(list, rows, q.limit, (v) => ({ at: v.createdAt, id: v.id }), view);
  }

  routes.add({
    method: 'post',
    path: '/staff/customers/:customerId/verifications',
    tag: 'customers',
    summary: 'Record that a customer is a verified charity or education institution until expiresAt (POL-3): it then gets 20 % off eligible offers',
    allow: allow.staff('ops'),
    params: customerParams,
    body: recordBody,
    responses: {
      201: { description: 'The verification, recorded', schema: verification },
      404: { description: 'No such customer' },
    },
    handler: async ({ principal, params, body }) => {
      const actor = actorOf(principal);
      const recorded = await deps.db.$transaction(async (tx) => {
        const customer = await tx.customer.findUnique({ where: { id: params.customerId }, select: { id: true } });
        if (!customer) throw Problem.notFound(`no customer ${params.customerId}`);
        const v = await tx.customerVerification.create({
          data: { id: `cver_${randomUUID()}`, customerId: customer.id, kind: body.kind, evidenceRef: body.evidenceRef, expiresAt: new Date(body.expiresAt), recordedBy: actor, createdAt: new Date() },
        });
        await writeAudit(tx, {
          key: `customer-verification:${v.id}:recorded`, at: v.createdAt.toISOString(), actor, action: 'customer.verified', entityType: 'customer', entityId: customer.id,
          data: { verificationId: v.id, kind: v.kind, evidenceRef: v.evidenceRef, expiresAt: v.expiresAt.toISOString() },
        });
        return v;
      });
      return { status: 201, body: viewOf(recorded) };
    },
  });

  routes.add({
    method: 'get',
    path: '/staff/customers/:customerId/verifications',
    tag: 'customers',
    summary: "A customer's charity and education verifications (POL-3), expired ones included, newest first",
    allow: allow.staff('ops', 'support', 'finance'),
    params: customerParams,
    query: listQuery('customer-verifications', {}),
    responses: { 200: { description: 'A page of verifications', schema: verificationPage }, 404: { description: 'No such customer' } },
    handler: async ({ params, query }) => {
      const customer = await deps.db.customer.findUnique({ where: { id: params.customerId }, select: { id: true } });
      if (!customer) throw Problem.notFound(`no customer ${params.customerId}`);
      return { status: 200, body: await pageFor('customer-verifications', customer.id, query, viewOf) };
    },
  });

  routes.add({
    method: 'get',
    path: '/account/verifications',
    tag: 'customers',
    summary: 'Your charity and education verifications (POL-3), expired ones included, newest first',
    allow: allow.customer,
    query: listQuery('my-verifications', {}),
    responses: { 200: { description: 'A page of your verifications', schema: ownVerificationPage } },
    handler: async ({ principal, query }) => ({ status: 200, body: await pageFor('my-verifications', customerOf(principal), query, ownViewOf) }),
  });
}
