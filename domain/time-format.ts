// Dates and times as a person reads them (e-mails, link pages): in the business time zone, never
// raw ISO UTC. "3 December 2026, 15:24 (Paris time)"; a day alone is "3 December 2026". Stored
// values stay ISO UTC (SPEC conventions); only the text shown is converted.
import { DateTime } from 'luxon';

/** The business time zone (SPEC conventions: Europe/Paris, BUSINESS_TZ to change it). */
export function businessTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  return env.BUSINESS_TZ ?? 'Europe/Paris';
}

/** "Paris time" for Europe/Paris, "New York time" for America/New_York, "UTC" for UTC. */
export function zoneLabel(zone: string): string {
  if (/^(Etc\/)?(UTC|GMT|Zulu)$/i.test(zone)) return 'UTC';
  const city = zone.split('/').at(-1)!.replace(/_/g, ' ');
  return `${city} time`;
}

function inZone(at: string | Date, zone: string): DateTime {
  const dt = typeof at === 'string' ? DateTime.fromISO(at, { zone: 'utc' }) : DateTime.fromJSDate(at, { zone: 'utc' });
  if (!dt.isValid) throw new Error(`not a date: ${String(at)}`);
  return dt.setZone(zone).setLocale('en-GB');
}

/** "3 December 2026, 15:24 (Paris time)". */
export function formatDateTime(at: string | Date, zone: string = businessTimeZone()): string {
  return `${inZone(at, zone).toFormat('d MMMM yyyy, HH:mm')} (${zoneLabel(zone)})`;
}

/** "3 December 2026": the calendar day in the business zone (a due date at 00:30 Paris is that day, not the UTC one before). */
export function formatDate(at: string | Date, zone: string = businessTimeZone()): string {
  return inZone(at, zone).toFormat('d MMMM yyyy');
}

/** "an individual customer", "a business customer". */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
