// TND-1: calls for tenders. Pure (the API, the activities and the Tender workflow use it). House
// rules (README "Calls for tenders (TND-1)"): a call opens at once when its contact e-mail is the
// signed-in customer's own (proven when it signed in); any other address (a visitor's, or another
// one a customer names) is proven first with an e-mailed code, and a call still unproven 48 hours
// after it was posted is dropped. An open call closes by itself 30 days after it opened, on the
// Paris calendar (the same wall-clock time 30 days later, whatever the DST change between).
import { DateTime } from 'luxon';

export const TENDER_STATUSES = ['awaiting_verification', 'open', 'withdrawn', 'closed'] as const;
export type TenderStatus = (typeof TENDER_STATUSES)[number];
export const isTenderEnded = (s: TenderStatus | 'dropped'): boolean => s === 'withdrawn' || s === 'closed' || s === 'dropped';

/** House rule: the categories a call is posted in and a partner opts in to. */
export const TENDER_CATEGORIES = ['web_hosting', 'email', 'domains', 'website_creation', 'cloud_servers', 'storage_backup', 'streaming', 'consulting'] as const;
export type TenderCategory = (typeof TENDER_CATEGORIES)[number];

export const TENDER_TIME_ZONE = 'Europe/Paris';
/** House rule: an open call closes 30 Paris days after it opened. */
export const TENDER_OPEN_DAYS = 30;
/** House rule: a contact e-mail not proven within 48 hours (a duration, not calendar days) drops the call. */
export const TENDER_VERIFICATION_HOURS = 48;
/** The verification code: its length, and the wrong tries after which it stops working. */
export const TENDER_CODE_LENGTH = 8;
export const TENDER_CODE_ATTEMPTS = 5;
/** ConfirmationCode.purpose of a call's e-mail verification. */
export const TENDER_CODE_PURPOSE = 'tender-email';

/** When a call opened at `openedAt` closes by itself (TND-1 house rule). */
export function tenderClosesAt(openedAt: string, zone = TENDER_TIME_ZONE): string {
  return DateTime.fromISO(openedAt, { zone: 'utc' }).setZone(zone).plus({ days: TENDER_OPEN_DAYS }).toUTC().toISO()!;
}

/** When a call posted at `createdAt` is dropped unless its contact e-mail was proven. */
export function tenderVerifyBy(createdAt: string): string {
  return new Date(Date.parse(createdAt) + TENDER_VERIFICATION_HOURS * 3_600_000).toISOString();
}

/** Whether a call is open to partners at `now`: open, and not past its close (its timer may be a moment late). */
export function isTenderOpenAt(t: { status: string; closesAt: Date | null }, now: number = Date.now()): boolean {
  return t.status === 'open' && t.closesAt !== null && t.closesAt.getTime() > now;
}

/** The ConfirmationCode row of a call's verification (one per call). */
export function tenderCodeId(tenderId: string): string {
  return `tnd:${tenderId}:email`;
}
