// The bodies of the API's answers, as /openapi.json documents them. RouteTable parses every 2xx
// body through its route's schema before sending it: a field that is not listed here (workflow
// bookkeeping such as `run` or `historyLength`, a row's internal columns) never reaches a caller,
// and a body that does not match is our defect, answered 500 and logged (api/route.ts).
import type { Offer } from '@prisma/client';
import { PRODUCT_KINDS } from '../domain/commercial-policy';
import { BILLING_PERIOD_NAMES, type BillingPeriod } from '../domain/calendar';
import { productOf } from '../domain/offer';
import { z } from './zod';

const iso = z.string().describe('ISO 8601, UTC');

/** 202 of a command still being carried out (api/temporal-errors.ts pendingAnswer). */
export const pendingCommand = z
  .object({
    status: z.literal('accepted'),
    message: z.string(),
    workflowId: z.string(),
    updateId: z.string(),
    statusUrl: z.string().describe('GET it for the outcome: 200 once carried out, 202 while it runs'),
  })
  .openapi('PendingCommand');

/** What a line was bought under (POL-1, POL-3, POL-6, quantities): every view of a line shows it. */
export const lineTermsShape = {
  billingPeriod: z.string().describe('POL-6: the period chosen at checkout (monthly, annual, biennial, triennial)'),
  quantity: z.number().int().describe('seats or hostings'),
  unitPriceCents: z.number().int().describe('excl. VAT, one unit for one period of billingPeriod'),
  discountBp: z.number().int().describe('POL-3: the charity or education discount in basis points (2000 = 20 %), 0 = none'),
  discountKind: z.string().nullable().describe('POL-3: charity | education, null = no discount'),
  trialEndsAt: iso.nullable().describe('POL-1: the end of the free trial; null = none (the line was charged at checkout)'),
};

export interface LineTermsRow {
  billingPeriod: string;
  quantity: number;
  unitPriceCents: number;
  discountBp: number;
  discountKind: string | null;
  trialEndsAt: Date | null;
}

/** A line's terms as checkout recorded them (the OrderLine columns), for every view of a line. */
export function lineTerms(l: LineTermsRow): z.infer<z.ZodObject<typeof lineTermsShape>> {
  return {
    billingPeriod: l.billingPeriod,
    quantity: l.quantity,
    unitPriceCents: l.unitPriceCents,
    discountBp: l.discountBp,
    discountKind: l.discountKind,
    trialEndsAt: l.trialEndsAt?.toISOString() ?? null,
  };
}

export const lineStatus = z.enum(['awaiting_payment', 'payment_failed', 'awaiting_validation', 'overdue', 'active', 'refused', 'cancelled', 'terminated']);

/**
 * One order line: its workflow's live state, or (for a line whose process ended or never began)
 * the database's view of it, which lacks the workflow-only fields.
 */
export const lineState = z
  .object({
    orderId: z.string(),
    lineId: z.string(),
    sellerId: z.string(),
    offerId: z.string().optional(),
    name: z.string().optional(),
    status: lineStatus,
    totalCents: z.number().int().optional(),
    paidAt: iso.optional(),
    validationDueAt: iso.nullable(),
    deadlinesMissed: z.number().int().optional(),
    extensions: z.array(z.object({ by: z.string(), hours: z.number().int(), at: iso, newDueAt: iso })).optional(),
    decidedAt: iso.optional(),
    decidedBy: z.string().optional(),
    accessInstructionsId: z.string().optional(),
    accessInstructionsHidden: z.literal(true).optional(),
    refusalReason: z.string().optional(),
    cancelReason: z.string().optional(),
    refundId: z.string().optional(),
    // Shown by GET and the decisions; an outcome read back by its update id (GET /updates/…) has only the workflow's state.
    ...z.object(lineTermsShape).partial().shape,
  })
  .openapi('LineState');

const paidPeriod = z.object({ n: z.number().int(), start: iso, end: iso, paymentId: z.string(), amountCents: z.number().int(), invoiceNumber: z.string() });
const pastDue = z.object({
  period: z.number().int(),
  dueAt: iso,
  retryAt: z.array(iso),
  nextRetryAt: iso.nullable(),
  endsAt: iso,
  hardDeclined: z.boolean(),
  attempts: z.array(z.object({ at: iso, trigger: z.string(), code: z.string(), message: z.string(), hard: z.boolean() })),
});

/**
 * A subscription (SUB-13): its workflow's live state; once its process has ended, the database's
 * row (the fields marked optional are then absent). Never its run bookkeeping.
 */
export const subscriptionState = z
  .object({
    subscriptionId: z.string(),
    orderId: z.string(),
    customerId: z.string(),
    sellerId: z.string(),
    offerId: z.string(),
    name: z.string().optional(),
    customerType: z.enum(['individual', 'business']).optional(),
    status: z.enum(['trialing', 'active', 'past_due', 'terminated']).describe('trialing: a POL-1 free trial, converted by the first charge at its end'),
    renewalMode: z.enum(['auto', 'manual']),
    billingPeriod: z.enum(BILLING_PERIOD_NAMES as [BillingPeriod, ...BillingPeriod[]]).optional(),
    timeZone: z.string().optional(),
    anchor: iso.optional(),
    priceCents: z.number().int().optional().describe('One period excl. VAT at the quantity, unit price and discount in force'),
    quantity: z.number().int().optional(),
    unitPriceCents: z.number().int().optional().describe('POL-2: the unit price of one period in force (capped at each renewal)'),
    discount: z.object({ bp: z.number().int(), kind: z.string() }).nullable().optional().describe('POL-3: the discount of the latest period, decided again at each renewal'),
    trialEndsAt: iso.nullable().optional().describe('POL-1: the end of the free trial'),
    nextPrice: z
      .object({ unitPriceCents: z.number().int(), from: iso, announcedAt: iso })
      .nullable()
      .optional()
      .describe('POL-2: an announced rise: the capped unit price and the renewal from which it applies'),
    pendingQuantity: z.object({ quantity: z.number().int(), requestedAt: iso, effectiveAt: iso }).nullable().optional().describe('A decrease, effective at the next renewal'),
    quantityCharges: z
      .array(z.object({ n: z.number().int(), at: iso, from: z.number().int(), to: z.number().int(), paymentId: z.string(), amountCents: z.number().int(), invoiceNumber: z.string() }))
      .optional()
      .describe('Quantity increases, each charged prorated with its invoice'),
    vatRateBp: z.number().int().optional(),
    currency: z.string().optional(),
    card: z.object({ last4: z.string() }),
    commitmentEnd: iso.nullable().optional(),
    pendingTermination: z.object({ requestedAt: iso, effectiveAt: iso }).nullable().optional(),
    paidPeriods: z.number().int(),
    periods: z.array(paidPeriod).optional(),
    nextDueAt: iso.nullable(),
    pastDue: pastDue.nullable().optional(),
    withdrawalDeadline: iso.optional(),
    deletionRequest: z.object({ requestedAt: iso, expiresAt: iso }).nullable().optional(),
    sellerClosure: z
      .object({ caseId: z.string(), closedAt: iso, endsAt: iso })
      .nullable()
      .optional()
      .describe("MED-5: the seller's account is closed; the subscription ends at endsAt and never renews"),
    endedAt: iso.nullable(),
    endReason: z.enum(['non_payment', 'not_renewed', 'terminated', 'deleted', 'withdrawn', 'seller_closed']).nullable(),
  })
  .openapi('SubscriptionState');

export const subscriptionAnswer = z
  .object({ state: subscriptionState, effectiveAt: iso.nullable().optional(), message: z.string() })
  .openapi('SubscriptionCommandAnswer');

export const withdrawalAnswer = z
  .object({
    status: z.literal('withdrawn'),
    orderId: z.string(),
    withdrawnAt: iso,
    deadline: iso,
    lines: z.array(
      z.object({
        lineId: z.string(),
        outcome: z.enum(['cancelled', 'withdrawn', 'refunded_after_end', 'already_withdrawn', 'already_refunded', 'nothing_paid', 'refused']),
        message: z.string(),
      }),
    ),
  })
  .openapi('WithdrawalAnswer');

export const checkoutAnswer = z
  .object({
    orderId: z.string(),
    number: z.string(),
    customerId: z.string().optional().describe('only for a signed-in customer'),
    orderToken: z.string().optional().describe('only for an anonymous buyer: a Bearer token that reads this order (X-8)'),
    status: z.literal('paid'),
    paidAt: iso,
    currency: z.string(),
    totalExclVatCents: z.number().int(),
    totalVatCents: z.number().int(),
    totalCents: z.number().int(),
    lines: z.array(z.object({ lineId: z.string(), offerId: z.string(), sellerId: z.string(), name: z.string(), totalCents: z.number().int().describe('charged now: 0 for a free trial (POL-1)'), ...lineTermsShape })),
  })
  .openapi('CheckoutAnswer');

const timelineEntry = z.object({
  at: iso,
  step: z.string().describe('the audit action, e.g. line.accepted'),
  label: z.string().describe('what happened, in words'),
  by: z.string(),
  lineId: z.string().optional(),
  subscriptionId: z.string().optional(),
  document: z.object({ kind: z.enum(['invoice', 'credit_note']), id: z.string(), number: z.string() }).optional(),
});

const nextStep = z.object({
  label: z.string(),
  lineId: z.string().optional(),
  subscriptionId: z.string().optional(),
  dueAt: iso.optional(),
  rule: z.string().optional().describe('the SPEC rule id that sets the date'),
});

export const timeline = z.object({ done: z.array(timelineEntry), next: z.array(nextStep), actionNeeded: z.string().nullable() }).openapi('Timeline');

export const orderView = z
  .object({
    orderId: z.string(),
    number: z.string(),
    customerId: z.string().nullable().optional().describe('not shown to an order token (X-8)'),
    status: z.string(),
    createdAt: iso,
    paidAt: iso.nullable(),
    currency: z.string(),
    totalExclVatCents: z.number().int(),
    totalVatCents: z.number().int(),
    totalCents: z.number().int(),
    card: z.object({ last4: z.string() }),
    failure: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
    lines: z.array(
      z.object({
        lineId: z.string(),
        offerId: z.string(),
        sellerId: z.string(),
        name: z.string(),
        status: lineStatus,
        totalCents: z.number().int(),
        validationDueAt: iso.nullable(),
        accessInstructionsHidden: z.literal(true).optional(),
        ...lineTermsShape,
      }),
    ),
    timeline,
  })
  .openapi('Order');

/** What an offer version states (ORD-2, POL-1, POL-3, POL-4, POL-5, POL-6): the catalog's view and the seller's own share it. */
export const offerStatedShape = {
  productId: z.string().describe('Stable across versions (README "Offers and terms")'),
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  priceCents: z.number().int(),
  currency: z.string(),
  vatRateBp: z.number().int(),
  billingPeriod: z.string(),
  commitmentMonths: z.number().int(),
  supportTier: z.string(),
  trialDays: z.number().int().describe('POL-1: days of free trial before the first payment, 0 = none'),
  allowedPeriods: z.array(z.string()).describe('POL-6: the periods a buyer may choose, paid in advance at priceCents per year; empty = billingPeriod only'),
  discountEligible: z.boolean().describe('POL-3: a verified charity or education customer gets 20 % off'),
  productKind: z.enum(PRODUCT_KINDS).describe('POL-4: a subscription may be refunded by its seller within 30 days of a payment; a service never'),
};

type StatedOffer = Pick<Offer, 'id' | 'productId' | 'version' | 'name' | 'description' | 'priceCents' | 'currency' | 'vatRateBp' | 'billingPeriod' | 'commitmentMonths' | 'supportTier' | 'trialDays' | 'allowedPeriods' | 'discountEligible' | 'productKind'>;

export function offerStated(o: StatedOffer) {
  return {
    productId: productOf(o),
    version: o.version,
    name: o.name,
    description: o.description,
    priceCents: o.priceCents,
    currency: o.currency,
    vatRateBp: o.vatRateBp,
    billingPeriod: o.billingPeriod,
    commitmentMonths: o.commitmentMonths,
    supportTier: o.supportTier,
    trialDays: o.trialDays,
    allowedPeriods: o.allowedPeriods,
    discountEligible: o.discountEligible,
    productKind: o.productKind as (typeof PRODUCT_KINDS)[number],
  };
}

export const offerView = z
  .object({
    offerId: z.string().describe('What checkout orders: the current version of the product'),
    ...offerStatedShape,
    seller: z.object({ sellerId: z.string(), name: z.string(), termsVersion: z.string().nullable() }),
  })
  .openapi('Offer');

export const emailView = z
  .object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string().describe('secrets shown as [hidden] to anyone but the addressee'),
    status: z.string(),
    createdAt: iso,
    sentAt: iso.nullable(),
  })
  .openapi('Email');

export const mailboxMessage = z
  .object({ id: z.number().int(), messageId: z.string(), fromAddr: z.string(), toAddrs: z.string(), subject: z.string(), text: z.string(), receivedAt: iso, copies: z.number().int() })
  .openapi('MailboxMessage');
