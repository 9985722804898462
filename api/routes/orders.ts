// Routes of the order process: checkout (ORD-1..4), order and line state with a timeline
// (ACC-2), the seller's accept/refuse (ORD-6), ops cancel/extend and the overdue list (ORD-7).
import { randomUUID } from 'node:crypto';
import { REGISTRATION_NUMBER, VAT_NUMBER } from '../../domain/billing-identity';
import { MAX_QUANTITY, YEARLY_PERIODS } from '../../domain/commercial-policy';
import { MAX_EXTENSION_HOURS, OPEN_LINE_STATUSES, isUndecided, type LineStatus } from '../../domain/order-line';
import {
  acceptLineUpdate,
  cancelLineUpdate,
  extendValidationUpdate,
  orderLineStateQuery,
  orderLineWorkflowId,
  refuseLineUpdate,
  type OrderLineState,
} from '../../workflows/order-line';
import { actorOf, allow, type Principal } from '../auth';
import { checkout, checkoutIdempotency } from '../checkout';
import type { ApiDeps } from '../deps';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowUpdateHandle } from '@temporalio/client';
import { pendingAnswer, runUpdate } from '../temporal-errors';
import { buildTimeline } from '../timeline';
import { lineAsSeenBy, type LineOwners } from '../visibility';
import { checkoutAnswer, lineState, lineTerms, orderView, pendingCommand, type LineTermsRow } from '../response-schemas';
import { z } from '../zod';

const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,80}$`), `must be a ${prefix}_… id`);
const orderParams = z.object({ orderId: id('ord') });
const lineParams = z.object({ orderId: id('ord'), lineId: id('lin') });
const text = (max: number) => z.string().trim().min(1).max(max);

const BUYER_PERIODS = ['monthly', ...YEARLY_PERIODS] as const;

const checkoutBody = z
  .object({
    customer: z.object({
      email: z.email().max(254),
      name: text(200),
      type: z.enum(['individual', 'business']),
      // INV-1: the billing address every document shows, and a business's intra-EU VAT number.
      address: text(500),
      country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. FR').default('FR'),
      vatNumber: z.string().regex(VAT_NUMBER, 'an intra-EU VAT number, e.g. FR40303265045').optional(),
      registrationNumber: z.string().regex(REGISTRATION_NUMBER, 'a SIREN (9 digits) or a register number').optional(),
    }).strict()
      .refine((c) => c.type === 'business' || c.vatNumber === undefined, { path: ['vatNumber'], message: 'only for a business customer' })
      .refine((c) => c.type === 'business' || c.registrationNumber === undefined, { path: ['registrationNumber'], message: 'only for a business customer' }),
    lines: z
      .array(
        z
          .object({
            offerId: z.string().min(1).max(100),
            // POL-6: which of the offer's allowed periods; left out, the offer's own.
            billingPeriod: z.enum(BUYER_PERIODS, { error: `must be one of: ${BUYER_PERIODS.join(', ')}` }).optional(),
            quantity: z.number().int().min(1).max(MAX_QUANTITY).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    acceptedTerms: z.array(z.object({ sellerId: z.string().min(1).max(100), version: z.string().min(1).max(50) }).strict()).max(20),
    card: z.object({
      number: z.string().regex(/^[\d -]{12,23}$/, 'digits only'),
      expMonth: z.number().int().min(1).max(12),
      expYear: z.number().int().min(2000).max(2100),
      cvc: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
    }).strict(),
  })
  .strict()
  .openapi('CheckoutRequest');

/** who may see a line, and who may decide on it. */
interface LineRow {
  id: string;
  orderId: string;
  offerId: string;
  sellerId: string;
  name: string;
  status: string;
  totalCents: number;
  validationDueAt: Date | null;
  billingPeriod: string;
  quantity: number;
  unitPriceCents: number;
  discountBp: number;
  discountKind: string | null;
  trialEndsAt: Date | null;
}

/** The line, with its order's customer when it was read (for a customer caller). */
async function loadLine(deps: ApiDeps, orderId: string, lineId: string, principal: Principal): Promise<LineRow & LineOwners> {
  // The hottest read of the API (a seller polls its line every 50 ms until it may decide): a raw
  // primary-key SELECT of the columns used costs a third of a Prisma findUnique's CPU (no query
  // plan to compile per call).
  const [line] = await deps.db.$queryRaw<LineRow[]>`
    SELECT "id", "orderId", "offerId", "sellerId", "name", "status", "totalCents", "validationDueAt",
           "billingPeriod", "quantity", "unitPriceCents", "discountBp", "discountKind", "trialEndsAt"
    FROM "OrderLine" WHERE "id" = ${lineId}`;
  if (!line || line.orderId !== orderId) throw Problem.notFound(`no line ${lineId} in order ${orderId}`);
  // Only a customer's access depends on the order (its owner): staff and sellers need one read, not
  // two (a seller polls its line every 50 ms while it waits for it).
  const customerId =
    principal.kind === 'customer' ? (await deps.db.order.findUnique({ where: { id: line.orderId }, select: { customerId: true } }))?.customerId : undefined;
  const mayRead =
    principal.kind === 'staff' ||
    (principal.kind === 'seller' && principal.sellerId === line.sellerId) ||
    (principal.kind === 'customer' && customerId === principal.customerId);
  if (!mayRead) throw Problem.forbidden('this line is not yours');
  return { ...line, customerId };
}

function requireUndecided(line: { id: string; status: string }): void {
  if (!(OPEN_LINE_STATUSES as readonly string[]).includes(line.status)) {
    throw Problem.conflict(`line ${line.id} is already ${line.status}`, { lineStatus: line.status });
  }
}

/** A line as the API shows it (orders and the line lists). */
export function lineView(l: { id: string; offerId: string; sellerId: string; name: string; status: string; totalCents: number; validationDueAt: Date | null } & LineTermsRow) {
  return {
    lineId: l.id,
    offerId: l.offerId,
    sellerId: l.sellerId,
    name: l.name,
    status: l.status,
    totalCents: l.totalCents,
    validationDueAt: l.validationDueAt?.toISOString() ?? null,
    ...lineTerms(l),
  };
}

export function registerOrderRoutes(routes: RouteTable, deps: ApiDeps): void {
  const lineHandle = (lineId: string) => deps.temporal.workflow.getHandle(orderLineWorkflowId(lineId));

  routes.add({
    method: 'post',
    path: '/checkout',
    tag: 'orders',
    summary: 'Order offers and pay the first period by card (ORD-1 to ORD-4); Idempotency-Key required, a repeat returns the first answer',
    allow: allow.anyOf((p) => p.kind === 'anonymous', allow.customer),
    body: checkoutBody,
    idempotency: checkoutIdempotency(deps),
    responses: {
      201: {
        description:
          'Paid order. Anonymous buyers get an orderToken (Bearer) that follows this order only, whether or not the address has an account (X-8); the account itself is reached by signing in (POST /auth/sign-in)',
        schema: checkoutAnswer,
      },
      402: { description: 'Card declined: nothing is charged, nothing reaches the sellers, no account is created' },
    },
    handler: ({ principal, body, idempotency }) => checkout(deps, principal, body, idempotency!),
  });

  routes.add({
    method: 'get',
    path: '/orders/:orderId',
    tag: 'orders',
    summary: 'An order, its lines and its timeline (ACC-2); also with the order token of an anonymous checkout',
    allow: allow.anyOf(allow.customer, allow.staff('ops', 'support', 'finance'), (p) => p.kind === 'order'),
    params: orderParams,
    responses: { 200: { description: 'The order', schema: orderView } },
    handler: async ({ principal, params }) => {
      const order = await deps.db.order.findUnique({
        where: { id: params.orderId },
        include: { lines: { orderBy: { position: 'asc' } } },
      });
      if (!order) throw Problem.notFound(`no order ${params.orderId}`);
      if (principal.kind === 'customer' && principal.customerId !== order.customerId) throw Problem.forbidden('this order is not yours');
      if (principal.kind === 'order' && principal.orderId !== order.id) throw Problem.forbidden('this token follows another order');
      const audit = await deps.db.auditLog.findMany({ where: { orderId: order.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
      const subscriptions = await deps.db.subscription.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
      return {
        status: 200,
        body: {
          orderId: order.id,
          number: order.number,
          // An order token proves nothing about the account: its id is not shown.
          ...(principal.kind === 'order' ? {} : { customerId: order.customerId }),
          status: order.status,
          createdAt: order.createdAt.toISOString(),
          paidAt: order.paidAt?.toISOString() ?? null,
          currency: order.currency,
          totalExclVatCents: order.totalExclVatCents,
          totalVatCents: order.totalVatCents,
          totalCents: order.totalCents,
          card: { last4: order.cardLast4 },
          failure: order.failureCode ? { code: order.failureCode, message: order.failureMessage } : null,
          // trimmed per caller (api/visibility.ts) should the view ever carry access instructions or actors.
          lines: order.lines.map((l) => lineAsSeenBy(principal, { sellerId: l.sellerId, customerId: order.customerId }, lineView(l))),
          timeline: buildTimeline(order, audit, principal, subscriptions),
        },
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/orders/:orderId/lines/:lineId',
    tag: 'orders',
    summary: 'Live state of one line, from its workflow',
    allow: allow.authenticated,
    params: lineParams,
    responses: {
      200: {
        description: 'The line state. The X-State-Source header says where it was read: `workflow` (live) or `database` (a line whose process ended or has not begun)',
        schema: lineState,
      },
    },
    handler: async ({ principal, params }) => {
      const line = await loadLine(deps, params.orderId, params.lineId, principal);
      // access instructions only for the line's customer and seller, ops and admin; staff
      // actors named to staff only (api/visibility.ts).
      const seen = <T extends object>(view: T) => lineAsSeenBy(principal, line, view);
      if (line.status === 'awaiting_payment' || line.status === 'payment_failed') {
        return { status: 200, body: seen({ ...lineView(line), orderId: line.orderId }), headers: { 'x-state-source': 'database' } };
      }
      try {
        const state = await lineHandle(line.id).query(orderLineStateQuery);
        // The terms are the line's, not its workflow's: read from the row either way.
        return { status: 200, body: seen({ ...state, ...lineTerms(line) }), headers: { 'x-state-source': 'workflow' } };
      } catch (err) {
        // A decided line's workflow has completed and the read model holds its final state. A
        // query on a completed workflow replays its whole history, which the SDK (1.24) can fail
        // with a nondeterminism error after a worker died mid-task while an update arrived (see
        // README, "Known SDK defect"): answer from the database instead of failing for ever.
        if (isUndecided(line.status as LineStatus)) throw err;
        return { status: 200, body: seen({ ...lineView(line), orderId: line.orderId }), headers: { 'x-state-source': 'database' } };
      }
    },
  });

  const decision = <B extends z.ZodType>(
    path: string,
    summary: string,
    who: (p: Principal) => boolean,
    body: B,
    run: (lineId: string, principal: Principal, body: z.infer<B>) => Promise<WorkflowUpdateHandle<OrderLineState>>,
  ) =>
    routes.add({
      method: 'post',
      path: `/orders/:orderId/lines/:lineId/${path}`,
      tag: 'orders',
      summary,
      allow: who,
      params: lineParams,
      body,
      responses: {
        200: { description: 'The line state after the command', schema: lineState },
        202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl (GET /updates/…)', schema: pendingCommand },
        409: { description: 'The line is already decided' },
      },
      handler: async ({ principal, params, body: input }) => {
        const line = await loadLine(deps, params.orderId, params.lineId, principal);
        if (principal.kind === 'customer') throw Problem.forbidden('customers cannot decide on lines');
        requireUndecided(line);
        const outcome = await runUpdate(deps.temporal, () => run(line.id, principal, input));
        if (!outcome.done) return pendingAnswer(outcome);
        // The seller who decides reads its line without the staff labels of its extensions.
        return { status: 200, body: lineAsSeenBy(principal, line, { ...outcome.result, ...lineTerms(line) }) };
      },
    });

  decision(
    'accept',
    'Seller accepts its line with access instructions for the customer (ORD-6)',
    allow.seller,
    z.object({ accessInstructions: text(5000) }).strict().openapi('AcceptLine'),
    async (lineId, p, b) => {
      const sellerId = p.kind === 'seller' ? p.sellerId : '';
      // Often credentials: stored here, and only their id goes into the workflow's history.
      const stored = await deps.db.accessInstructions.create({
        data: { id: `acc_${randomUUID()}`, lineId, sellerId, text: b.accessInstructions },
      });
      try {
        return await lineHandle(lineId).startUpdate(acceptLineUpdate, { args: [{ sellerId, accessInstructionsId: stored.id }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      } catch (err) {
        // Refused (already decided, another seller's line): the credentials are not kept.
        if (err instanceof WorkflowUpdateFailedError) await deps.db.accessInstructions.delete({ where: { id: stored.id } });
        throw err;
      }
    },
  );
  decision(
    'refuse',
    'Seller refuses its line with a reason; the line is refunded in full (ORD-6)',
    allow.seller,
    z.object({ reason: text(2000) }).strict().openapi('RefuseLine'),
    (lineId, p, b) =>
      lineHandle(lineId).startUpdate(refuseLineUpdate, { args: [{ sellerId: p.kind === 'seller' ? p.sellerId : '', reason: b.reason }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
  );
  decision(
    'cancel',
    'Ops cancel an undecided line with a full refund (ORD-7)',
    allow.staff('ops'),
    z.object({ reason: text(2000) }).strict().openapi('CancelLine'),
    (lineId, p, b) => lineHandle(lineId).startUpdate(cancelLineUpdate, { args: [{ staffId: actorOf(p).replace('staff:', ''), reason: b.reason }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
  );
  decision(
    'extend',
    'Ops grant the seller more hours to answer, counted from now (ORD-7)',
    allow.staff('ops'),
    z.object({ hours: z.number().int().min(1).max(MAX_EXTENSION_HOURS) }).strict().openapi('ExtendValidation'),
    (lineId, p, b) => lineHandle(lineId).startUpdate(extendValidationUpdate, { args: [{ staffId: actorOf(p).replace('staff:', ''), hours: b.hours }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
  );
  // GET /ops/lines and GET /seller/lines: api/routes/line-lists.ts (paginated lists).
}
