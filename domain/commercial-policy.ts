// Seller commercial policies (SPEC §6: POL-1 to POL-4, POL-6) and quantities, as pure rules: the
// checkout, the subscription workflow, the invoices and the refund route all compute with these
// (README "Commercial policies"). Deterministic (luxon only): also runs in workflow code.
import { DateTime } from 'luxon';
import { PERIOD_YEARS, type BillingPeriod } from './calendar';
import { lineAmounts, percentOf, sumAmounts, type LineAmounts } from './money';

/** POL-1: the customer is reminded 7 days and 1 day before the trial ends. */
export const TRIAL_REMINDER_DAYS = [7, 1] as const;
/** House bound: a trial of more than 90 days is a typo, not an offer. */
export const MAX_TRIAL_DAYS = 90;
/** POL-2: at most +7 % per year over the previous period's price. */
export const PRICE_CAP_BP = 700;
/** POL-2 (H): customers are told this many days before a new price applies to them. */
export const PRICE_NOTICE_DAYS = 30;
/** POL-3: 20 % off for a verified charity or education customer. */
export const DISCOUNT_BP = 2000;
export const DISCOUNT_KINDS = ['charity', 'education'] as const;
export type DiscountKind = (typeof DISCOUNT_KINDS)[number];
/** POL-4: a subscription payment may be refunded by its seller within 30 days. */
export const REFUND_WINDOW_DAYS = 30;
/** POL-4: services (as opposed to subscriptions) are never refunded. */
export const PRODUCT_KINDS = ['subscription', 'service'] as const;
/** House bound on seats or hostings per line. */
export const MAX_QUANTITY = 10_000;
/** POL-6: the periods an offer may restrict its billing to (annual or multi-year, paid in advance). */
export const YEARLY_PERIODS = ['annual', 'biennial', 'triennial'] as const;

/**
 * POL-6: the periods a buyer may choose. An offer without a restriction sells its own period; an
 * offer with one is priced per year (billingPeriod `annual`) and sells the listed yearly periods.
 */
export function allowedPeriodsOf(offer: { billingPeriod: string; allowedPeriods: string[] }): BillingPeriod[] {
  return (offer.allowedPeriods.length > 0 ? offer.allowedPeriods : [offer.billingPeriod]) as BillingPeriod[];
}

/** POL-6: the unit price of one period of `period` on an offer priced per its own period (per year when restricted). */
export function unitPriceFor(offer: { priceCents: number; billingPeriod: string }, period: BillingPeriod): number {
  if (period === 'monthly' || offer.billingPeriod !== 'annual') return offer.priceCents;
  return offer.priceCents * PERIOD_YEARS[period];
}

/** The years one period lasts (monthly: none), for the price cap. */
export function yearsPerPeriod(period: BillingPeriod): number {
  return period === 'monthly' ? 0 : PERIOD_YEARS[period];
}

export interface ChargeLine {
  description: string;
  quantity: number;
  /** quantity × unit price (negative for a discount). */
  exclVatCents: number;
  vatRateBp: number;
}

export interface LineTerms {
  name: string;
  unitPriceCents: number;
  quantity: number;
  discountBp: number;
  discountKind: string | null;
  vatRateBp: number;
}

/**
 * What one period of a line costs and how its invoice shows it: quantity × unit price, then the
 * POL-3 discount as its own line. VAT is rounded per line, and the charge is the sum of the lines,
 * so the invoice and the card charge always agree to the cent.
 */
export function lineCharge(t: LineTerms): { lines: ChargeLine[]; amounts: LineAmounts } {
  const gross = t.unitPriceCents * t.quantity;
  const lines: ChargeLine[] = [{ description: t.name, quantity: t.quantity, exclVatCents: gross, vatRateBp: t.vatRateBp }];
  if (t.discountBp > 0) {
    const off = percentOf(gross, t.discountBp);
    lines.push({ description: `${t.discountKind ?? 'Verified'} discount ${t.discountBp / 100} % (POL-3)`, quantity: 1, exclVatCents: -off, vatRateBp: t.vatRateBp });
  }
  return { lines, amounts: sumAmounts(lines.map((l) => lineAmounts(l.exclVatCents, l.vatRateBp))) };
}

/** POL-2: the highest price after `years` years of increases from `baseCents`: +7 % a year, compounded, half-up each year. */
export function priceCap(baseCents: number, years: number): number {
  let cap = baseCents;
  for (let y = 0; y < years; y++) cap += percentOf(cap, PRICE_CAP_BP);
  return cap;
}

/**
 * POL-2: the unit price a renewal may charge when the seller's price is `proposedCents`. Yearly
 * periods: at most 7 % per year of the period over the previous period's price. Monthly (house
 * rule): at most 7 % over the price in force 12 months before the new period starts (`baseCents`
 * is then that price), so increases compound only across anniversaries. Decreases pass as is.
 */
export function cappedUnitPrice(p: { proposedCents: number; baseCents: number; period: BillingPeriod }): number {
  const years = Math.max(1, yearsPerPeriod(p.period));
  return Math.min(p.proposedCents, priceCap(p.baseCents, years));
}

/** POL-2 (H): an increase reaches a renewal due at `dueAt` only if it was announced at least 30 days before. */
export function noticeInstant(dueAt: string, zone: string): string {
  return DateTime.fromISO(dueAt, { zone: 'utc' }).setZone(zone).minus({ days: PRICE_NOTICE_DAYS }).toUTC().toISO()!;
}

/** The instant 12 months before `iso` in `zone` (the monthly cap's base date). */
export function twelveMonthsBefore(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).minus({ months: 12 }).toUTC().toISO()!;
}

/**
 * Quantities (house rule): the price of the extra units for the rest of the period, exact to the
 * cent: extra × remaining / length, rounded half-up once (integer arithmetic, no float drift).
 */
export function proratedCents(extraCents: number, remainingMs: number, periodMs: number): number {
  if (extraCents <= 0 || remainingMs <= 0) return 0;
  const num = BigInt(extraCents) * BigInt(Math.min(remainingMs, periodMs));
  const den = BigInt(periodMs);
  return Number((2n * num + den) / (2n * den));
}

/**
 * POL-4 (H): a payment may be refunded by its seller until the end (midnight, business zone) of
 * the 30th calendar day after the day it was paid.
 */
export function refundDeadline(paidAt: string, zone: string): string {
  return DateTime.fromISO(paidAt, { zone: 'utc' }).setZone(zone).startOf('day').plus({ days: REFUND_WINDOW_DAYS + 1 }).toUTC().toISO()!;
}

/** POL-1: the end of a trial of `days` days starting at `start`, at the same local time. */
export function trialEnd(start: string, days: number, zone: string): string {
  return DateTime.fromISO(start, { zone: 'utc' }).setZone(zone).plus({ days }).toUTC().toISO()!;
}
