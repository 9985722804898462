// Checkout (ORD-1 to ORD-4), as its steps: check what is ordered and under which terms, save the
// card with the gateway, price and record the order, start Order:<id> and wait for its one card
// charge (or, when every line is on a free trial, its card verification, POL-1).
// Idempotency (the Idempotency-Key header) is the route's declaration (api/idempotency.ts); the
// account the order goes to is api/accounts.ts's business.
import { DateTime } from 'luxon';
import type { Prisma } from '@prisma/client';
import { businessTimeZone } from '../domain/time-format';
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { BillingPeriod } from '../domain/calendar';
import { allowedPeriodsOf, lineCharge, trialEnd, unitPriceFor } from '../domain/commercial-policy';
import { withVolumeTier, type VolumeTier } from '../domain/partner-pricing';
import { sumAmounts, type LineAmounts } from '../domain/money';
import { discountFor } from '../activities/customer-verifications';
import { checkoutResultUpdate, orderWorkflow, orderWorkflowId, type CheckoutResult } from '../workflows/order';
import { BusinessStatusKey, CustomerIdKey, OrderIdKey, OrderNumberKey } from '../workflows/search-attributes';
import { orderSummary, type OrderAbout } from '../workflows/summaries';
import { accountForCheckout, normalEmail, requireOwnAddress } from './accounts';
import { orderToken, type Principal } from './auth';
import { retryOnConflict } from '../infra/db';
import type { ApiDeps } from './deps';
import type { IdempotencySpec, IdempotentRequest } from './idempotency';
import type { PartnerOrder } from './partner-access';
import { Problem } from './problem';
import { lineTerms, type LineTermsRow } from './response-schemas';
import type { RouteResult } from './route';

export interface CheckoutInput {
  customer: { email: string; name: string; type: 'individual' | 'business'; address: string; country: string; vatNumber?: string; registrationNumber?: string };
  lines: { offerId: string; billingPeriod?: BillingPeriod; quantity?: number }[];
  acceptedTerms: { sellerId: string; version: string }[];
  card: { number: string; expMonth: number; expYear: number; cvc: string };
}

export async function checkout(deps: ApiDeps, principal: Principal, input: CheckoutInput, idempotency: IdempotentRequest, partnerOrder?: PartnerOrder): Promise<RouteResult> {
  const email = normalEmail(input.customer.email);
  await requireOwnAddress(deps, principal, email);
  const offers = await orderableOffers(deps, input);
  const chosen = chosenTerms(input, offers);
  // PRT-5: a partner's order is paid with the payer's saved card; anyone else's, with the card typed.
  const card = partnerOrder?.card ?? (await saveCard(deps, input.card));
  const order = await recordOrder(deps, principal, email, input, chosen, card, idempotency, partnerOrder);
  // What staff read in the Temporal UI: the lines are the offers, in order.
  const about: OrderAbout = {
    number: order.number,
    lines: order.lines.map((l, i) => ({ lineId: l.id, position: i + 1, offerName: l.name, sellerName: offers[i].seller.legalName, billingPeriod: l.billingPeriod })),
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

/** What a line buys: its offer, the period it bills and how many units. */
interface ChosenLine {
  offer: Offer;
  period: BillingPeriod;
  quantity: number;
}

/**
 * POL-6: each line bills a period its offer allows (left out: the offer's own); another is refused
 * naming the line's field and the periods allowed. Quantities are bounded by the request schema.
 */
function chosenTerms(input: CheckoutInput, offers: Offer[]): ChosenLine[] {
  return input.lines.map((l, i) => {
    const offer = offers[i];
    const allowed = allowedPeriodsOf(offer);
    const period = l.billingPeriod ?? (offer.billingPeriod as BillingPeriod);
    if (!allowed.includes(period)) {
      const message = `${offer.name} is sold ${allowed.join(', ')} only (POL-6), not ${period}`;
      throw Problem.unprocessable('period-not-allowed', 'Billing period not allowed', `lines.${i}.billingPeriod: ${message}`, {
        errors: [{ field: `body.lines.${i}.billingPeriod`, message: `must be one of: ${allowed.join(', ')}` }],
        allowedPeriods: allowed,
      });
    }
    return { offer, period, quantity: l.quantity ?? 1 };
  });
}

/** One line as checkout prices it (README "Commercial policies"): what its OrderLine row records. */
interface PricedLine extends ChosenLine, LineTermsRow {
  /** One period after the discount, VAT per invoice line (lineCharge). */
  amounts: LineAmounts;
  /** What is charged now: nothing for a line on a free trial (POL-1). */
  chargedCents: number;
}

/**
 * POL-1, POL-3, POL-6, quantities: the chosen period's unit price × quantity, less the verified
 * discount as of now, and a free trial from now. Only a signed-in customer's verification counts:
 * an anonymous buyer has not shown the address is theirs, and a price that depends on it would
 * tell anyone whether an address has a verified account (X-8). The discount stacks with no other
 * reduction (house rule): a line at a partner's reseller price gets none.
 */
async function priceLines(tx: Prisma.TransactionClient, principal: Principal, chosen: ChosenLine[], at: Date, partnerOrder?: PartnerOrder): Promise<PricedLine[]> {
  const priced: PricedLine[] = [];
  for (const c of chosen) {
    const basePrice = partnerOrder?.unitPriceOf(c.offer) ?? c.offer.priceCents;
    const eligible = c.offer.discountEligible && basePrice === c.offer.priceCents;
    const discount = principal.kind === 'customer' ? await discountFor(tx, { customerId: principal.customerId, offerDiscountEligible: eligible, at }) : null;
    // PRT-6: the volume tier comes off what the reseller discount left, for every buyer.
    const unitPriceCents = withVolumeTier(unitPriceFor({ priceCents: basePrice, billingPeriod: c.offer.billingPeriod }, c.period), c.offer.volumeTiers as VolumeTier[], c.quantity);
    const terms = { name: c.offer.name, unitPriceCents, quantity: c.quantity, discountBp: discount?.bp ?? 0, discountKind: discount?.kind ?? null, vatRateBp: c.offer.vatRateBp };
    const { amounts } = lineCharge(terms);
    const trialEndsAt = c.offer.trialDays > 0 ? new Date(trialEnd(at.toISOString(), c.offer.trialDays, businessTimeZone())) : null;
    priced.push({ ...c, ...terms, billingPeriod: c.period, trialEndsAt, amounts, chargedCents: trialEndsAt ? 0 : amounts.totalCents });
  }
  return priced;
}

const termsOf = (p: PricedLine): LineTermsRow => ({
  billingPeriod: p.billingPeriod,
  quantity: p.quantity,
  unitPriceCents: p.unitPriceCents,
  discountBp: p.discountBp,
  discountKind: p.discountKind,
  trialEndsAt: p.trialEndsAt,
});

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
  lines: ({ id: string; offerId: string; sellerId: string; name: string; totalCents: number } & LineTermsRow)[];
}

const lineId = (orderId: string, position: number) => `${orderId.replace('ord_', 'lin_')}_${position}`;

/** ORD-1, ORD-2: the order, its lines, the terms accepted and the idempotency record, in one transaction. */
async function recordOrder(
  deps: ApiDeps,
  principal: Principal,
  email: string,
  input: CheckoutInput,
  chosen: ChosenLine[],
  card: { token: string; last4: string; brand: string },
  idempotency: IdempotentRequest,
  partnerOrder?: PartnerOrder,
): Promise<RecordedOrder> {
  const ordered = chosen.map((c) => c.offer);
  const orderId = `ord_${randomUUID()}`;
  const cardId = partnerOrder?.card.id ?? `card_${randomUUID()}`;
  const createdAt = new Date();
  const sellers = [...new Map(ordered.map((o) => [o.sellerId, o.seller])).values()];
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
      const priced = await priceLines(tx, principal, chosen, createdAt, partnerOrder);
      // The order's totals are what is charged now: a line on a free trial adds nothing (POL-1).
      const totals = sumAmounts(priced.map((p) => (p.trialEndsAt ? { exclVatCents: 0, vatCents: 0, totalCents: 0 } : p.amounts)));
      const lines = priced.map((p, i) => ({ id: lineId(orderId, i + 1), offerId: p.offer.id, sellerId: p.offer.sellerId, name: p.offer.name, totalCents: p.chargedCents, ...termsOf(p) }));
      const customerId = await accountForCheckout(tx, principal, email);
      if (!partnerOrder) await tx.paymentCard.create({ data: { id: cardId, customerId, token: card.token, last4: card.last4, brand: card.brand } });
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
          ...(partnerOrder ? { partnerId: partnerOrder.partnerId, payer: partnerOrder.payer } : {}),
          lines: {
            create: priced.map((p, i) => ({
              id: lines[i].id,
              position: i + 1,
              offerId: p.offer.id,
              sellerId: p.offer.sellerId,
              name: p.offer.name,
              priceCents: p.amounts.exclVatCents,
              currency: p.offer.currency,
              vatRateBp: p.offer.vatRateBp,
              vatCents: p.amounts.vatCents,
              totalCents: p.chargedCents,
              commitmentMonths: p.offer.commitmentMonths,
              ...termsOf(p),
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
          actor: partnerOrder ? `partner:${partnerOrder.partnerId}` : principal.kind === 'customer' ? `customer:${principal.customerId}` : 'anonymous',
          action: 'order.created',
          entityType: 'order',
          entityId: orderId,
          orderId,
          workflowId: orderWorkflowId(orderId),
          data: JSON.stringify({ number, totalCents: totals.totalCents, currency: ordered[0].currency, ...(partnerOrder ? { customerId, partnerId: partnerOrder.partnerId, payer: partnerOrder.payer } : {}) }),
        },
      });
      await idempotency.claim(tx, orderId);
      return { customerId, number, totals, lines };
    }),
  );
  // The answer is built from what this transaction recorded (no read-after-write).
  return { id: orderId, number: recorded.number, createdAt, customerId: recorded.customerId, currency: ordered[0].currency, ...totalsOf(recorded.totals), lines: recorded.lines };
}

const totalsOf = (t: { exclVatCents: number; vatCents: number; totalCents: number }) => ({
  totalExclVatCents: t.exclVatCents,
  totalVatCents: t.vatCents,
  totalCents: t.totalCents,
});

async function loadRecordedOrder(deps: ApiDeps, orderId: string): Promise<RecordedOrder> {
  return deps.db.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
}

/** What staff read of a recorded order (a resumed checkout): its number and lines. */
async function recordedAbout(deps: ApiDeps, orderId: string): Promise<OrderAbout> {
  const order = await deps.db.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' }, include: { seller: true } } } });
  const lines = order.lines.map((l) => ({ lineId: l.id, position: l.position, offerName: l.name, sellerName: l.seller.legalName, billingPeriod: l.billingPeriod }));
  return { number: order.number, lines };
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
    staticSummary: orderSummary({ number: about.number, lineCount: about.lines.length }),
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
      lines: order.lines.map((l) => ({ lineId: l.id, offerId: l.offerId, sellerId: l.sellerId, name: l.name, totalCents: l.totalCents, ...lineTerms(l) })),
    },
  };
}
