// PRT-2, PRT-3, PRT-5, PRT-7: partnerships between a customer and an approved partner, both sides
// on the same routes (the side is the caller's: the customer's account or the partner's). An
// invitation starts the Partnership workflow; each answer or change is an Update to it; the row is
// the read model answered. PRT-3 is checked here for a quick answer naming the partnership in the
// way, and again under the customer's row lock where the grant is written (activities/partnerships.ts).
// PRT-7: request, confirm, then the e-mailed code, checked here against its hash: the workflow is
// given the code's id once it was found right, never the code.
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowUpdateHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Partner, Partnership } from '@prisma/client';
import { endCodeHash } from '../../activities/partnerships';
import { accessConflict, ACCESS_TYPES, type AccessConflict, END_CODE_MAX_ATTEMPTS, END_CODE_PURPOSE, invitationDeadlines, normalGrant, PARTNERSHIP_STATUSES, partnershipWorkflowId, PAYERS, type Access, type Grant, type PartnershipStatus, type Side } from '../../domain/partnership';
import { sameSecret } from '../../infra/hmac';
import { BusinessStatusKey, CustomerIdKey } from '../../workflows/search-attributes';
import {
  acceptInvitationUpdate,
  changePartnershipUpdate,
  confirmEndUpdate,
  endWithCodeUpdate,
  partnershipStateQuery,
  partnershipSummary,
  partnershipWorkflow,
  refuseInvitationUpdate,
  requestEndUpdate,
  resendInvitationUpdate,
  withdrawInvitationUpdate,
  type PartnershipState,
} from '../../workflows/partnership';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { approvedPartnerOf } from '../partner-principal';
import { Problem } from '../problem';
import { pendingCommand } from '../response-schemas';
import type { RouteTable } from '../route';
import { pendingAnswer, runUpdate } from '../temporal-errors';
import { z } from '../zod';

const params = z.object({ partnershipId: z.string().regex(/^psh_[0-9a-f]{24}$/, 'must be a psh_… id') });
const productIds = z.array(z.string().trim().min(1).max(100)).max(50);
const grantShape = { access: z.enum(ACCESS_TYPES), productIds: productIds.optional().describe('limited: the products (offer productId) the partner manages; complete: none') };
const needsProducts = (b: { access?: Access; productIds?: string[] }, ctx: z.RefinementCtx) => {
  if (b.access === 'limited' && !b.productIds?.length) ctx.addIssue({ code: 'custom', path: ['productIds'], message: 'limited access needs at least one product (PRT-3)' });
  if (b.access === 'complete' && b.productIds?.length) ctx.addIssue({ code: 'custom', path: ['productIds'], message: 'complete access covers every product: give none' });
};

const inviteCustomerBody = z
  .strictObject({
    customerEmail: z.email().max(254).optional(),
    customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id').optional(),
    representativeEmail: z.email().max(254).describe('The legal representative of the partner who invites (PRT-2): one of those of its application'),
    ...grantShape,
  })
  .superRefine((b, ctx) => {
    if (!b.customerEmail === !b.customerId) ctx.addIssue({ code: 'custom', path: ['customerEmail'], message: 'give the customer by customerEmail or by customerId (one of them)' });
    needsProducts(b, ctx);
  });
const invitePartnerBody = z.strictObject({ partnerId: z.string().regex(/^prt_[0-9a-f]{8,64}$/, 'must be a prt_… id'), ...grantShape }).superRefine(needsProducts);
const acceptBody = z
  .strictObject({ access: z.enum(ACCESS_TYPES).optional(), productIds: productIds.optional() })
  .superRefine((b, ctx) => {
    if (b.productIds && !b.access) ctx.addIssue({ code: 'custom', path: ['access'], message: 'required with productIds' });
    needsProducts(b, ctx);
  })
  .describe('The customer may grant other access or products than requested (PRT-2); empty: as requested');
const changeBody = z
  .strictObject({ access: z.enum(ACCESS_TYPES).optional(), productIds: productIds.optional(), payer: z.enum(PAYERS).optional() })
  .superRefine((b, ctx) => {
    // Nothing to change is the body's fault, not one field's.
    if (!b.access && !b.productIds && !b.payer) ctx.addIssue({ code: 'custom', path: [], message: 'give the access, the products or the payer to change' });
    needsProducts(b, ctx);
  });
const codeBody = z.strictObject({ code: z.string().trim().regex(/^[A-Za-z0-9]{8}$/, 'the 8-character code of the e-mail') });
const empty = z.strictObject({});

const partnershipItem = z.strictObject({
  partnershipId: z.string(),
  customerId: z.string(),
  partnerId: z.string(),
  companyName: z.string(),
  status: z.enum(PARTNERSHIP_STATUSES),
  requestedBy: z.enum(['customer', 'partner']),
  requestedAccess: z.enum(ACCESS_TYPES),
  requestedProductIds: z.array(z.string()),
  access: z.enum(ACCESS_TYPES).nullable().describe('In force once accepted'),
  productIds: z.array(z.string()),
  payer: z.enum(PAYERS),
  invitedAt: z.string(),
  lapsesAt: z.string(),
  respondedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable(),
});
export const partnershipView = partnershipItem
  .extend({ endRequest: z.enum(['none', 'requested', 'confirmed']).describe("PRT-7, the caller's side: none, asked (confirm next), or confirmed (the code was e-mailed)") })
  .openapi('Partnership');
const partnershipPage = pageOf(partnershipItem.openapi('PartnershipListItem')).openapi('PartnershipPage');
const stepAnswer = z.strictObject({ partnership: partnershipView, next: z.string().describe('What the caller does next (PRT-7)') }).openapi('PartnershipEndStep');

/** The workflow's refusals (its validators, PRT-3 where the grant is written) as problems; anything else as it is. */
function refusalOf(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return err;
  const { message, type, details } = err.cause;
  switch (type) {
    case 'NotYourPartnership':
      return Problem.forbidden(message);
    case 'WrongPartnershipState':
    case 'PartnershipEnded':
    case 'NoEndRequested':
    case 'NothingToChange':
      return Problem.conflict(message, { reason: type });
    case 'AccessConflict':
      return accessProblem(details?.[0] as AccessConflict);
    default:
      return err;
  }
}

function accessProblem(conflict: AccessConflict): Problem {
  const field = conflict.productIds.length ? 'body.productIds' : 'body.access';
  return Problem.unprocessable('access-conflict', 'Another partnership is in the way (PRT-3)', conflict.message, {
    partnership: { partnershipId: conflict.partnershipId, partnerId: conflict.partnerId, companyName: conflict.companyName, productIds: conflict.productIds },
    errors: [{ field, message: conflict.message }],
  });
}

const commandResponses = (ok: string) => ({
  200: { description: ok, schema: partnershipView },
  202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl', schema: pendingCommand },
  403: { description: 'The other side does this, not the caller' },
  404: { description: 'No such partnership of the caller' },
  409: { description: 'The partnership is not in a state where this is done' },
});

export function registerPartnershipRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { db } = deps;
  const handle = (r: Partnership) => deps.temporal.workflow.getHandle(partnershipWorkflowId(r.customerId, r.partnerId));

  /** The partnership and the caller's side in it; another's is none (404, X-6). */
  async function load(principal: Principal, partnershipId: string): Promise<{ row: Partnership; side: Side; partner: Partner }> {
    const row = await db.partnership.findUnique({ where: { id: partnershipId } });
    const partner = row && (await db.partner.findUnique({ where: { id: row.partnerId } }));
    if (row && partner && principal.kind === 'customer') {
      if (principal.customerId === row.customerId) return { row, side: 'customer', partner };
      if (principal.customerId === partner.customerId && partner.status === 'approved') return { row, side: 'partner', partner };
    }
    throw Problem.notFound(`no partnership ${partnershipId} of yours`);
  }

  async function viewOf(row: Partnership, side: Side | null): Promise<z.infer<typeof partnershipView>> {
    const partner = await db.partner.findUniqueOrThrow({ where: { id: row.partnerId }, select: { companyName: true } });
    let endRequest: 'none' | 'requested' | 'confirmed' = 'none';
    if (side && (row.status === 'active' || row.status === 'pending')) {
      const state = await handle(row).query(partnershipStateQuery).catch(() => null);
      endRequest = state?.partnershipId === row.id ? (state.endRequests[side]?.step ?? 'none') : 'none';
    }
    return { ...itemOf(row, partner.companyName), endRequest };
  }
  function itemOf(row: Partnership, companyName: string) {
    return {
      partnershipId: row.id, customerId: row.customerId, partnerId: row.partnerId, companyName, status: row.status as PartnershipStatus,
      requestedBy: row.requestedBy as Side, requestedAccess: row.requestedAccess as Access, requestedProductIds: row.requestedProductIds, access: row.access as Access | null, productIds: row.productIds,
      payer: row.payer as 'customer' | 'partner', invitedAt: row.invitedAt.toISOString(), lapsesAt: row.lapsesAt.toISOString(), respondedAt: row.respondedAt?.toISOString() ?? null,
      endedAt: row.endedAt?.toISOString() ?? null, endedBy: row.endedBy,
    };
  }

  /** Product ids are `offer.productId ?? offer.id`: every one given must be a product of the catalogue. */
  async function checkProducts(ids: string[], field: string): Promise<void> {
    if (ids.length === 0) return;
    const offers = await db.offer.findMany({ where: { OR: [{ productId: { in: ids } }, { productId: null, id: { in: ids } }] }, select: { id: true, productId: true } });
    const known = new Set(offers.map((o) => o.productId ?? o.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw Problem.unprocessable('unknown-product', 'Unknown product', `${field}: no product ${unknown.join(', ')}`, { errors: [{ field, message: `no product ${unknown.join(', ')}` }] });
  }

  /** PRT-3, the quick answer: the partnership in force that this grant would break, named. */
  async function checkAccess(customerId: string, partnershipId: string, grant: Grant): Promise<void> {
    const others = await db.partnership.findMany({ where: { customerId, status: 'active', id: { not: partnershipId } } });
    const names = new Map((await db.partner.findMany({ where: { id: { in: others.map((o) => o.partnerId) } } })).map((p) => [p.id, p.companyName]));
    const conflict = accessConflict(normalGrant(grant), others.map((o) => ({ partnershipId: o.id, partnerId: o.partnerId, companyName: names.get(o.partnerId) ?? o.partnerId, access: o.access as Access, productIds: o.productIds })));
    if (conflict) throw accessProblem(conflict);
  }

  /** PRT-2: a new invitation, its row (the read model) and its workflow; one live partnership per pair. */
  async function invite(customerId: string, partner: Partner, requestedBy: Side, grant: Grant, actor: string, data: Record<string, unknown>) {
    if (partner.customerId === customerId) throw Problem.unprocessable('self-partnership', 'Same account', 'a partner cannot be its own customer', { errors: [{ field: 'body', message: 'the partner and the customer are one account' }] });
    const live = await db.partnership.findFirst({ where: { customerId, partnerId: partner.id, status: { in: ['pending', 'active'] } } });
    if (live) throw Problem.conflict(`partnership ${live.id} between them is ${live.status} already`, { reason: 'PartnershipLive', partnershipId: live.id });
    const g = normalGrant(grant);
    await checkProducts(g.productIds, 'body.productIds');
    const invitedAt = new Date();
    const id = `psh_${randomBytes(12).toString('hex')}`;
    const row = await db.$transaction(async (tx) => {
      const created = await tx.partnership.create({
        data: { id, customerId, partnerId: partner.id, status: 'pending', requestedBy, requestedAccess: g.access, requestedProductIds: g.productIds, invitedAt, lapsesAt: new Date(invitationDeadlines(invitedAt.toISOString()).lapsesAt) },
      });
      await tx.auditLog.create({
        data: { key: `psh:${id}:invited`, at: invitedAt, actor, action: 'partnership.invited', entityType: 'partnership', entityId: id, workflowId: partnershipWorkflowId(customerId, partner.id), data: JSON.stringify({ customerId, partnerId: partner.id, requestedBy, ...g, ...data }) },
      });
      return created;
    });
    try {
      await deps.temporal.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(customerId, partner.id),
        taskQueue: deps.taskQueue,
        args: [{ partnershipId: id, customerId, partnerId: partner.id, companyName: partner.companyName, requestedBy, requested: g, invitedAt: invitedAt.toISOString() }],
        workflowIdConflictPolicy: 'FAIL',
        staticSummary: partnershipSummary({ partnershipId: id, companyName: partner.companyName }),
        typedSearchAttributes: [{ key: BusinessStatusKey, value: 'pending' }, { key: CustomerIdKey, value: customerId }],
      });
    } catch (err) {
      // A concurrent invitation of the same pair started first: this one never was.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await db.$transaction([db.auditLog.deleteMany({ where: { key: `psh:${id}:invited` } }), db.partnership.delete({ where: { id } })]);
      throw Problem.conflict('a partnership between them is live already', { reason: 'PartnershipLive' });
    }
    return { status: 201, body: await viewOf(row, requestedBy) };
  }

  routes.add({
    method: 'post',
    path: '/partner/partnerships',
    tag: 'partnerships',
    summary: "A partner's legal representative invites a customer (by e-mail or id), asking limited (products) or complete access (PRT-2). The customer is e-mailed; pending until answered, it lapses after 14 days (reminder at day 7)",
    allow: allow.customer,
    body: inviteCustomerBody,
    responses: {
      201: { description: 'The invitation, pending', schema: partnershipView },
      403: { description: 'The caller is not an approved partner' },
      409: { description: 'A partnership between them is pending or active already' },
      422: { description: 'Not a legal representative of the partner, no such customer, or an unknown product' },
    },
    handler: async ({ principal, body }) => {
      const partner = await approvedPartnerOf(db, principal);
      const reps = partner.legalRepresentatives as { name: string; email: string }[];
      const rep = reps.findIndex((r) => r.email.toLowerCase() === body.representativeEmail.toLowerCase());
      if (rep < 0) throw Problem.unprocessable('not-a-representative', 'Not a legal representative', 'body.representativeEmail: only a legal representative of the partner invites (PRT-2)', { errors: [{ field: 'body.representativeEmail', message: 'not a legal representative of this partner' }] });
      const customer = body.customerId
        ? await db.customer.findUnique({ where: { id: body.customerId } })
        : await db.customer.findFirst({ where: { email: { equals: body.customerEmail!, mode: 'insensitive' } } });
      const field = body.customerId ? 'body.customerId' : 'body.customerEmail';
      if (!customer || customer.closedAt) throw Problem.unprocessable('no-such-customer', 'No such customer', `${field}: no customer account`, { errors: [{ field, message: 'no customer account' }] });
      // The representative by position: no address in the audit log beyond the application's.
      return invite(customer.id, partner, 'partner', { access: body.access, productIds: body.productIds ?? [] }, actorOf(principal), { representative: rep + 1 });
    },
  });

  routes.add({
    method: 'post',
    path: '/partnerships',
    tag: 'partnerships',
    summary: "A customer invites an approved partner, offering limited (products) or complete access (PRT-2). The partner's legal representatives are e-mailed; pending until answered, it lapses after 14 days (reminder at day 7)",
    allow: allow.customer,
    body: invitePartnerBody,
    responses: {
      201: { description: 'The invitation, pending', schema: partnershipView },
      409: { description: 'A partnership between them is pending or active already' },
      422: { description: 'No such approved partner, or an unknown product' },
    },
    handler: async ({ principal, body }) => {
      const partner = await db.partner.findUnique({ where: { id: body.partnerId } });
      if (!partner || partner.status !== 'approved') throw Problem.unprocessable('no-such-partner', 'No such partner', 'body.partnerId: no approved partner', { errors: [{ field: 'body.partnerId', message: 'no approved partner' }] });
      return invite(principal.kind === 'customer' ? principal.customerId : '', partner, 'customer', { access: body.access, productIds: body.productIds ?? [] }, actorOf(principal), {});
    },
  });

  const list = (path: string, name: string, side: Side, summary: string) =>
    routes.add({
      method: 'get',
      path,
      tag: 'partnerships',
      summary,
      allow: allow.customer,
      query: listQuery(name, { status: oneOf(PARTNERSHIP_STATUSES) }),
      responses: { 200: { description: 'A page of partnerships', schema: partnershipPage }, 403: { description: 'Not an approved partner (partner side)' } },
      handler: async ({ principal, query }) => {
        const mine = side === 'customer' ? { customerId: principal.kind === 'customer' ? principal.customerId : '' } : { partnerId: (await approvedPartnerOf(db, principal)).id };
        const rows = await db.partnership.findMany({ where: { AND: [mine, query.status ? { status: query.status } : {}, afterCursor(query.cursor, 'invitedAt')] }, orderBy: [{ invitedAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
        const names = new Map((await db.partner.findMany({ where: { id: { in: rows.map((r) => r.partnerId) } }, select: { id: true, companyName: true } })).map((p) => [p.id, p.companyName]));
        return { status: 200, body: toPage(name, rows, query.limit, (r) => ({ at: r.invitedAt, id: r.id }), (r) => itemOf(r, names.get(r.partnerId) ?? '')) };
      },
    });
  list('/partnerships', 'customer-partnerships', 'customer', "The customer's partnerships, newest invitation first, filterable by status (PRT-2)");
  list('/partner/partnerships', 'partner-partnerships', 'partner', "The partner's partnerships with its customers, newest invitation first, filterable by status (PRT-2)");

  routes.add({
    method: 'get',
    path: '/partnerships/:partnershipId',
    tag: 'partnerships',
    summary: 'One partnership, for either side: its status, what was asked, what is in force, who pays, and the end steps of the caller (PRT-2, PRT-5, PRT-7)',
    allow: allow.customer,
    params,
    responses: { 200: { description: 'The partnership', schema: partnershipView }, 404: { description: 'No such partnership of the caller' } },
    handler: async ({ principal, params: p }) => {
      const { row, side } = await load(principal, p.partnershipId);
      return { status: 200, body: await viewOf(row, side) };
    },
  });

  const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
  /** runUpdate, the workflow's refusals of this process answered as the problems they are. */
  const run = (start: () => Promise<WorkflowUpdateHandle<PartnershipState>>) =>
    runUpdate(deps.temporal, async () => {
      const h = await start();
      return { workflowId: h.workflowId, updateId: h.updateId, result: () => h.result().catch((err: unknown) => { throw refusalOf(err); }) } as WorkflowUpdateHandle<PartnershipState>;
    });
  /** An Update to the partnership's workflow, answered with the row once carried out (202 if it takes longer). */
  async function command(row: Partnership, side: Side, start: () => Promise<WorkflowUpdateHandle<PartnershipState>>) {
    const outcome = await run(start);
    if (!outcome.done) return pendingAnswer(outcome);
    return { status: 200, body: await viewOf(await db.partnership.findUniqueOrThrow({ where: { id: row.id } }), side) };
  }
  const notLive = (row: Partnership, what: string) => {
    if (row.status !== 'pending' && row.status !== 'active') throw Problem.conflict(`the partnership is ${row.status}: ${what}`, { reason: 'PartnershipEnded' });
  };

  const invitationCommand = <B extends z.ZodType>(spec: { path: string; summary: string; body: B; run: (row: Partnership, side: Side, body: z.infer<B>) => Promise<{ status: number; body: unknown }> }) =>
    routes.add({
      method: 'post',
      path: `/partnerships/:partnershipId/${spec.path}`,
      tag: 'partnerships',
      summary: spec.summary,
      allow: allow.customer,
      params,
      body: spec.body,
      responses: { ...commandResponses('The partnership after the command'), 422: { description: 'PRT-3: another partnership is in the way (named), or an unknown product' } },
      handler: async ({ principal, params: p, body }) => {
        const { row, side } = await load(principal, p.partnershipId);
        notLive(row, `nothing to ${spec.path}`);
        return spec.run(row, side, body);
      },
    });

  invitationCommand({
    path: 'accept',
    summary: 'The invitee accepts a pending invitation (PRT-2); the customer may grant other access or products than requested. Refused (422) naming the partnership in the way when PRT-3 forbids it',
    body: acceptBody,
    run: async (row, side, b) => {
      if (side !== (row.requestedBy === 'customer' ? 'partner' : 'customer')) throw Problem.forbidden('the invitee answers an invitation, not its inviter (PRT-2)');
      if (b.access && side !== 'customer') throw Problem.forbidden('only the customer may grant other access than requested (PRT-2)');
      const grant: Grant = b.access ? { access: b.access, productIds: b.productIds ?? [] } : { access: row.requestedAccess as Access, productIds: row.requestedProductIds };
      await checkProducts(normalGrant(grant).productIds, 'body.productIds');
      await checkAccess(row.customerId, row.id, grant);
      return command(row, side, () => handle(row).startUpdate(acceptInvitationUpdate, { args: [{ by: side, ...(b.access ? { grant } : {}) }], ...accepted }));
    },
  });
  invitationCommand({
    path: 'refuse',
    summary: 'The invitee refuses a pending invitation (PRT-2); the inviter is e-mailed',
    body: empty,
    run: async (row, side) => command(row, side, () => handle(row).startUpdate(refuseInvitationUpdate, { args: [{ by: side }], ...accepted })),
  });
  invitationCommand({
    path: 'resend',
    summary: 'The inviter sends a pending invitation again (PRT-2): a new e-mail; the lapse date stays 14 days after the first invitation (house rule)',
    body: empty,
    run: async (row, side) => command(row, side, () => handle(row).startUpdate(resendInvitationUpdate, { args: [{ by: side }], ...accepted })),
  });
  invitationCommand({
    path: 'withdraw',
    summary: 'The inviter withdraws a pending invitation (PRT-2); the invitee is e-mailed',
    body: empty,
    run: async (row, side) => command(row, side, () => handle(row).startUpdate(withdrawInvitationUpdate, { args: [{ by: side }], ...accepted })),
  });
  invitationCommand({
    path: 'change',
    summary: 'The customer alone changes the access type, the products or the payer of a partnership in force, at any time (PRT-5); the partner pays only with complete access and is e-mailed on a payer change. Refused (422) naming the partnership in the way when PRT-3 forbids it',
    body: changeBody,
    run: async (row, side, b) => {
      if (side !== 'customer') throw Problem.forbidden('the customer alone changes access, products or payer (PRT-5)');
      if (row.status !== 'active') throw Problem.conflict(`the partnership is ${row.status}: it changes once accepted (PRT-5)`, { reason: 'WrongPartnershipState' });
      const access = b.access ?? (row.access as Access);
      const grant: Grant = { access, productIds: b.productIds ?? (b.access && b.access !== row.access ? [] : row.productIds) };
      if (access === 'limited' && grant.productIds.length === 0) throw Problem.unprocessable('products-required', 'Products required', 'body.productIds: limited access needs at least one product (PRT-3)', { errors: [{ field: 'body.productIds', message: 'required for limited access' }] });
      if (b.payer === 'partner' && access !== 'complete') throw Problem.unprocessable('payer-needs-complete', 'Payer needs complete access', 'body.payer: the partner pays only with complete access (PRT-5)', { errors: [{ field: 'body.payer', message: 'the partner pays only with complete access' }] });
      await checkProducts(normalGrant(grant).productIds, 'body.productIds');
      await checkAccess(row.customerId, row.id, grant);
      return command(row, side, () => handle(row).startUpdate(changePartnershipUpdate, { args: [{ grant, ...(b.payer ? { payer: b.payer } : {}) }], ...accepted }));
    },
  });

  // --- PRT-7: request, confirm, code ---------------------------------------------------------
  const endStep = <B extends z.ZodType>(spec: { path: string; summary: string; body: B; next: string; run: (row: Partnership, side: Side, body: z.infer<B>) => Promise<WorkflowUpdateHandle<PartnershipState>> }) =>
    routes.add({
      method: 'post',
      path: `/partnerships/:partnershipId/${spec.path}`,
      tag: 'partnerships',
      summary: spec.summary,
      allow: allow.customer,
      params,
      body: spec.body,
      responses: {
        200: { description: 'The step done, and the next one', schema: stepAnswer },
        202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl', schema: pendingCommand },
        404: { description: 'No such partnership of the caller' },
        409: { description: 'The partnership is not in force, or the previous step is missing' },
        422: { description: 'A wrong, expired or exhausted code (PRT-7)' },
      },
      handler: async ({ principal, params: p, body }) => {
        const { row, side } = await load(principal, p.partnershipId);
        if (row.status !== 'active') throw Problem.conflict(`the partnership is ${row.status}: only a partnership in force is ended this way (PRT-7)`, { reason: 'WrongPartnershipState' });
        const outcome = await run(() => spec.run(row, side, body));
        if (!outcome.done) return pendingAnswer(outcome);
        return { status: 200, body: { partnership: await viewOf(await db.partnership.findUniqueOrThrow({ where: { id: row.id } }), side), next: spec.next } };
      },
    });
  endStep({
    path: 'end',
    summary: 'End a partnership in force, step 1 of 3 (PRT-7): either side asks; a confirmation is asked next',
    body: empty,
    next: 'confirm: POST …/end/confirm, and a one-time code is e-mailed to your account address',
    run: (row, side) => handle(row).startUpdate(requestEndUpdate, { args: [{ by: side }], ...accepted }),
  });
  endStep({
    path: 'end/confirm',
    summary: 'End a partnership, step 2 of 3 (PRT-7): the second confirmation; a one-time code (15 minutes, 5 tries) is e-mailed to the account address of the caller, its fresh credential',
    body: empty,
    next: 'enter the e-mailed code: POST …/end/code; the partnership then ends at once',
    run: (row, side) => handle(row).startUpdate(confirmEndUpdate, { args: [{ by: side }], ...accepted }),
  });
  endStep({
    path: 'end/code',
    summary: 'End a partnership, step 3 of 3 (PRT-7): the e-mailed code, checked against its hash (5 tries); right, the partnership ends at once and access stops',
    body: codeBody,
    next: 'none: the partnership has ended',
    run: async (row, side, b) => handle(row).startUpdate(endWithCodeUpdate, { args: [{ by: side, codeId: await checkEndCode(row.id, side, b.code) }], ...accepted }),
  });

  /** PRT-7: the latest code of this side, tried once more (counted before the comparison), marked used if right. */
  async function checkEndCode(partnershipId: string, side: Side, code: string): Promise<string> {
    const wrong = (reason: string, detail: string) => Problem.unprocessable('command-refused', 'Command refused', detail, { reason, errors: [{ field: 'body.code', message: detail }] });
    const latest = await db.confirmationCode.findFirst({ where: { purpose: END_CODE_PURPOSE, subjectId: partnershipId, actor: side }, orderBy: { createdAt: 'desc' } });
    if (!latest) throw Problem.conflict('confirm the end first: the code is e-mailed then (PRT-7)', { reason: 'NoEndRequested' });
    if (latest.usedAt) return latest.id; // a repeat after the code went through
    const [tried] = await db.$queryRaw<{ attempts: number; codeHash: string }[]>`
      UPDATE "ConfirmationCode" SET "attempts" = "attempts" + 1
      WHERE "id" = ${latest.id} AND "usedAt" IS NULL AND "attempts" < ${END_CODE_MAX_ATTEMPTS} AND "expiresAt" > CURRENT_TIMESTAMP AT TIME ZONE 'UTC'
      RETURNING "attempts", "codeHash"`;
    if (!tried) throw wrong('CodeExpired', `this code has expired or was tried ${END_CODE_MAX_ATTEMPTS} times: confirm again for a new one`);
    if (!sameSecret(endCodeHash(latest.id, code), tried.codeHash)) {
      const left = END_CODE_MAX_ATTEMPTS - tried.attempts;
      throw wrong('WrongCode', left > 0 ? `wrong code (${left} tries left)` : 'wrong code: no tries left, confirm again for a new one');
    }
    await db.confirmationCode.updateMany({ where: { id: latest.id, usedAt: null }, data: { usedAt: new Date() } });
    return latest.id;
  }
}
