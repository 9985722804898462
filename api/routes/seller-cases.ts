// Routes of seller cases (MED-1..MED-7). Ops open closure cases and drive the meetings; a seller
// contests, confirms meetings, files a closure request or a complaint — with its key even while
// suspended (a suspended seller must be able to defend itself). X-6: a seller reads only its own
// cases; ops all. State from the SellerCase workflow's Query; the timeline from the audit log.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateStage, type WorkflowUpdateHandle } from '@temporalio/client';
import type { SellerCase } from '@prisma/client';
import { CASE_KINDS, ENDED_CASE_STATUSES, isCaseEnded, type CaseKind, type CaseStatus } from '../../domain/seller-case';
import {
  caseOpenedUpdate,
  confirmChangesUpdate,
  confirmMeetingUpdate,
  contestUpdate,
  recordMeetingUpdate,
  scheduleMeetingUpdate,
  sellerCaseStateQuery,
  sellerCaseWorkflow,
  sellerCaseWorkflowId,
  withdrawCaseUpdate,
  type SellerCaseState,
} from '../../workflows/seller-case';
import { BusinessStatusKey, CaseKindKey, SellerIdKey } from '../../workflows/search-attributes';
import { sellerCaseSummary } from '../../workflows/summaries';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import { pendingCommand } from '../response-schemas';
import type { RouteTable } from '../route';
import { pendingAnswer, runUpdate, runUpdateOrUndo, type UpdateOutcome } from '../temporal-errors';
import { z } from '../zod';

const iso = z.string();
const deadline = z.strictObject({ rule: z.string(), what: z.string(), at: iso });
export const caseView = z
  .strictObject({
    caseId: z.string(),
    sellerId: z.string(),
    kind: z.enum(CASE_KINDS),
    status: z.string(),
    openedAt: iso,
    openedBy: z.string(),
    notice: z.strictObject({ at: iso, letterReference: z.string().nullable() }).nullable(),
    contest: z.strictObject({ at: iso, messageId: z.string() }).nullable(),
    meeting: z
      .strictObject({ at: iso, place: z.string(), invitedAt: iso, confirmBy: iso, confirmedAt: iso.nullable(), held: z.boolean().nullable(), endedAt: iso.nullable(), recordedAt: iso.nullable() })
      .nullable(),
    remediation: z.strictObject({ dueAt: iso, confirmedAt: iso.nullable() }).nullable(),
    closesAt: iso.nullable(),
    nextDeadline: deadline.nullable(),
    outcome: z.string().nullable(),
    closedAt: iso.nullable(),
    timeline: z.array(z.strictObject({ at: iso, event: z.string(), by: z.string() })),
    messages: z.array(z.strictObject({ messageId: z.string(), kind: z.string(), by: z.string(), text: z.string(), at: iso })),
  })
  .openapi('SellerCase');
type CaseView = z.infer<typeof caseView>;
const caseItem = z
  .strictObject({ caseId: z.string(), sellerId: z.string(), kind: z.string(), status: z.string(), openedAt: iso, nextDeadlineAt: iso.nullable(), nextDeadlineRule: z.string().nullable(), closedAt: iso.nullable(), outcome: z.string().nullable() })
  .openapi('SellerCaseListItem');
const casePage = pageOf(caseItem).openapi('SellerCasePage');
const caseParams = z.object({ caseId: z.string().regex(/^case_[0-9a-f-]{36}$/, 'must be a case_… id') });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const CASE_STATUSES = ['awaiting_contest', 'awaiting_meeting', 'awaiting_confirmation', 'meeting_confirmed', 'remediation', 'closing', 'account_closed', 'resolved', 'lapsed', 'withdrawn'] as const;

/** The sort key of a case with no deadline in the ops list's cursor (they sort last). */
const NO_DEADLINE = new Date('2999-12-31T00:00:00.000Z');

/** Any seller key, suspended or not: the seller defends itself in its case. */
const anySeller = (p: Principal) => p.kind === 'seller';
const ops = allow.staff('ops');

export function registerSellerCaseRoutes(routes: RouteTable, deps: ApiDeps): void {
  const handle = (id: string) => deps.temporal.workflow.getHandle(sellerCaseWorkflowId(id));

  async function load(id: string, principal: Principal): Promise<SellerCase> {
    const c = await deps.db.sellerCase.findUnique({ where: { id } });
    if (!c) throw Problem.notFound(`no case ${id}`);
    if (!(ops(principal) || (principal.kind === 'seller' && principal.sellerId === c.sellerId))) throw Problem.forbidden('this case is not yours');
    return c;
  }

  const viewOf = caseViewer(deps);

  /** Writes the case row and its first message, then starts SellerCase:<id> and answers its state. */
  async function open(principal: Principal, sellerId: string, kind: CaseKind, message: { kind: string; text: string }, letterReference?: string) {
    const seller = await deps.db.seller.findUnique({ where: { id: sellerId } });
    if (!seller) throw Problem.notFound(`no seller ${sellerId}`);
    if (seller.status === 'closed') throw Problem.conflict(`seller ${seller.name} is closed`, { reason: 'SellerClosed' });
    const caseId = `case_${randomUUID()}`;
    const actor = actorOf(principal);
    const messageId = `cmsg_${randomUUID()}`;
    await deps.db.$transaction(async (tx) => {
      // One open case of a kind per seller at a time: the lock orders concurrent openings.
      await tx.$queryRaw`SELECT "id" FROM "Seller" WHERE "id" = ${sellerId} FOR UPDATE`;
      const open = await tx.sellerCase.findFirst({ where: { sellerId, kind, status: { notIn: [...ENDED_CASE_STATUSES] } } });
      if (open) throw Problem.conflict(`seller ${seller.name} already has an open ${kind.replace(/_/g, ' ')} case (${open.id})`, { reason: 'CaseOpen', caseId: open.id });
      await tx.sellerCase.create({ data: { id: caseId, sellerId, kind, status: kind === 'closure' ? 'awaiting_contest' : 'awaiting_meeting', openedAt: new Date(), openedBy: actor } });
      await tx.sellerCaseMessage.create({ data: { id: messageId, caseId, author: actor, kind: message.kind, text: message.text } });
    });
    const start = new WithStartWorkflowOperation(sellerCaseWorkflow, {
      workflowId: sellerCaseWorkflowId(caseId),
      taskQueue: deps.taskQueue,
      args: [{ caseId, sellerId, sellerName: seller.legalName, kind, openedBy: actor, messageId, ...(letterReference ? { letterReference } : {}) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: sellerCaseSummary({ caseId, kind, sellerName: seller.legalName }),
      typedSearchAttributes: [
        { key: SellerIdKey, value: sellerId },
        { key: CaseKindKey, value: kind },
        { key: BusinessStatusKey, value: kind === 'closure' ? 'awaiting_contest' : 'awaiting_meeting' },
      ],
    });
    const state = await deps.temporal.workflow.executeUpdateWithStart(caseOpenedUpdate, { startWorkflowOperation: start });
    const row = await deps.db.sellerCase.findUniqueOrThrow({ where: { id: caseId } });
    return { status: 201, body: await viewOf(principal, row, state) };
  }

  routes.add({
    method: 'post',
    path: '/ops/sellers/:sellerId/cases',
    tag: 'seller cases',
    summary: 'Open a closure case against a seller, with reasons (MED-1): the seller is suspended and notified by e-mail and postal letter (its reference recorded); it may contest within 48 hours (MED-2)',
    allow: ops,
    params: z.object({ sellerId: z.string().regex(/^sel_[A-Za-z0-9_-]{1,80}$/, 'must be a sel_… id') }),
    body: z.object({ reasons: text(10_000), letterReference: text(100).describe('The reference of the postal letter sent with the notice') }).strict(),
    responses: { 201: { description: 'The case', schema: caseView }, 409: { description: 'The seller is closed, or a closure case is already open' } },
    handler: async ({ principal, params, body }) => open(principal, params.sellerId, 'closure', { kind: 'reasons', text: body.reasons }, body.letterReference),
  });

  routes.add({
    method: 'post',
    path: '/seller/cases',
    tag: 'seller cases',
    summary: "The calling seller asks to close its own account (MED-6) or files a complaint (MED-7): ops schedule a meeting",
    allow: anySeller,
    body: z.object({ kind: z.enum(['closure_request', 'complaint']), text: text(10_000) }).strict(),
    responses: { 201: { description: 'The case', schema: caseView }, 409: { description: 'The seller is closed, or such a case is already open' } },
    handler: async ({ principal, body }) => open(principal, principal.kind === 'seller' ? principal.sellerId : '', body.kind, { kind: 'request', text: body.text }),
  });

  routes.add({
    method: 'get',
    path: '/cases/:caseId',
    tag: 'seller cases',
    summary: 'A case: its state, deadlines (rule id and instant), meeting, timeline and messages (X-4): its seller or ops',
    allow: allow.anyOf(anySeller, ops),
    params: caseParams,
    responses: { 200: { description: 'The case', schema: caseView } },
    handler: async ({ principal, params }) => ({ status: 200, body: await viewOf(principal, await load(params.caseId, principal)) }),
  });

  routes.add({
    method: 'get',
    path: '/ops/cases',
    tag: 'seller cases',
    summary: 'Cases by next deadline (soonest first; ended ones last), filterable by status and kind: ops',
    allow: ops,
    query: listQuery('ops-cases', { status: oneOf(CASE_STATUSES), kind: oneOf(CASE_KINDS) }),
    responses: { 200: { description: 'A page of cases', schema: casePage } },
    handler: async ({ query }) => {
      // Soonest deadline first, cases without one (ended) last, then by id. A cursor holds the last
      // item's deadline, NO_DEADLINE standing for none.
      const c = query.cursor;
      const after = !c
        ? {}
        : c.at.getTime() === NO_DEADLINE.getTime()
          ? { nextDeadlineAt: null, id: { gt: c.id } }
          : { OR: [{ nextDeadlineAt: { gt: c.at } }, { nextDeadlineAt: c.at, id: { gt: c.id } }, { nextDeadlineAt: null }] };
      const rows = await deps.db.sellerCase.findMany({
        where: { AND: [query.status ? { status: query.status } : {}, query.kind ? { kind: query.kind } : {}, after] },
        orderBy: [{ nextDeadlineAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }],
        take: query.limit + 1,
      });
      return { status: 200, body: toPage('ops-cases', rows, query.limit, (r) => ({ at: r.nextDeadlineAt ?? NO_DEADLINE, id: r.id }), itemOf) };
    },
  });

  routes.add({
    method: 'get',
    path: '/seller/cases',
    tag: 'seller cases',
    summary: "The calling seller's cases, newest first (X-6)",
    allow: anySeller,
    query: listQuery('seller-cases', {}),
    responses: { 200: { description: 'A page of cases', schema: casePage } },
    handler: async ({ principal, query }) => {
      const sellerId = principal.kind === 'seller' ? principal.sellerId : '';
      const rows = await deps.db.sellerCase.findMany({ where: { AND: [{ sellerId }, afterCursor(query.cursor, 'openedAt')] }, orderBy: [{ openedAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      return { status: 200, body: toPage('seller-cases', rows, query.limit, (r) => ({ at: r.openedAt, id: r.id }), itemOf) };
    },
  });

  /** A command on a case, as an Update (bounded wait: 202). */
  const command = <B extends z.ZodType>(spec: { path: string; summary: string; who: (p: Principal) => boolean; body: B; run: (c: SellerCase, p: Principal, b: z.infer<B>) => Promise<UpdateOutcome<SellerCaseState>> }) =>
    routes.add({
      method: 'post',
      path: `/cases/:caseId/${spec.path}`,
      tag: 'seller cases',
      summary: spec.summary,
      allow: spec.who,
      params: caseParams,
      body: spec.body,
      responses: {
        200: { description: 'The case after the command', schema: caseView },
        202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl (GET /updates/…)', schema: pendingCommand },
        409: { description: 'Refused in this state, or its deadline has passed' },
        422: { description: 'Refused, with the reason' },
      },
      handler: async ({ principal, params, body }) => {
        const c = await load(params.caseId, principal);
        if (isCaseEnded(c.status as CaseStatus)) throw Problem.conflict(`the case has ended (${c.status.replace(/_/g, ' ')})`, { reason: 'CaseEnded' });
        const outcome = await spec.run(c, principal, body);
        if (!outcome.done) return pendingAnswer(outcome);
        return { status: 200, body: await viewOf(principal, await deps.db.sellerCase.findUniqueOrThrow({ where: { id: c.id } }), outcome.result) };
      },
    });
  const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
  const update = (start: () => Promise<WorkflowUpdateHandle<SellerCaseState>>) => runUpdate(deps.temporal, start);
  const sellerOf = (p: Principal) => (p.kind === 'seller' ? p.sellerId : '');
  /** A message written first (its text stays in the database), removed again if the workflow refuses. */
  async function withMessage(c: SellerCase, p: Principal, kind: string, textValue: string, start: (messageId: string) => Promise<WorkflowUpdateHandle<SellerCaseState>>) {
    const messageId = `cmsg_${randomUUID()}`;
    await deps.db.sellerCaseMessage.create({ data: { id: messageId, caseId: c.id, author: actorOf(p), kind, text: textValue } });
    return runUpdateOrUndo(deps.temporal, () => start(messageId), async () => void (await deps.db.sellerCaseMessage.delete({ where: { id: messageId } })));
  }

  command({
    path: 'contest',
    summary: 'Contest the closure in writing (MED-2), within 48 hours of the notice: ops then schedule a mediation meeting (MED-3)',
    who: anySeller,
    body: z.object({ text: text(10_000) }).strict(),
    run: (c, p, b) => withMessage(c, p, 'contest', b.text, (messageId) => handle(c.id).startUpdate(contestUpdate, { args: [{ sellerId: sellerOf(p), messageId }], ...accepted })),
  });
  command({
    path: 'meeting',
    summary: 'Schedule the meeting and invite the seller (MED-3, MED-6, MED-7): it must confirm within 48 hours',
    who: ops,
    body: z.object({ at: z.iso.datetime({ offset: true }).describe('When the meeting starts (ISO 8601)'), place: text(500) }).strict(),
    run: (c, p, b) => update(() => handle(c.id).startUpdate(scheduleMeetingUpdate, { args: [{ staff: actorOf(p), at: new Date(b.at).toISOString(), place: b.place }], ...accepted })),
  });
  command({
    path: 'meeting/confirm',
    summary: 'Confirm the meeting (MED-3), within 48 hours of the invitation',
    who: anySeller,
    body: z.object({}).strict(),
    run: (c, p) => update(() => handle(c.id).startUpdate(confirmMeetingUpdate, { args: [{ sellerId: sellerOf(p) }], ...accepted })),
  });
  command({
    path: 'meeting/record',
    summary: "Record the meeting, once its time has come: held (with its end; MED-6: the seller's reasons, MED-7: the agreed outcome, as `notes`) or the seller absent (MED-3)",
    who: ops,
    body: z
      .object({ held: z.boolean(), endedAt: z.iso.datetime({ offset: true }).optional(), notes: text(10_000).optional() })
      .strict()
      .refine((b) => !b.held || b.endedAt !== undefined, { path: ['endedAt'], message: 'required when the meeting was held' }),
    run: (c, p, b) =>
      b.notes
        ? withMessage(c, p, 'notes', b.notes, (notesId) => handle(c.id).startUpdate(recordMeetingUpdate, { args: [{ staff: actorOf(p), held: b.held, ...(b.endedAt ? { endedAt: new Date(b.endedAt).toISOString() } : {}), notesId }], ...accepted }))
        : update(() => handle(c.id).startUpdate(recordMeetingUpdate, { args: [{ staff: actorOf(p), held: b.held, ...(b.endedAt ? { endedAt: new Date(b.endedAt).toISOString() } : {}) }], ...accepted })),
  });
  command({
    path: 'changes-confirmed',
    summary: 'Confirm the changes asked (MED-4), within 8 days of the meeting: the case closes and the seller is active again',
    who: ops,
    body: z.object({}).strict(),
    run: (c, p) => update(() => handle(c.id).startUpdate(confirmChangesUpdate, { args: [{ staff: actorOf(p) }], ...accepted })),
  });
  command({
    path: 'withdraw',
    summary: 'Withdraw the case (house rule): the seller is active again',
    who: ops,
    body: z.object({ reason: text(2_000) }).strict(),
    run: (c, p, b) => update(() => handle(c.id).startUpdate(withdrawCaseUpdate, { args: [{ staff: actorOf(p), reason: b.reason }], ...accepted })),
  });
}

/** Builds what a principal sees of a case: its state (live, or the row of an ended one), its timeline and messages; a seller never sees staff names (least privilege). */
export function caseViewer(deps: ApiDeps) {
  return async function viewOf(principal: Principal, c: SellerCase, state?: SellerCaseState): Promise<CaseView> {
    let s = state;
    if (!s) {
      try {
        s = await deps.temporal.workflow.getHandle(sellerCaseWorkflowId(c.id)).query(sellerCaseStateQuery);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) && !isCaseEnded(c.status as CaseStatus)) throw err;
      }
    }
    const [audit, messages] = await Promise.all([
      deps.db.auditLog.findMany({ where: { entityType: 'seller_case', entityId: c.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
      deps.db.sellerCaseMessage.findMany({ where: { caseId: c.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    ]);
    const who = (actor: string) => (principal.kind === 'seller' && actor.startsWith('staff:') ? 'ops' : actor);
    const base = s ?? {
      caseId: c.id, sellerId: c.sellerId, kind: c.kind as CaseKind, status: c.status as CaseStatus, openedAt: c.openedAt.toISOString(), openedBy: c.openedBy,
      notice: null, contest: null, meeting: null, remediation: null, closesAt: null, nextDeadline: null, outcome: c.outcome, closedAt: c.closedAt?.toISOString() ?? null,
    };
    return {
      ...base,
      openedBy: who(base.openedBy),
      timeline: audit.map((a) => ({ at: a.at.toISOString(), event: a.action.replace(/^seller_case\./, ''), by: who(a.actor) })),
      messages: messages.map((m) => ({ messageId: m.id, kind: m.kind, by: who(m.author), text: m.text, at: m.createdAt.toISOString() })),
    };
  };
}

function itemOf(c: SellerCase): z.infer<typeof caseItem> {
  return {
    caseId: c.id,
    sellerId: c.sellerId,
    kind: c.kind,
    status: c.status,
    openedAt: c.openedAt.toISOString(),
    nextDeadlineAt: c.nextDeadlineAt?.toISOString() ?? null,
    nextDeadlineRule: c.nextDeadlineRule,
    closedAt: c.closedAt?.toISOString() ?? null,
    outcome: c.outcome,
  };
}
