// Checkout (ORD-1 to ORD-4): find or create the customer by e-mail, check the terms of every
// seller, record the order, then start Order:<id> and wait for its one card charge.
import { createHash, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { lineAmounts, sumAmounts } from '../domain/money';
import { checkoutResultUpdate, orderWorkflow, orderWorkflowId, type CheckoutResult } from '../workflows/order';
import { CustomerIdKey, OrderIdKey, StatusKey } from '../workflows/search-attributes';
import { hashKey, newApiKey, type Principal } from './auth';
import { retryOnConflict } from '../infra/db';
import type { ApiDeps } from './deps';
import { Problem } from './problem';
import type { RouteResult } from './route';

export interface CheckoutInput {
  customer: { email: string; name: string; type: 'individual' | 'business' };
  lines: { offerId: string }[];
  acceptedTerms: { sellerId: string; version: string }[];
  card: { number: string; expMonth: number; expYear: number; cvc: string };
}

export async function checkout(
  deps: ApiDeps,
  principal: Principal,
  input: CheckoutInput,
  idempotencyKey: string | undefined,
): Promise<RouteResult> {
  const { db } = deps;
  const email = input.customer.email.trim().toLowerCase();
  if (principal.kind === 'customer') {
    const me = await db.customer.findUniqueOrThrow({ where: { id: principal.customerId } });
    if (me.email !== email) throw Problem.forbidden('customer.email must be the e-mail of your own account');
  }

  const recordKey = idempotencyKey ? `checkout:${email}:${idempotencyKey}` : undefined;
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  if (recordKey) {
    const previous = await db.idempotencyRecord.findUnique({ where: { key: recordKey } });
    if (previous) return replay(deps, previous, requestHash);
  }

  // --- ORD-2, ORD-3: what is ordered, from whom, under which terms --------------------------
  const offerIds = input.lines.map((l) => l.offerId);
  const offers = await db.offer.findMany({
    where: { id: { in: offerIds } },
    include: { seller: { include: { terms: { where: { current: true } } } } },
  });
  const byId = new Map(offers.map((o) => [o.id, o]));
  input.lines.forEach((l, i) => {
    const offer = byId.get(l.offerId);
    if (!offer || !offer.published) {
      throw Problem.unprocessable('unknown-offer', 'Unknown offer', `lines.${i}.offerId: no published offer ${l.offerId}`, {
        errors: [{ field: `body.lines.${i}.offerId`, message: 'no such published offer' }],
      });
    }
    if (offer.seller.status !== 'approved') {
      throw Problem.unprocessable('seller-unavailable', 'Seller not available', `lines.${i}.offerId: the seller of ${offer.id} takes no orders`, {
        errors: [{ field: `body.lines.${i}.offerId`, message: 'the seller takes no orders' }],
      });
    }
  });
  const ordered = input.lines.map((l) => byId.get(l.offerId)!);
  const currencies = new Set(ordered.map((o) => o.currency));
  if (currencies.size > 1) {
    throw Problem.unprocessable('mixed-currencies', 'Mixed currencies', 'all lines of one order must share a currency (one card charge)', {
      errors: [{ field: 'body.lines', message: 'lines in several currencies' }],
    });
  }
  const sellers = [...new Map(ordered.map((o) => [o.sellerId, o.seller])).values()];
  const missing = sellers.filter((s) => {
    const current = s.terms[0]?.version;
    return !input.acceptedTerms.some((a) => a.sellerId === s.id && a.version === current);
  });
  if (missing.length > 0) {
    throw Problem.unprocessable(
      'terms-not-accepted',
      'Terms not accepted',
      `accept the current terms of: ${missing.map((s) => `${s.name} (version ${s.terms[0]?.version})`).join(', ')}`,
      {
        sellers: missing.map((s) => ({ sellerId: s.id, name: s.name, currentVersion: s.terms[0]?.version })),
        errors: [{ field: 'body.acceptedTerms', message: `missing: ${missing.map((s) => s.id).join(', ')}` }],
      },
    );
  }

  const saved = deps.gateway.saveCard(input.card);
  if ('error' in saved) {
    throw Problem.unprocessable('invalid-card', 'Invalid card', saved.error, { errors: [{ field: 'body.card.number', message: saved.error }] });
  }

  // --- ORD-1, ORD-2: record customer, order and lines in one transaction --------------------
  const amounts = ordered.map((o) => lineAmounts(o.priceCents, o.vatRateBp));
  const totals = sumAmounts(amounts);
  const orderId = `ord_${randomUUID()}`;
  let customerApiKey: string | undefined;
  let created: { customerId: string; number: string };
  try {
    created = await retryOnConflict(() => db.$transaction(async (tx) => {
      // The order number: the counter row stays locked until commit, so numbers follow the
      // order of commits and a rolled-back checkout gives its number back.
      const year = new Date().getUTCFullYear();
      const counter = await tx.counter.upsert({
        where: { name: `order:${year}` },
        create: { name: `order:${year}`, value: 1 },
        update: { value: { increment: 1 } },
      });
      customerApiKey = undefined;
      let customer = await tx.customer.findUnique({ where: { email } });
      if (!customer) {
        customer = await tx.customer.create({
          data: { id: `cus_${randomUUID()}`, email, name: input.customer.name, type: input.customer.type },
        });
        customerApiKey = newApiKey('cust');
        await tx.apiKey.create({ data: { hash: hashKey(customerApiKey), label: email, kind: 'customer', customerId: customer.id } });
      }
      const number = `O-${year}-${String(counter.value).padStart(6, '0')}`;
      await tx.order.create({
        data: {
          id: orderId,
          number,
          customerId: customer.id,
          status: 'payment_pending',
          currency: ordered[0].currency,
          totalExclVatCents: totals.exclVatCents,
          totalVatCents: totals.vatCents,
          totalCents: totals.totalCents,
          cardToken: saved.token,
          cardLast4: saved.last4,
          lines: {
            create: ordered.map((o, i) => ({
              id: `${orderId.replace('ord_', 'lin_')}_${i + 1}`,
              position: i + 1,
              offerId: o.id,
              sellerId: o.sellerId,
              name: o.name,
              priceCents: o.priceCents,
              currency: o.currency,
              vatRateBp: o.vatRateBp,
              vatCents: amounts[i].vatCents,
              totalCents: amounts[i].totalCents,
              billingPeriod: o.billingPeriod,
              commitmentMonths: o.commitmentMonths,
              status: 'awaiting_payment',
            })),
          },
        },
      });
      await tx.termsAcceptance.createMany({
        data: sellers.map((s) => ({ customerId: customer!.id, sellerId: s.id, version: s.terms[0].version, orderId })),
      });
      await tx.auditLog.create({
        data: {
          key: `order:${orderId}:created`,
          actor: principal.kind === 'customer' ? `customer:${customer.id}` : `anonymous:${email}`,
          action: 'order.created',
          entityType: 'order',
          entityId: orderId,
          orderId,
          workflowId: orderWorkflowId(orderId),
          data: JSON.stringify({ number, totalCents: totals.totalCents, currency: ordered[0].currency }),
        },
      });
      if (recordKey) await tx.idempotencyRecord.create({ data: { key: recordKey, requestHash, orderId, customerApiKey } });
      return { customerId: customer.id, number };
    }));
  } catch (err) {
    // Two identical requests raced: the loser replays the winner's result.
    const previous = recordKey ? await db.idempotencyRecord.findUnique({ where: { key: recordKey } }) : null;
    if (previous) return replay(deps, previous, requestHash);
    throw err;
  }

  const result = await awaitCharge(deps, orderId, created.customerId);
  // The answer is built from what this transaction recorded (no read-after-write); a replay reads it.
  const recorded: RecordedOrder = {
    id: orderId,
    number: created.number,
    customerId: created.customerId,
    currency: ordered[0].currency,
    totalExclVatCents: totals.exclVatCents,
    totalVatCents: totals.vatCents,
    totalCents: totals.totalCents,
    lines: ordered.map((o, i) => ({ id: `${orderId.replace('ord_', 'lin_')}_${i + 1}`, offerId: o.id, sellerId: o.sellerId, name: o.name, totalCents: amounts[i].totalCents })),
  };
  const response = await respond(deps, orderId, result, customerApiKey, recorded);
  if (recordKey) {
    await db.idempotencyRecord.update({
      where: { key: recordKey },
      data: { statusCode: response.status, body: JSON.stringify(response.body) },
    });
  }
  return response;
}

/** ORD-4: starts the order process (or joins it, if a first attempt already did) and waits for the charge. */
async function awaitCharge(deps: ApiDeps, orderId: string, customerId: string): Promise<CheckoutResult> {
  const start = new WithStartWorkflowOperation(orderWorkflow, {
    workflowId: orderWorkflowId(orderId),
    taskQueue: deps.taskQueue,
    args: [{ orderId, customerId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: OrderIdKey, value: orderId },
      { key: CustomerIdKey, value: customerId },
      { key: StatusKey, value: 'payment_pending' },
    ],
  });
  try {
    return await deps.temporal.workflow.executeUpdateWithStart(checkoutResultUpdate, { startWorkflowOperation: start });
  } catch (err) {
    // The process already ended (a declined charge): the database holds its outcome.
    const order = await deps.db.order.findUnique({ where: { id: orderId } });
    if (order?.status === 'payment_failed') {
      return { orderId, status: 'payment_failed', failure: { code: order.failureCode ?? '', message: order.failureMessage ?? '' } };
    }
    throw err;
  }
}

/** What the answer to a paid checkout shows of its order. */
interface RecordedOrder {
  id: string;
  number: string;
  customerId: string;
  currency: string;
  totalExclVatCents: number;
  totalVatCents: number;
  totalCents: number;
  lines: { id: string; offerId: string; sellerId: string; name: string; totalCents: number }[];
}

async function respond(deps: ApiDeps, orderId: string, result: CheckoutResult, customerApiKey?: string, recorded?: RecordedOrder): Promise<RouteResult> {
  if (result.status === 'payment_failed') {
    const problem = new Problem(402, 'payment-declined', 'Payment declined', result.failure?.message, {
      code: result.failure?.code,
      orderId,
    });
    return { status: 402, body: problem.body() };
  }
  const order: RecordedOrder =
    recorded ?? (await deps.db.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' } } } }));
  return {
    status: 201,
    body: {
      orderId: order.id,
      number: order.number,
      customerId: order.customerId,
      status: 'paid',
      paidAt: result.paidAt,
      currency: order.currency,
      totalExclVatCents: order.totalExclVatCents,
      totalVatCents: order.totalVatCents,
      totalCents: order.totalCents,
      lines: order.lines.map((l) => ({ lineId: l.id, offerId: l.offerId, sellerId: l.sellerId, name: l.name, totalCents: l.totalCents })),
      ...(customerApiKey ? { customerApiKey } : {}),
    },
  };
}

async function replay(
  deps: ApiDeps,
  previous: { key: string; requestHash: string; orderId: string; statusCode: number | null; body: string | null; customerApiKey: string | null },
  requestHash: string,
): Promise<RouteResult> {
  if (previous.requestHash !== requestHash) {
    throw Problem.unprocessable('idempotency-key-reused', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request', {
      errors: [{ field: 'headers.idempotency-key', message: 'already used for a different request' }],
    });
  }
  if (previous.statusCode !== null && previous.body !== null) {
    return { status: previous.statusCode, body: JSON.parse(previous.body) };
  }
  // The first attempt stopped before answering: finish it, the same order and the same charge.
  const order = await deps.db.order.findUniqueOrThrow({ where: { id: previous.orderId } });
  const result = await awaitCharge(deps, order.id, order.customerId);
  const response = await respond(deps, order.id, result, previous.customerApiKey ?? undefined);
  await deps.db.idempotencyRecord.update({
    where: { key: previous.key },
    data: { statusCode: response.status, body: JSON.stringify(response.body) },
  });
  return response;
}
