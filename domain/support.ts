// Support tickets (DIA-1..DIA-8, POL-5): the tiers an offer sells, the paid diagnostic's terms
// and the ticket's states. Pure and deterministic: the Ticket workflow runs it.
import { DateTime } from 'luxon';
import { dueDate, periodIndexAt } from './calendar';

export const SUPPORT_TIERS = ['basic', 'standard', 'premium'] as const;
export type SupportTier = (typeof SUPPORT_TIERS)[number];

export interface TierPolicy {
  tier: SupportTier;
  /** Tickets per subscription year (POL-5); null: unlimited. */
  ticketsPerYear: number | null;
  /** Named contacts allowed to open tickets (POL-5). */
  contacts: number;
  /** business_hours: Europe/Paris Mon–Fri 09:00–18:00 without French public holidays; always: 24/7. */
  hours: 'business_hours' | 'always';
  /** House rule: support's first answer is due within this many hours of `hours` (configurable). */
  firstResponseHours: number;
  /** House rule: ops are alerted once this share of the target has elapsed (percent). */
  alertAtPercent: number;
}

/** POL-5's tiers with the house first-response targets (SUPPORT_FIRST_RESPONSE_HOURS overrides them). */
export const DEFAULT_TIER_POLICIES: Record<SupportTier, TierPolicy> = {
  basic: { tier: 'basic', ticketsPerYear: 10, contacts: 1, hours: 'business_hours', firstResponseHours: 16, alertAtPercent: 75 },
  standard: { tier: 'standard', ticketsPerYear: 25, contacts: 3, hours: 'business_hours', firstResponseHours: 8, alertAtPercent: 75 },
  premium: { tier: 'premium', ticketsPerYear: null, contacts: 5, hours: 'always', firstResponseHours: 4, alertAtPercent: 75 },
};

export function isSupportTier(value: string): value is SupportTier {
  return (SUPPORT_TIERS as readonly string[]).includes(value);
}

/** The policies with first-response targets from "basic:16,standard:8,premium:4" (any subset). */
export function tierPolicies(firstResponseHours?: string): Record<SupportTier, TierPolicy> {
  const out = structuredClone(DEFAULT_TIER_POLICIES);
  for (const part of (firstResponseHours ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [tier, hours] = part.split(':');
    const n = Number(hours);
    if (!isSupportTier(tier ?? '') || !Number.isFinite(n) || n <= 0) throw new RangeError(`SUPPORT_FIRST_RESPONSE_HOURS: "${part}" is not tier:hours`);
    out[tier as SupportTier].firstResponseHours = n;
  }
  return out;
}

/** DIA-1: the diagnostic's price and its promotion, as the marketplace announces them. */
export interface DiagnosticTerms {
  /** Excl. VAT (20.00 EUR by default: DIAGNOSTIC_PRICE_CENTS). */
  priceCents: number;
  currency: string;
  /** The marketplace's VAT rate on its own invoices, basis points. */
  vatRateBp: number;
  /** Until this instant (exclusive) the diagnostic is free (DIAGNOSTIC_FREE_UNTIL); null: no promotion. */
  freeUntil: string | null;
}

/** DIA-1: the price a consent given at `atIso` agrees to (free before the promotion's end). */
export function diagnosticPriceAt(terms: DiagnosticTerms, atIso: string): { priceCents: number; promotion: boolean } {
  const promotion = terms.freeUntil !== null && Date.parse(atIso) < Date.parse(terms.freeUntil);
  return { priceCents: promotion ? 0 : terms.priceCents, promotion };
}

/** DIA-2's outcomes. */
export const DIAGNOSIS_OUTCOMES = ['provider_fault', 'fixed', 'quote', 'no_quote'] as const;
export type DiagnosisOutcome = (typeof DIAGNOSIS_OUTCOMES)[number];

/** DIA-3 (H): a quote unanswered this long counts as declined. */
export const QUOTE_DAYS = 14;
/** DIA-4: a support invoice is due this many days after issue; (H) reminded this many days before. */
export const PAYMENT_DAYS = 30;
export const PAYMENT_REMINDER_DAYS_BEFORE = 7;

export const TICKET_KINDS = ['incident', 'support'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export type TicketStatus =
  | 'awaiting_consent' // DIA-1: the diagnostic's price announced, the customer's consent awaited
  | 'diagnosing' // DIA-2: support works on the incident
  | 'quote_pending' // DIA-3: the customer's answer to the quote awaited (14 days)
  | 'work_in_progress' // DIA-3: quote accepted, support works
  | 'awaiting_payment' // DIA-4: invoice issued, due in 30 days
  | 'awaiting_support' // a support ticket waiting for support's answer
  | 'awaiting_customer' // a support ticket waiting for the customer's reply
  | 'paid' // DIA-4: closed, the invoice paid
  | 'contested' // DIA-5/DIA-6: closed, the invoice cancelled by a credit note, support barred
  | 'closed'; // closed with nothing (more) to pay

export const CLOSED_STATUSES: readonly TicketStatus[] = ['paid', 'contested', 'closed'];
export const isClosed = (s: TicketStatus): boolean => CLOSED_STATUSES.includes(s);

/** Plus whole days on the business calendar (same wall-clock time), as SUB's deadlines are counted. */
export function plusDaysIn(iso: string, days: number, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).plus({ days }).toUTC().toISO()!;
}

/**
 * POL-5: the subscription year `atIso` falls in — from the start (ORD-8 anchor) or the latest
 * anniversary (SUB-2's annual calendar: 29 Feb falls on 28 Feb) to the next one.
 */
export function subscriptionYear(anchorIso: string, atIso: string, zone: string): { from: string; until: string } {
  const k = periodIndexAt(anchorIso, 'annual', atIso, zone);
  const from = k === 0 ? DateTime.fromISO(anchorIso, { zone: 'utc' }).toUTC().toISO()! : dueDate(anchorIso, 'annual', k, zone);
  return { from, until: dueDate(anchorIso, 'annual', k + 1, zone) };
}
