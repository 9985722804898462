// Checkout (ORD-1 to ORD-4), as its steps: check what is ordered and under which terms, save the
// card with the gateway, record the order, start Order:<id> and wait for its one card charge.
// Idempotency (the Idempotency-Key header) is the route's declaration (api/idempotency.ts); the
// account the order goes to is api/accounts.ts's business.
import { DateTime } from 'luxon';
import type { Prisma } from '@prisma/client';
import { businessTimeZone } from '../domain/time-format';
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { lineAmounts, sumAmounts } from '../domain/money';
import { checkoutResultUpdate, orderWorkflow, orderWorkflowId, type CheckoutResult } from '../workflows/order';
import { BusinessStatusKey, CustomerIdKey, OrderIdKey, OrderNumberKey } from '../workflows/search-attributes';
import { orderSummary, type OrderAbout } from '../workflows/summaries';
import { accountForCheckout, normalEmail, requireOwnAddress } from './accounts';
import { orderToken, type Principal } from './auth';
import { retryOnConflict } from '../infra/db';
import type { ApiDeps } from './deps';
import type { IdempotencySpec, IdempotentRequest } from './idempotency';
import { Problem } from './problem';
import type { RouteResult } from './route';

export interface CheckoutInput {
  customer: { email: string; name: string; type: 'individual' | 'business'; address: string; country: string; vatNumber?: string; registrationNumber?: string };
  lines: { offerId: string }[];
  acceptedTerms: { sellerId: string; version: string }[];
  card: { number: string; expMonth: number; expYear: number; cvc: string };
}

export async function checkout(deps: ApiDeps, principal: Principal, input: CheckoutInput, idempotency: IdempotentRequest): Promise<RouteResult> {
  const email = normalEmail(input.customer.email);
  await requireOwnAddress(deps, principal, email);
  const offers = await orderableOffers(deps, input);
  const card = await saveCard(deps, input.card);
  const order = await recordOrder(deps, principal, email, input, offers, card, idempotency);
  // What staff read in the Temporal UI: the lines are the offers, in order.
  const about: OrderAbout = {
    number: order.number,
    customerName: input.customer.name,
    lines: order.lines.map((l, i) => ({ lineId: l.id, position: i + 1, offerName: l.name, sellerName: offers[i].seller.legalName, billingPeriod: offers[i].billingPeriod })),
  };
  const result = await awaitCharge(deps, order.id, order.customerId, about);
  return answer(principal, result, order);
}

/** Idempotency of checkout: per buyer address; the card is not part of "the same request". */
export function checkoutIdempotency(deps: ApiDeps): IdempotencySpec<CheckoutInput> {
  return {
    scope: 'checkout',
    // Keys are per caller and address: a repeat by another caller (another customer's key, an
    // anonymous repeat of a signed-in checkout) is another request, checked like a first one.
    caller: (body, actor) => `${actor}:${normalEmail(body.customer.email)}`,
    fingerprint: (body) => ({ customer: { ...body.customer, email: normalEmail(body.customer.email) }, lines: body.lines, acceptedTerms: body.acceptedTerms }),
    // The order token is a secret: rebuilt from the order on a replay, never stored.
    secretFields: ['orderToken'],
    restore: async (body, orderId) => {
      if (!orderId || body.status !== 'paid' || 'customerId' in body) return body;
      const order = await deps.db.order.findUniqueOrThrow({ where: { id: orderId } });
      return { ...body, orderToken: orderToken(order.id, order.createdAt) };
    },
    resume: async (orderId) => {
      // The first attempt stopped before answering: finish it, the same order and the same charge.
      const order = await loadRecordedOrder(deps, orderId);
      const result = await awaitCharge(deps, order.id, order.customerId, await recordedAbout(deps, orderId));
      return answer({ kind: 'anonymous' }, result, order);
    },
  };
}

type Offer = Awaited<ReturnType<typeof orderableOffers>>[number];

/** ORD-2, ORD-3: published offers of sellers taking orders, one currency, every seller's current terms accepted. */
async function orderableOffers(deps: ApiDeps, input: CheckoutInput) {
  const offers = await deps.db.offer.findMany({
    where: { id: { in: input.lines.map((l) => l.offerId) } },
    include: { seller: { include: { terms: { where: { current: true } } } } },
  });
  const byId = new Map(offers.map((o) => [o.id, o]));
  // An edited offer's earlier version is refused, naming the version that replaced it (README
  // "Offers and terms": a buyer confirms the new price instead of being moved to it silently).
  const replacements = await currentVersions(deps, offers.filter((o) => o.supersededById !== null));
  const ordered = input.lines.map((l, i) => {
    const offer = byId.get(l.offerId);
    const replacement = offer ? replacements.get(offer.id) : undefined;
    // The seller first: a closed seller's offers are unpublished (MED-5) and a suspended one's old
    // versions are superseded, yet the buyer is told who takes no orders and why.
    if (offer && offer.seller.status !== 'approved') {
      // Named with its reason (KYC-1: not approved; MED-1: suspended by a closure case; MED-5: closed).
      const why = offer.seller.statusReason ?? (offer.seller.status === 'pending' ? 'not approved yet (KYC-1)' : offer.seller.status);
      throw Problem.unprocessable('seller-unavailable', 'Seller not available', `lines.${i}.offerId: seller ${offer.seller.name} takes no orders: ${why}`, {
        errors: [{ field: `body.lines.${i}.offerId`, message: `seller ${offer.seller.name} takes no orders: ${why}` }],
        seller: { sellerId: offer.seller.id, name: offer.seller.name, status: offer.seller.status, reason: why },
      });
    }
    if (offer && replacement) {
      throw Problem.unprocessable('offer-superseded', 'Offer replaced by a newer version', `lines.${i}.offerId: offer ${offer.id} was replaced by version ${replacement.version} (${replacement.id})`, {
        errors: [{ field: `body.lines.${i}.offerId`, message: `replaced by version ${replacement.version}: order ${replacement.id}` }],
        currentOffer: { offerId: replacement.id, version: replacement.version, priceCents: replacement.priceCents, currency: replacement.currency },
      });
    }
    if (!offer || !offer.published) {
      throw Problem.unprocessable('unknown-offer', 'Unknown offer', `lines.${i}.offerId: no published offer ${l.offerId}`, {
        errors: [{ field: `body.lines.${i}.offerId`, message: 'no such published offer' }],
      });
    }
    return offer;
  });
  if (new Set(ordered.map((o) => o.currency)).size > 1) {
    throw Problem.unprocessable('mixed-currencies', 'Mixed currencies', 'all lines of one order must share a currency (one card charge)', {
      errors: [{ field: 'body.lines', message: 'lines in several currencies' }],
    });
  }
  const sellers = [...new Map(ordered.map((o) => [o.sellerId, o.seller])).values()];
  const missing = sellers.filter((s) => !input.acceptedTerms.some((a) => a.sellerId === s.id && a.version === s.terms[0]?.version));
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
  return ordered;
}

/** The latest published version of each retired offer's product, by the retired offer's id. */
async function currentVersions(deps: ApiDeps, retired: { id: string; productId: string | null }[]) {
  const found = new Map<string, { id: string; version: number; priceCents: number; currency: string }>();
  if (retired.length === 0) return found;
  const heads = await deps.db.offer.findMany({ where: { productId: { in: retired.map((o) => o.productId ?? o.id) }, supersededById: null, published: true } });
  for (const o of retired) {
    const h = heads.find((x) => x.productId === (o.productId ?? o.id));
    if (h) found.set(o.id, h);
  }
  return found;
}

/** PAY-1: the gateway keeps the card; the marketplace keeps its token (PaymentCard) and last 4 digits. */
async function saveCard(deps: ApiDeps, card: CheckoutInput['card']): Promise<{ token: string; last4: string; brand: string }> {
  const saved = await deps.gateway.saveCard(card);
  if ('error' in saved) {
    throw Problem.unprocessable('invalid-card', 'Invalid card', saved.error, { errors: [{ field: 'body.card.number', message: saved.error }] });
  }
  return saved;
}

/**
 * ORD-2, ORD-3 again, inside the order's transaction: an edit, a terms version or a suspension
 * published since the first check (the card was saved meanwhile) would otherwise record an order
 * on a retired version or under terms no longer current. The sellers' rows are locked FOR SHARE:
 * publishing locks them FOR UPDATE, so the two never interleave.
 */
async function recheckOrderable(tx: Prisma.TransactionClient, ordered: Offer[], input: CheckoutInput): Promise<void> {
  const sellerIds = [...new Set(ordered.map((o) => o.sellerId))];
  await tx.$queryRaw`SELECT 1 FROM "Seller" WHERE "id" = ANY(${sellerIds}) FOR SHARE`;
  const now = await tx.offer.findMany({ where: { id: { in: ordered.map((o) => o.id) } }, include: { seller: { include: { terms: { where: { current: true } } } } } });
  const changed = now.filter((o) => !o.published || o.supersededById !== null || o.seller.status !== 'approved' || !input.acceptedTerms.some((a) => a.sellerId === o.sellerId && a.version === o.seller.terms[0]?.version));
  if (changed.length > 0 || now.length !== new Set(ordered.map((o) => o.id)).size) {
    throw Problem.conflict(`the offer or terms of ${changed.map((o) => o.seller.name).join(', ') || 'a seller'} changed during this checkout: read the catalog and the current terms again, then retry`);
  }
}

/** What an answer shows of a recorded order. */
interface RecordedOrder {
  id: string;
  number: string;
  createdAt: Date;
  customerId: string | null;
  currency: string;
  totalExclVatCents: number;
  totalVatCents: number;
  totalCents: number;
  lines: { id: string; offerId: string; sellerId: string; name: string; totalCents: number }[];
}

const lineId = (orderId: string, position: number) => `${orderId.replace('ord_', 'lin_')}_${position}`;

/** ORD-1, ORD-2: the order, its lines, the terms accepted and the idempotency record, in one transaction. */
async function recordOrder(
  deps: ApiDeps,
  principal: Principal,
  email: string,
  input: CheckoutInput,
  ordered: Offer[],
  card: { token: string; last4: string; brand: string },
  idempotency: IdempotentRequest,
): Promise<RecordedOrder> {
  const amounts = ordered.map((o) => lineAmounts(o.priceCents, o.vatRateBp));
  const totals = sumAmounts(amounts);
  const orderId = `ord_${randomUUID()}`;
  const cardId = `card_${randomUUID()}`;
  const createdAt = new Date();
  const sellers = [...new Map(ordered.map((o) => [o.sellerId, o.seller])).values()];
  const lines = ordered.map((o, i) => ({ id: lineId(orderId, i + 1), offerId: o.id, sellerId: o.sellerId, name: o.name, totalCents: amounts[i].totalCents }));
  const recorded = await retryOnConflict(() =>
    deps.db.$transaction(async (tx) => {
      // The order number: the counter row stays locked until commit, so numbers follow the
      // order of commits and a rolled-back checkout gives its number back.
      // The year in the business time zone, as invoice numbers take it: an order placed on
      // 31 December at 23:30 in Paris is numbered in that year, not the next (UTC) one.
      const year = DateTime.fromJSDate(createdAt).setZone(businessTimeZone()).year;
      const counter = await tx.counter.upsert({
        where: { name: `order:${year}` },
        create: { name: `order:${year}`, value: 1 },
        update: { value: { increment: 1 } },
      });
      await recheckOrderable(tx, ordered, input);
      const customerId = await accountForCheckout(tx, principal, email);
      await tx.paymentCard.create({ data: { id: cardId, customerId, token: card.token, last4: card.last4, brand: card.brand } });
      const number = `O-${year}-${String(counter.value).padStart(6, '0')}`;
      await tx.order.create({
        data: {
          id: orderId,
          number,
          customerId,
          customerEmail: email,
          customerName: input.customer.name,
          customerType: input.customer.type,
          customerAddress: input.customer.address,
          customerCountry: input.customer.country,
          customerVatNumber: input.customer.vatNumber ?? null,
          customerRegistrationNumber: input.customer.registrationNumber ?? null,
          status: 'payment_pending',
          currency: ordered[0].currency,
          totalExclVatCents: totals.exclVatCents,
          totalVatCents: totals.vatCents,
          totalCents: totals.totalCents,
          cardId,
          cardLast4: card.last4,
          createdAt,
          lines: {
            create: ordered.map((o, i) => ({
              id: lines[i].id,
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
        data: sellers.map((s) => ({ customerId, sellerId: s.id, version: s.terms[0].version, orderId })),
      });
      await tx.auditLog.create({
        data: {
          key: `order:${orderId}:created`,
          actor: principal.kind === 'customer' ? `customer:${principal.customerId}` : 'anonymous',
          action: 'order.created',
          entityType: 'order',
          entityId: orderId,
          orderId,
          workflowId: orderWorkflowId(orderId),
          data: JSON.stringify({ number, totalCents: totals.totalCents, currency: ordered[0].currency }),
        },
      });
      await idempotency.claim(tx, orderId);
      return { customerId, number };
    }),
  );
  // The answer is built from what this transaction recorded (no read-after-write).
  return { id: orderId, number: recorded.number, createdAt, customerId: recorded.customerId, currency: ordered[0].currency, ...totalsOf(totals), lines };
}

const totalsOf = (t: { exclVatCents: number; vatCents: number; totalCents: number }) => ({
  totalExclVatCents: t.exclVatCents,
  totalVatCents: t.vatCents,
  totalCents: t.totalCents,
});

async function loadRecordedOrder(deps: ApiDeps, orderId: string): Promise<RecordedOrder> {
  return deps.db.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
}

/** What staff read of a recorded order (a resumed checkout): its number, buyer's name and lines. */
async function recordedAbout(deps: ApiDeps, orderId: string): Promise<OrderAbout> {
  const order = await deps.db.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' }, include: { seller: true } } } });
  const lines = order.lines.map((l) => ({ lineId: l.id, position: l.position, offerName: l.name, sellerName: l.seller.legalName, billingPeriod: l.billingPeriod }));
  return { number: order.number, customerName: order.customerName, lines };
}

/** ORD-4: starts the order process (or joins it, if a first attempt already did) and waits for the charge. */
async function awaitCharge(deps: ApiDeps, orderId: string, customerId: string | null, about: OrderAbout): Promise<CheckoutResult> {
  const start = new WithStartWorkflowOperation(orderWorkflow, {
    workflowId: orderWorkflowId(orderId),
    taskQueue: deps.taskQueue,
    args: [
      {
        orderId,
        ...(customerId ? { customerId } : {}),
        number: about.number,
        lines: about.lines,
        ...(deps.demoValidationWindowMinutes ? { validationWindowHours: deps.demoValidationWindowMinutes / 60 } : {}),
      },
    ],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // What staff read in the Temporal UI (docs/temporal-ui.md): number, lines, the buyer's name; no address.
    staticSummary: orderSummary({ number: about.number, lineCount: about.lines.length, customerName: about.customerName }),
    typedSearchAttributes: [
      { key: OrderIdKey, value: orderId },
      { key: OrderNumberKey, value: about.number },
      ...(customerId ? [{ key: CustomerIdKey, value: customerId }] : []),
      { key: BusinessStatusKey, value: 'payment_pending' },
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

/**
 * The answer is the same whether the address had an account or not (X-8): the order and, for an
 * anonymous buyer, a token that follows this order only. A signed-in customer also sees its id.
 */
function answer(principal: Principal, result: CheckoutResult, order: RecordedOrder): RouteResult {
  if (result.status === 'payment_failed') {
    const problem = new Problem(402, 'payment-declined', 'Payment declined', result.failure?.message, { code: result.failure?.code, orderId: order.id });
    return { status: 402, body: problem.body() };
  }
  return {
    status: 201,
    body: {
      orderId: order.id,
      number: order.number,
      ...(principal.kind === 'customer' ? { customerId: principal.customerId } : { orderToken: orderToken(order.id, order.createdAt) }),
      status: 'paid',
      paidAt: result.paidAt,
      currency: order.currency,
      totalExclVatCents: order.totalExclVatCents,
      totalVatCents: order.totalVatCents,
      totalCents: order.totalCents,
      lines: order.lines.map((l) => ({ lineId: l.id, offerId: l.offerId, sellerId: l.sellerId, name: l.name, totalCents: l.totalCents })),
    },
  };
}
