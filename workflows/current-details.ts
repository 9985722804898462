// What staff read of a running process in the Temporal Web UI (conventions: docs/temporal-ui.md):
// the Markdown of `setCurrentDetails` (business state, next deadline in Paris time with its rule
// id, what is awaited from whom) and the one-line summaries of timers. Pure and deterministic
// (luxon only, as domain/calendar.ts): it runs in workflow code. Values are plain text; the
// Markdown is added here. Never a secret nor an e-mail address: names and ids only.
import { DateTime } from 'luxon';

/** Calendar rules and the deadlines staff read are in the business time zone (BUSINESS_TZ's default). */
export const BUSINESS_TIME_ZONE = 'Europe/Paris';

/** "Paris" for Europe/Paris, "New York" for America/New_York. */
function zoneLabel(zone: string): string {
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

/** "03/12/2026 15:24 (Paris)": an instant as staff in the business time zone read it. */
export function localTime(iso: string, zone = BUSINESS_TIME_ZONE): string {
  return `${DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('dd/MM/yyyy HH:mm')} (${zoneLabel(zone)})`;
}

/** "03/12 15:24 Paris": the short form, for one-line timer and activity summaries. */
export function shortLocalTime(iso: string, zone = BUSINESS_TIME_ZONE): string {
  return `${DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('dd/MM HH:mm')} ${zoneLabel(zone)}`;
}

export interface Deadline {
  /** The rule that sets it: "ORD-7". */
  rule: string;
  /** What must happen by then, as a sentence without its date: "seller Acme Cloud SAS must answer". */
  what: string;
  /** ISO instant. */
  at: string;
  /** The word before the date: "by" (something must happen before it, the default) or "on" (something happens then). */
  word?: 'by' | 'on';
  zone?: string;
}

/** "ORD-7: seller Acme Cloud SAS must answer by 03/12/2026 15:24 (Paris)". */
export function deadlineText(d: Deadline): string {
  return `${d.rule}: ${d.what} ${d.word ?? 'by'} ${localTime(d.at, d.zone)}`;
}

/** The summary of the timer that waits for a deadline: "ORD-7: seller Acme Cloud SAS must answer by 03/12 15:24 Paris". */
export function timerSummary(d: Deadline): string {
  return `${d.rule}: ${d.what} ${d.word ?? 'by'} ${shortLocalTime(d.at, d.zone)}`;
}

export interface Details {
  /** The process in a few words: "Line 1 of O-2026-000042 · Acme Mail Pro". */
  title: string;
  /** The business state with its rule: "awaiting the seller's validation (ORD-6)". */
  state: string;
  /** The next deadline, or null when none runs. */
  deadline?: Deadline | null;
  /** The action awaited and from whom: "accept or refuse, from seller Acme Cloud SAS"; null: nothing. */
  awaiting?: string | null;
  /** Further facts, one line each (other dates, outcomes so far). */
  facts?: string[];
}

/** Markdown special characters in a plain value, escaped so a name shows as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

/** The Markdown for setCurrentDetails. */
export function currentDetails(d: Details): string {
  const lines = [
    `**${escapeMarkdown(d.title)}**`,
    '',
    `- **State:** ${escapeMarkdown(d.state)}`,
    `- **Next deadline:** ${d.deadline ? escapeMarkdown(deadlineText(d.deadline)) : 'none'}`,
    `- **Awaiting:** ${d.awaiting ? escapeMarkdown(d.awaiting) : 'nothing'}`,
    ...(d.facts ?? []).map((f) => `- ${escapeMarkdown(f)}`),
  ];
  return lines.join('\n');
}
